// The token stream across `source`d files (the second stage of Linux's lexer): a stack of file lexers, the
// file list (for dependency output), blank-line suppression, and the switch into assignment-value mode.

import { FileLexer, LexError, type Token } from "./lexer.ts";
import type { Macros } from "./macro.ts";

/** Reads Kconfig files; paths are resolved against the tree by the caller-supplied reader. */
export interface KconfigFs {
  /** The file's text, or undefined when it does not exist. */
  read(path: string): string | undefined;
}

export class TokenStream {
  private readonly stack: FileLexer[] = [];
  private peeked: Token | null = null;
  private prev: Token["t"] = "eol";
  private prevPrev: Token["t"] = "eol";
  /** Every file read, in the order first read. */
  readonly files: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly fs: KconfigFs,
    private readonly macros: Macros,
    private readonly warn: (file: string, line: number, msg: string) => void,
  ) {}

  get current(): FileLexer | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** The include chain, innermost last (for recursion checks and messages). */
  get chain(): readonly FileLexer[] {
    return this.stack;
  }

  /** Opens a file; returns false when it does not exist. */
  push(name: string): boolean {
    const text = this.fs.read(name);
    if (text === undefined) return false;
    if (!this.seen.has(name)) {
      this.seen.add(name);
      this.files.push(name);
    }
    this.stack.push(new FileLexer(name, text, this.macros, this.warn));
    return true;
  }

  /** Stops reading: every open file is closed. */
  abort(): void {
    this.stack.length = 0;
    this.peeked = null;
  }

  peek(): Token {
    if (!this.peeked) this.peeked = this.read();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  /** Reads a help text; the caller has just consumed the end of the `help` line. */
  readHelp(): string {
    if (this.peeked) throw new Error("kconfig: readHelp with a token pending");
    const lexer = this.current;
    if (!lexer) return "";
    const text = lexer.readHelp();
    this.prevPrev = this.prev;
    this.prev = "helptext";
    return text;
  }

  private read(): Token {
    for (;;) {
      const lexer = this.current;
      if (!lexer) return { t: "eof", s: "", file: "", line: 0 };
      let tok = lexer.next();
      if (tok.t === "eof") {
        if (this.prev !== "eol" && this.prev !== "helptext")
          this.warn(lexer.file, lexer.line, "no new line at end of file");
        this.stack.pop();
        if (this.stack.length === 0) {
          tok = { t: "eof", s: "", file: lexer.file, line: lexer.line };
          this.prevPrev = this.prev;
          this.prev = "eol";
          return tok;
        }
        tok = { t: "eol", s: "", file: lexer.file, line: lexer.line };
      }
      if ((this.prev === "eol" || this.prev === "helptext") && tok.t === "eol") continue;
      if (
        this.prevPrev === "eol" &&
        this.prev === "word" &&
        (tok.t === "=" || tok.t === ":=" || tok.t === "+=")
      )
        lexer.startAssign();
      this.prevPrev = this.prev;
      this.prev = tok.t;
      return tok;
    }
  }
}

export { LexError };
