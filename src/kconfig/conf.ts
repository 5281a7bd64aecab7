// The line-by-line front end (Linux's conf.c `conf`, `conf_sym`, `conf_choice`, `conf_string`, `check_conf`):
// `config` asks about every visible symbol (conf --oldaskconfig), `oldconfig` only about new ones. Questions,
// answers and help are printed the way conf prints them. I/O is injected: a line reader and a writer.

import type { Kconfig } from "./kconfig.ts";
import { isChoice, MOD, NO, YES, type MenuNode, type Sym, type Tri } from "./model.ts";
import {
  changeable,
  choiceValue,
  helpText,
  isVisible,
  parentMenu,
  promptOf,
  setString,
  setTri,
  stringValue,
  symHasValue,
  triValue,
  triWithinRange,
} from "./interactive.ts";

export interface ConfIo {
  /** The next input line without its newline, or null at end of input. */
  readLine(): string | null;
  write(text: string): void;
  /** Errors (conf writes "Error in reading or end of file." to stderr). */
  error(text: string): void;
  /** Whether input is a terminal; when it is not, each answer is echoed (as conf does). */
  tty: boolean;
}

export type ConfMode = "oldaskconfig" | "oldconfig";

/** Runs `conf --oldaskconfig` or `conf --oldconfig` on a tree that has read its .config. */
export function runConf(kc: Kconfig, mode: ConfMode, io: ConfIo): void {
  new Conf(kc, mode, io).run();
}

class Conf {
  private indent = 1;
  private line = "";
  private cnt = 0;
  private rootEntry: MenuNode;
  private mode: ConfMode | "oldconfig";

  constructor(
    private readonly kc: Kconfig,
    mode: ConfMode,
    private readonly io: ConfIo,
  ) {
    this.mode = mode;
    this.rootEntry = kc.root;
  }

  run(): void {
    if (this.mode === "oldaskconfig") {
      this.rootEntry = this.kc.root;
      this.conf(this.kc.root);
      this.mode = "oldconfig";
    }
    do {
      this.cnt = 0;
      this.checkConf(this.kc.root);
    } while (this.cnt);
  }

  private pad(n: number): string {
    return " ".repeat(Math.max(0, n));
  }

  /** `%*c`: the character right-aligned in `width`. */
  private padc(width: number, c: string): string {
    return this.pad(width - 1) + c;
  }

  private xfgets(): void {
    const l = this.io.readLine();
    if (l === null) this.io.error("\nError in reading or end of file.\n");
    else this.line = l + "\n";
    if (!this.io.tty) this.io.write(this.line);
  }

  private printHelp(menu: MenuNode): void {
    this.io.write(`\n${helpText(this.kc, menu)}\n`);
  }

  /** conf_askvalue: false when the answer is the default without asking. */
  private askValue(sym: Sym, def: string | null): boolean {
    if (!symHasValue(sym)) this.io.write("(NEW) ");
    this.line = "\n";
    if (!changeable(this.kc, sym)) {
      this.io.write(`${def ?? ""}\n`);
      return false;
    }
    if (this.mode === "oldconfig" && symHasValue(sym)) {
      this.io.write(`${def ?? ""}\n`);
      return false;
    }
    this.xfgets();
    return true;
  }

  private confString(menu: MenuNode): void {
    const sym = menu.sym!;
    for (;;) {
      this.io.write(`${this.pad(this.indent - 1)}${menu.prompt!.text} (${sym.name}) `);
      let def: string | null = stringValue(this.kc, sym);
      this.io.write(`[${def}] `);
      if (!this.askValue(sym, def)) return;
      if (this.line[0] === "\n") {
        // the default
      } else if (this.line[0] === "?" && this.line[1] === "\n") {
        this.printHelp(menu);
        def = null;
      } else def = this.line.replace(/\n$/, "");
      if (def !== null && setString(this.kc, sym, def)) return;
    }
  }

  private confSym(menu: MenuNode): void {
    const kc = this.kc;
    const sym = menu.sym!;
    for (;;) {
      let q = `${this.pad(this.indent - 1)}${menu.prompt!.text} `;
      if (sym.name) q += `(${sym.name}) `;
      const old = triValue(kc, sym);
      q += "[" + (old === NO ? "N" : old === MOD ? "M" : "Y");
      if (old !== NO && triWithinRange(kc, sym, NO)) q += "/n";
      if (old !== MOD && triWithinRange(kc, sym, MOD)) q += "/m";
      if (old !== YES && triWithinRange(kc, sym, YES)) q += "/y";
      q += "/?] ";
      this.io.write(q);
      if (!this.askValue(sym, stringValue(kc, sym))) return;
      const a = this.line.trim();
      let v: Tri;
      const c = a[0];
      if (c === "n" || c === "N") {
        if (a.length > 1 && a.slice(1) !== "o") continue;
        v = NO;
      } else if (c === "m" || c === "M") {
        if (a.length > 1) continue;
        v = MOD;
      } else if (c === "y" || c === "Y") {
        if (a.length > 1 && a.slice(1) !== "es") continue;
        v = YES;
      } else if (c === undefined) v = old;
      else if (c === "?") {
        this.printHelp(menu);
        continue;
      } else continue;
      if (setTri(kc, sym, v)) return;
      this.printHelp(menu);
    }
  }

