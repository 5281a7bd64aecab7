// Golden test for the device tree the hypervisor builds for a capsule (hypervisor/core/fdt_build.c).
// The dtbdump guest (images/dtbdump.yaml) prints the blob it got in a1 as hex; this test reassembles it,
// checks the header, decodes it with dtc and compares the text with test/golden/dtb/dtbdump.dts.
// The facts that matter to guests are also asserted on the blob itself, so a wrong golden can't hide them.
// After an intended change: KEEL_UPDATE_GOLDEN=1 node --import tsx --test test/boot/dtb.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { hostQemu, qemuArgv } from "../../src/port/emit-qemu.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import { CollectStream, ROOT } from "../e2e/helpers.ts";

const OUT = join(ROOT, "out", "test");
const GOLDEN = join(ROOT, "test", "golden", "dtb", "dtbdump.dts");
const TAG = "[dtb] ";

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

// What images/dtbdump.yaml asks for.
const RAM_GPA = 0x8000_0000n;
const RAM_SIZE = 32n << 20n;
const BOOTARGS = "console=hvc0 keel.test=1";

/** The guest's riscv,isa depends on the QEMU on this machine; the golden holds this instead. */
const ISA_PLACEHOLDER = "@GUEST_ISA@";

interface DtNode {
  name: string;
  props: Map<string, Buffer>;
  children: DtNode[];
}

/** A small independent FDT reader (devicetree-specification chapter 5), so the checks don't rest on dtc. */
function parseFdt(blob: Buffer): DtNode {
  const offStruct = blob.readUInt32BE(8);
  const offStrings = blob.readUInt32BE(12);
  const sizeStrings = blob.readUInt32BE(32);
  const sizeStruct = blob.readUInt32BE(36);
  const end = offStruct + sizeStruct;
  const stringAt = (off: number): string => {
    assert.ok(off < sizeStrings, `property name offset ${off} outside the strings block`);
    const s = offStrings + off;
    const nul = blob.indexOf(0, s);
    assert.ok(nul >= 0 && nul < offStrings + sizeStrings, `unterminated string at ${off}`);
    return blob.toString("latin1", s, nul);
  };
  const stack: DtNode[] = [];
  let root: DtNode | undefined;
  let p = offStruct;
  for (;;) {
    assert.ok(p + 4 <= end, "structure block ends without FDT_END");
    const tok = blob.readUInt32BE(p);
    p += 4;
    if (tok === FDT_BEGIN_NODE) {
      const nul = blob.indexOf(0, p);
      assert.ok(nul >= 0 && nul < end, "unterminated node name");
      const node: DtNode = { name: blob.toString("latin1", p, nul), props: new Map(), children: [] };
      p = (nul + 1 + 3) & ~3;
      const parent = stack.at(-1);
      if (parent) parent.children.push(node);
      else {
        assert.equal(root, undefined, "more than one root node");
        root = node;
      }
      stack.push(node);
    } else if (tok === FDT_END_NODE) {
      assert.ok(stack.pop(), "FDT_END_NODE without a node");
    } else if (tok === FDT_PROP) {
      const len = blob.readUInt32BE(p);
      const name = stringAt(blob.readUInt32BE(p + 4));
      const node = stack.at(-1);
      assert.ok(node, `property ${name} outside any node`);
      assert.ok(p + 8 + len <= end, `property ${name} runs past the structure block`);
      assert.ok(!node.props.has(name), `property ${name} twice in one node`);
      node.props.set(name, blob.subarray(p + 8, p + 8 + len));
      p = (p + 8 + len + 3) & ~3;
    } else if (tok === FDT_NOP) {
      continue;
    } else if (tok === FDT_END) {
      break;
    } else {
      assert.fail(`bad structure token ${tok} at ${p - 4}`);
    }
  }
  assert.equal(stack.length, 0, "unclosed nodes at FDT_END");
  assert.ok(root, "no root node");
  assert.equal(root.name, "", "root node has a name");
  return root;
}

function child(n: DtNode, name: string): DtNode {
  const found = n.children.filter((c) => c.name === name);
  assert.equal(found.length, 1, `want one node ${name} under "${n.name}", found ${found.length}`);
  return found[0]!;
}

function prop(n: DtNode, name: string): Buffer {
  const v = n.props.get(name);
  assert.ok(v, `node "${n.name}" has no property ${name}`);
  return v;
}

function propStr(n: DtNode, name: string): string {
  const v = prop(n, name);
  assert.ok(v.length > 0 && v[v.length - 1] === 0, `${n.name}/${name} is not a NUL-terminated string`);
  return v.toString("latin1", 0, v.length - 1);
}

function propU32(n: DtNode, name: string): number {
  const v = prop(n, name);
  assert.equal(v.length, 4, `${n.name}/${name} is not one cell`);
  return v.readUInt32BE(0);
}

