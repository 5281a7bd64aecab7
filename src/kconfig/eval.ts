// Symbol values (Linux's symbol.c): visibility, defaults, select/imply, ranges and choices, computed lazily and
// cached with SYMBOL_VALID exactly as sym_calc_value does. Keeping Linux's caching (rather than a cleaner
// fixed point) is what makes the outputs byte-identical, stale corners included.

import { parseForCompare, strtol } from "./cnum.ts";
import {
  F,
  hasUserValue,
  isChoice,
  isChoiceValue,
  MOD,
  NO,
  propSymbol,
  triAnd,
  triNot,
  triOr,
  YES,
  type Expr,
  type Prop,
  type Sym,
  type SymbolTable,
  type SymType,
  type Tri,
} from "./model.ts";
import { exprToString } from "./print.ts";

/**
 * sym->curr = newval, in place: nothing keeps a reference to a symbol's `curr`, and a calc otherwise
 * allocated two objects per symbol and pass (garbage that made the young generation collect more often).
 */
function setCurr(sym: Sym, tri: Tri, val: string): void {
  const c = sym.curr;
  c.tri = tri;
  c.val = val;
  c.choice = null;
}

export class Evaluator {
  /** Linux's modules_val: the MODULES symbol's value as last computed. */
  modulesVal: Tri = NO;
  /** Warnings (unmet dependencies), in Linux's wording. */
  readonly warnings: string[] = [];

  constructor(
    readonly table: SymbolTable,
    readonly modules: Sym,
  ) {}

  /** sym_get_type: a tristate reads as bool without modules, or as a choice value in a y choice. */
  type(sym: Sym): SymType {
    if (sym.type === "tristate") {
      if (isChoiceValue(sym) && sym.visible === YES) return "bool";
      if (this.modulesVal === NO) return "bool";
    }
    return sym.type;
  }

  expr(e: Expr | null): Tri {
    if (!e) return YES;
    switch (e.k) {
      case "sym":
        this.calc(e.sym);
        return e.sym.curr.tri;
      case "and":
        return triAnd(this.expr(e.l), this.expr(e.r));
      case "or":
        return triOr(this.expr(e.l), this.expr(e.r));
      case "not":
        return triNot(this.expr(e.e));
      case "cmp":
        return this.compare(e.op, e.l, e.r);
    }
  }

  private compare(op: string, l: Sym, r: Sym): Tri {
    this.calc(l);
    this.calc(r);
    const s1 = this.stringValue(l);
    const s2 = this.stringValue(r);
    let res: number;
    const p1 = l.type !== "string" || r.type !== "string" ? parseForCompare(s1, l.type) : null;
    const p2 = p1 ? parseForCompare(s2, r.type) : null;
    if (!p1 || !p2 || p1.kind === "string" || p2.kind === "string") res = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
    else {
      let a = p1.value;
      let b = p2.value;
      if (p1.kind === "unsigned" || p2.kind === "unsigned") {
        a = BigInt.asUintN(64, a);
        b = BigInt.asUintN(64, b);
      }
      res = a > b ? 1 : a < b ? -1 : 0;
    }
    const ok =
      op === "="
        ? res === 0
        : op === "!="
          ? res !== 0
          : op === "<"
            ? res < 0
            : op === "<="
              ? res <= 0
              : op === ">"
                ? res > 0
                : res >= 0;
    return ok ? YES : NO;
  }

  /** sym_get_string_value. */
  stringValue(sym: Sym): string {
    if (sym.type === "bool" || sym.type === "tristate")
      return sym.curr.tri === YES ? "y" : sym.curr.tri === MOD ? "m" : "n";
    return sym.curr.val;
  }

  private firstVisible(sym: Sym, type: Prop["type"]): Prop | null {
    for (const p of sym.props) {
      if (p.type !== type) continue;
      p.visibleTri = this.expr(p.visible);
      if (p.visibleTri !== NO) return p;
    }
    return null;
  }

  defaultProp(sym: Sym): Prop | null {
    return this.firstVisible(sym, "default");
  }

