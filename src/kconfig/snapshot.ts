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

/**
 * The tree `kc` (freshly loaded, not yet evaluated) and its load record as bytes: a string table, a JSON
 * part, and an Int32 stream of every object's fields (references as indices, -1 for null).
 */
export function encodeSnapshot(kc: Kconfig, record: LoadRecord): Uint8Array {
  const syms = new Numbering<Sym>();
  const menus = new Numbering<MenuNode>();
  const props = new Numbering<Prop>();
  const exprs = new Numbering<Expr>();
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
  // Expressions are numbered children first, so decoding builds each from ones already built.
  const expr = (e: Expr | null): number => {
    if (e === null) return -1;
    const known = exprs.ids.get(e);
    if (known !== undefined) return known;
    switch (e.k) {
      case "sym":
        syms.id(e.sym);
        break;
      case "not":
        expr(e.e);
        break;
      case "and":
      case "or":
        expr(e.l);
        expr(e.r);
        break;
      case "cmp":
        syms.id(e.l);
        syms.id(e.r);
    }
    return exprs.id(e);
  };

  const table = kc.symbols;
  const consts = [syms.id(table.yes), syms.id(table.mod), syms.id(table.no)];
  const buckets = table.bucketEntries();
  for (const [, list] of buckets) for (const s of list) syms.id(s);
  const root = menus.id(kc.root);
  const modules = syms.id(kc.modules);
  // Number everything reachable; each list grows while it is walked.
  for (
    let si = 0, mi = 0, pi = 0;
    si < syms.list.length || mi < menus.list.length || pi < props.list.length;
  ) {
    for (; si < syms.list.length; si++) {
      const s = syms.list[si]!;
      syms.id(s.curr.choice);
      syms.id(s.user.choice);
      expr(s.dirDep.expr);
      expr(s.revDep.expr);
      expr(s.implied.expr);
      for (const p of s.props) props.id(p);
      for (const c of s.choiceValues) syms.id(c);
      syms.id(s.choice);
      for (const m of s.menus) menus.id(m);
    }
    for (; mi < menus.list.length; mi++) {
      const m = menus.list[mi]!;
      syms.id(m.sym);
      props.id(m.prompt);
      expr(m.dep);
      expr(m.visibility);
      menus.id(m.parent);
      menus.id(m.list);
      menus.id(m.next);
    }
    for (; pi < props.list.length; pi++) {
      const p = props.list[pi]!;
      expr(p.expr);
      if (p.range) {
        syms.id(p.range[0]);
        syms.id(p.range[1]);
      }
      expr(p.visible);
      menus.id(p.menu);
    }
  }

  const out: number[] = [MAGIC, SNAPSHOT_VERSION];
  out.push(syms.list.length, exprs.list.length, props.list.length, menus.list.length, buckets.length);
  out.push(...consts, root, modules);
  for (const s of syms.list) {
    out.push(SYM_TYPES.indexOf(s.type), s.flags, str(s.name));
    out.push(s.curr.tri, str(s.curr.val), s.user.tri, str(s.user.val), s.auto.tri, str(s.auto.val));
    out.push(s.visible, s.dirDep.tri, s.revDep.tri, s.implied.tri);
  }
  for (const e of exprs.list) {
    switch (e.k) {
      case "sym":
        out.push(0, syms.id(e.sym));
        break;
      case "not":
        out.push(1, exprs.id(e.e));
        break;
      case "and":
        out.push(2, exprs.id(e.l), exprs.id(e.r));
        break;
      case "or":
        out.push(3, exprs.id(e.l), exprs.id(e.r));
        break;
      case "cmp":
        out.push(4, OPS.indexOf(e.op), syms.id(e.l), syms.id(e.r));
    }
  }
  for (const m of menus.list) {
    out.push(syms.id(m.sym), exprs.id(m.dep), exprs.id(m.visibility), str(m.help));
    out.push(KINDS.indexOf(m.kind), file(m.file), m.line);
  }
  for (const p of props.list) {
    out.push(PROP_TYPES.indexOf(p.type), exprs.id(p.expr));
    out.push(p.range ? syms.id(p.range[0]) : -1, p.range ? syms.id(p.range[1]) : -1);
    out.push(exprs.id(p.visible), p.visibleTri, str(p.text), menus.id(p.menu), file(p.file), p.line);
  }
  for (const s of syms.list) {
    out.push(syms.id(s.curr.choice), syms.id(s.user.choice));
    out.push(exprs.id(s.dirDep.expr), exprs.id(s.revDep.expr), exprs.id(s.implied.expr));
    out.push(s.props.length);
    for (const p of s.props) out.push(props.id(p));
    out.push(s.choiceValues.length);
    for (const c of s.choiceValues) out.push(syms.id(c));
    out.push(syms.id(s.choice));
    out.push(s.menus.length);
    for (const m of s.menus) out.push(menus.id(m));
  }
  for (const m of menus.list) {
    out.push(props.id(m.prompt), menus.id(m.parent), menus.id(m.list), menus.id(m.next));
  }
  for (const [h, list] of buckets) {
    out.push(h, list.length);
    for (const x of list) out.push(syms.id(x));
  }

  const meta: Meta = {
    v: SNAPSHOT_VERSION,
    files: [...kc.files],
    envUsed: [...kc.envUsed],
    warnings: [...kc.warnings],
    record,
  };
  const joined = strings.join("\0");
  if (joined.split("\0").length !== strings.length) throw new Error("kconfig snapshot: a string holds NUL");
  const text = Buffer.from(joined, "utf8");
  const json = Buffer.from(JSON.stringify(meta), "utf8");
  const pad = (n: number): number => (n + 3) & ~3;
  const buf = Buffer.alloc(8 + pad(text.length) + pad(json.length) + out.length * 4);
  buf.writeUInt32LE(text.length, 0);
  buf.writeUInt32LE(json.length, 4);
  text.copy(buf, 8);
  json.copy(buf, 8 + pad(text.length));
  const ints = new Int32Array(
    buf.buffer,
    buf.byteOffset + 8 + pad(text.length) + pad(json.length),
    out.length,
  );
  ints.set(out);
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
      props: [],
      choiceValues: [],
      choice: null,
      menus: [],
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
    for (let n = d[i++]!; n > 0; n--) x.props.push(props[d[i++]!]!);
    for (let n = d[i++]!; n > 0; n--) x.choiceValues.push(syms[d[i++]!]!);
    x.choice = sym(d[i++]!);
    for (let n = d[i++]!; n > 0; n--) x.menus.push(menus[d[i++]!]!);
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
    const list: Sym[] = [];
    for (let n = d[i++]!; n > 0; n--) list.push(syms[d[i++]!]!);
    buckets.push([h, list]);
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
