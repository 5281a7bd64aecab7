// Command-line parsing for keel: zig-style -Dkey=value, Kbuild-style O=DIR and VERBOSE=1, and the usual flags.
// Pure: argv and environment in, a ParsedArgs or a UserError out.
import { UserError } from "../util/errors.ts";

export const COMMANDS = [
  "build",
  "run",
  "test",
  "ports",
  "inspect",
  "clean",
  "doctor",
  "kconfig",
  "help",
] as const;
export type Command = (typeof COMMANDS)[number];

export const DEFINE_KEYS = ["system", "optimize", "image", "config"] as const;
export type DefineKey = (typeof DEFINE_KEYS)[number];

export interface ParsedArgs {
  command: Command;
  defines: Partial<Record<DefineKey, string>>;
  outDir: string | undefined;
  verbose: boolean;
  jobs: number | undefined;
  explain: boolean;
  help: boolean;
  /** Positional arguments after the command (e.g. the file for inspect). */
  positional: string[];
  /** Arguments after `--` (passed to QEMU by run, to the test filter by test). */
  passthrough: string[];
  /** Command-specific boolean flags such as --cache, --unit, --boot. */
  flags: Set<string>;
}

const COMMAND_FLAGS: Readonly<Record<Command, readonly string[]>> = {
  build: [],
  run: [],
  test: ["--unit", "--boot", "--static"],
  ports: [],
  inspect: [],
  clean: ["--cache"],
  doctor: [],
  kconfig: [],
  help: [],
};

function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

function parseJobs(v: string | undefined): number {
  if (v === undefined || !/^[1-9]\d*$/.test(v))
    throw new UserError(`-j expects a positive number, got "${v ?? ""}"`);
  return Number(v);
}

export function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedArgs {
  const out: ParsedArgs = {
    command: "help",
    defines: {},
    outDir: env["O"] || undefined,
    verbose: env["VERBOSE"] === "1",
    jobs: undefined,
    explain: false,
    help: false,
    positional: [],
    passthrough: [],
    flags: new Set(),
  };
  let commandSeen = false;
  const addDefine = (spec: string): void => {
    const eq = spec.indexOf("=");
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (eq < 0 || !(DEFINE_KEYS as readonly string[]).includes(key)) {
      throw new UserError(
        `-D expects one of ${DEFINE_KEYS.map((k) => `${k}=...`).join(", ")}; got "-D${spec}"`,
      );
    }
    out.defines[key as DefineKey] = spec.slice(eq + 1);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    // keel kconfig parses its own arguments (--tree, VAR=value, its command): everything after it but -h.
    if (commandSeen && out.command === "kconfig") {
      if (a === "-h" || a === "--help") out.help = true;
      else out.positional.push(a);
      continue;
    }
    if (a === "--") {
      out.passthrough = argv.slice(i + 1);
      break;
    } else if (a === "-h" || a === "--help") out.help = true;
    else if (a === "-v" || a === "--verbose") out.verbose = true;
    else if (a === "--explain") out.explain = true;
    else if (a === "-j" || a === "--jobs") out.jobs = parseJobs(next());
    else if (/^-j\d+$/.test(a)) out.jobs = parseJobs(a.slice(2));
    else if (a.startsWith("--jobs=")) out.jobs = parseJobs(a.slice(7));
    else if (a === "--out") {
      const v = next();
      if (v === undefined) throw new UserError("--out expects a directory");
      out.outDir = v;
    } else if (a.startsWith("--out=")) out.outDir = a.slice(6);
    else if (a === "-D") addDefine(next() ?? "");
    else if (a.startsWith("-D")) addDefine(a.slice(2));
    else if (/^O=/.test(a)) out.outDir = a.slice(2);
    else if (/^VERBOSE=/.test(a)) out.verbose = a.slice(8) === "1";
    else if (a.startsWith("-")) {
      if (commandSeen && COMMAND_FLAGS[out.command].includes(a)) out.flags.add(a);
      else throw new UserError(`unknown option ${a} (see keel ${commandSeen ? `${out.command} ` : ""}-h)`);
    } else if (!commandSeen) {
      if (!isCommand(a)) throw new UserError(`unknown command "${a}"; commands: ${COMMANDS.join(", ")}`);
      out.command = a;
      commandSeen = true;
    } else out.positional.push(a);
  }
  if (!commandSeen && !out.help) out.help = true;
  return out;
}
