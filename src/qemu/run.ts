// Running QEMU (or any program that must not outlive a test) captured with a hard timeout (keel run's
// interactive QEMU is src/run/session.ts). A captured run gets its own process group and is always ended by its own
// PID, so tests never hang and nothing it started is left behind.
import { spawn } from "node:child_process";
import { adoptGroup, releaseGroup } from "./groups.ts";

export interface CapturedRun {
  /** QEMU's exit status, or undefined when it was killed. */
  code: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  /** Everything QEMU printed (serial console included), stdout and stderr interleaved. */
  output: string;
  /** The same, stream by stream. */
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface Interaction {
  /** When the output (since the previous interaction) matches this... */
  waitFor: RegExp;
  /** ...write this to QEMU's standard input (the serial console). */
  send: string;
}

export interface CaptureOptions {
  timeoutMs: number;
  interactions?: readonly Interaction[];
  /** Called with each chunk of output (e.g. to echo it with -v). */
  onOutput?: (chunk: string) => void;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** "ignore" gives the program /dev/null as stdin (no interactions then); default "pipe". */
  stdin?: "pipe" | "ignore";
}

/** Runs argv with output captured; kills the whole process group at the timeout. */
export function runCaptured(argv: readonly string[], opts: CaptureOptions): Promise<CapturedRun> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("runCaptured: empty argv");
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.stdin ?? "pipe", "pipe", "pipe"],
      detached: true,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
    if (child.pid !== undefined) adoptGroup(child.pid);
    let output = "";
    const streams = { stdout: "", stderr: "" };
    let timedOut = false;
    let step = 0;
    let seenUpTo = 0;
    const pending = [...(opts.interactions ?? [])];
    const kill = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const onData = (from: "stdout" | "stderr", data: Buffer): void => {
      const chunk = data.toString("utf8");
      output += chunk;
      streams[from] += chunk;
      opts.onOutput?.(chunk);
      const next = pending[step];
      if (next && next.waitFor.test(output.slice(seenUpTo))) {
        seenUpTo = output.length;
        step++;
        child.stdin?.write(next.send);
      }
    };
    child.stdout?.on("data", (d: Buffer) => onData("stdout", d));
    child.stderr?.on("data", (d: Buffer) => onData("stderr", d));
    child.stdin?.on("error", () => undefined);
    child.on("error", (err) => {
      clearTimeout(timer);
      if (child.pid !== undefined) releaseGroup(child.pid);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      kill(); // anything QEMU left in its group
      if (child.pid !== undefined) releaseGroup(child.pid);
      resolve({
        code: code ?? undefined,
        signal: signal ?? undefined,
        timedOut,
        output,
        ...streams,
        durationMs: Date.now() - started,
      });
    });
  });
}
