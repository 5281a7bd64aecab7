// The Kconfig parser (Linux's parser.y and the menu-building half of menu.c): tokens to the menu tree,
// symbols and properties. Errors are collected as `file:line: error: ...`; parsing resumes at the next line.
// One file on purpose (~600 lines): it is one grammar, each method one rule of parser.y, easier to check
// against Linux side by side than split across files.

import { LexError, type Token, type TokType } from "./lexer.ts";
import type { Macros } from "./macro.ts";
import {
  exprAnd,
  F,
  TYPE_NAMES,
  type Expr,
  type MenuNode,
  type Prop,
  type PropType,
  type Sym,
  type SymbolTable,
  type SymType,
} from "./model.ts";
import { TokenStream, type KconfigFs } from "./stream.ts";

export interface ParseResult {
  root: MenuNode;
  modulesSym: Sym | null;
  files: string[];
  errors: string[];
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type Block = { node: MenuNode; kind: "menu" | "if" | "choice"; inChoice: boolean };

const TYPE_KEYWORDS: Partial<Record<TokType, SymType>> = {
  bool: "bool",
  tristate: "tristate",
  int: "int",
  hex: "hex",
  string: "string",
};

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i + 1);
}

export class Parser {
  readonly ts: TokenStream;
  readonly root: MenuNode;
  private currentMenu: MenuNode;
  private currentEntry: MenuNode;
  private last: { node: MenuNode; field: "list" | "next" };
  private readonly blocks: Block[] = [];
  private readonly errors: string[] = [];
  private modulesSym: Sym | null = null;

  constructor(
    fs: KconfigFs,
    private readonly symbols: SymbolTable,
    private readonly macros: Macros,
    private readonly warn: (file: string, line: number, msg: string) => void,
  ) {
    this.ts = new TokenStream(fs, macros, warn);
    this.root = this.node(null, "root", "", 0);
    this.currentMenu = this.currentEntry = this.root;
    this.last = { node: this.root, field: "list" };
  }

  /** Parses the top-level Kconfig file and everything it sources. */
  parse(file: string): ParseResult {
    if (!this.ts.push(file)) {
      return {
        root: this.root,
        modulesSym: null,
        files: [],
        errors: [`${file}:0: error: can't open file "${file}"`],
      };
    }
    this.root.file = file;
    this.guard(() => {
      if (this.ts.peek().t === "mainmenu") {
        this.ts.next();
        const text = this.expect("quote");
        this.expect("eol");
        this.addPrompt("menu", text.s, null, text);
      }
    });
    for (;;) {
      const t = this.ts.peek();
      if (t.t === "eof") break;
      this.guard(() => this.statement());
    }
    for (const b of this.blocks.reverse())
      this.errors.push(`${b.node.file}:${b.node.line}: error: missing end statement for this entry`);
    return { root: this.root, modulesSym: this.modulesSym, files: this.ts.files, errors: this.errors };
  }

