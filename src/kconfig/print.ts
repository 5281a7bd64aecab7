// Expressions as text (Linux's expr_print), optionally with each symbol's value: `A [=y] && (B [=n] || C)`.

import type { Expr, Sym } from "./model.ts";

const RANK: Record<Expr["k"] | "none", number> = { none: 0, or: 1, and: 2, not: 3, cmp: 4, sym: 5 };

/** Prints `e`; `value` (when given) annotates every typed symbol with ` [=v]`; null prints as `y`. */
export function exprToString(e: Expr | null, value?: (s: Sym) => string): string {
  if (!e) return "y";
  const sym = (s: Sym): string => {
    const name = s.name ?? "<choice>";
    return value && s.type !== "unknown" ? `${name} [=${value(s)}]` : name;
  };
  const go = (x: Expr, prev: Expr["k"] | "none"): string => {
    let s: string;
    switch (x.k) {
      case "sym":
        s = sym(x.sym);
        break;
      case "not":
        s = "!" + go(x.e, "not");
        break;
      case "cmp":
        s = `${sym(x.l)}${x.op}${sym(x.r)}`;
        break;
      case "and":
        s = `${go(x.l, "and")} && ${go(x.r, "and")}`;
        break;
      case "or":
        s = `${go(x.l, "or")} || ${go(x.r, "or")}`;
        break;
    }
    // Parenthesise a looser operator inside a tighter one (expr_compare_type).
    const needs = prev !== "none" && x.k !== "sym" && RANK[x.k] < RANK[prev];
    return needs ? `(${s})` : s;
  };
  return go(e, "none");
}
