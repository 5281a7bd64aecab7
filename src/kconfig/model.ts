// The Kconfig data model: symbols, properties, menu nodes and the symbol table (Linux's expr.h, lkc.h).
// Shapes and flag bits follow Linux 6.1 scripts/kconfig so the evaluator can mirror sym_calc_value exactly,
// including its caching (SYMBOL_VALID) and the hash-table order that auto.conf and autoconf.h are written in.

/** Tristate values: n = 0, m = 1, y = 2 (so AND is min, OR is max, NOT is 2 - x). */
export type Tri = 0 | 1 | 2;
export const NO: Tri = 0;
export const MOD: Tri = 1;
export const YES: Tri = 2;

export function triAnd(a: Tri, b: Tri): Tri {
  return a < b ? a : b;
}
export function triOr(a: Tri, b: Tri): Tri {
  return a > b ? a : b;
}
export function triNot(a: Tri): Tri {
  return (2 - a) as Tri;
}

export type SymType = "unknown" | "bool" | "tristate" | "int" | "hex" | "string";

/** sym_type_name(): how messages and help texts name a type. */
export const TYPE_NAMES: Readonly<Record<SymType, string>> = {
  bool: "bool",
  tristate: "tristate",
  int: "integer",
  hex: "hex",
  string: "string",
  unknown: "unknown",
};

/** Symbol flag bits, the same values as Linux's SYMBOL_* so debugging against conf is easy. */
export const F = {
  CONST: 0x0001,
  CHECK: 0x0008,
  CHOICE: 0x0010,
  CHOICEVAL: 0x0020,
  VALID: 0x0080,
  OPTIONAL: 0x0100,
  WRITE: 0x0200,
  WRITTEN: 0x0800,
  NO_WRITE: 0x1000,
  CHECKED: 0x2000,
  WARNED: 0x8000,
  DEF_USER: 0x10000,
  DEF_AUTO: 0x20000,
  NEED_SET_CHOICE_VALUES: 0x100000,
} as const;

export type CmpOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A dependency expression. `null` stands for "no condition" (always y) wherever an Expr | null is stored. */
export type Expr =
  | { k: "sym"; sym: Sym }
  | { k: "not"; e: Expr }
  | { k: "and"; l: Expr; r: Expr }
  | { k: "or"; l: Expr; r: Expr }
  | { k: "cmp"; op: CmpOp; l: Sym; r: Sym };

export type PropType = "prompt" | "menu" | "comment" | "default" | "select" | "imply" | "range" | "symbol";

export interface Prop {
  type: PropType;
  /** default/select/imply: the value expression; range: a two-symbol list in `range`. */
  expr: Expr | null;
  range: [Sym, Sym] | null;
  /** The property's condition (`if ...`), later ANDed with the propagated dependencies. */
  visible: Expr | null;
  visibleTri: Tri;
  /** Prompt text for prompt/menu/comment. */
  text: string;
  menu: MenuNode;
  file: string;
  line: number;
}

export interface DepVal {
  expr: Expr | null;
  tri: Tri;
}

export interface Sym {
  /** null for anonymous choices. */
  name: string | null;
  type: SymType;
  flags: number;
  /** Current value: `tri` for bool/tristate, `val` for int/hex/string/unknown, `choice` for a choice's selection. */
  curr: { tri: Tri; val: string; choice: Sym | null };
  /** The value from the user (.config or a command). */
  user: { tri: Tri; val: string | null; choice: Sym | null };
  /** The value from include/config/auto.conf (only used to find changed symbols). */
  auto: { tri: Tri; val: string | null };
  visible: Tri;
  dirDep: DepVal;
  revDep: DepVal;
  implied: DepVal;
  props: Prop[];
  /** For a choice: its values in menu order. For a choice value: its choice. */
  choiceValues: Sym[];
  choice: Sym | null;
  /** Menu nodes that define the symbol, in definition order. */
  menus: MenuNode[];
}

export interface MenuNode {
  sym: Sym | null;
  prompt: Prop | null;
  /** `depends on` (and the parents' dependencies after finalization). */
  dep: Expr | null;
  /** `visible if` of a menu. */
  visibility: Expr | null;
  parent: MenuNode | null;
  list: MenuNode | null;
  next: MenuNode | null;
  help: string | null;
  /** "if" blocks, menus, choices: where the block was opened (for error messages). */
  kind: "root" | "config" | "menuconfig" | "choice" | "menu" | "comment" | "if";
  file: string;
  line: number;
}

function newSym(name: string | null, flags: number): Sym {
  return {
    name,
    type: "unknown",
    flags,
    curr: { tri: NO, val: "", choice: null },
    user: { tri: NO, val: null, choice: null },
    auto: { tri: NO, val: null },
    visible: NO,
    dirDep: { expr: null, tri: NO },
    revDep: { expr: null, tri: NO },
    implied: { expr: null, tri: NO },
    props: [],
    choiceValues: [],
    choice: null,
    menus: [],
  };
}

