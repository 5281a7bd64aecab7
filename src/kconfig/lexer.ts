// The Kconfig lexer (Linux's lexer.l): one file's text to tokens, with macro expansion inside words and
// strings, help-text collection, and the raw right-hand side of variable assignments.

import { MacroError, type Macros } from "./macro.ts";

export type TokType =
  | "word"
  | "quote"
  | "eol"
  | "assignval"
  | "helptext"
  | "eof"
  | "||"
  | "&&"
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "!"
  | "("
  | ")"
  | ":="
  | "+="
  | Keyword;

export const KEYWORDS = [
  "bool",
  "choice",
  "comment",
  "config",
  "def_bool",
  "def_tristate",
  "default",
  "depends",
  "endchoice",
  "endif",
  "endmenu",
  "help",
  "hex",
  "if",
  "imply",
  "int",
  "mainmenu",
  "menu",
  "menuconfig",
  "modules",
  "on",
  "optional",
  "prompt",
  "range",
  "select",
  "source",
  "string",
  "tristate",
  "visible",
  // Kconfiglib extensions, kept for trees written for it.
  "rsource",
  "osource",
  "orsource",
] as const;
export type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const TWO_CHAR_OPS: ReadonlyMap<string, TokType> = new Map(
  (["||", "&&", "!=", "<=", ">=", ":=", "+="] as const).map((op) => [op, op]),
);

export interface Token {
  t: TokType;
  s: string;
  file: string;
  line: number;
}

/** Raised for lexical errors (macro errors while expanding); carries the position. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** [A-Za-z0-9_-] by character code (NaN past the end of the text is not one). */
function isWordCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}
const DOLLAR = 36;

export class FileLexer {
  private pos = 0;
  line = 1;
  private assignMode = false;

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly macros: Macros,
    private readonly warn: (file: string, line: number, msg: string) => void,
  ) {}

  /** The next token; `eof` at the end of the file. */
  next(): Token {
    if (this.assignMode) return this.nextAssign();
    const text = this.text;
    for (;;) {
      if (this.pos >= text.length) return this.tok("eof", "");
      const c = text[this.pos]!;
      if (c === "#") {
        while (this.pos < text.length && text[this.pos] !== "\n") this.pos++;
        continue;
      }
      if (c === " " || c === "\t") {
        this.pos++;
        continue;
      }
      if (c === "\\" && text[this.pos + 1] === "\n") {
        this.pos += 2;
        this.line++;
        continue;
      }
      if (c === "\n") {
        const t = this.tok("eol", "");
        this.pos++;
        this.line++;
        return t;
      }
      if (c === '"' || c === "'") return this.string(c);
      if (c === "$" || isWordCode(c.charCodeAt(0))) {
        const word = this.word();
        if (word) return word;
        continue;
      }
      const two = TWO_CHAR_OPS.get(text.slice(this.pos, this.pos + 2));
      if (two !== undefined) {
        this.pos += 2;
        return this.tok(two, two);
      }
      if ("=<>!()".includes(c)) {
        this.pos++;
        return this.tok(c as TokType, c);
      }
      this.warn(this.file, this.line, `ignoring unsupported character '${c}'`);
      this.pos++;
    }
  }

  /** Switches to reading the raw value of an assignment (after `NAME =`, `:=` or `+=`). */
  startAssign(): void {
    this.assignMode = true;
  }

  private nextAssign(): Token {
    const text = this.text;
    while (this.pos < text.length && (text[this.pos] === " " || text[this.pos] === "\t")) this.pos++;
    const eol = this.lineEnd();
    if (this.pos < eol) {
      const t = this.tok("assignval", text.slice(this.pos, eol));
      this.pos = eol;
      return t;
    }
    this.assignMode = false;
    if (this.pos >= text.length) return this.tok("eof", "");
    const t = this.tok("eol", "");
    this.pos++;
    this.line++;
    return t;
  }

  private lineEnd(): number {
    const i = this.text.indexOf("\n", this.pos);
    return i < 0 ? this.text.length : i;
  }

  private tok(t: TokType, s: string): Token {
    return { t, s, file: this.file, line: this.line };
  }

  private expand<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof MacroError) throw new LexError(e.message, this.file, this.line);
      throw e;
    }
  }

  private word(): Token | null {
    const text = this.text;
    const start = this.pos;
    let end = start;
    let dollar = false;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === DOLLAR) dollar = true;
      else if (!isWordCode(c)) break;
    }
    if (!dollar) {
      const s = text.slice(start, end);
      this.pos = end;
      return this.tok(KEYWORD_SET.has(s) ? (s as Keyword) : "word", s);
    }
    // A token with a reference: expand it, reading up to the end of the line (expand_token).
    const lineText = text.slice(start, this.lineEnd());
    const r = this.expand(() => this.macros.expandToken(lineText, 0));
    this.pos = start + r.end;
    return r.out ? this.tok("word", r.out) : null;
  }

  private string(quote: string): Token {
    const text = this.text;
    const line = this.line;
    this.pos++;
    let out = "";
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === "$") {
        const lineText = text.slice(this.pos + 1, this.lineEnd());
        const r = this.expand(() => this.macros.expandDollar(lineText, 0));
        out += r.out;
        this.pos += 1 + r.end;
        continue;
      }
      if (c === "\\") {
        const n = text[this.pos + 1];
        if (n !== undefined && n !== "\n") {
          out += n;
          this.pos += 2;
        } else this.pos++;
        continue;
      }
      if (c === quote) {
        this.pos++;
        return { t: "quote", s: out, file: this.file, line };
      }
      if (c === "\n") {
        this.warn(this.file, this.line, "multi-line strings not supported");
        return { t: "quote", s: out, file: this.file, line };
      }
      out += c;
      this.pos++;
    }
    return { t: "quote", s: out, file: this.file, line };
  }

  /**
   * Reads a help text after `help` and its end of line (zconf_starthelp). The text ends at the first
   * non-blank line indented less than the first line; indentation beyond the first line's is kept.
   */
  readHelp(): string {
    const text = this.text;
    let out = "";
    let firstTs = 0;
    let lastTs = 0;
    for (;;) {
      if (this.pos >= text.length) return out;
      const c = text[this.pos]!;
      if (c === " " || c === "\t" || c === "\n") {
        let p = this.pos;
        let ts = 0;
        while (text[p] === " " || text[p] === "\t") {
          ts = text[p] === "\t" ? (ts & ~7) + 8 : ts + 1;
          p++;
        }
        if (text[p] === "\n") {
          const after = text[p + 1];
          this.pos = p + 1;
          this.line++;
          if (after !== undefined && after !== " " && after !== "\t" && after !== "\n") return out;
          out += "\n";
          continue;
        }
        this.pos = p;
        lastTs = ts;
        if (firstTs) {
          if (ts < firstTs) return out;
          out += " ".repeat(ts - firstTs);
        }
        if (p >= text.length) return out;
        continue;
      }
      const eol = this.lineEnd();
      let last = eol;
      while (last > this.pos && (text[last - 1] === " " || text[last - 1] === "\t")) last--;
      out += text.slice(this.pos, last);
      this.pos = eol;
      if (!firstTs) firstTs = lastTs;
    }
  }
}
