// A loaded tree as text and back: the parsed, finalized and checked Kconfig (symbols, properties, menu
// tree, expressions), exactly as loadKconfig() leaves it before any command evaluates it, so a later run
// can skip parsing. Together with it goes the LoadRecord: everything the load read from outside (the files
// it asked for, the environment variables, the $(shell,...) answers, the $(info,...) lines), which the
// caller checks before trusting a snapshot. Pure: the caller does the I/O (src/cli/kconfig.ts).
//
// Objects are numbered and written as an Int32 stream (references are indices; -1 is null) beside a
// string table, so shared expressions stay shared, deep menu lists need no recursion and decoding is
// mostly object allocation. Decoding builds every object with the same shape, in the same field order,
// as the parser does.

import { Evaluator } from "./eval.ts";
import { Kconfig, type LoadOptions } from "./kconfig.ts";
import {
  SymbolTable,
  type CmpOp,
  type Expr,
  type MenuNode,
  type Prop,
  type PropType,
  type Sym,
  type SymType,
  type Tri,
} from "./model.ts";

/** Bumped whenever the model or this encoding changes. */
export const SNAPSHOT_VERSION = 1;

/** What a load read from outside the engine; a snapshot is valid while all of it is unchanged. */
export interface LoadRecord {
  /** Every file name the load asked for, found or not, first ask first. */
  files: string[];
  /** Every environment variable the macros looked up, with the value seen (null: unset). */
  env: [string, string | null][];
  /** Every $(shell,...) command, with its output, in order. */
  shell: [string, string][];
  /** $(info,...) lines, in order. */
  info: string[];
}

const SYM_TYPES: readonly SymType[] = ["unknown", "bool", "tristate", "int", "hex", "string"];
const PROP_TYPES: readonly PropType[] = [
  "prompt",
  "menu",
  "comment",
  "default",
  "select",
  "imply",
  "range",
  "symbol",
];
const KINDS: readonly MenuNode["kind"][] = [
  "root",
  "config",
  "menuconfig",
  "choice",
  "menu",
  "comment",
  "if",
];
const OPS: readonly CmpOp[] = ["=", "!=", "<", "<=", ">", ">="];

class Numbering<T> {
  readonly ids = new Map<T, number>();
  readonly list: T[] = [];
  id(x: T | null): number {
    if (x === null) return -1;
    let i = this.ids.get(x);
    if (i === undefined) {
      i = this.list.length;
      this.ids.set(x, i);
      this.list.push(x);
    }
    return i;
  }
}

/** Everything that is not a number in the int stream. */
interface Meta {
  v: number;
  files: string[];
  envUsed: [string, string][];
  warnings: string[];
  record: LoadRecord;
}

const MAGIC = 0x4b545245; // "KTRE"

/** The lists of a symbol shell until the reference pass fills them in (never seen outside the decoder). */
const PENDING: never[] = [];

/**
 * The tree `kc` (freshly loaded, not yet evaluated) and its load record as bytes: a string table, a JSON
 * part, and an Int32 stream of every object's fields (references as indices, -1 for null).
 */
