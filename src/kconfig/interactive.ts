// What the interactive front ends need from the engine (Linux's symbol.c setters and menu.c helpers):
// sym_set_tristate_value and friends, menu visibility and prompts, and the help text with a symbol's
// dependencies, selectors and location (menu_get_ext_help), shared by `config`/`oldconfig` and menuconfig.

import { validString } from "./finalize.ts";
import type { Kconfig } from "./kconfig.ts";
import { menuVisible } from "./confwrite.ts";
import {
  F,
  hasUserValue,
  isChoice,
  isChoiceValue,
  MOD,
  NO,
  TYPE_NAMES,
  YES,
  type Expr,
  type MenuNode,
  type Prop,
  type Sym,
  type Tri,
} from "./model.ts";
import { exprToString } from "./print.ts";

export const NO_HELP = "There is no help available for this option.";

/** sym_has_value. */
export function symHasValue(sym: Sym): boolean {
  return hasUserValue(sym);
}

/** sym_get_tristate_value (after computing the value). */
export function triValue(kc: Kconfig, sym: Sym): Tri {
  kc.ev.calc(sym);
  return sym.curr.tri;
}

/** sym_get_string_value (after computing the value). */
export function stringValue(kc: Kconfig, sym: Sym): string {
  kc.ev.calc(sym);
  return kc.ev.stringValue(sym);
}

/** sym_is_changeable. */
export function changeable(kc: Kconfig, sym: Sym): boolean {
  kc.ev.calc(sym);
  return kc.ev.changeable(sym);
}

/** sym_get_choice_value: the selected value of a choice. */
export function choiceValue(kc: Kconfig, choice: Sym): Sym | null {
  kc.ev.calc(choice);
  return choice.curr.choice;
}

/** sym_tristate_within_range. */
export function triWithinRange(kc: Kconfig, sym: Sym, val: Tri): boolean {
  kc.ev.calc(sym);
  const type = kc.ev.type(sym);
  if (sym.visible === NO) return false;
  if (type !== "bool" && type !== "tristate") return false;
  if (type === "bool" && val === MOD) return false;
  if (sym.visible <= sym.revDep.tri) return false;
  if (isChoiceValue(sym) && sym.visible === YES) return val === YES;
  return val >= sym.revDep.tri && val <= sym.visible;
}

/** sym_set_tristate_value: false when the value is not allowed. */
export function setTri(kc: Kconfig, sym: Sym, val: Tri): boolean {
  const old = triValue(kc, sym);
  if (old !== val && !triWithinRange(kc, sym, val)) return false;
  sym.flags |= F.DEF_USER;
  if (isChoiceValue(sym) && val === YES && sym.choice) {
    const cs = sym.choice;
    cs.user.choice = sym;
    cs.flags |= F.DEF_USER;
    for (const v of cs.choiceValues) if (v.visible !== NO) v.flags |= F.DEF_USER;
  }
  sym.user.tri = val;
  if (old !== val) kc.clearAllValid();
  return true;
}

/** sym_toggle_tristate_value: n -> m -> y -> n, skipping values that are not allowed. */
export function toggleTri(kc: Kconfig, sym: Sym): Tri {
  const old = triValue(kc, sym);
  let v = old;
  do {
    v = v === NO ? MOD : v === MOD ? YES : NO;
    if (setTri(kc, sym, v)) break;
  } while (v !== old);
  return v;
}

/** sym_set_string_value: false when the value is invalid or out of range. */
export function setString(kc: Kconfig, sym: Sym, value: string): boolean {
  if (sym.type === "bool" || sym.type === "tristate") {
    const c = value[0]?.toLowerCase();
    if (c === "y") return setTri(kc, sym, YES);
    if (c === "m") return setTri(kc, sym, MOD);
    if (c === "n") return setTri(kc, sym, NO);
    return false;
  }
  if (!kc.ev.stringWithinRange(sym, value, validString)) return false;
  sym.flags |= F.DEF_USER;
  if (sym.type === "hex" && !/^0[xX]/.test(value)) value = "0x" + value;
  else if (sym.user.val === value) return true;
  sym.user.val = value;
  kc.clearAllValid();
  return true;
}

/** menu_is_visible. */
export function isVisible(kc: Kconfig, menu: MenuNode): boolean {
  return menuVisible(kc, menu);
}

/** menu_get_prompt. */
export function promptOf(menu: MenuNode): string {
  return menu.prompt?.text ?? menu.sym?.name ?? "";
}

/** menu_get_parent_menu: the nearest node (itself included) with a `menu` prompt, or the root. */
export function parentMenu(kc: Kconfig, menu: MenuNode): MenuNode {
  let m: MenuNode | null = menu;
  for (; m && m !== kc.root; m = m.parent) if (m.prompt?.type === "menu") return m;
  return kc.root;
}

/** Whether `menu` opens a submenu in a menu UI: a `menu`, a `menuconfig` with entries, or a choice. */
export function isSubmenu(menu: MenuNode): boolean {
  if (menu.sym && isChoice(menu.sym)) return true;
  return menu.prompt?.type === "menu" && (menu.list !== null || !menu.sym);
}

