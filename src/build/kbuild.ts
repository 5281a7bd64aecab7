// A folder's Kbuild file: which of its sources the configuration compiles, in the Linux Kbuild subset Keel
// needs (docs/design/hypervisor-config.md):
//   obj-y += a.o b.o                 always
//   obj-$(CONFIG_X) += c.o           when X is y
//   sbi-ext-$(CONFIG_X) += time      any other list, same rule (the SBI table is generated from sbi-ext)
// Comments start with #, a trailing backslash continues a line. Pure: text and values in, lists out.
import { UserError } from "../util/errors.ts";

/** One `list-cond += items` line. */
export interface KbuildEntry {
  /** "obj", "sbi-ext", ... */
  list: string;
  /** The symbol (without CONFIG_) that gates the items, or null for `-y`. */
  symbol: string | null;
  items: string[];
  line: number;
}

/** An error at file:line (column 1: the line as a whole is at fault). */
function kbuildError(file: string, line: number, message: string): UserError {
  return new UserError(message, { location: { file, line, col: 1 } });
}

const LINE = /^([a-z][a-z0-9-]*)-(y|\$\(CONFIG_([A-Za-z0-9_]+)\))\s*\+=\s*(.*)$/;

/** Parses a Kbuild file; any other line is an error naming file:line. */
export function parseKbuild(text: string, file: string): KbuildEntry[] {
  const entries: KbuildEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let raw = lines[i]!;
    while (raw.endsWith("\\") && i + 1 < lines.length) raw = `${raw.slice(0, -1)} ${lines[++i]!}`;
    const body = raw.replace(/#.*$/, "").trim();
    if (body === "") continue;
    const m = LINE.exec(body);
    if (!m) {
      throw kbuildError(file, line, `expected "<list>-y += ..." or "<list>-$(CONFIG_<SYMBOL>) += ..."`);
    }
    const items = m[4]!.split(/\s+/).filter(Boolean);
    if (items.length === 0) {
      throw kbuildError(file, line, `"+=" with nothing after it`);
    }
    entries.push({ list: m[1]!, symbol: m[2] === "y" ? null : m[3]!, items, line });
  }
  return entries;
}

/** A symbol's value as the configuration gives it: "y", "n", a number or a string; undefined when unknown. */
export type SymbolValue = (name: string) => string | undefined;

/**
 * The items of `list` the configuration selects, in file order. A gating symbol the configuration does not
 * know is an error (a typo in a Kbuild file must not silently drop a file).
 */
export function selectedItems(
  entries: readonly KbuildEntry[],
  list: string,
  value: SymbolValue,
  file: string,
): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.list !== list) continue;
    if (e.symbol !== null) {
      const v = value(e.symbol);
      if (v === undefined) {
        throw kbuildError(file, e.line, `CONFIG_${e.symbol} is not a symbol of the Kconfig tree`);
      }
      if (v !== "y") continue;
    }
    out.push(...e.items);
  }
  return out;
}

/**
 * The sources of a folder with a Kbuild file: the `obj` items the configuration selects, mapped from
 * `name.o` to the folder's `name.c` or `name.S`. Every source of the folder must be named by some obj line
 * (selected or not), and every obj item must have a source: both mistakes are errors naming the file.
 */
export function kbuildSources(
  entries: readonly KbuildEntry[],
  value: SymbolValue,
  file: string,
  /** Source file names in the folder (*.c, *.S). */
  present: readonly string[],
): string[] {
  const sourceOf = (obj: string, line: number): string => {
    const stem = obj.replace(/\.o$/, "");
    const src = present.find((p) => p === `${stem}.c` || p === `${stem}.S`);
    if (!obj.endsWith(".o") || src === undefined) {
      throw kbuildError(file, line, `${obj}: no ${stem}.c or ${stem}.S in this folder`);
    }
    return src;
  };
  const named = new Set<string>();
  for (const e of entries) if (e.list === "obj") for (const o of e.items) named.add(sourceOf(o, e.line));
  const missing = present.filter((p) => !named.has(p));
  if (missing.length > 0) {
    const what = `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not listed`;
    throw kbuildError(file, 1, `${what} (add an obj-y or obj-$(CONFIG_...) line)`);
  }
  const selected = selectedItems(entries, "obj", value, file);
  return [...new Set(selected.map((o) => sourceOf(o, 0)))];
}
