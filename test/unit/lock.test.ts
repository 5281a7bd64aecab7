// Lock files (src/util/lock.ts): one holder at a time, stale holders (gone, other boot, reused pid) taken
// over, waiting told at once and then every few seconds, file-system errors as user errors.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { UserError } from "../../src/util/errors.ts";
import { fileSystemError } from "../../src/util/fserror.ts";
import type { LockHolder, ProcessProbe } from "../../src/util/lock.ts";
import { acquireLock, isStale, parseHolder } from "../../src/util/lock.ts";

const dir = mkdtempSync(join(tmpdir(), "keel-lock-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fake process table: pid -> start time. */
function probe(pid: number, procs: Record<number, string>, boot = "boot-a"): ProcessProbe {
  return { pid, bootId: () => boot, startOf: (p) => procs[p] };
}

const holder = (pid: number, start: string, boot = "boot-a"): LockHolder => ({
  pid,
  boot,
  start,
  what: "keel build",
  since: "",
});

test("stale: gone, another boot, a reused pid; live: same pid, boot and start", () => {
  const p = probe(1, { 1: "10", 7: "500" });
  assert.equal(isStale(holder(7, "500"), p), false);
  assert.equal(isStale(holder(8, "500"), p), true, "no such process");
  assert.equal(isStale(holder(7, "500", "boot-b"), p), true, "written before a reboot");
  assert.equal(isStale(holder(7, "499"), p), true, "pid reused by a process started later");
  assert.equal(parseHolder("1234\n"), undefined, "an old-format lock is not trusted");
});

test("one holder at a time; the waiter is told at once and every reportEveryMs", async () => {
  const file = join(dir, "a", ".keel", "lock");
  const procs = { 1: "10", 2: "20" };
  const first = await acquireLock(file, { what: "keel build", probe: probe(1, procs) });
  assert.equal(parseHolder(readFileSync(file, "utf8"))?.pid, 1);
  const told: number[] = [];
  let got = false;
  const second = acquireLock(file, {
    what: "keel build",
    probe: probe(2, procs),
    pollMs: 10,
    reportEveryMs: 100,
    waiting: (h, waited) => told.push(h.pid === 1 ? waited : -1),
  }).then((l) => {
    got = true;
    return l;
  });
  await new Promise((r) => setTimeout(r, 350));
  assert.equal(got, false, "the second holder got in while the first held the lock");
  assert.ok(told.length >= 2 && told.length <= 5, `told ${told.length} times: ${told.join(",")}`);
  assert.ok((told[0] ?? 1e9) < 100, `first told after ${told[0]} ms, not at once`);
  await first.release();
  const l2 = await second;
  assert.equal(parseHolder(readFileSync(file, "utf8"))?.pid, 2);
  await first.release(); // releasing twice does not remove the new holder's lock
  assert.equal(parseHolder(readFileSync(file, "utf8"))?.pid, 2);
  await l2.release();
});

test("a stale lock (reused pid, garbage) is taken over without waiting", async () => {
  const file = join(dir, "b.lock");
  writeFileSync(file, JSON.stringify(holder(7, "499")));
  let told = 0;
  const l = await acquireLock(file, {
    what: "x",
    probe: probe(1, { 1: "10", 7: "500" }),
    waiting: () => told++,
  });
  assert.equal(told, 0);
  await l.release();
  writeFileSync(file, "garbage");
  await (await acquireLock(file, { what: "x", probe: probe(1, { 1: "10" }) })).release();
});

test("aborting stops the wait with 'build interrupted'", async () => {
  const file = join(dir, "c.lock");
  const procs = { 1: "10", 2: "20" };
  const held = await acquireLock(file, { what: "x", probe: probe(1, procs) });
  const ac = new AbortController();
  const waiting = acquireLock(file, { what: "x", probe: probe(2, procs), pollMs: 10, signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(waiting, /build interrupted/);
  await held.release();
});

test("a file where the lock's folder should be is a user error naming the path", async () => {
  const file = join(dir, "plain");
  writeFileSync(file, "");
  await assert.rejects(acquireLock(join(file, ".keel", "lock"), { what: "x" }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /plain\/\.keel: a part of this path is a file, not a folder \(ENOTDIR, mkdir\)$/);
    return true;
  });
  const rofs = Object.assign(new Error("EROFS"), { code: "EROFS", syscall: "open", path: "/x/y" });
  assert.equal(fileSystemError(rofs)?.message, "/x/y: read-only file system (EROFS, open)");
  assert.equal(fileSystemError(new Error("plain bug")), undefined);
});
