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

  constructor(
    private readonly stream: StatusStream,
    opts: StatusOptions = {},
  ) {
    this.verbose = opts.verbose ?? false;
    this.explaining = opts.explain ?? false;
    this.tty = stream.isTTY === true;
  }

  /** A step starts: it is the `n`th to start of at most `total` that will run. */
  started(step: StepView, n: number, total: number): void {
    const what = this.verbose && step.command ? formatCommand(step.command) : `${step.kind} ${step.label}`;
    const text = `[${n}/${total}] ${what}`;
    if (this.tty && !this.verbose) {
      const width = this.stream.columns ?? 80;
      this.stream.write(`\r${elide(text, width)}\x1b[K`);
      this.pending = true;
    } else {
      this.line(text);
    }
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

/** Shortens a status line to the terminal width, cutting the middle of the label (ninja does the same). */
export function elide(text: string, width: number): string {
  if (text.length <= width || width < 8) return text;
  const keep = width - 3;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}
