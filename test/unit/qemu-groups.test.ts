// A captured run (QEMU in the tests) lives in a process group of its own; if Keel itself is stopped by a
// signal, that group must not be left running. Real processes: a node script starts `sleep` through
// runCaptured, gets SIGTERM, and the sleep must be gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  test(`${sig} to the process running a captured program kills the program's group`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "keel-groups-"));
    const pidFile = join(dir, "pid");
    const script = [
      `import { runCaptured } from ${JSON.stringify(join(ROOT, "src", "qemu", "run.ts"))};`,
      `void runCaptured(["sh", "-c", 'echo $$ > ${pidFile}; exec sleep 1000'], { timeoutMs: 600000 });`,
    ].join("\n");
    const runner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      stdio: "ignore",
    });
    try {
      await until(
        "the program to start",
        () => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"),
        20000,
      );
      const pid = Number(readFileSync(pidFile, "utf8"));
      assert.ok(alive(pid), "the captured program runs");
      const exited = new Promise<NodeJS.Signals | null>((r) => runner.on("exit", (_c, s) => r(s)));
      runner.kill(sig);
      assert.equal(await exited, sig, "the runner ends by the signal, as without the hook");
      await until("the captured program to be killed", () => !alive(pid), 5000);
    } finally {
      runner.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
