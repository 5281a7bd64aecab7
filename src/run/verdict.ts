// What `keel run` says and returns when QEMU has ended (pure): QEMU's own status when the hypervisor ended
// the machine (its "all capsules ended" line was seen), otherwise a non-zero status and a one-line reason:
// QEMU was stopped by a signal (forwarded by keel, or sent to QEMU from outside), or left with Ctrl-A x.

/** What was observed of one QEMU run. */
export interface RunObservation {
  /** QEMU's exit status, or null when a signal killed it. */
  code: number | null;
  /** The signal that killed QEMU (e.g. "SIGKILL"), or null. */
  signal: string | null;
  /** The hypervisor printed its final "all capsules ended: ..." line. */
  sawEnd: boolean;
  /** The signal keel received and forwarded to QEMU, if any. */
  forwarded: string | null;
  /** The signal QEMU said it was terminated by ("terminating on signal N"), if it said so. */
  qemuTerminatedBy: number | null;
  /** The user typed Ctrl-A x (QEMU printed "QEMU: Terminated"). */
  leftByUser: boolean;
}

export interface RunVerdict {
  exitCode: number;
  /** One line for stderr, or undefined when QEMU's status stands as it is. */
  reason: string | undefined;
}

/** Exit status when QEMU was left with Ctrl-A x (or ended by itself) before the capsules ended. */
export const EXIT_LEFT = 3;

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

const NAMES = Object.fromEntries(Object.entries(SIGNALS).map(([k, v]) => [v, k]));

function signalNumber(name: string): number {
  return SIGNALS[name] ?? 1;
}

const BEFORE = "before every capsule ended";

export function runVerdict(o: RunObservation): RunVerdict {
  if (o.forwarded !== null) {
    return {
      exitCode: 128 + signalNumber(o.forwarded),
      reason: `keel run got ${o.forwarded} and stopped QEMU${o.sawEnd ? "" : ` ${BEFORE}`}`,
    };
  }
  if (o.signal !== null) {
    return { exitCode: 128 + signalNumber(o.signal), reason: `QEMU was killed by ${o.signal} ${BEFORE}` };
  }
  if (o.sawEnd) return { exitCode: o.code ?? 1, reason: undefined };
  if (o.qemuTerminatedBy !== null) {
    const name = NAMES[o.qemuTerminatedBy] ?? `signal ${o.qemuTerminatedBy}`;
    return { exitCode: 128 + o.qemuTerminatedBy, reason: `QEMU was stopped by ${name} ${BEFORE}` };
  }
  if (o.leftByUser || o.code === 0) {
    return { exitCode: EXIT_LEFT, reason: `QEMU was left (Ctrl-A x) ${BEFORE}` };
  }
  return { exitCode: o.code ?? 1, reason: `QEMU exited with status ${o.code} ${BEFORE}` };
}

/**
 * Watches a byte stream for a line, across chunk boundaries and through colour escapes, keeping only a short
 * tail: `feed` each chunk, then `seen`.
 */
export class LineWatch {
  private tail = "";
  seen = false;
  readonly match: RegExpExecArray[] = [];
  constructor(private readonly re: RegExp) {}
  feed(chunk: Buffer | string): void {
    // eslint-disable-next-line no-control-regex
    const text = (this.tail + chunk.toString("latin1")).replace(/\x1b\[[0-9;]*m/g, "");
    const m = this.re.exec(text);
    if (m) {
      this.seen = true;
      this.match.push(m);
    }
    this.tail = text.slice(-200);
  }
}