export function encodeSnapshot(kc: Kconfig, record: LoadRecord): Uint8Array {
  const syms = new Numbering<Sym>();
  const menus = new Numbering<MenuNode>();
  const props = new Numbering<Prop>();
  // Strings are written in order without looking them up (a big Map costs more than the repeats),
  // except file names, which repeat on every menu node and property.
  const strings: string[] = [];
  const str = (x: string | null): number => {
    if (x === null) return -1;
    strings.push(x);
    return strings.length - 1;
  };
  const fileIds = new Map<string, number>();
  const file = (x: string): number => {
    let i = fileIds.get(x);
    if (i === undefined) fileIds.set(x, (i = str(x)));
    return i;
  };
  // One pass: each object's row is written when the walk reaches it, and every reference numbers its
  // target on first sight (one Map operation per reference). Expressions are written children first,
  // so decoding builds each from ones already built.
  const exprIds = new Map<Expr, number>();
  const exprRows: number[] = [];
  const expr = (e: Expr | null): number => {
    if (e === null) return -1;
    const known = exprIds.get(e);
    if (known !== undefined) return known;
    switch (e.k) {
      case "sym":
        exprRows.push(0, syms.id(e.sym));
        break;
      case "not": {
        const x = expr(e.e);
        exprRows.push(1, x);
        break;
      }
      case "and":
      case "or": {
        const l = expr(e.l);
        const r = expr(e.r);
        exprRows.push(e.k === "and" ? 2 : 3, l, r);
        break;
      }
      case "cmp":
        exprRows.push(4, OPS.indexOf(e.op), syms.id(e.l), syms.id(e.r));
    }
    const id = exprIds.size;
    exprIds.set(e, id);
    return id;
  };

  const table = kc.symbols;
  const consts = [syms.id(table.yes), syms.id(table.mod), syms.id(table.no)];
  const bucketRows: number[] = [];
  const buckets = table.bucketEntries();
  for (const [h, list] of buckets) {
    bucketRows.push(h, list.length);
    for (const x of list) bucketRows.push(syms.id(x));
  }
  const root = menus.id(kc.root);
  const modules = syms.id(kc.modules);

  const symRows: number[] = [];
  const symRefs: number[] = [];
  const menuRows: number[] = [];
  const menuRefs: number[] = [];
  const propRows: number[] = [];
  // Each list grows while it is walked.
  for (
    let si = 0, mi = 0, pi = 0;
    si < syms.list.length || mi < menus.list.length || pi < props.list.length;
  ) {
    for (; si < syms.list.length; si++) {
      const s = syms.list[si]!;
      symRows.push(SYM_TYPES.indexOf(s.type), s.flags, str(s.name));
      symRows.push(s.curr.tri, str(s.curr.val), s.user.tri, str(s.user.val), s.auto.tri, str(s.auto.val));
      symRows.push(s.visible, s.dirDep.tri, s.revDep.tri, s.implied.tri);
      symRefs.push(syms.id(s.curr.choice), syms.id(s.user.choice));
      symRefs.push(expr(s.dirDep.expr), expr(s.revDep.expr), expr(s.implied.expr));
      symRefs.push(s.props.length);
      for (const p of s.props) symRefs.push(props.id(p));
      symRefs.push(s.choiceValues.length);
      for (const c of s.choiceValues) symRefs.push(syms.id(c));
      symRefs.push(syms.id(s.choice));
      symRefs.push(s.menus.length);
      for (const m of s.menus) symRefs.push(menus.id(m));
    }
    for (; mi < menus.list.length; mi++) {
      const m = menus.list[mi]!;
      menuRows.push(syms.id(m.sym), expr(m.dep), expr(m.visibility), str(m.help));
      menuRows.push(KINDS.indexOf(m.kind), file(m.file), m.line);
      menuRefs.push(props.id(m.prompt), menus.id(m.parent), menus.id(m.list), menus.id(m.next));
    }
    for (; pi < props.list.length; pi++) {
      const p = props.list[pi]!;
      propRows.push(PROP_TYPES.indexOf(p.type), expr(p.expr));
      propRows.push(p.range ? syms.id(p.range[0]) : -1, p.range ? syms.id(p.range[1]) : -1);
      propRows.push(expr(p.visible), p.visibleTri, str(p.text), menus.id(p.menu), file(p.file), p.line);
    }
  }

  const head = [
    MAGIC,
    SNAPSHOT_VERSION,
    syms.list.length,
    exprIds.size,
    props.list.length,
    menus.list.length,
  ];
  head.push(buckets.length, ...consts, root, modules);
  const parts = [head, symRows, exprRows, menuRows, propRows, symRefs, menuRefs, bucketRows];
  const meta: Meta = {
    v: SNAPSHOT_VERSION,
    files: [...kc.files],
    envUsed: [...kc.envUsed],
    warnings: [...kc.warnings],
    record,
  };
  const joined = strings.join("\0");
  let nuls = 0;
  for (let i = joined.indexOf("\0"); i >= 0; i = joined.indexOf("\0", i + 1)) nuls++;
  if (nuls !== Math.max(0, strings.length - 1)) throw new Error("kconfig snapshot: a string holds NUL");
  const text = Buffer.from(joined, "utf8");
  const json = Buffer.from(JSON.stringify(meta), "utf8");
  const pad = (n: number): number => (n + 3) & ~3;
  const count = parts.reduce((n, p) => n + p.length, 0);
  const buf = Buffer.alloc(8 + pad(text.length) + pad(json.length) + count * 4);
  buf.writeUInt32LE(text.length, 0);
  buf.writeUInt32LE(json.length, 4);
  text.copy(buf, 8);
  json.copy(buf, 8 + pad(text.length));
  // Buffer.alloc is never pooled: the Int32 view is 4-byte aligned.
  const ints = new Int32Array(buf.buffer, buf.byteOffset + 8 + pad(text.length) + pad(json.length), count);
  let at = 0;
  for (const p of parts) {
    ints.set(p, at);
    at += p.length;
  }
  return buf;
}

