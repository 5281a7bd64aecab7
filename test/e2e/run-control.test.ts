// keel run owns QEMU (issue 12): signals sent to keel reach QEMU, QEMU never outlives keel, and the exit
// status says when QEMU ended before every capsule did. The bundled CLI runs the `echo` image (its capsules
// wait for input forever) in real QEMU; each run is its own process group, killed at a hard timeout.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bundleCli, KEEL_BUNDLE } from "./cli-helpers.ts";
import { copyCheckout } from "./helpers.ts";

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout (so far or later) matches. */
  waitFor: (re: RegExp) => Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>;
}

const TIMEOUT_MS = 120_000;

/** Starts `keel run` in a process group of its own; the whole group is SIGKILLed at the timeout. */
function startRun(root: string, out: string): Running {
  const child = spawn(process.execPath, [KEEL_BUNDLE, "run", "-Dimage=echo", "--out", out], {
    cwd: root,
    env: { ...process.env, KEEL_ROOT: root, FORCE_COLOR: "0" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.re.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString("utf8");
    check();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  child.stdin.on("error", () => undefined);
  let timedOut = false;
  const killGroup = (): void => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, TIMEOUT_MS);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>(
    (resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, timedOut });
      }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void done.then(() => reject(new Error(`keel ended before ${re}\n${stdout}\n${stderr}`)));
      }),
    done,
  };
}

/** PIDs of the QEMU processes booting this ELF (whatever their parent is now). */
function qemusOf(elf: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const argv = cmdline.split("\0");
    if (argv[0]?.includes("qemu-system") && argv.includes(elf)) pids.push(Number(name));
  }
  return pids;
}

const READY = /\[echo-b\] echo: ready/;

describe("keel run owns QEMU", () => {
  let root = "";
  let out = "";
  let elf = "";
  before(async () => {
    await bundleCli();
    root = copyCheckout("keel-run-control-").root;
    out = join(root, "out");
    elf = join(out, "qemu-virt-Debug", "keel-echo.elf");
  });
  after(() => {
    for (const pid of qemusOf(elf)) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs until both capsules wait for input, then does `act`; returns the ended run. */
  async function runAnd(
    act: (r: Running) => void | Promise<void>,
  ): Promise<{ code: number | null; stderr: string; out: string }> {
    const r = startRun(root, out);
    try {
      await r.waitFor(READY);
      assert.equal(qemusOf(elf).length, 1, "one QEMU runs the image");
      await act(r);
      const end = await r.done;
      assert.equal(end.timedOut, false, `timed out\n${r.stdout()}\n${r.stderr()}`);
      return { code: end.code, stderr: r.stderr(), out: r.stdout() };
    } finally {
      try {
        process.kill(-r.child.pid!, "SIGKILL");
      } catch {
        // the group is gone: nothing was left behind in it
      }
    }
  }

  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    test(`${sig} to keel run stops QEMU, exit 128+N with one line saying why`, async () => {
      const r = await runAnd((run) => {
        run.child.kill(sig);
      });
      const n = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[sig];
      assert.equal(r.code, 128 + n, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`^keel: keel run got ${sig} and stopped QEMU before every capsule ended$`, "m"),
      );
      assert.deepEqual(qemusOf(elf), [], "QEMU outlived keel run");
    });
  }

  test("QEMU killed by SIGKILL from outside: exit 137, one line saying so", async () => {
    const r = await runAnd(() => {
      for (const pid of qemusOf(elf)) process.kill(pid, "SIGKILL");
    });
    assert.equal(r.code, 137, r.stderr);
    assert.match(r.stderr, /^keel: QEMU was killed by SIGKILL before every capsule ended$/m);
  });

  test("QEMU stopped by SIGTERM from outside: exit 143, one line saying so", async () => {
    const r = await runAnd(() => {
      for (const pid of qemusOf(elf)) process.kill(pid, "SIGTERM");
    });
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /^keel: QEMU was stopped by SIGTERM before every capsule ended$/m);
  });

  test("Ctrl-A x before the capsules ended: exit 3, one line saying so", async () => {
    const r = await runAnd((run) => {
      run.child.stdin.write("\x01x");
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^keel: QEMU was left \(Ctrl-A x\) before every capsule ended$/m);
  });

  test("the capsules ending by themselves: QEMU's status, no extra line", async () => {
    // echo-b (the focus) ends on "quit"; then Ctrl-] 0 gives echo-a the input and it ends on "quit" too.
    const r = await runAnd(async (run) => {
      run.child.stdin.write("quit\n");
      await run.waitFor(/capsule echo-b: shut down/);
      run.child.stdin.write("\x1d0quit\n");
    });
    assert.equal(r.code, 0, `${r.out}\n${r.stderr}`);
    assert.match(r.out, /all capsules ended: 2 clean, 0 failed/);
    assert.doesNotMatch(r.stderr, /^keel: /m);
  });
});
