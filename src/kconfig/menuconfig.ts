// menuconfig's screen logic, without a terminal: the menu tree as rows (like mconf's build_conf), keys in,
// lines of text out. The terminal driver (menuconfig-tty.ts) feeds keys and paints `render()`; tests can
// drive this directly. Values change only through the engine's setters (interactive.ts), so every rule of
// Kconfig (visibility, select, ranges, choices) applies exactly as in `conf`.

import type { Kconfig } from "./kconfig.ts";
import { isChoice, isChoiceValue, MOD, NO, YES, type MenuNode, type Sym, type Tri } from "./model.ts";
import { writeConfig } from "./confwrite.ts";
import {
  changeable,
  choiceValue,
  helpText,
  isSubmenu,
  isVisible,
  locationOf,
  promptOf,
  setString,
  setTri,
  stringValue,
  symHasValue,
  toggleTri,
  triValue,
  whyLine,
} from "./interactive.ts";

/** A key: a printable character, or one of the named keys. */
export type Key =
  | "up"
  | "down"
  | "left"
  | "right"
  | "pgup"
  | "pgdn"
  | "home"
  | "end"
  | "enter"
  | "esc"
  | "backspace"
  | "ctrl-c"
  | (string & {});

export interface MenuIo {
  /** The configuration file's name, for messages. */
  configName: string;
  /** Writes the .config text; true when the file changed. */
  save(text: string): boolean;
  /** The configuration file's current text (to tell whether there is anything to save). */
  current(): string | undefined;
}

interface Level {
  menu: MenuNode;
  cursor: number;
  top: number;
}

interface Row {
  menu: MenuNode;
  depth: number;
  visible: boolean;
}

type Mode =
  | { k: "menu" }
  | { k: "help"; lines: string[]; top: number }
  | { k: "input"; purpose: "value" | "search"; title: string; buffer: string; target: MenuNode | null }
  | { k: "results"; items: MenuNode[]; cursor: number; top: number; query: string }
  | { k: "confirm" };

export type Outcome = "running" | "saved" | "discarded";

const HINTS =
  "Enter:open/edit  Space:toggle  y/m/n  ?:help  /:search  z:show all  S:save  Esc/←:back  Q:quit";

export class MenuConfig {
  private readonly stack: Level[];
  private mode: Mode = { k: "menu" };
  private message = "";
  private showAll = false;
  /** Whether the configuration was saved at least once. */
  saved = false;
  outcome: Outcome = "running";

  constructor(
    private readonly kc: Kconfig,
    private readonly io: MenuIo,
  ) {
    this.stack = [{ menu: kc.root, cursor: 0, top: 0 }];
  }

  private get level(): Level {
    return this.stack[this.stack.length - 1]!;
  }

  /** The entries of `menu` as rows; entries depending on a plain `config` are inlined under it. */
  rows(menu: MenuNode = this.level.menu): Row[] {
    const out: Row[] = [];
    const walk = (parent: MenuNode, depth: number): void => {
      for (let c = parent.list; c; c = c.next) {
        if (!c.prompt) continue;
        const visible = isVisible(this.kc, c);
        if (!visible && !this.showAll) continue;
        out.push({ menu: c, depth, visible });
        if (c.list && !isSubmenu(c)) walk(c, depth + 1);
      }
    };
    walk(menu, 0);
    return out;
  }

  private box(sym: Sym, inChoice: boolean): string {
    const kc = this.kc;
    const t = kc.ev.type(sym);
    if (t === "int" || t === "hex" || t === "string") return "";
    const v = triValue(kc, sym);
    if (inChoice && !(sym.type === "tristate" && sym.choice && triValue(kc, sym.choice) === MOD))
      return v === YES ? "(X)" : "( )";
    const ch = v === YES ? "*" : v === MOD ? "M" : " ";
    if (!changeable(kc, sym)) return v === NO ? "   " : `-${ch}-`;
    if (sym.revDep.tri === MOD) return `{${ch}}`;
    return t === "tristate" ? `<${ch}>` : `[${ch}]`;
  }

