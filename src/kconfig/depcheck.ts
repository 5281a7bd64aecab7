// Recursive dependency detection (Linux's sym_check_deps): a symbol whose value would depend on itself
// through depends on, select, imply, defaults, ranges or prompts' conditions is an error.

import { F, isChoice, isChoiceValue, type Expr, type Prop, type Sym } from "./model.ts";

interface Frame {
  sym: Sym;
  prop: Prop | null;
  why: "dir" | "rev" | "implied" | "value" | "cond" | null;
}

export class DepChecker {
  private readonly stack: Frame[] = [];
  readonly errors: { message: string; details: string[] }[] = [];

  /** Returns the symbol that closes a cycle, or null. */
  check(sym: Sym): Sym | null {
    if (sym.flags & F.CHECK) {
      this.report(sym);
      return sym;
    }
    if (sym.flags & F.CHECKED) return null;
    if (isChoiceValue(sym) && sym.choice) {
      this.stack.push({ sym, prop: null, why: null });
      const r = this.check(sym.choice);
      this.stack.pop();
      return r;
    }
    if (isChoice(sym)) return this.checkChoice(sym);
    sym.flags |= F.CHECK | F.CHECKED;
    const r = this.checkSym(sym);
    sym.flags &= ~F.CHECK;
    return r;
  }

  private checkExpr(e: Expr | null): Sym | null {
    if (!e) return null;
    switch (e.k) {
      case "and":
      case "or":
        return this.checkExpr(e.l) ?? this.checkExpr(e.r);
      case "not":
        return this.checkExpr(e.e);
      case "cmp":
        return this.check(e.l) ?? this.check(e.r);
      case "sym":
        return this.check(e.sym);
    }
  }

  private checkSym(sym: Sym): Sym | null {
    const frame: Frame = { sym, prop: null, why: "dir" };
    this.stack.push(frame);
    try {
      let r = this.checkExpr(sym.dirDep.expr);
      if (r) return r;
      frame.why = "rev";
      r = this.checkExpr(sym.revDep.expr);
      if (r) return r;
      frame.why = "implied";
      r = this.checkExpr(sym.implied.expr);
      if (r) return r;
      for (const p of sym.props) {
        if (p.type === "select" || p.type === "imply") continue;
        frame.prop = p;
        frame.why = "cond";
        r = this.checkExpr(p.visible);
        if (r) return r;
        if (p.type !== "default" || isChoice(sym)) continue;
        frame.why = "value";
        r = this.checkExpr(p.expr);
        if (r) return r;
      }
      return null;
    } finally {
      this.stack.pop();
    }
  }

  private checkChoice(choice: Sym): Sym | null {
    this.stack.push({ sym: choice, prop: null, why: null });
    for (const v of choice.choiceValues) v.flags |= F.CHECK | F.CHECKED;
    choice.flags |= F.CHECK | F.CHECKED;
    let r = this.checkSym(choice);
    choice.flags &= ~F.CHECK;
    if (!r) {
      for (const v of choice.choiceValues) {
        r = this.checkSym(v);
        if (r) break;
      }
    }
    for (const v of choice.choiceValues) v.flags &= ~F.CHECK;
    if (r && isChoiceValue(r) && r.choice === choice) r = choice;
    this.stack.pop();
    return r;
  }

  private report(last: Sym): void {
    if (isChoiceValue(last) && last.choice) last = last.choice;
    const start = this.stack.findIndex((f) => f.sym === last);
    if (start < 0) return;
    const name = (s: Sym): string => s.name ?? "<choice>";
    const loc = (f: Frame): { file: string; line: number } => {
      const p = f.prop ?? f.sym.props[0];
      const m = f.sym.menus[0];
      if ((isChoice(f.sym) || isChoiceValue(f.sym)) && m) return { file: m.file, line: m.line };
      return p ? { file: p.file, line: p.line } : { file: "<unknown>", line: 0 };
    };
    const frames = this.stack.slice(start);
    const details: string[] = [];
    frames.forEach((f, i) => {
      const next = frames[i + 1]?.sym ?? last;
      const { file, line } = loc(f);
      let what: string;
      if (isChoice(f.sym)) what = `choice ${name(f.sym)} contains symbol ${name(next)}`;
      else if (isChoiceValue(f.sym)) what = `symbol ${name(f.sym)} is part of choice ${name(next)}`;
      else if (f.why === "dir") what = `symbol ${name(f.sym)} depends on ${name(next)}`;
      else if (f.why === "rev") what = `symbol ${name(f.sym)} is selected by ${name(next)}`;
      else if (f.why === "implied") what = `symbol ${name(f.sym)} is implied by ${name(next)}`;
      else if (f.why === "value") what = `symbol ${name(f.sym)} ${f.prop!.type} value contains ${name(next)}`;
      else what = `symbol ${name(f.sym)} ${f.prop?.type ?? "prompt"} is visible depending on ${name(next)}`;
      details.push(`${file}:${line}:\t${what}`);
    });
    const first = loc(frames[0]!);
    this.errors.push({
      message: `${first.file}:${first.line}: error: recursive dependency detected!`,
      details,
    });
  }
}
