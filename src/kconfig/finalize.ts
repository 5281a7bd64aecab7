// After parsing (Linux's menu_finalize, sym_check_prop and sym_check_deps): propagate menu/if/choice
// dependencies into every property, build select/imply reverse dependencies and each symbol's direct
// dependencies, make choice values, nest entries under the symbol they depend on, flatten `if` blocks,
// warn about suspicious properties and reject recursive dependencies.
//
// Linux also simplifies the expressions here (expr_transform, expr_eliminate_dups); the simplifications keep
// the tristate value of every expression, so they are not repeated. The automatic submenu's "superset of the
// parent's dependencies" case is not implemented; it only changes the menu tree's shape (for a menu UI), never
// a value or the order of .config.

import {
  exprAnd,
  exprOr,
  F,
  isChoice,
  isChoiceValue,
  propSymbol,
  type Expr,
  type MenuNode,
  type Prop,
  type Sym,
  type SymbolTable,
} from "./model.ts";

export type Warn = (file: string, line: number, msg: string) => void;

/** rewrite_m: `m` becomes `m && MODULES`, so it reads as n without modules. */
function rewriteM(e: Expr | null, modules: Sym, table: SymbolTable): Expr | null {
  if (!e) return e;
  switch (e.k) {
    case "not":
      return { k: "not", e: rewriteM(e.e, modules, table)! };
    case "and":
    case "or":
      return { k: e.k, l: rewriteM(e.l, modules, table)!, r: rewriteM(e.r, modules, table)! };
    case "sym":
      return e.sym === table.mod ? { k: "and", l: e, r: { k: "sym", sym: modules } } : e;
    default:
      return e;
  }
}

function containsSymbol(e: Expr | null, sym: Sym): boolean {
  if (!e) return false;
  switch (e.k) {
    case "and":
    case "or":
      return containsSymbol(e.l, sym) || containsSymbol(e.r, sym);
    case "sym":
      return e.sym === sym;
    case "cmp":
      return e.l === sym || e.r === sym;
    case "not":
      return containsSymbol(e.e, sym);
  }
}

function dependsSymbol(e: Expr | null, sym: Sym, table: SymbolTable): boolean {
  if (!e) return false;
  switch (e.k) {
    case "and":
      return dependsSymbol(e.l, sym, table) || dependsSymbol(e.r, sym, table);
    case "sym":
      return e.sym === sym;
    case "cmp":
      if (e.l !== sym) return false;
      if (e.op === "=") return e.r === table.yes || e.r === table.mod;
      if (e.op === "!=") return e.r === table.no;
      return false;
    default:
      return false;
  }
}

export class Finalizer {
  constructor(
    private readonly table: SymbolTable,
    private readonly modules: Sym,
    private readonly warn: Warn,
  ) {}

  finalize(parent: MenuNode): void {
    const sym = parent.sym;
    const t = this.table;
    if (parent.list) {
      let parentDep: Expr | null;
      if (sym && isChoice(sym)) {
        if (sym.type === "unknown") {
          for (let m: MenuNode | null = parent.list; m; m = m.next)
            if (m.sym && m.sym.type !== "unknown") {
              sym.type = m.sym.type;
              break;
            }
        }
        for (let m: MenuNode | null = parent.list; m; m = m.next)
          if (m.sym && m.sym.type === "unknown") m.sym.type = sym.type;
        parentDep = { k: "sym", sym };
      } else parentDep = parent.dep;

      for (let m: MenuNode | null = parent.list; m; m = m.next) {
        const baseDep = exprAnd(parentDep, rewriteM(m.dep, this.modules, t));
        m.dep = baseDep;
        const props: Prop[] = m.sym ? m.sym.props : m.prompt ? [m.prompt] : [];
        for (const p of props) {
          if (p.menu !== m) continue;
          const dep = exprAnd(baseDep, rewriteM(p.visible, this.modules, t));
          p.visible = dep;
          if (p.type === "select" || p.type === "imply") {
            const es = propSymbol(p)!;
            const term = exprAnd({ k: "sym", sym: m.sym! }, dep);
            if (p.type === "select") es.revDep.expr = exprOr(es.revDep.expr, term);
            else es.implied.expr = exprOr(es.implied.expr, term);
          }
        }
      }
      for (let m: MenuNode | null = parent.list; m; m = m.next) this.finalize(m);
    } else if (sym) {
      // Automatic submenu: following entries that depend on this symbol nest under it.
      let last: MenuNode | null = null;
      for (let m = parent.next; m; m = m.next) {
        const dep = m.prompt ? m.prompt.visible : m.dep;
        if (!containsSymbol(dep, sym) || !dependsSymbol(dep, sym, t)) break;
        this.finalize(m);
        m.parent = parent;
        last = m;
      }
      if (last) {
        parent.list = parent.next;
        parent.next = last.next;
        last.next = null;
      }
      sym.dirDep.expr = exprOr(sym.dirDep.expr, parent.dep);
    }

    for (let m = parent.list; m; m = m.next) {
      if (sym && isChoice(sym) && m.sym && !isChoiceValue(m.sym)) this.makeChoiceValue(sym, m);
      // Flatten blocks without a prompt (`if`, promptless symbols with an automatic submenu).
      if (m.list && (!m.prompt || !m.prompt.text)) {
        let l = m.list;
        for (;;) {
          l.parent = parent;
          if (!l.next) break;
          l = l.next;
        }
        l.next = m.next;
        m.next = m.list;
        m.list = null;
      }
    }

    if (sym && !(sym.flags & F.WARNED)) {
      if (sym.type === "unknown") this.warn(parent.file, parent.line, "config symbol defined without type");
      if (isChoice(sym) && !parent.prompt) this.warn(parent.file, parent.line, "choice must have a prompt");
      this.checkProps(sym);
      sym.flags |= F.WARNED;
    }

    // A visible non-optional choice cannot be n: like `select`ed by `<visibility> && m`.
    if (sym && !(sym.flags & F.OPTIONAL) && parent.prompt) {
      sym.revDep.expr = exprOr(sym.revDep.expr, exprAnd(parent.prompt.visible, { k: "sym", sym: t.mod }));
    }
  }

