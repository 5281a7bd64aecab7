// Running an external build (make, tar, apt-get, dpkg-source) for a recipe: output streamed to a log file,
// the last line shown as progress, the tail of the log in the error when it fails.
import { createWriteStream, type WriteStream } from "node:fs";
import { UserError } from "../util/errors.ts";
import { formatCommand, spawnGroup } from "../graph/exec.ts";

export interface SubRun {
  /** Appends everything the commands print; its path is named in errors. */
  logFile: string;
  /** Called with each new output line (rate-limited), for the status line. */
  progress?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** A log shared by the commands of one recipe build. */
export class SubBuild {
  private readonly log: WriteStream;
  private tail: string[] = [];
  private lastShown = 0;

  constructor(private readonly opts: SubRun) {
    this.log = createWriteStream(opts.logFile);
  }

  /** Runs argv (no shell) in `cwd`; throws a UserError with the output's last lines when it fails. */
  async run(
    what: string,
    argv: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error("SubBuild.run: empty argv");
    this.log.write(`$ (cd ${cwd} && ${formatCommand(argv)})\n`);
    this.opts.progress?.(what);
    const code = await new Promise<number>((resolve) => {
      const child = spawnGroup(
        cmd,
        args,
        { cwd, env: { ...process.env, ...env, LC_ALL: "C" } },
        this.opts.signal,
      );
      let partial = "";
      const feed = (d: Buffer): void => {
        this.log.write(d);
        partial += d.toString("utf8");
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) this.line(what, l);
      };
      child.stdout.on("data", feed);
      child.stderr.on("data", feed);
      child.on("error", (e: NodeJS.ErrnoException) => {
        this.log.write(`keel: cannot run ${cmd}: ${e.code ?? e.message}\n`);
        this.tail.push(`cannot run ${cmd}: ${e.code ?? e.message}`);
        resolve(127);
      });
      child.on("close", (c, sig) => {
        if (partial) this.line(what, partial);
        resolve(c ?? (sig ? 128 : 1));
      });
    });
    if (this.opts.signal?.aborted) throw new UserError("build interrupted");
    if (code !== 0) {
      throw new UserError(`${what} failed (exit code ${code}); full log: ${this.opts.logFile}`, {
        details: [`$ ${formatCommand(argv)}`, ...this.tail.slice(-25)],
      });
    }
  }

  /** Notes a line in the log. */
  note(text: string): void {
    this.log.write(`keel: ${text}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.log.end(resolve));
  }

  private line(what: string, l: string): void {
    const text = l.trimEnd();
    if (text === "") return;
    this.tail.push(text);
    if (this.tail.length > 200) this.tail = this.tail.slice(-50);
    const now = Date.now();
    if (now - this.lastShown >= 250) {
      this.lastShown = now;
      this.opts.progress?.(`${what}: ${text}`);
    }
  }
}

/** One external build at a time: each already uses every core (make -jN). */
let chain: Promise<unknown> = Promise.resolve();
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}