function exprEq(a: Expr | null, b: Expr | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.k !== b.k) return false;
  switch (a.k) {
    case "sym":
      return a.sym === (b as typeof a).sym;
    case "not":
      return exprEq(a.e, (b as typeof a).e);
    case "and":
    case "or":
      return exprEq(a.l, (b as typeof a).l) && exprEq(a.r, (b as typeof a).r);
    case "cmp":
      return a.op === (b as typeof a).op && a.l === (b as typeof a).l && a.r === (b as typeof a).r;
  }
}

/** The location of a menu entry as its ancestors' prompts, outermost first (at most 8, like Linux). */
export function locationOf(kc: Kconfig, menu: MenuNode): MenuNode[] {
  const out: MenuNode[] = [];
  for (let m: MenuNode | null = menu; m && m !== kc.root && out.length < 8; m = m.parent) out.unshift(m);
  return out;
}

/**
 * get_symbol_str: the symbol's type, value, definitions with their dependencies (with current values),
 * location, what it selects and implies, and what selects or implies it, grouped by the selector's value.
 */
export function symbolInfo(kc: Kconfig, sym: Sym): string {
  const ev = kc.ev;
  const val = (s: Sym): string => stringValue(kc, s);
  const pr = (e: Expr | null): string => exprToString(e, val);
  let r = "";
  if (sym.name) {
    r += `Symbol: ${sym.name} [=${val(sym)}]\nType  : ${TYPE_NAMES[sym.type]}\n`;
    if (sym.type === "int" || sym.type === "hex") {
      const p = ev.rangeProp(sym);
      if (p) r += `Range : [${p.range![0].name} ${p.range![1].name}]\n`;
    }
  }
  const defs = sym.props.filter((p) => p.type === "symbol");
  const dep = (e: Expr | null, prefix: string): string => (e ? `${prefix}${pr(e)}\n` : "");
  for (const p of defs) {
    const m = p.menu;
    if (!m.prompt) continue;
    r += `Defined at ${m.file}:${m.line}\n`;
    r += `  Prompt: ${m.prompt.text}\n`;
    r += dep(m.dep, "  Depends on: ");
    if (!exprEq(m.dep, m.prompt.visible)) r += dep(m.prompt.visible, "  Visible if: ");
    r += "  Location:\n";
    let j = 4;
    for (const l of locationOf(kc, m)) {
      r += `${" ".repeat(j)}-> ${promptOf(l)}`;
      if (l.sym) r += ` (${l.sym.name ?? "<choice>"} [=${val(l.sym)}])`;
      r += "\n";
      j += 2;
    }
  }
  for (const p of defs) {
    if (p.menu.prompt) continue;
    r += `Defined at ${p.menu.file}:${p.menu.line}\n`;
    r += dep(p.menu.dep, "  Depends on: ");
  }
  const props = (type: Prop["type"], prefix: string): string => {
    const ps = sym.props.filter((p) => p.type === type);
    return ps.length ? `${prefix}${ps.map((p) => pr(p.expr)).join(" && ")}\n` : "";
  };
  const revdep = (e: Expr | null, title: string): string => {
    if (!e) return "";
    let out = "";
    for (const want of [YES, MOD, NO] as const) {
      let head = `${title} [${want === YES ? "y" : want === MOD ? "m" : "n"}]:\n`;
      const walk = (x: Expr): void => {
        if (x.k === "or") {
          walk(x.l);
          walk(x.r);
        } else if (ev.expr(x) === want) {
          out += `${head}  - ${pr(x)}\n`;
          head = "";
        }
      };
      walk(e);
    }
    return out;
  };
  r += props("select", "Selects: ");
  r += revdep(sym.revDep.expr, "Selected by");
  r += props("imply", "Implies: ");
  r += revdep(sym.implied.expr, "Implied by");
  return r + "\n\n";
}

/** menu_get_ext_help: the help text (or "no help"), then symbolInfo. */
export function helpText(kc: Kconfig, menu: MenuNode): string {
  let r = "";
  const sym = menu.sym;
  if (menu.help !== null && sym) {
    if (sym.name) r += `CONFIG_${sym.name}:\n\n`;
    r += `${menu.help}\n`;
  } else r += `${NO_HELP}\n`;
  if (sym) r += symbolInfo(kc, sym);
  return r;
}

/** Why a symbol has the value it has, in one line for a status bar: invisible, forced, or free. */
export function whyLine(kc: Kconfig, sym: Sym): string {
  kc.ev.calc(sym);
  const val = (s: Sym): string => stringValue(kc, s);
  if (sym.visible === NO) {
    const m = sym.menus.find((x) => x.prompt) ?? sym.menus[0];
    const vis = m?.prompt ? m.prompt.visible : (m?.dep ?? null);
    return `invisible: depends on ${exprToString(vis, val)}`;
  }
  if ((sym.type === "bool" || sym.type === "tristate") && sym.revDep.tri !== NO) {
    return `forced to at least ${sym.revDep.tri === YES ? "y" : "m"} by: ${exprToString(sym.revDep.expr, val)}`;
  }
  return "";
}
