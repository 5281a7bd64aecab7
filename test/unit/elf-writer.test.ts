// The ELF64 writer and the Linux payload: our reader, readelf and objdump agree on segments, sections and note.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EM_RISCV, parseElf, PT_LOAD } from "../../src/elf/read.ts";
import { writeElf } from "../../src/elf/write.ts";
import {
  INITRD_GPA,
  LINUX_LOAD_GPA,
  linuxPayload,
  parseImageHeader,
  rawPayload,
  readInitrdNote,
} from "../../src/payload/linux.ts";

const dir = mkdtempSync(join(tmpdir(), "keel-elf-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake Linux Image: a real header (text_offset 2 MiB, image_size `size`) and filler. */
function fakeImage(fileSize: number, imageSize: bigint): Uint8Array {
  const b = Buffer.alloc(fileSize, 0x13); // 0x13: nop-ish filler
  b.writeUInt32LE(0x0000006f, 0); // code0: j 0 (never run here)
  b.writeBigUInt64LE(0x200000n, 8);
  b.writeBigUInt64LE(imageSize, 16);
  b.writeBigUInt64LE(0n, 24);
  b.writeUInt32LE(2, 32);
  b.write("RISCV\0\0\0", 48, "latin1");
  b.write("RSC\x05", 56, "latin1");
  return new Uint8Array(b);
}

function tool(name: string, args: string[]): string | undefined {
  for (const prefix of ["riscv64-linux-gnu-", "riscv64-unknown-elf-", ""]) {
    try {
      return execFileSync(`${prefix}${name}`, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return undefined;
}

test("Image header: fields read, a file without the magic refused", () => {
  assert.deepEqual(parseImageHeader(fakeImage(4096, 0x30000n)), {
    textOffset: 0x200000n,
    imageSize: 0x30000n,
    flags: 0n,
    version: 2,
  });
  assert.throws(() => parseImageHeader(new Uint8Array(4096)), /no RISC-V Linux Image magic/);
});

test("Linux payload: kernel PT_LOAD at 0x80200000 with BSS, initrd at 0x84000000, note, entry", () => {
  const kernel = fakeImage(10_000, 0x40000n);
  const initrd = new Uint8Array(5000).fill(0xab);
  const elf = linuxPayload(kernel, initrd);
  const parsed = parseElf(elf);
  assert.equal(parsed.machine, EM_RISCV);
  assert.equal(parsed.entry, LINUX_LOAD_GPA);
  const loads = parsed.segments.filter((s) => s.type === PT_LOAD);
  assert.deepEqual(
    loads.map((s) => [s.paddr, s.vaddr, s.filesz, s.memsz, s.offset % 4096]),
    [
      [0x80200000n, 0x80200000n, 10_000, 0x40000, 0],
      [0x84000000n, 0x84000000n, 5000, 5000, 0],
    ],
  );
  assert.ok(
    Buffer.from(elf.subarray(loads[0]!.offset, loads[0]!.offset + 10_000)).equals(Buffer.from(kernel)),
  );
  assert.ok(Buffer.from(elf.subarray(loads[1]!.offset, loads[1]!.offset + 5000)).equals(Buffer.from(initrd)));
  assert.deepEqual(readInitrdNote(elf), { start: INITRD_GPA, end: INITRD_GPA + 5000n });
  assert.deepEqual(
    parsed.sections.map((s) => s.name),
    ["", ".kernel", ".initrd", ".note.keel.initrd", ".shstrtab"],
  );
  // Deterministic.
  assert.ok(Buffer.from(linuxPayload(kernel, initrd)).equals(Buffer.from(elf)));
});

test("readelf and objdump accept the payload and see the same layout", (t) => {
  const file = join(dir, "payload.elf");
  writeFileSync(file, linuxPayload(fakeImage(10_000, 0x40000n), new Uint8Array(5000)));
  const readelf = tool("readelf", ["-W", "-h", "-l", "-S", "-n", file]);
  if (readelf === undefined) return t.skip("no readelf on this host");
  assert.doesNotMatch(readelf, /warning|error/i);
  assert.match(readelf, /Type:\s+EXEC/);
  assert.match(readelf, /Machine:\s+RISC-V/);
  assert.match(readelf, /Entry point address:\s+0x80200000/);
  assert.match(readelf, /LOAD\s+0x001000 0x0000000080200000 0x0000000080200000 0x002710 0x040000 RWE 0x1000/);
  assert.match(readelf, /LOAD\s+0x\w+ 0x0000000084000000 0x0000000084000000 0x001388 0x001388 R\s+0x1000/);
  assert.match(readelf, /NOTE\s+0x\w+ 0x0+ 0x0+ 0x00002c 0x00002c R\s+0x4/);
  assert.match(readelf, /Keel\s+0x00000018/);
  const objdump = tool("objdump", ["-h", file]);
  if (objdump === undefined) return;
  assert.match(objdump, /file format elf64-littleriscv/);
  assert.match(objdump, /\.kernel\s+00002710\s+0000000080200000\s+0000000080200000/);
  assert.match(objdump, /\.initrd\s+00001388\s+0000000084000000/);
});

test("a kernel whose image_size reaches the initrd is refused", () => {
  assert.throws(
    () => linuxPayload(fakeImage(4096, INITRD_GPA - LINUX_LOAD_GPA + 4096n), new Uint8Array(10)),
    /past the initrd at 0x84000000/,
  );
});

test("raw payload (U-Boot): one RWX PT_LOAD at the load address, entered there", () => {
  const bin = new Uint8Array(3000).fill(7);
  const elf = parseElf(rawPayload(bin, 0x80200000n));
  assert.equal(elf.entry, 0x80200000n);
  assert.deepEqual(
    elf.segments.map((s) => [s.type, s.paddr, s.filesz, s.memsz, s.flags]),
    [[PT_LOAD, 0x80200000n, 3000, 3000, 7]],
  );
});

test("writeElf refuses unaligned addresses", () => {
  assert.throws(
    () =>
      writeElf({
        entry: 0n,
        segments: [{ kind: "load", name: ".x", addr: 0x80000010n, data: new Uint8Array(1), flags: 4 }],
      }),
    /not 4 KiB-aligned/,
  );
});