function constSym(name: string, tri: Tri): Sym {
  const s = newSym(name, F.CONST | F.VALID);
  s.type = "tristate";
  s.curr = { tri, val: name, choice: null };
  return s;
}

/** Linux's SYMBOL_HASHSIZE; iteration order over the table is part of the output format. */
const HASH_SIZE = 9973;

function strhash(s: string): number {
  // FNV-32 as in symbol.c; Kconfig names are ASCII so char codes equal C's (signed) chars.
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The symbol table, iterated like Linux's for_all_symbols (bucket by bucket, newest first). */
export class SymbolTable {
  readonly yes: Sym;
  readonly mod: Sym;
  readonly no: Sym;
  private readonly buckets: Map<number, Sym[]>;
  private ordered: Sym[] | null = null;

  constructor(consts?: { yes: Sym; mod: Sym; no: Sym }, buckets?: Map<number, Sym[]>) {
    this.yes = consts?.yes ?? constSym("y", YES);
    this.mod = consts?.mod ?? constSym("m", MOD);
    this.no = consts?.no ?? constSym("n", NO);
    this.buckets = buckets ?? new Map();
  }

  /** A table with the given constants and hash buckets (each bucket oldest first), e.g. from a snapshot. */
  static restore(consts: { yes: Sym; mod: Sym; no: Sym }, buckets: [number, Sym[]][]): SymbolTable {
    return new SymbolTable(consts, new Map(buckets));
  }

  /** The hash buckets (hash, symbols oldest first), for snapshots. */
  bucketEntries(): [number, Sym[]][] {
    return [...this.buckets];
  }

  private builtin(name: string): Sym | undefined {
    if (name === "y") return this.yes;
    if (name === "m") return this.mod;
    if (name === "n") return this.no;
    return undefined;
  }

  /** sym_lookup: finds or creates; flags select const/choice symbols, 0 means an ordinary symbol. */
  lookup(name: string | null, flags: number): Sym {
    let hash = 0;
    if (name !== null) {
      const b = this.builtin(name);
      if (b) return b;
      hash = strhash(name) % HASH_SIZE;
      const bucket = this.buckets.get(hash) ?? [];
      for (let i = bucket.length - 1; i >= 0; i--) {
        const s = bucket[i]!;
        if (s.name !== name) continue;
        if (flags ? s.flags & flags : !(s.flags & (F.CONST | F.CHOICE))) return s;
      }
    }
    const sym = newSym(name, flags);
    const bucket = this.buckets.get(hash);
    if (bucket) bucket.push(sym);
    else this.buckets.set(hash, [sym]);
    this.ordered = null;
    return sym;
  }

  /** sym_find: an existing non-const symbol by name. */
  find(name: string): Sym | undefined {
    const b = this.builtin(name);
    if (b) return b;
    const bucket = this.buckets.get(strhash(name) % HASH_SIZE);
    if (!bucket) return undefined;
    for (let i = bucket.length - 1; i >= 0; i--) {
      const s = bucket[i]!;
      if (s.name === name && !(s.flags & F.CONST)) return s;
    }
    return undefined;
  }

  /** Every symbol in Linux's for_all_symbols order. */
  all(): readonly Sym[] {
    if (!this.ordered) {
      const out: Sym[] = [];
      for (const h of [...this.buckets.keys()].sort((a, b) => a - b)) {
        const bucket = this.buckets.get(h)!;
        for (let i = bucket.length - 1; i >= 0; i--) out.push(bucket[i]!);
      }
      this.ordered = out;
    }
    return this.ordered;
  }
}

export function exprAnd(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { k: "and", l: a, r: b };
}

export function exprOr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { k: "or", l: a, r: b };
}

/** prop_get_symbol: the symbol of a default/select/imply whose expression is a single symbol. */
export function propSymbol(p: Prop): Sym | null {
  return p.expr && p.expr.k === "sym" ? p.expr.sym : null;
}

export const isChoice = (s: Sym): boolean => (s.flags & F.CHOICE) !== 0;
export const isChoiceValue = (s: Sym): boolean => (s.flags & F.CHOICEVAL) !== 0;
export const hasUserValue = (s: Sym): boolean => (s.flags & F.DEF_USER) !== 0;
export const isOptional = (s: Sym): boolean => (s.flags & F.OPTIONAL) !== 0;

/** A diagnostic in Linux's `file:line:warning: text` form (errors use `file:line: error: text`). */
export interface Diagnostic {
  file: string;
  line: number;
  message: string;
}

export function formatWarning(file: string, line: number, msg: string): string {
  return `${file}:${line}:warning: ${msg}`;
}
