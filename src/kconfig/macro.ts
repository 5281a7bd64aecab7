// The Kconfig macro language (Linux's preprocess.c): $(VAR), user variables (= := +=), user functions with
// $(1).., and the built-ins shell, info, warning-if, error-if, filename, lineno. Environment variables that
// were read are recorded in order (they become auto.conf.cmd's dependencies).

/** Runs a $(shell,...) command: returns its standard output. Injected so tests need no real shell. */
export type ShellRunner = (command: string) => string;

export interface MacroHost {
  env: Readonly<Record<string, string | undefined>>;
  shell: ShellRunner;
  /** $(info,...) output (Linux prints it on stdout). */
  info(text: string): void;
  /** $(warning-if,...) output, already prefixed with file:line. */
  warn(text: string): void;
  /** Where expansion happens, for $(filename), $(lineno) and error messages. */
  file(): string;
  line(): number;
  /** A speculative parse (made-up $(shell,...) answers): $(error-if,...) does not stop it. */
  speculative?: boolean;
}

/** A macro error; the parser turns it into `file:line: error: message`. */
export class MacroError extends Error {}

type Flavor = "recursive" | "simple";

interface Variable {
  value: string;
  flavor: Flavor;
  expanding: number;
}

const MAX_ARGS = 16;

/** The built-in functions and how many arguments each takes (min, max). */
const BUILTIN_ARITY: ReadonlyMap<string, readonly [number, number]> = new Map([
  ["error-if", [2, 2]],
  ["filename", [0, 0]],
  ["info", [1, 1]],
  ["lineno", [0, 0]],
  ["shell", [1, 1]],
  ["warning-if", [2, 2]],
]);

export class Macros {
  private readonly vars = new Map<string, Variable>();
  /** Environment variables read, with the value seen, in first-read order. */
  readonly envUsed = new Map<string, string>();

  constructor(private readonly host: MacroHost) {}

  /** variable_add: `name = value`, `name := value` or `name += value` (value unexpanded). */
  assign(name: string, op: "=" | ":=" | "+=", value: string): void {
    const v = this.vars.get(name);
    let flavor: Flavor = op === ":=" ? "simple" : "recursive";
    let append = false;
    if (op === "+=") {
      if (v) {
        flavor = v.flavor;
        append = true;
      } else flavor = "recursive";
    }
    const nv = flavor === "simple" ? this.expandString(value) : value;
    if (v) {
      v.flavor = flavor;
      v.value = append ? `${v.value} ${nv}` : nv;
    } else this.vars.set(name, { value: nv, flavor, expanding: 0 });
  }

  /** Expands every $(...) in a whole string. */
  expandString(s: string, args: readonly string[] = []): string {
    return this.expandUntil(s, 0, () => false, args).out;
  }

  /**
   * expand_one_token: expands from `pos` while the characters are token characters or references.
   * Returns the expansion and the index where the token ended.
   */
  expandToken(s: string, pos: number): { out: string; end: number } {
    return this.expandUntil(s, pos, (c) => !/[A-Za-z0-9_-]/.test(c), []);
  }

  /** expand_dollar: `s[pos]` is the character after '$'. */
  expandDollar(s: string, pos: number, args: readonly string[] = []): { out: string; end: number } {
    if (s[pos] !== "(") return { out: "$", end: pos };
    let q = pos + 1;
    let nest = 0;
    for (; q < s.length; q++) {
      const c = s[q];
      if (c === "(") nest++;
      else if (c === ")") {
        if (nest-- === 0) break;
      }
    }
    if (q >= s.length) throw new MacroError(`unterminated reference to '${s.slice(pos + 1)}': missing ')'`);
    return { out: this.evalClause(s.slice(pos + 1, q), args), end: q + 1 };
  }

  private expandUntil(
    s: string,
    pos: number,
    isEnd: (c: string) => boolean,
    args: readonly string[],
  ): { out: string; end: number } {
    let out = "";
    let p = pos;
    while (p < s.length) {
      const c = s[p]!;
      if (c === "$") {
        const r = this.expandDollar(s, p + 1, args);
        out += r.out;
        p = r.end;
        continue;
      }
      if (isEnd(c)) break;
      out += c;
      p++;
    }
    return { out, end: p };
  }

  private evalClause(clause: string, args: readonly string[]): string {
    if (/^[0-9]+$/.test(clause)) {
      const n = Number(clause);
      if (n > 0 && n <= args.length) return args[n - 1]!;
    }
    const parts: string[] = [];
    let nest = 0;
    let prev = 0;
    for (let i = 0; i < clause.length; i++) {
      const c = clause[i];
      if (nest === 0 && c === ",") {
        if (parts.length >= MAX_ARGS) throw new MacroError("too many function arguments");
        parts.push(clause.slice(prev, i));
        prev = i + 1;
      } else if (c === "(") nest++;
      else if (c === ")") nest--;
    }
    if (parts.length >= MAX_ARGS) throw new MacroError("too many function arguments");
    parts.push(clause.slice(prev));
    const name = this.expandString(parts[0]!, args);
    const fargs = parts.slice(1).map((a) => this.expandString(a, args));

    const v = this.vars.get(name);
    if (v) {
      if (fargs.length === 0 && v.expanding)
        throw new MacroError(`Recursive variable '${name}' references itself (eventually)`);
      if (v.expanding > 1000) throw new MacroError("Too deep recursive expansion");
      v.expanding++;
      try {
        return v.flavor === "recursive" ? this.expandString(v.value, fargs) : v.value;
      } finally {
        v.expanding--;
      }
    }
    const fn = this.builtin(name, fargs);
    if (fn !== null) return fn;
    if (fargs.length === 0 && name !== "") {
      const seen = this.envUsed.get(name);
      if (seen !== undefined) return seen;
      const value = this.host.env[name];
      if (value !== undefined) {
        this.envUsed.set(name, value);
        return value;
      }
    }
    return "";
  }

  private builtin(name: string, a: string[]): string | null {
    const range = BUILTIN_ARITY.get(name);
    if (!range) return null;
    if (a.length < range[0]) throw new MacroError(`too few function arguments passed to '${name}'`);
    if (a.length > range[1]) throw new MacroError(`too many function arguments passed to '${name}'`);
    switch (name) {
      case "error-if":
        if (a[0] === "y" && !this.host.speculative) throw new MacroError(a[1]!);
        return "";
      case "filename":
        return this.host.file();
      case "info":
        this.host.info(a[0]!);
        return "";
      case "lineno":
        return String(this.host.line());
      case "warning-if":
        if (a[0] === "y") this.host.warn(`${this.host.file()}:${this.host.line()}: ${a[1]}`);
        return "";
      default:
        return shellOutput(this.host.shell(a[0]!));
    }
  }
}

/** do_shell's post-processing: at most 4095 bytes, trailing newlines dropped, inner newlines to spaces. */
export function shellOutput(raw: string): string {
  let s = raw.length >= 4096 ? raw.slice(0, 4095) : raw;
  s = s.replace(/\n+$/, "");
  return s.replace(/\n/g, " ");
}