  private makeChoiceValue(choice: Sym, m: MenuNode): void {
    const v = m.sym!;
    v.flags |= F.CHOICEVAL;
    if (!m.prompt) this.warn(m.file, m.line, "choice value must have a prompt");
    for (const p of v.props) {
      if (p.type === "default") this.warn(p.file, p.line, "defaults for choice values not supported");
      if (p.menu === m) continue;
      if (p.type === "prompt" && p.menu.parent?.sym !== choice)
        this.warn(p.file, p.line, "choice value used outside its choice group");
    }
    if (choice.type === "tristate" && v.type !== "tristate") {
      const base: Expr = { k: "cmp", op: "=", l: choice, r: this.table.yes };
      m.dep = exprAnd(base, m.dep);
      for (const p of v.props) if (p.menu === m) p.visible = exprAnd(base, p.visible);
    }
    if (!v.choice) v.choice = choice;
    choice.choiceValues.push(v);
  }

  private checkProps(sym: Sym): void {
    const numeric = (s: Sym, v: Sym): boolean =>
      v.type === "int" || v.type === "hex" || (v.type === "unknown" && validString(s.type, v.name ?? ""));
    for (const p of sym.props) {
      const w = (msg: string): void => this.warn(p.file, p.line, msg);
      if (p.type === "default") {
        const single = p.expr?.k === "sym";
        if ((sym.type === "string" || sym.type === "int" || sym.type === "hex") && !single)
          w(`default for config symbol '${sym.name}' must be a single symbol`);
        if (!single) continue;
        const s2 = propSymbol(p)!;
        if ((sym.type === "hex" || sym.type === "int") && !numeric(sym, s2))
          w(`'${sym.name}': number is invalid`);
        if (isChoice(sym) && s2.choice !== sym)
          w(`choice default symbol '${s2.name}' is not contained in the choice`);
      } else if (p.type === "select" || p.type === "imply") {
        const s2 = propSymbol(p)!;
        if (sym.type !== "bool" && sym.type !== "tristate")
          w(`config symbol '${sym.name}' uses ${p.type}, but is not bool or tristate`);
        else if (s2.type !== "unknown" && s2.type !== "bool" && s2.type !== "tristate")
          w(`'${s2.name}' has wrong type. '${p.type}' only accept arguments of bool and tristate type`);
      } else if (p.type === "range") {
        if (sym.type !== "int" && sym.type !== "hex") w("range is only allowed for int or hex symbols");
        if (!numeric(sym, p.range![0]) || !numeric(sym, p.range![1])) w("range is invalid");
      }
    }
  }
}

/** sym_string_valid: whether `str` is a valid value for a symbol of `type`. */
export function validString(type: Sym["type"], str: string): boolean {
  switch (type) {
    case "string":
      return true;
    case "int":
      return /^-?(0|[1-9][0-9]*)$/.test(str) || /^-?0$/.test(str);
    case "hex":
      return /^(0[xX])?[0-9a-fA-F]+$/.test(str);
    case "bool":
    case "tristate":
      return /^[yYmMnN]/.test(str);
    default:
      return false;
  }
}