  /** Runs one statement's parse; on error records it and skips to the end of the line. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof ParseError || e instanceof LexError) {
        this.errors.push(`${e.file}:${e.line}: error: ${e.message}`);
        if (e instanceof LexError) {
          // Macro errors (error-if and friends) are fatal in Linux too: stop reading.
          this.ts.abort();
          return;
        }
        this.skipLine();
        return;
      }
      throw e;
    }
  }

  private skipLine(): void {
    for (;;) {
      const t = this.ts.peek();
      if (t.t === "eof") return;
      this.ts.next();
      if (t.t === "eol") return;
    }
  }

  private fail(tok: Token, msg: string): never {
    throw new ParseError(msg, tok.file, tok.line);
  }

  private describe(t: Token): string {
    if (t.t === "eol") return "end of line";
    if (t.t === "eof") return "end of file";
    if (t.t === "quote") return `"${t.s}"`;
    return `'${t.s}'`;
  }

  private expect(type: TokType): Token {
    const t = this.ts.peek();
    if (t.t !== type) {
      const want = type === "eol" ? "end of line" : type === "quote" ? "a quoted string" : `'${type}'`;
      this.fail(t, `syntax error: expected ${want}, found ${this.describe(t)}`);
    }
    return this.ts.next();
  }

  private node(sym: Sym | null, kind: MenuNode["kind"], file: string, line: number): MenuNode {
    return {
      sym,
      prompt: null,
      dep: null,
      visibility: null,
      parent: null,
      list: null,
      next: null,
      help: null,
      kind,
      file,
      line,
    };
  }

  // ---- menu.c: building the tree -------------------------------------------------------------------

  private addEntry(sym: Sym | null, kind: MenuNode["kind"], at: Token): MenuNode {
    const m = this.node(sym, kind, at.file, at.line);
    m.parent = this.currentMenu;
    this.last.node[this.last.field] = m;
    this.last = { node: m, field: "next" };
    this.currentEntry = m;
    if (sym) {
      sym.menus.push(m);
      this.addProp("symbol", { k: "sym", sym }, null, at);
    }
    return m;
  }

  private addMenu(kind: Block["kind"]): void {
    const inChoice =
      kind === "choice" || (kind === "if" && (this.blocks[this.blocks.length - 1]?.inChoice ?? false));
    this.last = { node: this.currentEntry, field: "list" };
    this.currentMenu = this.currentEntry;
    this.blocks.push({ node: this.currentEntry, kind, inChoice });
  }

  private endMenu(): void {
    this.last = { node: this.currentMenu, field: "next" };
    this.currentMenu = this.currentMenu.parent ?? this.root;
  }

  private addProp(type: PropType, expr: Expr | null, visible: Expr | null, at: Token): Prop {
    const p: Prop = {
      type,
      expr,
      range: null,
      visible,
      visibleTri: 0,
      text: "",
      menu: this.currentEntry,
      file: at.file,
      line: at.line,
    };
    this.currentEntry.sym?.props.push(p);
    return p;
  }

  private addPrompt(type: "prompt" | "menu" | "comment", text: string, dep: Expr | null, at: Token): Prop {
    const p = this.addProp(type, null, dep, at);
    if (/^\s/.test(text)) {
      this.warn(at.file, at.line, "leading whitespace ignored");
      text = text.replace(/^\s+/, "");
    }
    if (this.currentEntry.prompt) this.warn(at.file, at.line, "prompt redefined");
    if (type === "prompt") {
      for (let m = this.currentEntry.parent; m; m = m.parent)
        if (m.visibility) p.visible = exprAnd(p.visible, m.visibility);
    }
    this.currentEntry.prompt = p;
    p.text = text;
    return p;
  }

  private setType(type: SymType, at: Token): void {
    const sym = this.currentEntry.sym!;
    if (sym.type === type) return;
    if (sym.type === "unknown") {
      sym.type = type;
      return;
    }
    this.warn(
      at.file,
      this.currentEntry.line,
      `ignoring type redefinition of '${sym.name ?? "<choice>"}' from '${TYPE_NAMES[sym.type]}' to '${TYPE_NAMES[type]}'`,
    );
  }

  // ---- statements ------------------------------------------------------------------------------------

  private statement(): void {
    const t = this.ts.peek();
    const top = this.blocks[this.blocks.length - 1];
    const inChoice = top?.inChoice ?? false;
    switch (t.t) {
      case "config":
      case "menuconfig":
        return this.config(t.t);
      case "comment":
        return this.comment();
      case "if":
        return this.ifBlock();
      case "endmenu":
      case "endchoice":
      case "endif":
        return this.end();
      default:
        break;
    }
    if (inChoice) this.fail(t, "invalid statement");
    switch (t.t) {
      case "choice":
        return this.choice();
      case "menu":
        return this.menu();
      case "source":
      case "rsource":
      case "osource":
      case "orsource":
        return this.source(t.t);
      case "word":
        return this.assignment();
      case "mainmenu":
        this.fail(t, "invalid statement: 'mainmenu' must be the first statement");
      // falls through (fail never returns)
      default:
        this.fail(t, "invalid statement");
    }
  }

  private assignment(): void {
    const name = this.ts.next();
    const op = this.ts.peek();
    if (op.t !== "=" && op.t !== ":=" && op.t !== "+=") this.fail(name, `unknown statement "${name.s}"`);
    this.ts.next();
    let value = "";
    if (this.ts.peek().t === "assignval") value = this.ts.next().s;
    this.expect("eol");
    try {
      this.macros.assign(name.s, op.t, value);
    } catch (e) {
      if (e instanceof Error) throw new LexError(e.message, name.file, name.line);
      throw e;
    }
  }

  private symbolName(): Token {
    const t = this.ts.peek();
    if (t.t !== "word") this.fail(t, `syntax error: expected a symbol name, found ${this.describe(t)}`);
    return this.ts.next();
  }

  private config(kind: "config" | "menuconfig"): void {
    const at = this.ts.next();
    const name = this.symbolName();
    this.expect("eol");
    const sym = this.symbols.lookup(name.s, 0);
    sym.flags |= F.OPTIONAL;
    this.addEntry(sym, kind, at);
    this.options("config");
    if (kind === "menuconfig") {
      if (this.currentEntry.prompt) this.currentEntry.prompt.type = "menu";
      else this.warn(at.file, at.line, "menuconfig statement without prompt");
    }
  }

  private choice(): void {
    const at = this.ts.next();
    let name: string | null = null;
    if (this.ts.peek().t === "word") name = this.ts.next().s;
    this.expect("eol");
    const sym = this.symbols.lookup(name, F.CHOICE);
    sym.flags |= F.NO_WRITE;
    this.addEntry(sym, "choice", at);
    try {
      this.options("choice");
    } finally {
      this.addMenu("choice");
    }
  }

  private comment(): void {
    const at = this.ts.next();
    const text = this.expect("quote");
    this.expect("eol");
    this.addEntry(null, "comment", at);
    this.addPrompt("comment", text.s, null, text);
    this.options("comment");
  }

  private menu(): void {
    const at = this.ts.next();
    const text = this.expect("quote");
    this.expect("eol");
    this.addEntry(null, "menu", at);
    this.addPrompt("menu", text.s, null, text);
    try {
      this.options("menu");
    } finally {
      this.addMenu("menu");
    }
  }

  private ifBlock(): void {
    const at = this.ts.next();
    const e = this.expr();
    this.expect("eol");
    this.addEntry(null, "if", at);
    this.currentEntry.dep = exprAnd(this.currentEntry.dep, e);
    this.addMenu("if");
  }

  private end(): void {
    const t = this.ts.next();
    this.expect("eol");
    const found = t.t.slice(3);
    const block = this.blocks.pop();
    if (!block) this.fail(t, `unexpected '${t.t}' outside any block`);
    if (block.kind !== found) this.fail(t, `unexpected '${t.t}' within ${block.kind} block`);
    if (block.node.file !== t.file) {
      this.fail(
        t,
        `'${t.t}' in different file than '${block.kind}' (opened at ${block.node.file}:${block.node.line})`,
      );
    }
    this.endMenu();
  }

  private source(kind: "source" | "rsource" | "osource" | "orsource"): void {
    const at = this.ts.next();
    const name = this.expect("quote");
    this.expect("eol");
    const path = kind === "rsource" || kind === "orsource" ? dirname(at.file) + name.s : name.s;
    const chain = this.ts.chain;
    if (chain.some((l) => l.file === path)) {
      const via = chain.map((l) => l.file).join(" -> ");
      this.fail(at, `recursive inclusion detected: ${via} -> ${path}`);
    }
    if (!this.ts.push(path) && (kind === "source" || kind === "rsource"))
      this.fail(at, `can't open file "${path}"`);
  }

  // ---- entry options -----------------------------------------------------------------------------------

  private options(kind: "config" | "choice" | "comment" | "menu"): void {
    for (;;) {
      const t = this.ts.peek();
      if (t.t === "depends") {
        this.ts.next();
        this.expect("on");
        const e = this.expr();
        this.expect("eol");
        this.currentEntry.dep = exprAnd(this.currentEntry.dep, e);
        continue;
      }
      if (kind === "menu" && t.t === "visible") {
        this.ts.next();
        const e = this.ifExpr();
        this.expect("eol");
        this.currentEntry.visibility = exprAnd(this.currentEntry.visibility, e);
        continue;
      }
      if ((kind === "config" || kind === "choice") && this.entryOption(kind, t)) continue;
      return;
    }
  }

  /** One option line of a config or choice; false when the token does not start one. */
  private entryOption(kind: "config" | "choice", t: Token): boolean {
    const type = TYPE_KEYWORDS[t.t];
    if (type) {
      if (kind === "choice" && type !== "bool" && type !== "tristate") this.fail(t, "invalid statement");
      this.ts.next();
      this.setType(type, t);
      if (this.ts.peek().t === "quote") {
        const text = this.ts.next();
        this.addPrompt("prompt", text.s, this.ifExpr(), text);
      }
      this.expect("eol");
      return true;
    }
    switch (t.t) {
      case "prompt": {
        this.ts.next();
        const text = this.expect("quote");
        const cond = this.ifExpr();
        this.expect("eol");
        this.addPrompt("prompt", text.s, cond, t);
        return true;
      }
      case "help": {
        this.ts.next();
        this.expect("eol");
        const text = this.ts.readHelp();
        const entry = this.currentEntry;
        const name = entry.sym?.name ?? "<choice>";
        if (entry.help !== null)
          this.warn(
            t.file,
            t.line,
            `'${name}' defined with more than one help text -- only the last one will be used`,
          );
        if (/^\s*$/.test(text)) this.warn(t.file, t.line, `'${name}' defined with blank help text`);
        entry.help = text;
        return true;
      }
      case "optional":
        if (kind !== "choice") return false;
        this.ts.next();
        this.expect("eol");
        this.currentEntry.sym!.flags |= F.OPTIONAL;
        return true;
      case "default":
      case "def_bool":
      case "def_tristate": {
        if (kind === "choice" && t.t !== "default") return false;
        this.ts.next();
        if (kind === "choice") {
          const name = this.symbolName();
          const cond = this.ifExpr();
          this.expect("eol");
          this.addProp("default", { k: "sym", sym: this.symbols.lookup(name.s, 0) }, cond, t);
          return true;
        }
        const e = this.expr();
        const cond = this.ifExpr();
        this.expect("eol");
        this.addProp("default", e, cond, t);
        if (t.t !== "default") this.setType(t.t === "def_bool" ? "bool" : "tristate", t);
        return true;
      }
      default:
        break;
    }
    if (kind === "choice") return false;
    switch (t.t) {
      case "select":
      case "imply": {
        this.ts.next();
        const name = this.symbolName();
        const cond = this.ifExpr();
        this.expect("eol");
        this.addProp(t.t, { k: "sym", sym: this.symbols.lookup(name.s, 0) }, cond, t);
        return true;
      }
      case "range": {
        this.ts.next();
        const a = this.symbol();
        const b = this.symbol();
        const cond = this.ifExpr();
        this.expect("eol");
        this.addProp("range", null, cond, t).range = [a, b];
        return true;
      }
      case "modules":
        this.ts.next();
        this.expect("eol");
        this.setModules(t);
        return true;
      case "word":
        // Kconfiglib (and Linux before 5.13) spelled `modules` as `option modules`.
        if (t.s !== "option") return false;
        this.ts.next();
        if (this.ts.peek().s !== "modules") this.fail(t, `unknown option "${this.ts.peek().s}"`);
        this.ts.next();
        this.expect("eol");
        this.setModules(t);
        return true;
      default:
        return false;
    }
  }

