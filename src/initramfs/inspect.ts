// keel inspect for initramfs archives (newc cpio, gzipped or not) and Linux payload ELFs. Pure: bytes in, text out.
import { parseElf, PT_LOAD } from "../elf/read.ts";
import { readInitrdNote } from "../payload/linux.ts";
import { listCpio, readCpio } from "./cpio.ts";
import { gunzip, isGzip } from "./gzip.ts";

const hex = (n: bigint): string => `0x${n.toString(16)}`;

/** True when the bytes are a newc cpio archive, or a gzip stream (possibly one). */
export function looksLikeInitramfs(bytes: Uint8Array): boolean {
  if (isGzip(bytes)) return true;
  return Buffer.from(bytes.subarray(0, 6)).toString("latin1").startsWith("07070");
}

/** `cpio -tv`-style listing of an initramfs, headed by what it is. Throws Error when it is damaged. */
export function describeInitramfs(bytes: Uint8Array, label: string): string {
  const gz = isGzip(bytes);
  const raw = gz ? gunzip(bytes) : bytes;
  const members = readCpio(raw);
  const head = `${label}: initramfs, newc cpio${gz ? `, gzip ${bytes.length} -> ${raw.length} bytes` : `, ${raw.length} bytes`}, ${members.length} entries`;
  return [head, ...listCpio(members)].join("\n");
}

/** A Linux payload ELF (a Keel initrd note, no bundle): its segments, then its initramfs. */
export function describeLinuxPayload(bytes: Uint8Array, label: string): string | undefined {
  let note: { start: bigint; end: bigint } | undefined;
  try {
    note = readInitrdNote(bytes);
  } catch {
    return undefined;
  }
  if (!note) return undefined;
  const elf = parseElf(bytes);
  const lines = [
    `${label}: Linux payload, entry ${hex(elf.entry)}, initrd ${hex(note.start)}-${hex(note.end)}`,
  ];
  for (const s of elf.segments.filter((x) => x.type === PT_LOAD)) {
    const name = elf.sections.find((x) => x.offset === s.offset && x.addr === s.paddr)?.name ?? "";
    lines.push(`  LOAD ${hex(s.paddr)} file ${s.filesz} B memory ${s.memsz} B ${name}`);
  }
  const initrd = elf.segments.find((s) => s.type === PT_LOAD && s.paddr === note.start);
  if (initrd)
    lines.push(describeInitramfs(bytes.subarray(initrd.offset, initrd.offset + initrd.filesz), "initrd"));
  return lines.join("\n");
}
