// The initramfs writer against a byte-exact golden archive (test/golden/initramfs/initramfs.cpio), and GNU
// cpio (apt package cpio) reading it back. After an intended format change: KEEL_UPDATE_GOLDEN=1.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { listCpio, readCpio, writeCpio } from "../../src/initramfs/cpio.ts";
import { gunzip, gzipDeterministic } from "../../src/initramfs/gzip.ts";
import { assembleEntries, loadInitramfs } from "../../src/initramfs/manifest.ts";

const DIR = "test/golden/initramfs";
const GOLDEN = join(DIR, "initramfs.cpio");
const MTIME = 1_700_000_000;

async function golden(): Promise<Uint8Array> {
  const m = await loadInitramfs(join(DIR, "initramfs.yaml"), { builds: ["busybox"] });
  const entries = await assembleEntries(m, () => join(DIR, "busybox.bin"), (f) => readFile(f));
  return writeCpio(entries, MTIME);
}

test("the manifest's archive is byte for byte the golden one", async () => {
  const bytes = await golden();
  if (process.env["KEEL_UPDATE_GOLDEN"] === "1") writeFileSync(GOLDEN, bytes);
  assert.ok(Buffer.from(bytes).equals(readFileSync(GOLDEN)), `${GOLDEN} differs; rerun with KEEL_UPDATE_GOLDEN=1 if intended`);
});

test("GNU cpio lists the golden archive with the same names, modes and targets", async () => {
  const names = execFileSync("cpio", ["-t", "--quiet"], { input: readFileSync(GOLDEN) }).toString().trim().split("\n");
  const ours = readCpio(readFileSync(GOLDEN)).map((m) => m.name);
  assert.deepEqual(names, ours);
  assert.deepEqual(ours, [
    "bin",
    "bin/busybox",
    "bin/sh",
    "dev",
    "dev/console",
    "dev/vda",
    "etc",
    "etc/motd",
    "init",
    "sbin",
    "sbin/poweroff",
    "tmp",
  ]);
  // cpio -tv: mode column, owner, and the symlink arrow as GNU cpio prints them.
  const verbose = execFileSync("cpio", ["-tv", "--quiet", "--numeric-uid-gid"], { input: readFileSync(GOLDEN) })
    .toString()
    .trim()
    .split("\n");
  const cols = (l: string): string[] => {
    const f = l.split(/\s+/);
    return [f[0]!, f[2]!, f[3]!, f.at(-1)!];
  };
  const mine = listCpio(readCpio(readFileSync(GOLDEN)));
  assert.deepEqual(verbose.map(cols), mine.map(cols));
  assert.match(verbose.find((l) => l.includes("bin/sh"))!, /^lrwxrwxrwx .* bin\/sh -> \/bin\/busybox$/);
  assert.match(verbose.find((l) => l.includes("dev/console"))!, /^crw------- .* 5,\s+1 /);
  assert.match(verbose.find((l) => l.endsWith(" tmp"))!, /^drwxrwxrwt /);
});

test("GNU cpio extracts the same file contents", async () => {
  const list = readCpio(readFileSync(GOLDEN));
  const motd = list.find((m) => m.name === "etc/motd")!;
  assert.equal(Buffer.from(motd.data).toString(), readFileSync(join(DIR, "motd"), "utf8"));
  const out = execFileSync("cpio", ["-i", "--quiet", "--to-stdout", "etc/motd"], { input: readFileSync(GOLDEN) });
  assert.equal(out.toString(), readFileSync(join(DIR, "motd"), "utf8"));
});

test("every member: uid/gid 0, one mtime; newc magic, trailer, 4-byte padding", async () => {
  const bytes = await golden();
  const members = readCpio(bytes);
  for (const m of members) {
    assert.equal(m.uid, 0);
    assert.equal(m.gid, 0);
    assert.equal(m.mtime, MTIME);
  }
  const text = Buffer.from(bytes).toString("latin1");
  assert.ok(text.includes("TRAILER!!!\0"));
  assert.equal(bytes.length % 4, 0);
  assert.equal(text.slice(0, 6), "070701");
});

test("gzip is deterministic: same bytes twice, no name, mtime 0, OS Unix, and it round-trips", async () => {
  const bytes = await golden();
  const a = gzipDeterministic(bytes);
  const b = gzipDeterministic(new Uint8Array(bytes));
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  assert.deepEqual([...a.subarray(0, 4)], [0x1f, 0x8b, 8, 0]); // deflate, FLG 0: no FNAME, no FEXTRA
  assert.deepEqual([...a.subarray(4, 8)], [0, 0, 0, 0]); // MTIME 0
  assert.equal(a[9], 3);
  assert.ok(Buffer.from(gunzip(a)).equals(Buffer.from(bytes)));
  const viaGzip = execFileSync("gzip", ["-dc"], { input: a });
  assert.ok(viaGzip.equals(Buffer.from(bytes)));
});
