// A minimal ELF64 little-endian writer for guest payloads: an ET_EXEC file with PT_LOAD segments at
// guest-physical addresses, optional PT_NOTE segments, and a section header table naming each segment (so
// readelf -S and objdump -h show what is what). Deterministic: same input, same bytes.
//
// Layout: ELF header (64) | program headers (56 each) | segment data, each at a file offset aligned to
// `fileAlign` (4 KiB) | .shstrtab | section headers (64 each). The ELF rule p_offset = p_vaddr (mod
// p_align) holds because every address is 4 KiB-aligned and p_align is 4 KiB.

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;
const SHT_NOTE = 7;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
/** EF_RISCV_RVC: the code may use compressed instructions (true of every Linux Image and U-Boot we load). */
export const EF_RISCV_RVC = 1;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const FILE_ALIGN = 4096;

export interface LoadSegment {
  kind: "load";
  /** Section name shown by readelf (e.g. `.kernel`). */
  name: string;
  /** Guest-physical (and virtual) address; 4 KiB-aligned. */
  addr: bigint;
  data: Uint8Array;
  /** Bytes of memory, at least data.length; the rest is zeroed by the loader. Default data.length. */
  memsz?: bigint;
  flags: number;
}

export interface NoteSegment {
  kind: "note";
  name: string;
  /** Note owner, e.g. `Keel` (written NUL-terminated, padded to 4). */
  owner: string;
  type: number;
  desc: Uint8Array;
}

export interface ElfSpec {
  entry: bigint;
  flags?: number;
  segments: readonly (LoadSegment | NoteSegment)[];
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** The bytes of one ELF note: namesz, descsz, type, name (padded to 4), desc (padded to 4). */
export function encodeNote(owner: string, type: number, desc: Uint8Array): Uint8Array {
  const name = Buffer.from(`${owner}\0`, "ascii");
  const out = Buffer.alloc(12 + align(name.length, 4) + align(desc.length, 4));
  out.writeUInt32LE(name.length, 0);
  out.writeUInt32LE(desc.length, 4);
  out.writeUInt32LE(type, 8);
  name.copy(out, 12);
  Buffer.from(desc).copy(out, 12 + align(name.length, 4));
  return new Uint8Array(out);
}

export function writeElf(spec: ElfSpec): Uint8Array {
  const segs = spec.segments.map((s) => ({
    spec: s,
    bytes: s.kind === "load" ? s.data : encodeNote(s.owner, s.type, s.desc),
    offset: 0,
  }));
  for (const s of segs) {
    if (s.spec.kind === "load") {
      if (s.spec.addr % BigInt(FILE_ALIGN) !== 0n)
        throw new Error(`${s.spec.name}: address is not 4 KiB-aligned`);
      if (s.spec.memsz !== undefined && s.spec.memsz < BigInt(s.bytes.length))
        throw new Error(`${s.spec.name}: memsz below the data size`);
    }
  }
  let at = EHDR_SIZE + PHDR_SIZE * segs.length;
  for (const s of segs) {
    s.offset = s.spec.kind === "load" ? align(at, FILE_ALIGN) : align(at, 4);
    at = s.offset + s.bytes.length;
  }
  const names = ["", ...segs.map((s) => s.spec.name), ".shstrtab"];
  const nameOff: number[] = [];
  let strtab = "";
  for (const n of names) {
    nameOff.push(n === "" ? 0 : strtab.length);
    strtab += `${n}\0`;
  }
  const strOffset = at;
  const shoff = align(strOffset + strtab.length, 8);
  const total = shoff + SHDR_SIZE * names.length;
  const b = Buffer.alloc(total);

  // ELF header
  b.write("\x7fELF", 0, "latin1");
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // ELFDATA2LSB
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(ET_EXEC, 16);
  b.writeUInt16LE(EM_RISCV, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(spec.entry, 24);
  b.writeBigUInt64LE(BigInt(EHDR_SIZE), 32); // e_phoff
  b.writeBigUInt64LE(BigInt(shoff), 40);
  b.writeUInt32LE(spec.flags ?? 0, 48);
  b.writeUInt16LE(EHDR_SIZE, 52);
  b.writeUInt16LE(PHDR_SIZE, 54);
  b.writeUInt16LE(segs.length, 56);
  b.writeUInt16LE(SHDR_SIZE, 58);
  b.writeUInt16LE(names.length, 60);
  b.writeUInt16LE(names.length - 1, 62); // e_shstrndx

  segs.forEach((s, i) => {
    const o = EHDR_SIZE + i * PHDR_SIZE;
    const load = s.spec.kind === "load" ? s.spec : undefined;
    b.writeUInt32LE(load ? PT_LOAD : PT_NOTE, o);
    b.writeUInt32LE(load ? load.flags : PF_R, o + 4);
    b.writeBigUInt64LE(BigInt(s.offset), o + 8);
    b.writeBigUInt64LE(load?.addr ?? 0n, o + 16);
    b.writeBigUInt64LE(load?.addr ?? 0n, o + 24);
    b.writeBigUInt64LE(BigInt(s.bytes.length), o + 32);
    b.writeBigUInt64LE(load ? (load.memsz ?? BigInt(s.bytes.length)) : BigInt(s.bytes.length), o + 40);
    b.writeBigUInt64LE(load ? BigInt(FILE_ALIGN) : 4n, o + 48);
    b.set(s.bytes, s.offset);
  });
  b.write(strtab, strOffset, "latin1");

  // Section headers: [0] null, one per segment, .shstrtab last.
  segs.forEach((s, i) => {
    const o = shoff + (i + 1) * SHDR_SIZE;
    const load = s.spec.kind === "load" ? s.spec : undefined;
    const flags = load
      ? SHF_ALLOC | (load.flags & PF_W ? SHF_WRITE : 0) | (load.flags & PF_X ? SHF_EXECINSTR : 0)
      : 0;
    b.writeUInt32LE(nameOff[i + 1]!, o);
    b.writeUInt32LE(load ? SHT_PROGBITS : SHT_NOTE, o + 4);
    b.writeBigUInt64LE(BigInt(flags), o + 8);
    b.writeBigUInt64LE(load?.addr ?? 0n, o + 16);
    b.writeBigUInt64LE(BigInt(s.offset), o + 24);
    b.writeBigUInt64LE(BigInt(s.bytes.length), o + 32);
    b.writeBigUInt64LE(load ? BigInt(FILE_ALIGN) : 4n, o + 48);
  });
  const so = shoff + (names.length - 1) * SHDR_SIZE;
  b.writeUInt32LE(nameOff[names.length - 1]!, so);
  b.writeUInt32LE(SHT_STRTAB, so + 4);
  b.writeBigUInt64LE(BigInt(strOffset), so + 24);
  b.writeBigUInt64LE(BigInt(strtab.length), so + 32);
  b.writeBigUInt64LE(1n, so + 48);
  return new Uint8Array(b);
}
