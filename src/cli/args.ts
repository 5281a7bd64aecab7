// Command-line parsing for keel: zig-style -Dkey=value, Kbuild-style O=DIR, V=0|1|2 and VERBOSE=1 anywhere on
// the line, `keel menuconfig` (and every configuration target) as `keel kconfig menuconfig`, and the usual
// flags. Stray words, unknown VAR=value words and options given twice are errors naming what is accepted.
// Pure: argv and environment in, a ParsedArgs or a UserError out.
import { UserError } from "../util/errors.ts";
import { isKconfigCommand, KCONFIG_COMMANDS } from "./kconfig-names.ts";

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

/** The make-style variables keel takes on its command line (as Kbuild does), for messages and help. */
export const MAKE_VARIABLES = ["O=DIR", "V=0|1|2", "VERBOSE=0|1|y|n"] as const;

/** Commands that take words after them (inspect: its file; help: a command). */
const TAKES_WORDS: readonly Command[] = ["inspect", "help"];

function strayWord(command: Command, word: string): UserError {
  const hint = isKconfigCommand(word)
    ? `did you mean keel kconfig ${word}?`
    : command === "test"
      ? `a test name pattern goes after --: keel test -- ${word}`
      : `an image is chosen with -Dimage=${word}, a port with -Dsystem=${word}, a configuration with -Dconfig=${word}`;
  return new UserError(`keel ${command} takes no arguments; got "${word}" (${hint})`);
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
  /** How each single-valued setting was first given, to refuse a second one. */
  const given = new Map<string, string>();
  const once = (setting: string, spelling: string): void => {
    const first = given.get(setting);
    if (first !== undefined)
      throw new UserError(`${setting} given twice: ${first} and ${spelling} (give it once)`);
    given.set(setting, spelling);
  };
  const setOut = (dir: string, spelling: string): void => {
    if (dir === "") throw new UserError(`${spelling} expects a directory, got nothing`);
    once("the output directory", spelling);
    out.outDir = dir;
  };
  const addDefine = (spec: string): void => {
    const eq = spec.indexOf("=");
    const key = eq < 0 ? spec : spec.slice(0, eq);
    if (eq < 0 || !(DEFINE_KEYS as readonly string[]).includes(key)) {
      throw new UserError(
        `-D expects one of ${DEFINE_KEYS.map((k) => `${k}=...`).join(", ")}; got "-D${spec}"`,
      );
    }
    const value = spec.slice(eq + 1);
    if (value === "") throw new UserError(`-D${key}= expects a value, got nothing`);
    once(`-D${key}`, `-D${spec}`);
    out.defines[key as DefineKey] = value;
  };
  const setJobs = (n: number, spelling: string): void => {
    once("-j", spelling);
    out.jobs = n;
  };
  /** O=, V=, VERBOSE=: Kbuild's variables, anywhere on the line. */
  const makeVariable = (a: string): void => {
    const eq = a.indexOf("=");
    const name = a.slice(0, eq);
    const value = a.slice(eq + 1);
    if (name === "O") setOut(value, a);
    else if (name === "V") {
      if (!/^[012]$/.test(value)) throw new UserError(`V= expects 0, 1 or 2 (as Kbuild's), got "${a}"`);
      once("V", a);
      out.verbose = value === "1";
      out.explain ||= value === "2";
    } else if (name === "VERBOSE") {
      if (!/^([01yn])$/.test(value)) throw new UserError(`VERBOSE= expects 0, 1, y or n, got "${a}"`);
      once("VERBOSE", a);
      out.verbose = value === "1" || value === "y";
    } else {
      throw new UserError(
        `unknown variable ${a}; keel accepts ${MAKE_VARIABLES.join(", ")} and the -D options (see keel -h)`,
      );
    }
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
    else if (a === "-j" || a === "--jobs") setJobs(parseJobs(next()), a);
    else if (/^-j\d+$/.test(a)) setJobs(parseJobs(a.slice(2)), a);
    else if (a.startsWith("--jobs=")) setJobs(parseJobs(a.slice(7)), a);
    else if (a === "--out") {
      const v = next();
      if (v === undefined) throw new UserError("--out expects a directory");
      setOut(v, `--out ${v}`);
    } else if (a.startsWith("--out=")) setOut(a.slice(6), a);
    else if (a === "-D") addDefine(next() ?? "");
    else if (a.startsWith("-D")) addDefine(a.slice(2));
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) makeVariable(a);
    else if (a.startsWith("-")) {
      if (commandSeen && COMMAND_FLAGS[out.command].includes(a)) out.flags.add(a);
      else throw new UserError(`unknown option ${a} (see keel ${commandSeen ? `${out.command} ` : ""}-h)`);
    } else if (!commandSeen) {
      if (isKconfigCommand(a)) {
        // keel menuconfig = keel kconfig menuconfig (the options before it go with it)
        out.command = "kconfig";
        out.positional.push(...kconfigPrefix(out, given), a);
      } else if (!isCommand(a)) {
        throw new UserError(
          `unknown command "${a}"; commands: ${COMMANDS.join(", ")}; configuration targets (keel kconfig ...): ${KCONFIG_COMMANDS.join(", ")}`,
        );
      } else out.command = a;
      commandSeen = true;
    } else if (TAKES_WORDS.includes(out.command)) out.positional.push(a);
    else throw strayWord(out.command, a);
  }
  if (out.command === "help" && out.positional.length > 0) {
    const [topic, ...rest] = out.positional;
    if (rest.length > 0 || topic === undefined || !isCommand(topic))
      throw new UserError(`keel help takes one command: ${COMMANDS.join(", ")}`);
    out.command = topic;
    out.positional = [];
    out.help = true;
  }
  if (!commandSeen && !out.help) out.help = true;
  return out;
}

/**
 * For `keel [options] menuconfig`: the options already parsed, given back as keel kconfig's words
 * (-D options and the output directory; keel kconfig reads them itself).
 */
function kconfigPrefix(out: ParsedArgs, given: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  for (const key of DEFINE_KEYS) {
    const v = out.defines[key];
    if (v !== undefined) words.push(`-D${key}=${v}`);
  }
  if (given.has("the output directory") && out.outDir !== undefined) words.push(`O=${out.outDir}`);
  out.defines = {};
  return words;
}