  /** sym_calc_visibility: prompt visibility and the direct, reverse and implied dependency values. */
  calcVisibility(sym: Sym): void {
    let tri: Tri = NO;
    const choice = isChoiceValue(sym) ? sym.choice : null;
    for (const p of sym.props) {
      // for_all_prompts: prompts, including menuconfig's (typed "menu").
      if (p.type !== "prompt" && p.type !== "menu") continue;
      p.visibleTri = this.expr(p.visible);
      if (choice && sym.type === "tristate" && p.visibleTri === MOD && choice.curr.tri === YES)
        p.visibleTri = NO;
      tri = triOr(tri, p.visibleTri);
    }
    if (tri === MOD && (sym.type !== "tristate" || this.modulesVal === NO)) tri = YES;
    sym.visible = tri;
    if (isChoiceValue(sym)) return;
    const boolish = (t: Tri): Tri => (t === MOD && this.type(sym) === "bool" ? YES : t);
    sym.dirDep.tri = boolish(sym.dirDep.expr ? this.expr(sym.dirDep.expr) : YES);
    sym.revDep.tri = boolish(sym.revDep.expr ? this.expr(sym.revDep.expr) : NO);
    sym.implied.tri = boolish(sym.implied.expr ? this.expr(sym.implied.expr) : NO);
  }

  /** sym_choice_default: the first visible `default`, else the first visible value. */
  choiceDefault(choice: Sym): Sym | null {
    for (const p of choice.props) {
      if (p.type !== "default") continue;
      p.visibleTri = this.expr(p.visible);
      if (p.visibleTri === NO) continue;
      const d = propSymbol(p)!;
      if (d.visible !== NO) return d;
    }
    for (const v of choice.choiceValues) if (v.visible !== NO) return v;
    return null;
  }

  private calcChoice(choice: Sym): Sym | null {
    let flags = choice.flags;
    for (const v of choice.choiceValues) {
      this.calcVisibility(v);
      if (v.visible !== NO) flags &= v.flags;
    }
    choice.flags &= flags | ~F.DEF_USER;
    const user = choice.user.choice;
    if (user && user.visible !== NO) return user;
    const d = this.choiceDefault(choice);
    if (!d) choice.curr.tri = NO;
    return d;
  }

  /** sym_calc_value. */
  calc(sym: Sym): void {
    if (sym.flags & F.VALID) return;
    if (isChoiceValue(sym) && sym.flags & F.NEED_SET_CHOICE_VALUES) {
      sym.flags &= ~F.NEED_SET_CHOICE_VALUES;
      if (sym.choice) this.calc(sym.choice);
    }
    sym.flags |= F.VALID;
    let tri: Tri = NO;
    let val: string;
    switch (sym.type) {
      case "int":
      case "hex":
      case "string":
        val = "";
        break;
      case "bool":
      case "tristate":
        val = "n";
        break;
      default:
        setCurr(sym, NO, sym.name ?? "");
        return;
    }
    sym.flags &= ~F.WRITE;
    this.calcVisibility(sym);
    if (sym.visible !== NO) sym.flags |= F.WRITE;
    setCurr(sym, tri, val);

    switch (this.type(sym)) {
      case "bool":
      case "tristate":
        if (isChoiceValue(sym) && sym.visible === YES) {
          tri = sym.choice?.curr.choice === sym ? YES : NO;
        } else {
          if (sym.visible !== NO && hasUserValue(sym)) {
            tri = triAnd(sym.user.tri, sym.visible);
          } else {
            if (sym.revDep.tri !== NO) sym.flags |= F.WRITE;
            if (!isChoice(sym)) {
              const p = this.defaultProp(sym);
              if (p) {
                tri = triAnd(this.expr(p.expr), p.visibleTri);
                if (tri !== NO) sym.flags |= F.WRITE;
              }
              if (sym.implied.tri !== NO) {
                sym.flags |= F.WRITE;
                tri = triAnd(triOr(tri, sym.implied.tri), sym.dirDep.tri);
              }
            }
          }
          if (sym.dirDep.tri < sym.revDep.tri) this.warnUnmet(sym);
          tri = triOr(tri, sym.revDep.tri);
        }
        if (tri === MOD && this.type(sym) === "bool") tri = YES;
        break;
      case "string":
      case "hex":
      case "int": {
        if (sym.visible !== NO && hasUserValue(sym)) {
          val = sym.user.val ?? "";
          break;
        }
        const p = this.defaultProp(sym);
        const ds = p ? propSymbol(p) : null;
        if (ds) {
          sym.flags |= F.WRITE;
          this.calc(ds);
          val = ds.curr.val;
        }
        break;
      }
      default:
        break;
    }
    setCurr(sym, tri, val);
    if (isChoice(sym) && tri === YES) sym.curr.choice = this.calcChoice(sym);
    this.validateRange(sym);
    if (sym === this.modules) this.modulesVal = sym.curr.tri;
    if (isChoice(sym)) {
      for (const v of sym.choiceValues) if (sym.flags & F.WRITE && v.visible !== NO) v.flags |= F.WRITE;
    }
    if (sym.flags & F.NO_WRITE) sym.flags &= ~F.WRITE;
    if (sym.flags & F.NEED_SET_CHOICE_VALUES) this.setAllChoiceValues(sym);
  }

