// keel inspect for an initramfs (plain and gzipped) and a Linux payload ELF.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gzipDeterministic } from "../../src/initramfs/gzip.ts";
import { describeInitramfs, describeLinuxPayload, looksLikeInitramfs } from "../../src/initramfs/inspect.ts";
import { linuxPayload } from "../../src/payload/linux.ts";

const golden = readFileSync("test/golden/initramfs/initramfs.cpio");

test("an initramfs is listed like cpio -tv, gzipped or not", () => {
  const gz = gzipDeterministic(golden);
  assert.ok(looksLikeInitramfs(golden) && looksLikeInitramfs(gz));
  const lines = describeInitramfs(gz, "initramfs.cpio.gz").split("\n");
  assert.equal(
    lines[0],
    `initramfs.cpio.gz: initramfs, newc cpio, gzip ${gz.length} -> ${golden.length} bytes, 12 entries`,
  );
  assert.deepEqual(lines.slice(1, 6), [
    "drwxr-xr-x   2 0     0             0 2023-11-14 22:13 bin",
    "-rwxr-xr-x   1 0     0            29 2023-11-14 22:13 bin/busybox",
    "lrwxrwxrwx   1 0     0            12 2023-11-14 22:13 bin/sh -> /bin/busybox",
    "drwxr-xr-x   2 0     0             0 2023-11-14 22:13 dev",
    "crw-------   1 0     0          5, 1 2023-11-14 22:13 dev/console",
  ]);
  assert.ok(lines.includes("drwxrwxrwt   2 0     0             0 2023-11-14 22:13 tmp"));
  assert.equal(
    describeInitramfs(golden, "x.cpio").split("\n")[0],
    `x.cpio: initramfs, newc cpio, ${golden.length} bytes, 12 entries`,
  );
  assert.throws(() => describeInitramfs(golden.subarray(0, 200), "cut.cpio"), /truncated/);
});

test("a Linux payload shows its segments, initrd and the initramfs inside", () => {
  const kernel = Buffer.alloc(8192);
  kernel.writeBigUInt64LE(0x200000n, 8);
  kernel.writeBigUInt64LE(0x10000n, 16);
  kernel.write("RSC\x05", 56, "latin1");
  const initrd = gzipDeterministic(golden);
  const text = describeLinuxPayload(linuxPayload(kernel, initrd), "rootvm.elf") ?? "";
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    `rootvm.elf: Linux payload, entry 0x80200000, initrd 0x84000000-0x${(0x84000000 + initrd.length).toString(16)}`,
  );
  assert.equal(lines[1], "  LOAD 0x80200000 file 8192 B memory 65536 B .kernel");
  assert.equal(lines[2], `  LOAD 0x84000000 file ${initrd.length} B memory ${initrd.length} B .initrd`);
  assert.match(lines[3] ?? "", /^initrd: initramfs, newc cpio, gzip/);
  assert.equal(describeLinuxPayload(new Uint8Array(100), "x"), undefined);
});
