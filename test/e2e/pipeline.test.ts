// The pipeline under a team's conditions (issue 16), through the real CLI, real cross compiler: out-dir locks
// (two builds in one out dir), environment file-system errors as user errors (exit 2, one line naming the path),
// and builds interrupted by SIGINT/SIGKILL/SIGTERM that keep their progress and end with the same image.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { procProbe } from "../../src/util/lock.ts";
import { account, bundleCli, KEEL_BUNDLE, keel, lines, type CliResult } from "./cli-helpers.ts";
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
  keel(["build", IMAGE, "--out", out, "-j", "2"], { root, cwd: root, timeoutMs });

/** The status lines of steps that started (`[n/N] KIND label`). */
const started = (stdout: string): string[] => lines(stdout).filter((l) => /^\[\d+\/\d+\] /.test(l));

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts a build in its own process group and sends `sig` to the group (as a terminal's Ctrl-C does) once
 * `after` steps have started; the group is SIGKILLed if it has not ended 120 s later.
 */
function buildAndInterrupt(out: string, after: number, sig: NodeJS.Signals): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KEEL_BUNDLE, "build", IMAGE, "--out", out, "-j", "2"], {
      cwd: root,
      env: { ...process.env, KEEL_ROOT: root, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let sent = false;
    const killGroup = (s: NodeJS.Signals): void => {
      try {
        process.kill(-(child.pid ?? 0), s);
      } catch {
        // gone
      }
    };
    const deadline = setTimeout(() => killGroup("SIGKILL"), 120_000);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
      if (!sent && started(stdout).length >= after) {
        sent = true;
        killGroup(sig);
      }
    });
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      killGroup("SIGKILL");
      if (!sent) reject(new Error(`the build ended before ${after} steps started:\n${stdout}${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Files a build must not leave behind in the out dir: half outputs and locks. */
function leftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.tmp$|(^|\/)lock$/.test(f));
}

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

describe("interrupted builds keep their progress", () => {
  test("SIGINT, SIGKILL and SIGTERM mid-build: each rerun redoes at most the steps that were running; same image", async () => {
    const reference = tempDir("keel-pipeline-ref-");
    const ref = await build(reference);
    assert.equal(ref.code, 0, account(ref));
    const total = started(ref.stdout).length;
    assert.ok(total >= 30, `only ${total} steps: too few to interrupt at several points`);

    const out = tempDir("keel-pipeline-int-");
    let startedSoFar = 0;
    const points: [number, NodeJS.Signals, number | null][] = [
      [Math.floor(total / 4), "SIGINT", 130],
      [Math.floor(total / 4), "SIGKILL", null],
      [Math.floor(total / 4), "SIGTERM", 143],
    ];
    for (const [after, sig, code] of points) {
      const r = await buildAndInterrupt(out, after, sig);
      const account2 = `${sig} after ${after} steps: exit ${r.code} ${r.signal}\n${r.stdout}${r.stderr}`;
      if (code === null) assert.equal(r.signal, "SIGKILL", account2);
      else {
        assert.equal(r.code, code, account2);
        assert.match(r.stderr, new RegExp(`^keel: build interrupted \\(${sig}\\)$`, "m"), account2);
        assert.doesNotMatch(r.stderr, /internal error/, account2);
        assert.deepEqual(leftovers(out), [], `${sig} left these behind`);
      }
      startedSoFar += started(r.stdout).length;
    }
    const last = await build(out);
    assert.equal(last.code, 0, account(last));
    startedSoFar += started(last.stdout).length;
    // Each interruption may cost the steps that were running (at most -j 2), nothing more.
    assert.ok(
      startedSoFar <= total + 2 * points.length,
      `${startedSoFar} steps started over the interrupted builds and the last one; ${total} in one build`,
    );
    assert.deepEqual(readFileSync(join(out, "keel.elf")), readFileSync(join(reference, "keel.elf")));
    assert.match((await build(out)).stdout, /no work to do/);
    assert.deepEqual(leftovers(out), []);
  });
});