  /** One entry's text, as mconf shows it. */
  rowText(row: Row): string {
    const m = row.menu;
    const sym = m.sym;
    const pad = "  ".repeat(row.depth);
    const title = promptOf(m);
    let s: string;
    if (!sym) {
      s = m.prompt?.type === "comment" ? `    ${pad}*** ${title} ***` : `    ${pad}${title}  --->`;
    } else if (isChoice(sym)) {
      const sel = choiceValue(this.kc, sym);
      const selText = sel ? ` (${promptOf(sel.menus.find((x) => x.prompt) ?? sel.menus[0]!)})` : "";
      const box = changeable(this.kc, sym) ? this.box(sym, false) : "   ";
      s = `${box} ${pad}${title}${triValue(this.kc, sym) === YES ? selText : ""}  --->`;
    } else {
      const inChoice = isChoiceValue(sym) && m.parent?.sym === sym.choice;
      const box = this.box(sym, inChoice);
      if (box === "") s = `(${stringValue(this.kc, sym)}) ${pad}${title}`;
      else s = `${box} ${pad}${title}${isSubmenu(m) ? "  --->" : ""}`;
      if (!symHasValue(sym)) s += " (NEW)";
    }
    if (!row.visible) s += "  [hidden]";
    return s;
  }

  private current(): Row | undefined {
    return this.rows()[this.level.cursor];
  }

  private move(delta: number, count: number): void {
    const l = this.level;
    l.cursor = Math.max(0, Math.min(count - 1, l.cursor + delta));
  }

  /** Handles one key. */
  key(k: Key): void {
    if (this.outcome !== "running") return;
    if (k === "ctrl-c") {
      this.outcome = "discarded";
      return;
    }
    switch (this.mode.k) {
      case "menu":
        this.menuKey(k);
        break;
      case "help":
        this.helpKey(this.mode, k);
        break;
      case "input":
        this.inputKey(this.mode, k);
        break;
      case "results":
        this.resultsKey(this.mode, k);
        break;
      case "confirm":
        this.confirmKey(k);
        break;
    }
  }

  private back(): void {
    if (this.stack.length > 1) this.stack.pop();
    else this.quit();
  }

  private quit(): void {
    if (this.dirty()) this.mode = { k: "confirm" };
    else this.outcome = this.saved ? "saved" : "discarded";
  }

  /** Whether the configuration differs from the file. */
  dirty(): boolean {
    return writeConfig(this.kc) !== this.io.current();
  }

  private save(): void {
    const changed = this.io.save(writeConfig(this.kc));
    this.saved = true;
    this.message = changed
      ? `configuration written to ${this.io.configName}`
      : `no change to ${this.io.configName}`;
  }

  private menuKey(k: Key): void {
    const rows = this.rows();
    const row = rows[this.level.cursor];
    const page = 10;
    this.message = "";
    switch (k) {
      case "up":
      case "k":
        return this.move(-1, rows.length);
      case "down":
      case "j":
        return this.move(1, rows.length);
      case "pgup":
        return this.move(-page, rows.length);
      case "pgdn":
        return this.move(page, rows.length);
      case "home":
        return this.move(-rows.length, rows.length);
      case "end":
        return this.move(rows.length, rows.length);
      case "left":
      case "h":
      case "esc":
      case "backspace":
      case "q":
        return this.back();
      case "Q":
        return this.quit();
      case "S":
      case "s":
        return this.save();
      case "z":
        this.showAll = !this.showAll;
        this.message = this.showAll ? "showing hidden entries too" : "showing visible entries only";
        this.level.cursor = Math.min(this.level.cursor, Math.max(0, this.rows().length - 1));
        return;
      case "/":
        this.mode = {
          k: "input",
          purpose: "search",
          title: "Search for symbol (regex)",
          buffer: "",
          target: null,
        };
        return;
      case "?":
        if (row) this.mode = { k: "help", lines: helpText(this.kc, row.menu).split("\n"), top: 0 };
        return;
      default:
        break;
    }
    if (!row) return;
    const sym = row.menu.sym;
    if (k === "enter" || k === "right" || k === "l") {
      if (isSubmenu(row.menu)) {
        this.stack.push({ menu: row.menu, cursor: 0, top: 0 });
        return;
      }
      if (!sym) return;
      const t = this.kc.ev.type(sym);
      if (t === "int" || t === "hex" || t === "string") {
        this.mode = {
          k: "input",
          purpose: "value",
          title: `${promptOf(row.menu)} (${sym.name}, ${t})`,
          buffer: stringValue(this.kc, sym),
          target: row.menu,
        };
        return;
      }
      if (isChoiceValue(sym)) {
        this.set(sym, YES);
        if (this.stack.length > 1 && this.level.menu.sym === sym.choice) this.stack.pop();
        return;
      }
      this.toggle(sym);
      return;
    }
    if (!sym) return;
    if (k === " ") {
      if (isChoiceValue(sym) && this.level.menu.sym === sym.choice) this.set(sym, YES);
      else this.toggle(sym);
    } else if (k === "y" || k === "Y") this.set(sym, YES);
    else if (k === "m" || k === "M") this.set(sym, MOD);
    else if (k === "n" || k === "N") this.set(sym, NO);
  }

