// Running a step's command: a `Runner` interface, the real child_process implementation (no shell) and a fake.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { constants as osConstants } from "node:os";

export interface RunOptions {
  cwd: string;
  /** Variables set on top of the inherited environment. */
  env?: Readonly<Record<string, string>>;
  /** Aborting kills the process; it then counts as failed. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit status; 128 + signal number when killed; 127 when the program could not be started. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(argv: readonly string[], opts: RunOptions): Promise<RunResult>;
}

/** How long a process group has after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 3000;

/**
 * Spawns argv (no shell, stdin closed, output piped) as the leader of a new process group. Aborting `signal`
 * sends SIGTERM to the whole group (make and the compilers it started, tar and xz), SIGKILL to what is left
 * after a grace period and to anything still in the group when the leader has ended. Being in its own group,
 * the child does not get the terminal's Ctrl-C itself: Keel decides (src/build/interrupt.ts).
 */
export function spawnGroup(
  program: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  signal?: AbortSignal,
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(program, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
    shell: false,
    detached: true,
  });
  if (signal === undefined) return child;
  let timer: NodeJS.Timeout | undefined;
  const kill = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  const onAbort = (): void => {
    kill("SIGTERM");
    timer = setTimeout(() => kill("SIGKILL"), KILL_GRACE_MS);
    timer.unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  child.on("close", () => {
    signal.removeEventListener("abort", onAbort);
    if (timer !== undefined) {
      clearTimeout(timer);
      kill("SIGKILL");
    }
  });
  return child;
}

/** Runs programs with child_process.spawn, argv as given (never through a shell). */
export class ProcessRunner implements Runner {
  run(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
    const [program, ...args] = argv;
    if (program === undefined)
      return Promise.resolve({ code: 127, stdout: "", stderr: "keel: empty command\n" });
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const finish = (res: RunResult): void => {
        if (!settled) {
          settled = true;
          resolve(res);
        }
      };
      const child = spawnGroup(
        program,
        args,
        { cwd: opts.cwd, env: opts.env ? { ...process.env, ...opts.env } : process.env },
        opts.signal,
      );
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", (e: Error & { code?: string }) => {
        // ENOENT/EACCES from spawn: the program is missing.
        finish({ code: 127, stdout: "", stderr: `keel: cannot run ${program}: ${e.code ?? e.message}\n` });
      });
      child.on("close", (code, signal) => {
        const sig = signal ? (osConstants.signals[signal] ?? 0) : 0;
        finish({
          code: code ?? 128 + sig,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        });
      });
    });
  }
}

/** What a fake command does: the test writes outputs into its fake Fs here and returns the result. */
export type FakeHandler = (
  argv: readonly string[],
  opts: RunOptions,
) => Partial<RunResult> | void | Promise<Partial<RunResult> | void>;

/** A Runner for tests: records every argv it ran and how many ran at once. */
export class FakeRunner implements Runner {
  /** Every argv, in the order the commands were started. */
  readonly ran: string[][] = [];
  running = 0;
  maxRunning = 0;

  constructor(private readonly handler: FakeHandler) {}

  async run(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
    this.ran.push([...argv]);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      const res = (await this.handler(argv, opts)) ?? {};
      return { code: res.code ?? 0, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
    } finally {
      this.running--;
    }
  }

  /** Forgets what ran (between two builds of one test). */
  reset(): void {
    this.ran.length = 0;
    this.maxRunning = 0;
  }
}

/** An argv as a line a user can paste into a POSIX shell. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