  private setModules(at: Token): void {
    const sym = this.currentEntry.sym!;
    if (this.modulesSym)
      this.fail(
        at,
        `symbol '${sym.name}' redefines option 'modules' already defined by symbol '${this.modulesSym.name}'`,
      );
    this.modulesSym = sym;
  }

  // ---- expressions -----------------------------------------------------------------------------------

  private ifExpr(): Expr | null {
    if (this.ts.peek().t !== "if") return null;
    this.ts.next();
    return this.expr();
  }

  private symbol(): Sym {
    const t = this.ts.peek();
    if (t.t === "word") return this.symbols.lookup(this.ts.next().s, 0);
    if (t.t === "quote") return this.symbols.lookup(this.ts.next().s, F.CONST);
    this.fail(t, `syntax error: expected a symbol, found ${this.describe(t)}`);
  }

  /** expr: `||` binds loosest, then `&&`, then `!`, comparisons of two symbols, parentheses. */
  private expr(): Expr {
    let e = this.andExpr();
    while (this.ts.peek().t === "||") {
      this.ts.next();
      e = { k: "or", l: e, r: this.andExpr() };
    }
    return e;
  }

  private andExpr(): Expr {
    let e = this.unary();
    while (this.ts.peek().t === "&&") {
      this.ts.next();
      e = { k: "and", l: e, r: this.unary() };
    }
    return e;
  }

  private unary(): Expr {
    const t = this.ts.peek();
    if (t.t === "!") {
      this.ts.next();
      return { k: "not", e: this.unary() };
    }
    if (t.t === "(") {
      this.ts.next();
      const e = this.expr();
      this.expect(")");
      return e;
    }
    const l = this.symbol();
    const op = this.ts.peek().t;
    if (op === "=" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
      this.ts.next();
      return { k: "cmp", op, l, r: this.symbol() };
    }
    return { k: "sym", sym: l };
  }
}
