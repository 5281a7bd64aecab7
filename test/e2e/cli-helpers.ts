// Helpers for the CLI end-to-end tests: build the bundled CLI once, then run `node dist/keel.mjs ...` as a
// user would, each run in its own process group with a hard timeout that kills the whole group.
import { join } from "node:path";
import { runCaptured } from "../../src/qemu/run.ts";
import { ROOT } from "./helpers.ts";

/** The bundled CLI the tests run (built from the current sources by `bundleCli`). */
export const KEEL_BUNDLE = join(ROOT, "dist", "keel.mjs");

/** What one CLI run did. */
export interface CliResult {
  /** The exit status, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  /** KEEL_ROOT for the run: the checkout keel works on (always a throwaway copy where it writes). */
  root?: string | undefined;
  /** The working directory (paths in keel's messages are shown relative to it). */
  cwd: string;
  /** Extra environment variables; `undefined` removes one. */
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/** Variables that change what keel does; removed so the tests see the defaults a plain shell would. */
const NEUTRAL = [
  "O",
  "VERBOSE",
  "KEEL_ROOT",
  "KEEL_TOOLCHAIN",
  "CROSS_COMPILE",
  "KEEL_CLANG",
  "KEEL_CACHE_DIR",
];

function environment(opts: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0" };
  for (const name of NEUTRAL) delete env[name];
  if (opts.root !== undefined) env["KEEL_ROOT"] = opts.root;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Runs argv (argv[0] is the program) in a new process group, stdin closed, output captured. At the timeout
 * the whole group (the CLI and anything it started, e.g. QEMU) gets SIGKILL; once the CLI has exited, any
 * process it left behind in its group is killed too (runCaptured does all of that).
 */
export async function spawnCaptured(
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<CliResult> {
  const r = await runCaptured(argv, { timeoutMs, cwd, env, stdin: "ignore" });
  return {
    code: r.code ?? null,
    signal: (r.signal as NodeJS.Signals | undefined) ?? null,
    timedOut: r.timedOut,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: r.durationMs,
  };
}

/** Runs `node dist/keel.mjs ...args` like a user at a shell. */
export function keel(args: readonly string[], opts: RunOptions): Promise<CliResult> {
  return spawnCaptured(
    [process.execPath, KEEL_BUNDLE, ...args],
    opts.cwd,
    environment(opts),
    opts.timeoutMs ?? 60_000,
  );
}

/** Builds dist/keel.mjs from the current sources (scripts/bundle.mjs); throws with its output on failure. */
export async function bundleCli(): Promise<void> {
  const r = await spawnCaptured(
    [process.execPath, join(ROOT, "scripts", "bundle.mjs")],
    ROOT,
    { ...process.env },
    60_000,
  );
  if (r.code !== 0) throw new Error(`scripts/bundle.mjs failed (${account(r)}):\n${r.stdout}${r.stderr}`);
}

/** The lines of some output, without the empty string after a final newline. */
export function lines(text: string): string[] {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** A short account of a run for assertion messages. */
export function account(r: CliResult): string {
  const how = r.timedOut ? "timed out" : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  return `${how} after ${r.ms} ms\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}
