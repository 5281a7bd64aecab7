// `keel run`'s QEMU: the console stays on this terminal (stdin inherited, so QEMU can make it raw and Ctrl-C
// goes to the guest), while stdout and stderr pass through keel byte for byte so that keel sees whether the
// hypervisor ended the machine. SIGINT, SIGTERM and SIGHUP sent to keel are forwarded to QEMU (then SIGKILL
// after a grace period), and QEMU is killed if keel exits first: QEMU never outlives `keel run`.
import { spawn } from "node:child_process";
import { LineWatch, runVerdict, type RunVerdict } from "./verdict.ts";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** How long QEMU has to end after a forwarded signal before it gets SIGKILL. */
const GRACE_MS = 5000;

export function runOwned(argv: readonly string[]): Promise<RunVerdict> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("runOwned: empty argv");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["inherit", "pipe", "pipe"] });
    const end = new LineWatch(/all capsules ended: \d+ clean, \d+ failed/);
    const left = new LineWatch(/QEMU: Terminated/);
    const terminated = new LineWatch(/terminating on signal (\d+)/);
    let forwarded: string | null = null;
    let grace: NodeJS.Timeout | undefined;
    const killNow = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const onSignal = (sig: (typeof FORWARDED)[number]): void => {
      if (forwarded !== null) return;
      forwarded = sig;
      child.kill(sig);
      grace = setTimeout(killNow, GRACE_MS);
    };
    for (const sig of FORWARDED) process.on(sig, onSignal);
    process.on("exit", killNow);
    const cleanup = (): void => {
      if (grace) clearTimeout(grace);
      for (const sig of FORWARDED) process.off(sig, onSignal);
      process.off("exit", killNow);
    };
    child.stdout.on("data", (d: Buffer) => {
      end.feed(d);
      left.feed(d);
    });
    child.stderr.on("data", (d: Buffer) => terminated.feed(d));
    child.stdout.pipe(process.stdout, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.on("error", (e) => {
      cleanup();
      reject(e);
    });
    child.on("close", (code, signal) => {
      cleanup();
      const by = terminated.match[0]?.[1];
      resolve(
        runVerdict({
          code,
          signal,
          sawEnd: end.seen,
          forwarded,
          qemuTerminatedBy: by === undefined ? null : Number(by),
          leftByUser: left.seen,
        }),
      );
    });
  });
}
