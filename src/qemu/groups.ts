// The process groups runCaptured started (each QEMU runs detached, in a group of its own, so that its
// timeout can kill everything it started). They are not in our group, so a SIGINT/SIGTERM/SIGHUP sent to
// Keel (Ctrl-C, `timeout`, a CI runner stopping the job) would leave them running: on those signals and on
// exit, every group still registered is killed first, then the signal takes its default course.

const live = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig); // the listener is gone: default action (exit by the signal)
    });
  }
}

/** Registers a detached child's process group, to be killed if this process ends first. */
export function adoptGroup(pgid: number): void {
  hook();
  live.add(pgid);
}

/** The group has ended (or was killed): nothing to do for it any more. */
export function releaseGroup(pgid: number): void {
  live.delete(pgid);
}