  private toggle(sym: Sym): void {
    const t = this.kc.ev.type(sym);
    if (t !== "bool" && t !== "tristate") return;
    const old = triValue(this.kc, sym);
    if (toggleTri(this.kc, sym) === old) this.explain(sym);
  }

  private set(sym: Sym, v: Tri): void {
    const t = this.kc.ev.type(sym);
    if (t !== "bool" && t !== "tristate") return;
    if (!setTri(this.kc, sym, v)) this.explain(sym);
  }

  private explain(sym: Sym): void {
    const why = whyLine(this.kc, sym);
    this.message = `${sym.name ?? "<choice>"} cannot be changed${why ? `: ${why}` : ""} (? for details)`;
  }

  private helpKey(mode: Extract<Mode, { k: "help" }>, k: Key): void {
    if (k === "up" || k === "k") mode.top = Math.max(0, mode.top - 1);
    else if (k === "down" || k === "j") mode.top = Math.min(Math.max(0, mode.lines.length - 1), mode.top + 1);
    else if (k === "pgup") mode.top = Math.max(0, mode.top - 10);
    else if (k === "pgdn") mode.top = Math.min(Math.max(0, mode.lines.length - 1), mode.top + 10);
    else if (["esc", "enter", "q", "?", "left", "h", "backspace"].includes(k)) this.mode = this.returnTo;
  }

  /** Where help and input go back to (the search results they were opened from, or the menu). */
  private returnTo: Mode = { k: "menu" };

  private inputKey(mode: Extract<Mode, { k: "input" }>, k: Key): void {
    if (k === "esc") {
      this.mode = { k: "menu" };
      return;
    }
    if (k === "backspace") {
      mode.buffer = mode.buffer.slice(0, -1);
      return;
    }
    if (k === "enter") {
      if (mode.purpose === "search") this.search(mode.buffer);
      else if (mode.target?.sym) {
        const sym = mode.target.sym;
        if (setString(this.kc, sym, mode.buffer)) this.mode = { k: "menu" };
        else {
          const p = this.kc.ev.rangeProp(sym);
          const range = p
            ? ` (range ${stringValue(this.kc, p.range![0])}..${stringValue(this.kc, p.range![1])})`
            : "";
          this.message = `invalid value "${mode.buffer}" for ${sym.name}${range}`;
        }
      }
      return;
    }
    if (k.length === 1 && k >= " ") mode.buffer += k;
  }

  private search(query: string): void {
    let re: RegExp;
    try {
      re = new RegExp(query, "i");
    } catch {
      const q = query.toLowerCase();
      re = { test: (s: string) => s.toLowerCase().includes(q) } as RegExp;
    }
    const items: MenuNode[] = [];
    const syms = this.kc.symbols
      .all()
      .filter((s) => s.name && s.menus.length && re.test(s.name))
      .sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
    for (const s of syms) items.push(s.menus.find((m) => m.prompt) ?? s.menus[0]!);
    this.mode = { k: "results", items, cursor: 0, top: 0, query };
  }

  private resultsKey(mode: Extract<Mode, { k: "results" }>, k: Key): void {
    const n = mode.items.length;
    if (k === "up" || k === "k") mode.cursor = Math.max(0, mode.cursor - 1);
    else if (k === "down" || k === "j") mode.cursor = Math.min(Math.max(0, n - 1), mode.cursor + 1);
    else if (k === "pgup") mode.cursor = Math.max(0, mode.cursor - 10);
    else if (k === "pgdn") mode.cursor = Math.min(Math.max(0, n - 1), mode.cursor + 10);
    else if (k === "esc" || k === "q" || k === "left") this.mode = { k: "menu" };
    else if (k === "?" && n) {
      this.returnTo = mode;
      this.mode = { k: "help", lines: helpText(this.kc, mode.items[mode.cursor]!).split("\n"), top: 0 };
      return;
    } else if ((k === "enter" || k === "right") && n) this.jump(mode.items[mode.cursor]!);
    this.returnTo = { k: "menu" };
  }

  /** Opens the menu that shows `target`, with the cursor on it (showing hidden entries when it is hidden). */
  jump(target: MenuNode): void {
    if (!target.prompt) {
      this.message = `${target.sym?.name ?? "entry"} has no prompt: it is set only by defaults and selects`;
      this.mode = { k: "help", lines: helpText(this.kc, target).split("\n"), top: 0 };
      return;
    }
    const chain = locationOf(this.kc, target);
    if (!isVisible(this.kc, target) || chain.some((m) => !isVisible(this.kc, m))) {
      this.showAll = true;
      if (target.sym) this.message = `${target.sym.name}: ${whyLine(this.kc, target.sym) || "hidden"}`;
    }
    const levels: Level[] = [{ menu: this.kc.root, cursor: 0, top: 0 }];
    for (const m of chain.slice(0, -1)) if (isSubmenu(m)) levels.push({ menu: m, cursor: 0, top: 0 });
    // The cursor at each level is on the row leading to the next level (or to the target).
    for (let i = 0; i < levels.length; i++) {
      const want = i + 1 < levels.length ? levels[i + 1]!.menu : target;
      const idx = this.rows(levels[i]!.menu).findIndex((r) => r.menu === want);
      levels[i]!.cursor = Math.max(0, idx);
    }
    this.stack.splice(0, this.stack.length, ...levels);
    this.mode = { k: "menu" };
  }

