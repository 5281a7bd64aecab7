// User-facing errors: one class, printed as one line (with file:line:col when a file is at fault), exit 2.
// Anything else that escapes to the CLI is a bug: printed with its stack, exit 1.

/** A position in a source file, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** An error caused by the user's input or environment, not by a bug in Keel. */
export class UserError extends Error {
  readonly location: SourceLocation | undefined;
  /** Further lines printed after the first one (e.g. every problem in a file). */
  readonly details: readonly string[];
  /** How many leading details the user has already seen (e.g. a failed compiler's output, shown by the build). */
  readonly detailsShown: number;
  /** The CLI's exit status: 2, or 128 + the signal's number for an interrupted command (130 for SIGINT). */
  readonly exitCode: number;

  constructor(
    message: string,
    options: {
      location?: SourceLocation;
      details?: readonly string[];
      detailsShown?: number;
      exitCode?: number;
    } = {},
  ) {
    super(message);
    this.name = "UserError";
    this.location = options.location;
    this.details = options.details ?? [];
    this.detailsShown = options.detailsShown ?? 0;
    this.exitCode = options.exitCode ?? 2;
  }

  /** `file:line:col: message` or just `message`. */
  get headline(): string {
    const loc = this.location;
    return loc ? `${loc.file}:${loc.line}:${loc.col}: ${this.message}` : this.message;
  }
}

/** Formats a location-prefixed diagnostic line. */
export function formatDiagnostic(loc: SourceLocation, message: string): string {
  return `${loc.file}:${loc.line}:${loc.col}: ${message}`;
}