/** The tree and record from encodeSnapshot's bytes; null when they are not a snapshot of this version. */
export function decodeSnapshot(bytes: Uint8Array): { kconfig: Kconfig; record: LoadRecord } | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) return null;
  const pad = (n: number): number => (n + 3) & ~3;
  const textLen = buf.readUInt32LE(0);
  const jsonLen = buf.readUInt32LE(4);
  const intsAt = 8 + pad(textLen) + pad(jsonLen);
  if (intsAt > buf.length || (buf.length - intsAt) % 4 !== 0) return null;
  // An aligned copy when the bytes do not start on a 4-byte boundary.
  const intBytes =
    (buf.byteOffset + intsAt) % 4 === 0 ? buf.subarray(intsAt) : Buffer.from(buf.subarray(intsAt));
  const d = new Int32Array(intBytes.buffer, intBytes.byteOffset, intBytes.length / 4);
  if (d[0] !== MAGIC || d[1] !== SNAPSHOT_VERSION) return null;
  let meta: Meta;
  try {
    meta = JSON.parse(buf.toString("utf8", 8 + pad(textLen), 8 + pad(textLen) + jsonLen)) as Meta;
  } catch {
    return null;
  }
  const strings = buf.toString("utf8", 8, 8 + textLen).split("\0");
  let i = 2;
  const nSyms = d[i++]!;
  const nExprs = d[i++]!;
  const nProps = d[i++]!;
  const nMenus = d[i++]!;
  const nBuckets = d[i++]!;
  const [yesId, modId, noId, rootId, modulesId] = [d[i++]!, d[i++]!, d[i++]!, d[i++]!, d[i++]!];
  const s = (k: number): string => strings[k]!;
  const sn = (k: number): string | null => (k < 0 ? null : strings[k]!);

  // Shells first (every field present, in the parser's order), references filled in afterwards.
  const syms: Sym[] = new Array<Sym>(nSyms);
  for (let k = 0; k < nSyms; k++) {
    const type = SYM_TYPES[d[i++]!]!;
    const flags = d[i++]!;
    const name = sn(d[i++]!);
    const currTri = d[i++] as Tri;
    const currVal = s(d[i++]!);
    const userTri = d[i++] as Tri;
    const userVal = sn(d[i++]!);
    const autoTri = d[i++] as Tri;
    const autoVal = sn(d[i++]!);
    syms[k] = {
      name,
      type,
      flags,
      curr: { tri: currTri, val: currVal, choice: null },
      user: { tri: userTri, val: userVal, choice: null },
      auto: { tri: autoTri, val: autoVal },
      visible: d[i++] as Tri,
      dirDep: { expr: null, tri: d[i++] as Tri },
      revDep: { expr: null, tri: d[i++] as Tri },
      implied: { expr: null, tri: d[i++] as Tri },
      // Replaced by the reference pass below.
      props: PENDING,
      choiceValues: PENDING,
      choice: null,
      menus: PENDING,
    };
  }
  const sym = (k: number): Sym | null => (k < 0 ? null : syms[k]!);

  const exprs: Expr[] = new Array<Expr>(nExprs);
  for (let k = 0; k < nExprs; k++) {
    switch (d[i++]) {
      case 0:
        exprs[k] = { k: "sym", sym: syms[d[i++]!]! };
        break;
      case 1:
        exprs[k] = { k: "not", e: exprs[d[i++]!]! };
        break;
      case 2:
        exprs[k] = { k: "and", l: exprs[d[i++]!]!, r: exprs[d[i++]!]! };
        break;
      case 3:
        exprs[k] = { k: "or", l: exprs[d[i++]!]!, r: exprs[d[i++]!]! };
        break;
      default:
        exprs[k] = { k: "cmp", op: OPS[d[i++]!]!, l: syms[d[i++]!]!, r: syms[d[i++]!]! };
    }
  }
  const expr = (k: number): Expr | null => (k < 0 ? null : exprs[k]!);

  const menus: MenuNode[] = new Array<MenuNode>(nMenus);
  for (let k = 0; k < nMenus; k++) {
    menus[k] = {
      sym: sym(d[i++]!),
      prompt: null,
      dep: expr(d[i++]!),
      visibility: expr(d[i++]!),
      parent: null,
      list: null,
      next: null,
      help: sn(d[i++]!),
      kind: KINDS[d[i++]!]!,
      file: s(d[i++]!),
      line: d[i++]!,
    };
  }
  const menu = (k: number): MenuNode | null => (k < 0 ? null : menus[k]!);

  const props: Prop[] = new Array<Prop>(nProps);
  for (let k = 0; k < nProps; k++) {
    const type = PROP_TYPES[d[i++]!]!;
    const e = expr(d[i++]!);
    const r0 = d[i++]!;
    const r1 = d[i++]!;
    props[k] = {
      type,
      expr: e,
      range: r0 < 0 ? null : [syms[r0]!, syms[r1]!],
      visible: expr(d[i++]!),
      visibleTri: d[i++] as Tri,
      text: s(d[i++]!),
      menu: menus[d[i++]!]!,
      file: s(d[i++]!),
      line: d[i++]!,
    };
  }

  for (let k = 0; k < nSyms; k++) {
    const x = syms[k]!;
    x.curr.choice = sym(d[i++]!);
    x.user.choice = sym(d[i++]!);
    x.dirDep.expr = expr(d[i++]!);
    x.revDep.expr = expr(d[i++]!);
    x.implied.expr = expr(d[i++]!);
    let n = d[i++]!;
    x.props = refs(props, d, i, n);
    i += n;
    n = d[i++]!;
    x.choiceValues = refs(syms, d, i, n);
    i += n;
    x.choice = sym(d[i++]!);
    n = d[i++]!;
    x.menus = refs(menus, d, i, n);
    i += n;
  }
  for (let k = 0; k < nMenus; k++) {
    const m = menus[k]!;
    const p = d[i++]!;
    m.prompt = p < 0 ? null : props[p]!;
    m.parent = menu(d[i++]!);
    m.list = menu(d[i++]!);
    m.next = menu(d[i++]!);
  }
  const buckets: [number, Sym[]][] = [];
  for (let k = 0; k < nBuckets; k++) {
    const h = d[i++]!;
    const n = d[i++]!;
    buckets.push([h, refs(syms, d, i, n)]);
    i += n;
  }
  if (i !== d.length) return null;

  const table = SymbolTable.restore({ yes: syms[yesId]!, mod: syms[modId]!, no: syms[noId]! }, buckets);
  const modules = syms[modulesId]!;
  const kconfig = new Kconfig(
    table,
    menus[rootId]!,
    modules,
    new Evaluator(table, modules),
    meta.files,
    new Map(meta.envUsed),
    meta.warnings,
  );
  return { kconfig, record: meta.record };
}

/**
 * The objects of `of` that d[at..at+n) refer to. Short lists are array literals, sized exactly: pushing
 * onto [] reserves 17 slots, and most lists here hold one or two (~5 MB more to allocate, and for the
 * young generation to copy, in Linux's tree).
 */
function refs<T>(of: T[], d: Int32Array, at: number, n: number): T[] {
  if (n === 0) return [];
  if (n === 1) return [of[d[at]!]!];
  if (n === 2) return [of[d[at]!]!, of[d[at + 1]!]!];
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(of[d[at + k]!]!);
  return out;
}

/**
 * Whether the environment and the $(shell,...) commands still answer as `record` says, for loading with
 * `opts` (each command is asked again: with a probe cache that is a lookup). The files are the caller's
 * to check. When every input answers the same, a parse would make the same tree.
 */
export function recordHolds(record: LoadRecord, opts: LoadOptions): boolean {
  const env = opts.env ?? {};
  for (const [name, value] of record.env) if ((env[name] ?? null) !== value) return false;
  for (const [cmd, out] of record.shell) if (!opts.shell || opts.shell(cmd) !== out) return false;
  return true;
}