  /** set_all_choice_values: unset values of the choice become n and the choice counts as set. */
  setAllChoiceValues(choice: Sym): void {
    for (const v of choice.choiceValues) if (!hasUserValue(v)) v.user.tri = NO;
    choice.flags |= F.DEF_USER;
    choice.flags &= ~(F.VALID | F.NEED_SET_CHOICE_VALUES);
  }

  rangeProp(sym: Sym): Prop | null {
    return this.firstVisible(sym, "range");
  }

  private rangeVal(sym: Sym, base: number): bigint {
    this.calc(sym);
    if (sym.type === "int") base = 10;
    else if (sym.type === "hex") base = 16;
    return strtol(sym.curr.val, base).value;
  }

  private validateRange(sym: Sym): void {
    const base = sym.type === "int" ? 10 : sym.type === "hex" ? 16 : 0;
    if (!base) return;
    const p = this.rangeProp(sym);
    if (!p) return;
    const val = strtol(sym.curr.val, base).value;
    let bound = p.range![0];
    if (val >= this.rangeVal(bound, base)) {
      bound = p.range![1];
      if (val <= this.rangeVal(bound, base)) return;
    }
    sym.curr.val = bound.curr.val;
  }

  /** sym_clear_all_valid. */
  clearAllValid(): void {
    for (const s of this.table.all()) s.flags &= ~F.VALID;
    this.calc(this.modules);
  }

  /** sym_is_changeable. */
  changeable(sym: Sym): boolean {
    return sym.visible > sym.revDep.tri;
  }

  /** sym_get_string_default: the value the symbol would have without a user value. */
  stringDefault(sym: Sym): string {
    this.calcVisibility(sym);
    this.calc(this.modules);
    let val: Tri = NO;
    let str = "";
    const p = this.defaultProp(sym);
    if (p) {
      if (sym.type === "bool" || sym.type === "tristate") val = triAnd(this.expr(p.expr), p.visibleTri);
      else {
        const ds = propSymbol(p);
        if (ds) {
          this.calc(ds);
          str = ds.curr.val;
        }
      }
    }
    val = triOr(val, sym.revDep.tri);
    if (val === MOD && !isChoiceValue(sym) && this.modules.curr.tri === NO) val = YES;
    if (sym.type === "bool" && val === MOD) val = YES;
    if (val < sym.implied.tri) val = sym.implied.tri;
    if (sym.type === "bool" || sym.type === "tristate") return val === YES ? "y" : val === MOD ? "m" : "n";
    return sym.type === "unknown" ? "" : str;
  }

  /** sym_string_within_range: a user string value that fits the type and the active range. */
  stringWithinRange(sym: Sym, str: string, valid: (t: SymType, s: string) => boolean): boolean {
    if (sym.type === "string") return true;
    if (sym.type !== "int" && sym.type !== "hex") return false;
    if (!valid(sym.type, str)) return false;
    const p = this.rangeProp(sym);
    if (!p) return true;
    const base = sym.type === "int" ? 10 : 16;
    const v = strtol(str, base).value;
    return v >= this.rangeVal(p.range![0], base) && v <= this.rangeVal(p.range![1], base);
  }

  private warnUnmet(sym: Sym): void {
    const print = (e: Expr | null): string => exprToString(e, (s) => this.stringValue(s));
    let out = `\nWARNING: unmet direct dependencies detected for ${sym.name}\n`;
    out += `  Depends on [${sym.dirDep.tri === MOD ? "m" : "n"}]: ${print(sym.dirDep.expr)}\n`;
    for (const [want, title] of [
      [YES, "  Selected by [y]:\n"],
      [MOD, "  Selected by [m]:\n"],
    ] as const) {
      let t: string | null = title;
      const walk = (e: Expr): void => {
        if (e.k === "or") {
          walk(e.l);
          walk(e.r);
        } else if (this.expr(e) === want) {
          if (t) out += t;
          t = null;
          out += `  - ${print(e)}\n`;
        }
      };
      if (sym.revDep.expr) walk(sym.revDep.expr);
    }
    this.warnings.push(out);
  }
}