  private confirmKey(k: Key): void {
    if (k === "y" || k === "Y" || k === "enter") {
      this.save();
      this.outcome = "saved";
    } else if (k === "n" || k === "N") this.outcome = this.saved ? "saved" : "discarded";
    else if (k === "c" || k === "C" || k === "esc") this.mode = { k: "menu" };
  }

  /** The screen as `height` lines of at most `width` characters; `highlight` is the selected line. */
  render(width: number, height: number): { lines: string[]; highlight: number } {
    const kc = this.kc;
    const fit = (s: string): string => (s.length > width ? s.slice(0, Math.max(0, width - 1)) + "…" : s);
    const lines: string[] = [];
    let highlight = -1;
    const path = this.stack
      .slice(1)
      .map((l) => promptOf(l.menu))
      .join(" > ");
    lines.push(fit(`${kc.title}${path ? ` > ${path}` : ""}`));
    lines.push("─".repeat(Math.max(0, width)));
    const body = Math.max(1, height - 4);
    const mode = this.mode;
    let status = this.message;
    if (mode.k === "menu" || mode.k === "confirm" || mode.k === "input") {
      const rows = this.rows();
      const l = this.level;
      if (l.cursor >= rows.length) l.cursor = Math.max(0, rows.length - 1);
      if (l.cursor < l.top) l.top = l.cursor;
      if (l.cursor >= l.top + body) l.top = l.cursor - body + 1;
      for (let i = l.top; i < Math.min(rows.length, l.top + body); i++) {
        if (i === l.cursor) highlight = lines.length;
        lines.push(fit(` ${this.rowText(rows[i]!)}`));
      }
      if (rows.length === 0) lines.push(" (no visible entries; z shows hidden ones)");
      const row = rows[l.cursor];
      if (!status && row?.menu.sym) {
        const sym = row.menu.sym;
        const why = whyLine(kc, sym);
        status = `${sym.name ? `CONFIG_${sym.name}` : "<choice>"}${why ? `: ${why}` : ""}`;
      }
      if (mode.k === "confirm") status = "Save your new configuration? (y)es / (n)o / (c)ancel";
      if (mode.k === "input") {
        // The dialog takes the last lines of the body.
        while (lines.length < 2 + body) lines.push("");
        lines.splice(lines.length - 3, 3, "", fit(`  ${mode.title}:`), fit(`  > ${mode.buffer}_`));
        if (highlight >= lines.length - 3) highlight = -1;
        if (!status || mode.purpose === "search") status = status || "Enter: accept  Esc: cancel";
      }
    } else if (mode.k === "help") {
      for (const l of mode.lines.slice(mode.top, mode.top + body)) lines.push(fit(` ${l}`));
      status = status || "Help: ↑↓ scroll, Esc/Enter/? back";
    } else {
      const n = mode.items.length;
      if (mode.cursor < mode.top) mode.top = mode.cursor;
      if (mode.cursor >= mode.top + body) mode.top = mode.cursor - body + 1;
      if (!n) lines.push(` No symbol matches "${mode.query}".`);
      for (let i = mode.top; i < Math.min(n, mode.top + body); i++) {
        const m = mode.items[i]!;
        const sym = m.sym!;
        const where = locationOf(kc, m).slice(0, -1).map(promptOf).join(" > ");
        const hidden = isVisible(kc, m) ? "" : " [hidden]";
        if (i === mode.cursor) highlight = lines.length;
        lines.push(
          fit(
            ` ${sym.name} [=${stringValue(kc, sym)}] ${m.prompt ? `"${m.prompt.text}"` : "(no prompt)"}${hidden}${where ? ` in ${where}` : ""}`,
          ),
        );
      }
      status =
        status || `${n} match${n === 1 ? "" : "es"} for "${mode.query}": Enter jumps, ? explains, Esc back`;
    }
    while (lines.length < height - 2) lines.push("");
    lines.length = Math.max(0, height - 2);
    lines.push(fit(status));
    lines.push(fit(HINTS));
    return { lines, highlight };
  }
}
