// Human-readable description of a Keel image or bundle (keel inspect). Pure: bytes in, text out.
import { BUNDLE_MAGIC, decodeBundle } from "./codec.ts";
import { EM_RISCV, parseElf, sectionBytes } from "../elf/read.ts";

export function formatSize(n: bigint | number): string {
  const v = BigInt(n);
  const units: [bigint, string][] = [
    [1n << 30n, "GiB"],
    [1n << 20n, "MiB"],
    [1n << 10n, "KiB"],
  ];
  for (const [unit, name] of units) if (v >= unit && v % unit === 0n) return `${v / unit} ${name}`;
  return `${v} B`;
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** Describes an ELF image (with a .keel_bundle section) or a raw bundle; throws Error on malformed input. */
export function describeImage(bytes: Uint8Array, label: string): string {
  const lines: string[] = [];
  let bundleBytes: Uint8Array;
  if (Buffer.from(bytes.subarray(0, 8)).toString("ascii") === BUNDLE_MAGIC) {
    bundleBytes = bytes;
    lines.push(`${label}: Keel bundle`);
  } else {
    const elf = parseElf(bytes);
    if (elf.machine !== EM_RISCV) throw new Error(`${label}: not a RISC-V ELF (machine ${elf.machine})`);
    const sec = elf.sections.find((s) => s.name === ".keel_bundle");
    const b = sectionBytes(bytes, elf, ".keel_bundle");
    if (!sec || !b) throw new Error(`${label}: no .keel_bundle section; not a Keel image`);
    bundleBytes = b;
    const loaded = elf.segments.filter((s) => s.type === 1);
    const lo = loaded.reduce((m, s) => (s.paddr < m ? s.paddr : m), loaded[0]?.paddr ?? 0n);
    const hi = loaded.reduce((m, s) => {
      const end = s.paddr + BigInt(s.memsz);
      return end > m ? end : m;
    }, 0n);
    lines.push(`${label}: Keel image, entry ${hex(elf.entry)}, loads ${hex(lo)}-${hex(hi)}`);
    lines.push(`bundle: at ${hex(sec.addr)}, ${sec.size} bytes`);
  }
  const bundle = decodeBundle(bundleBytes);
  lines.push(
    `format: version ${bundle.version}, ${bundle.capsules.length} capsule(s), ${bundle.totalSize} bytes`,
  );
  const rows = [["capsule", "ram", "vcpus", "hart", "payload", "sha256", "bootargs"]];
  for (const c of bundle.capsules) {
    rows.push([
      c.name,
      formatSize(c.ramSize),
      String(c.vcpus),
      // Where the vCPUs may run: the affinity list, else the one hart, else any; "!" marks high priority.
      (c.affinity?.join(",") ?? (c.hart === undefined ? "any" : String(c.hart))) +
        (c.priority === "high" ? "!" : ""),
      `${c.payloadKind === 1 ? "ELF" : `kind ${c.payloadKind}`} ${c.payload.length} B`,
      `${c.sha256.slice(0, 16)} ${c.hashOk ? "ok" : "MISMATCH"}`,
      JSON.stringify(c.bootargs),
    ]);
  }
  lines.push(...table(rows).map((l) => `  ${l}`));
  return lines.join("\n");
}