  /** conf_choice: true when the choice's entries were handled (or it is n). */
  private confChoice(menu: MenuNode): boolean {
    const kc = this.kc;
    const sym = menu.sym!;
    const isNew = !symHasValue(sym);
    if (changeable(kc, sym)) {
      this.confSym(menu);
      kc.ev.calc(sym);
      const t = triValue(kc, sym);
      if (t === NO) return true;
      if (t === MOD) return false;
    } else {
      const t = triValue(kc, sym);
      if (t === NO) return true;
      if (t === MOD) {
        this.io.write(`${this.pad(this.indent - 1)}${promptOf(menu)}\n`);
        return false;
      }
    }
    for (;;) {
      this.io.write(`${this.pad(this.indent - 1)}${promptOf(menu)}\n`);
      const defSym = choiceValue(kc, sym);
      let cnt = 0;
      let def = 0;
      this.line = "";
      for (let child = menu.list; child; child = child.next) {
        if (!isVisible(kc, child)) continue;
        if (!child.sym) {
          this.io.write(`${this.padc(this.indent, "*")} ${promptOf(child)}\n`);
          continue;
        }
        cnt++;
        let l: string;
        if (child.sym === defSym) {
          def = cnt;
          l = this.padc(this.indent, ">");
        } else l = this.padc(this.indent, " ");
        l += ` ${cnt}. ${promptOf(child)}`;
        if (child.sym.name) l += ` (${child.sym.name})`;
        if (!symHasValue(child.sym)) l += " (NEW)";
        this.io.write(l + "\n");
      }
      this.io.write(`${this.pad(this.indent - 1)}choice`);
      if (cnt === 1) {
        this.io.write("[1]: 1\n");
      } else {
        this.io.write(`[1-${cnt}?]: `);
        if (this.mode === "oldconfig" && !isNew) {
          cnt = def;
          this.io.write(`${cnt}\n`);
        } else {
          this.xfgets();
          this.line = this.line.trim();
          if (this.line[0] === "?") {
            this.printHelp(menu);
            continue;
          }
          if (!this.line) cnt = def;
          else if (/^[0-9]/.test(this.line)) cnt = parseInt(this.line, 10);
          else continue;
        }
      }
      let child: MenuNode | null = menu.list;
      for (; child; child = child.next) {
        if (!child.sym || !isVisible(kc, child)) continue;
        if (!--cnt) break;
      }
      if (!child) continue;
      if (this.line && this.line.endsWith("?")) {
        this.printHelp(child);
        continue;
      }
      setTri(kc, child.sym!, YES);
      for (let c = child.list; c; c = c.next) {
        this.indent += 2;
        this.conf(c);
        this.indent -= 2;
      }
      return true;
    }
  }

  private conf(menu: MenuNode): void {
    const kc = this.kc;
    if (!isVisible(kc, menu)) return;
    const sym = menu.sym;
    const prop = menu.prompt;
    if (prop && (prop.type === "menu" || prop.type === "comment")) {
      if (prop.type === "menu" && this.mode !== "oldaskconfig" && this.rootEntry !== menu) {
        this.checkConf(menu);
        return;
      }
      const p = promptOf(menu);
      if (p) {
        const star = this.padc(this.indent, "*");
        this.io.write(`${star}\n${star} ${p}\n${star}\n`);
      }
    }
    if (sym) {
      if (isChoice(sym)) {
        this.confChoice(menu);
        if (sym.curr.tri !== MOD) return;
      } else if (sym.type === "int" || sym.type === "hex" || sym.type === "string") this.confString(menu);
      else this.confSym(menu);
      this.indent += 2;
    }
    for (let c = menu.list; c; c = c.next) this.conf(c);
    if (sym) this.indent -= 2;
  }

  private checkConf(menu: MenuNode): void {
    const kc = this.kc;
    if (!isVisible(kc, menu)) return;
    const sym = menu.sym;
    if (sym && !symHasValue(sym) && (changeable(kc, sym) || (isChoice(sym) && triValue(kc, sym) === YES))) {
      if (!this.cnt++) this.io.write("*\n* Restart config...\n*\n");
      this.rootEntry = parentMenu(kc, menu);
      this.conf(this.rootEntry);
    }
    for (let c = menu.list; c; c = c.next) this.checkConf(c);
  }
}
