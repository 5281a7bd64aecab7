// Build progress for people, ninja-style: `[n/N] CC path`, rewritten in place on a terminal, plain lines otherwise.
import { formatCommand } from "./exec.ts";

/** Where status goes: process.stdout, or a test's string collector. */
export interface StatusStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface StatusOptions {
  /** Print each step's full command instead of `KIND label`. */
  verbose?: boolean;
  /** Print why each step runs. */
  explain?: boolean;
  /** The clock for elapsed times (tests pass a fake one). */
  now?: () => number;
  /** Off a terminal, a long step's progress is printed at most this often (default 30 s). */
  progressEveryMs?: number;
}

/** What the status line needs to know about a step. */
export interface StepView {
  kind: string;
  label: string;
  command?: readonly string[] | undefined;
}

export class Status {
  readonly explaining: boolean;
  private readonly verbose: boolean;
  private readonly tty: boolean;
  /** A progress line is on screen without its newline (TTY only). */
  private pending = false;
  private readonly now: () => number;
  private readonly progressEveryMs: number;
  /** `KIND label` -> when it started, and when its progress was last printed (off a terminal). */
  private readonly startedAt = new Map<string, number>();
  private readonly progressShown = new Map<string, number>();

  constructor(
    private readonly stream: StatusStream,
    opts: StatusOptions = {},
  ) {
    this.verbose = opts.verbose ?? false;
    this.explaining = opts.explain ?? false;
    this.tty = stream.isTTY === true;
    this.now = opts.now ?? Date.now;
    this.progressEveryMs = opts.progressEveryMs ?? 30_000;
  }

  /** A step starts: it is the `n`th to start of at most `total` that will run. */
  started(step: StepView, n: number, total: number): void {
    const what = this.verbose && step.command ? formatCommand(step.command) : `${step.kind} ${step.label}`;
    const text = `[${n}/${total}] ${what}`;
    this.startedAt.set(`${step.kind} ${step.label}`, this.now());
    if (this.tty && !this.verbose) {
      const width = this.stream.columns ?? 80;
      this.stream.write(`\r${elide(text, width)}\x1b[K`);
      this.pending = true;
    } else {
      this.line(text);
    }
  }

  /**
   * A long step's progress: `KIND label 1m05s: <text>`. On a terminal it replaces the status line; otherwise it
   * is printed as `keel: ...` at most every `progressEveryMs` per step, so CI logs show a slow step is alive.
   */
  progress(step: StepView, text: string): void {
    const what = `${step.kind} ${step.label}`;
    const now = this.now();
    const since = this.startedAt.get(what) ?? now;
    const line = `${what} ${formatElapsed(now - since)}: ${text.replace(/\s+/g, " ").trim()}`;
    if (this.tty) {
      this.stream.write(`\r${elide(line, this.stream.columns ?? 80)}\x1b[K`);
      this.pending = true;
      return;
    }
    const last = this.progressShown.get(what) ?? since;
    if (now - last < this.progressEveryMs) return;
    this.progressShown.set(what, now);
    this.line(`keel: ${line}`);
  }

  /** `keel: explain: <label>: <reason>`, one line per reason. */
  explain(label: string, reasons: readonly string[]): void {
    if (!this.explaining) return;
    for (const r of reasons) this.line(`keel: explain: ${label}: ${r}`);
  }

  /** What a successful tool printed (warnings): shown as is, on its own lines. */
  output(text: string): void {
    if (text !== "") this.line(text.replace(/\n$/, ""));
  }

  failed(step: StepView, code: number, output: string): void {
    this.line(`FAILED: ${step.kind} ${step.label}${code !== 0 ? ` (exit code ${code})` : ""}`);
    if (step.command) this.line(formatCommand(step.command));
    this.output(output);
  }

  warning(message: string): void {
    this.line(`keel: warning: ${message}`);
  }

  noWork(): void {
    this.line("keel: no work to do.");
  }

  /** Ends the in-place line, if one is showing. */
  end(): void {
    if (this.pending) this.stream.write("\n");
    this.pending = false;
  }

  private line(text: string): void {
    if (this.pending) this.stream.write("\r\x1b[K");
    this.pending = false;
    this.stream.write(`${text}\n`);
  }
}

/** `42s`, `2m05s`: elapsed time on a status line. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Shortens a status line to the terminal width, cutting the middle of the label (ninja does the same). */
export function elide(text: string, width: number): string {
  if (text.length <= width || width < 8) return text;
  const keep = width - 3;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}
