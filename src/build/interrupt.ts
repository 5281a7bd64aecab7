// SIGINT (Ctrl-C) and SIGTERM during a build: the build's AbortSignal is aborted, so the engine starts no new
// step, kills the running ones' process groups, releases its locks, removes its scratch and saves what
// finished; then the command fails with "build interrupted" and exit status 128 + the signal's number
// (130, 143). A second signal while stopping ends the process at once with that status.
import { constants } from "node:os";
import { UserError } from "../util/errors.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type Stop = (typeof SIGNALS)[number];

/** Runs `fn` with an AbortSignal that SIGINT/SIGTERM abort; the handlers are removed when it ends. */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let got: Stop | undefined;
  const handlers = SIGNALS.map((sig) => {
    const h = (): void => {
      if (got !== undefined) process.exit(exitStatus(sig));
      got = sig;
      process.stderr.write(`\nkeel: ${sig}: stopping the build\n`);
      ac.abort();
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    const result = await fn(ac.signal);
    if (got !== undefined) throw interrupted(got);
    return result;
  } catch (err) {
    throw got !== undefined ? interrupted(got) : err;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

function exitStatus(sig: Stop): number {
  return 128 + constants.signals[sig];
}

function interrupted(sig: Stop): UserError {
  return new UserError(`build interrupted (${sig})`, { exitCode: exitStatus(sig) });
}