function dtc(args: readonly string[], input: Buffer): { stdout: string; stderr: string } {
  const r = spawnSync("dtc", args, { input, encoding: "utf8" });
  if (r.error) throw new Error(`could not run dtc (apt install device-tree-compiler): ${r.error.message}`);
  assert.equal(r.status, 0, `dtc ${args.join(" ")} failed:\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

// Every dtc warning fails the test (the cpu-intc node carries #address-cells = <0> for dtc's
// interrupt_provider check, which QEMU's own device tree fails).
const DTC_DECODE = ["-I", "dtb", "-O", "dts", "-"];

/** The guest riscv,isa the hypervisor should derive from the host's (fdt_guest_isa in fdt_build.c):
 * no 'h' single-letter extension, no "_h..." or "_sh..." extensions, "_sstc" only when the guest timer offers
 * Sstc. */
function expectedGuestIsa(hostIsa: string, keepSstc: boolean): string {
  const [single = "", ...multi] = hostIsa.split("_");
  const base = single.slice(0, 4);
  const letters = single.slice(4).replace(/h/gi, "");
  const kept = multi.filter((e) => e !== "" && !/^s?h/i.test(e) && (keepSstc || e !== "sstc"));
  return [base + letters, ...kept].join("_");
}

test("capsule device tree matches the golden (dtbdump on qemu-virt)", async () => {
  const built = await buildImage({
    root: ROOT,
    outDir: OUT,
    system: "qemu-virt",
    image: "dtbdump",
    status: new CollectStream(),
  });
  const run = await runCaptured(qemuArgv(hostQemu(built.port), built.port, built.elf), { timeoutMs: 60_000 });
  const transcript = `--- console ---\n${run.output}\n---------------`;
  assert.equal(run.timedOut, false, `QEMU timed out\n${transcript}`);
  assert.equal(run.code, 0, `exit status\n${transcript}`);

  // Reassemble the blob from the guest's lines.
  const lines = run.output
    .split(/\r?\n/)
    .filter((l) => l.startsWith(`${TAG}dtb: `))
    .map((l) => l.slice(TAG.length + "dtb: ".length));
  const at = lines.map((l) => /^at 0x([0-9a-f]+)$/.exec(l)).find((m) => m);
  assert.ok(at, `no "dtb: at" line\n${transcript}`);
  const begin = lines.findIndex((l) => l.startsWith("begin "));
  const endAt = lines.indexOf("end");
  assert.ok(begin >= 0 && endAt > begin, `no "dtb: begin" ... "dtb: end"\n${transcript}`);
  const declared = Number(lines[begin]!.slice("begin ".length));
  const hex = lines.slice(begin + 1, endAt);
  for (const h of hex) assert.match(h, /^(?:[0-9a-f]{2}){1,32}$/, `bad hex line "${h}"`);
  const blob = Buffer.from(hex.join(""), "hex");

  // The address the guest got: 8-byte aligned (libfdt refuses others) and inside its RAM.
  const dtbGpa = BigInt(`0x${at[1]!}`);
  assert.equal(dtbGpa % 8n, 0n, `device tree at ${at[0]} is not 8-byte aligned`);
  assert.ok(
    dtbGpa >= RAM_GPA && dtbGpa + BigInt(blob.length) <= RAM_GPA + RAM_SIZE,
    `device tree at ${at[0]} is not inside guest RAM`,
  );

  // Header (devicetree-specification 5.2).
  assert.ok(blob.length >= 40, "blob shorter than an FDT header");
  assert.equal(blob.readUInt32BE(0), FDT_MAGIC, "magic");
  assert.equal(blob.readUInt32BE(4), blob.length, "totalsize vs. bytes printed");
  assert.equal(blob.length, declared, "totalsize vs. the guest's begin line");
  const offStruct = blob.readUInt32BE(8);
  const offStrings = blob.readUInt32BE(12);
  const offRsvmap = blob.readUInt32BE(16);
  assert.equal(blob.readUInt32BE(20), 17, "version");
  assert.ok(blob.readUInt32BE(24) <= 16, "last_comp_version must be 16 or lower");
  assert.equal(blob.readUInt32BE(28), 0, "boot_cpuid_phys");
  const sizeStrings = blob.readUInt32BE(32);
  const sizeStruct = blob.readUInt32BE(36);
  assert.equal(offRsvmap % 8, 0, "memory reservation block must be 8-byte aligned");
  assert.equal(offStruct % 4, 0, "structure block must be 4-byte aligned");
  assert.ok(offStruct + sizeStruct <= blob.length, "structure block past totalsize");
  assert.ok(offStrings + sizeStrings <= blob.length, "strings block past totalsize");
  assert.ok(offRsvmap + 16 <= offStruct, "memory reservation block overlaps the structure block");
  assert.equal(blob.readBigUInt64BE(offRsvmap + 8), 0n, "memory reservation block should be empty");

  // Structure facts, straight from the blob.
  const root = parseFdt(blob);
  assert.equal(propU32(root, "#address-cells"), 2, "/#address-cells");
  assert.equal(propU32(root, "#size-cells"), 2, "/#size-cells");
  const memory = child(root, "memory@80000000");
  assert.equal(propStr(memory, "device_type"), "memory");
  const reg = prop(memory, "reg");
  assert.equal(reg.length, 16, "/memory reg is one <addr size> pair of two cells each");
  assert.equal(reg.readBigUInt64BE(0), RAM_GPA, "/memory reg address");
  assert.equal(reg.readBigUInt64BE(8), RAM_SIZE, "/memory reg size (32 MiB)");
  const cpus = child(root, "cpus");
  assert.equal(propU32(cpus, "timebase-frequency"), 10_000_000, "/cpus timebase-frequency");
  assert.equal(propU32(cpus, "#address-cells"), 1, "/cpus #address-cells");
  assert.equal(propU32(cpus, "#size-cells"), 0, "/cpus #size-cells");
  const cpu = child(cpus, "cpu@0");
  assert.equal(propStr(cpu, "device_type"), "cpu");
  assert.equal(propU32(cpu, "reg"), 0, "cpu@0 reg");
  assert.equal(propStr(cpu, "compatible"), "riscv");
  assert.equal(propStr(cpu, "status"), "okay");
  assert.match(propStr(cpu, "mmu-type"), /^riscv,sv(39|48|57)$/);
  const isa = propStr(cpu, "riscv,isa");
  assert.match(isa, /^rv64/, "riscv,isa must start with rv64");
  const [single = "", ...multi] = isa.split("_");
  assert.doesNotMatch(single.slice(4), /h/i, `riscv,isa "${isa}" offers the hypervisor extension`);
  assert.ok(!multi.some((e) => /^h/i.test(e)), `riscv,isa "${isa}" has an _h... extension`);
  const intc = child(cpu, "interrupt-controller");
  assert.equal(propStr(intc, "compatible"), "riscv,cpu-intc");
  assert.equal(propU32(intc, "#interrupt-cells"), 1, "cpu-intc #interrupt-cells");
  assert.equal(prop(intc, "interrupt-controller").length, 0, "cpu-intc interrupt-controller is empty");
  propU32(intc, "phandle");
  const chosen = child(root, "chosen");
  assert.equal(propStr(chosen, "bootargs"), BOOTARGS, "/chosen bootargs");
  assert.equal(propU32(chosen, "keel,boot-count"), 0, "/chosen keel,boot-count");

  // The guest ISA is the host's (QEMU's device tree, which depends on the QEMU version on this machine)
  // minus the hypervisor extension; check that exactly, then put a placeholder in the golden so it
  // holds on any QEMU. This is the only normalisation.
  const tmp = mkdtempSync(join(tmpdir(), "keel-dtb-"));
  let hostIsa: string;
  try {
    const hostDtb = join(tmp, "host.dtb");
    const dump = await runCaptured(
      qemuArgv(hostQemu(built.port), built.port, built.elf, ["-machine", `dumpdtb=${hostDtb}`]),
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(dump.code, 0, `QEMU dumpdtb failed:\n${dump.output}`);
    const host = parseFdt(readFileSync(hostDtb));
    hostIsa = propStr(child(child(host, "cpus"), "cpu@0"), "riscv,isa");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.equal(isa, expectedGuestIsa(hostIsa, built.port.hypervisor.timer === "sstc"), `host isa ${hostIsa}`);

  // The golden: dtc's decoding, exactly, but for the ISA placeholder.
  const decoded = dtc(DTC_DECODE, blob);
  assert.equal(decoded.stderr, "", `dtc warnings:\n${decoded.stderr}`);
  const isaLine = `riscv,isa = "${isa}";`;
  assert.equal(decoded.stdout.split(isaLine).length, 2, `want "${isaLine}" once in:\n${decoded.stdout}`);
  const actual = decoded.stdout.replace(isaLine, `riscv,isa = "${ISA_PLACEHOLDER}";`);
  if (process.env["KEEL_UPDATE_GOLDEN"] === "1") {
    mkdirSync(dirname(GOLDEN), { recursive: true });
    writeFileSync(GOLDEN, actual);
  }
  const dtcVersion = spawnSync("dtc", ["--version"], { encoding: "utf8" })
    .stdout.replace(/^Version: /, "")
    .trim();
  assert.equal(
    actual,
    readFileSync(GOLDEN, "utf8"),
    `${GOLDEN} differs (decoded with ${dtcVersion}; the golden was made with DTC 1.6.1); ` +
      "if the change is intended, rerun with KEEL_UPDATE_GOLDEN=1",
  );
});
