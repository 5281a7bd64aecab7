// A minimal ELF64 little-endian reader: enough to find sections and segments of Keel images.

export interface ElfSection {
  name: string;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfFile {
  machine: number;
  entry: bigint;
  sections: ElfSection[];
  segments: ElfSegment[];
}

export const EM_RISCV = 243;
export const PT_LOAD = 1;
const SHT_NOBITS = 8;

/** Parses ELF64 LE headers; throws an Error describing what is wrong with a non-ELF or truncated file. */
export function parseElf(bytes: Uint8Array): ElfFile {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error("not an ELF file");
  if (b[4] !== 2 || b[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const machine = b.readUInt16LE(18);
  const entry = b.readBigUInt64LE(24);
  const phoff = Number(b.readBigUInt64LE(32));
  const shoff = Number(b.readBigUInt64LE(40));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  const shentsize = b.readUInt16LE(58);
  const shnum = b.readUInt16LE(60);
  const shstrndx = b.readUInt16LE(62);
  if (phoff + phnum * phentsize > b.length || shoff + shnum * shentsize > b.length) {
    throw new Error("truncated ELF file");
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    segments.push({
      type: b.readUInt32LE(o),
      flags: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 8)),
      vaddr: b.readBigUInt64LE(o + 16),
      paddr: b.readBigUInt64LE(o + 24),
      filesz: Number(b.readBigUInt64LE(o + 32)),
      memsz: Number(b.readBigUInt64LE(o + 40)),
    });
  }
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: b.readUInt32LE(o),
      type: b.readUInt32LE(o + 4),
      addr: b.readBigUInt64LE(o + 16),
      offset: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
    });
  }
  const strtab = raw[shstrndx];
  const sections = raw.map((s) => {
    let name = "";
    if (strtab) {
      const start = strtab.offset + s.nameOff;
      const end = b.indexOf(0, start);
      name = b.toString("ascii", start, end < 0 ? start : end);
    }
    return { name, type: s.type, addr: s.addr, offset: s.offset, size: s.size };
  });
  return { machine, entry, sections, segments };
}

/** The file bytes of a named section (empty for NOBITS), or undefined when absent. */
export function sectionBytes(bytes: Uint8Array, elf: ElfFile, name: string): Uint8Array | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s) return undefined;
  if (s.type === SHT_NOBITS) return new Uint8Array(0);
  if (s.offset + s.size > bytes.length) throw new Error(`section ${name} is truncated`);
  return bytes.subarray(s.offset, s.offset + s.size);
}
