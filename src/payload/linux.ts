// Guest payloads built on the host: a Linux root VM (kernel Image + initramfs) and raw binaries from host files
// (U-Boot), each wrapped in an ELF the hypervisor's loader already understands (PT_LOAD at guest-physical
// addresses). The contract with the hypervisor is docs/design/linux-payload.md.
import { EF_RISCV_RVC, PF_R, PF_W, PF_X, PT_NOTE, writeElf } from "../elf/write.ts";

/** Guest RAM starts here (docs/design/build-inputs.md). */
export const GUEST_RAM_BASE = 0x8000_0000n;
/** Where the kernel Image is loaded and entered: RAM + 2 MiB, the Image header's usual text_offset. */
export const LINUX_LOAD_GPA = 0x8020_0000n;
/** Where the initramfs is loaded: RAM + 64 MiB, clear of any tinyconfig-sized kernel and its BSS. */
export const INITRD_GPA = 0x8400_0000n;
/** Owner of Keel's ELF notes. */
export const KEEL_NOTE_OWNER = "Keel";
/** Note type: the initrd's location, for linux,initrd-start/end in the guest device tree. */
export const NT_KEEL_INITRD = 1;
export const INITRD_NOTE_VERSION = 1;

const MiB = 1n << 20n;

/** The fields of a RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst) that matter here. */
export interface ImageHeader {
  textOffset: bigint;
  /** Effective image size: the memory the kernel occupies from its load address, BSS included. */
  imageSize: bigint;
  flags: bigint;
  version: number;
}

/** Reads a Linux RISC-V Image header; throws an Error naming what is wrong. */
export function parseImageHeader(bytes: Uint8Array): ImageHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 64) throw new Error("too short for a Linux Image header");
  if (b.toString("latin1", 56, 60) !== "RSC\x05") {
    throw new Error('no RISC-V Linux Image magic ("RSC\\x05" at offset 56)');
  }
  return {
    textOffset: b.readBigUInt64LE(8),
    imageSize: b.readBigUInt64LE(16),
    flags: b.readBigUInt64LE(24),
    version: b.readUInt32LE(32),
  };
}

/** The 24-byte description of the initrd note: u32 version, u32 reserved, u64 start, u64 end (exclusive). */
export function initrdNoteDesc(start: bigint, end: bigint): Uint8Array {
  const d = Buffer.alloc(24);
  d.writeUInt32LE(INITRD_NOTE_VERSION, 0);
  d.writeBigUInt64LE(start, 8);
  d.writeBigUInt64LE(end, 16);
  return new Uint8Array(d);
}

/**
 * The root VM payload: the kernel Image as a PT_LOAD at LINUX_LOAD_GPA (memsz = the header's image_size, so
 * the loader zeroes the BSS), the initramfs as a PT_LOAD at INITRD_GPA, and a PT_NOTE (Keel, type 1) saying
 * where the initramfs is. Entry = LINUX_LOAD_GPA.
 */
export function linuxPayload(kernel: Uint8Array, initrd: Uint8Array): Uint8Array {
  const hdr = parseImageHeader(kernel);
  if (hdr.textOffset !== LINUX_LOAD_GPA - GUEST_RAM_BASE) {
    throw new Error(`Image text_offset is 0x${hdr.textOffset.toString(16)}; expected 0x200000`);
  }
  const memsz = hdr.imageSize > BigInt(kernel.length) ? hdr.imageSize : BigInt(kernel.length);
  const kernelEnd = LINUX_LOAD_GPA + memsz;
  if (kernelEnd > INITRD_GPA) {
    throw new Error(
      `the kernel occupies ${memsz / MiB} MiB from 0x${LINUX_LOAD_GPA.toString(16)}, past the initrd at 0x${INITRD_GPA.toString(16)}`,
    );
  }
  const initrdEnd = INITRD_GPA + BigInt(initrd.length);
  return writeElf({
    entry: LINUX_LOAD_GPA,
    flags: EF_RISCV_RVC,
    segments: [
      { kind: "load", name: ".kernel", addr: LINUX_LOAD_GPA, data: kernel, memsz, flags: PF_R | PF_W | PF_X },
      { kind: "load", name: ".initrd", addr: INITRD_GPA, data: initrd, flags: PF_R },
      {
        kind: "note",
        name: ".note.keel.initrd",
        owner: KEEL_NOTE_OWNER,
        type: NT_KEEL_INITRD,
        desc: initrdNoteDesc(INITRD_GPA, initrdEnd),
      },
    ],
  });
}

/** A raw binary (U-Boot's u-boot.bin) as an ELF loaded and entered at `addr`. */
export function rawPayload(bin: Uint8Array, addr: bigint, name = ".image"): Uint8Array {
  return writeElf({
    entry: addr,
    flags: EF_RISCV_RVC,
    segments: [{ kind: "load", name, addr, data: bin, flags: PF_R | PF_W | PF_X }],
  });
}

/** The initrd location recorded in a payload's Keel note, or undefined when it has none. */
export function readInitrdNote(elf: Uint8Array): { start: bigint; end: bigint } | undefined {
  const b = Buffer.from(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = Number(b.readBigUInt64LE(32));
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 56;
    if (b.readUInt32LE(o) !== PT_NOTE) continue;
    let at = Number(b.readBigUInt64LE(o + 8));
    const end = at + Number(b.readBigUInt64LE(o + 32));
    while (at + 12 <= end) {
      const namesz = b.readUInt32LE(at);
      const descsz = b.readUInt32LE(at + 4);
      const type = b.readUInt32LE(at + 8);
      const name = b.toString("latin1", at + 12, at + 12 + namesz - 1);
      const desc = at + 12 + Math.ceil(namesz / 4) * 4;
      if (name === KEEL_NOTE_OWNER && type === NT_KEEL_INITRD && descsz >= 24) {
        return { start: b.readBigUInt64LE(desc + 8), end: b.readBigUInt64LE(desc + 16) };
      }
      at = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return undefined;
}
