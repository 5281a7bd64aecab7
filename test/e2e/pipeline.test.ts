// The pipeline under a team's conditions (issue 16), through the real CLI, real cross compiler: out-dir locks
// (two builds in one out dir), environment file-system errors as user errors (exit 2, one line naming the path).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { procProbe } from "../../src/util/lock.ts";
import { account, bundleCli, keel, lines, type CliResult } from "./cli-helpers.ts";
import { copyCheckout } from "./helpers.ts";

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

let root = "";
before(async () => {
  await bundleCli();
  const c = copyCheckout("keel-pipeline-");
  temps.push(c.root);
  root = c.root;
});
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const IMAGE = "-Dimage=hello";
const build = (out: string, timeoutMs = 240_000): Promise<CliResult> =>
  keel(["build", IMAGE, "--out", out], { root, cwd: root, timeoutMs });

/** A user error: exit 2, the first stderr line matching, no stack trace, no "internal error". */
function userError(r: CliResult, firstLine: RegExp): void {
  assert.equal(r.timedOut, false, `timed out: ${account(r)}`);
  assert.equal(r.code, 2, account(r));
  assert.match(lines(r.stderr)[0] ?? "", firstLine, account(r));
  assert.doesNotMatch(r.stderr, /^\s+at /m, "a user error printed a stack trace");
  assert.doesNotMatch(r.stderr, /internal error/);
}

describe("out-dir lock", () => {
  test("a build waits (saying so at once) while another process holds the out dir's lock", async () => {
    const out = tempDir("keel-pipeline-lock-");
    mkdirSync(join(out, ".keel"), { recursive: true });
    // This test process plays the other build: a live pid with its real boot id and start time.
    const lock = join(out, ".keel", "lock");
    const me = {
      pid: process.pid,
      boot: procProbe.bootId(),
      start: procProbe.startOf(process.pid),
      what: "keel build",
      since: new Date().toISOString(),
    };
    writeFileSync(lock, JSON.stringify(me));
    const running = build(out);
    await sleep(4000);
    assert.ok(existsSync(lock), "the waiting build removed a live holder's lock");
    rmSync(lock);
    const r = await running;
    assert.equal(r.code, 0, account(r));
    assert.match(
      lines(r.stderr)[0] ?? "",
      new RegExp(
        `^keel: waiting for .*: another build uses it \\(keel build, process ${process.pid}, since `,
      ),
    );
    assert.ok(r.ms >= 3500, `finished after ${r.ms} ms: it did not wait for the lock`);
    assert.equal(existsSync(lock), false, "the build left its lock behind");
  });

  test("a lock naming a pid now used by another process (another start time) is stale: no wait", async () => {
    const out = tempDir("keel-pipeline-stale-");
    mkdirSync(join(out, ".keel"), { recursive: true });
    const reused = { pid: process.pid, boot: procProbe.bootId(), start: "1", what: "keel build", since: "" };
    writeFileSync(join(out, ".keel", "lock"), JSON.stringify(reused));
    const r = await build(out);
    assert.equal(r.code, 0, account(r));
    assert.doesNotMatch(r.stderr, /waiting for/);
  });

  test("two builds started together in one out dir both succeed, one after the other", async () => {
    const out = tempDir("keel-pipeline-two-");
    const [a, b] = await Promise.all([build(out), build(out)]);
    assert.equal(a.code, 0, account(a));
    assert.equal(b.code, 0, account(b));
    const waited = [a, b].filter((r) => /^keel: waiting for /m.test(r.stderr));
    assert.equal(waited.length, 1, `${account(a)}\n${account(b)}`);
    assert.ok(
      [a, b].some((r) => /no work to do/.test(r.stdout)),
      "the second build redid the first's work",
    );
  });
});

describe("file-system errors are user errors", () => {
  test("--out on a file: one line naming the path, exit 2", async () => {
    const file = join(tempDir("keel-pipeline-file-"), "plain");
    writeFileSync(file, "not a folder\n");
    const r = await build(file, 60_000);
    userError(
      r,
      new RegExp(`^keel: ${file}/\\.keel: a part of this path is a file, not a folder \\(ENOTDIR, mkdir\\)$`),
    );
  });

  test("a full file system (a 96 KiB tmpfs as --out): one line naming the path, exit 2", async (t) => {
    const mnt = tempDir("keel-pipeline-full-");
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=96k", "tmpfs", mnt], { encoding: "utf8" });
    if (m.status !== 0) {
      t.skip(`cannot mount a tmpfs here (${(m.stderr || m.error?.message || "").trim()})`);
      return;
    }
    try {
      const r = await build(mnt);
      // Whichever comes first: Keel's own write failing (naming the file), or a compiler's (its step's error).
      userError(
        r,
        new RegExp(
          `^keel: (${mnt}/\\S+: no space left on device \\(ENOSPC, \\w+\\)|[A-Z]+ \\S+ failed \\(exit code \\d+\\))$`,
        ),
      );
      assert.match(r.stdout + r.stderr, /no space left on device/i);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });
});
