// Writing configurations (Linux's confdata.c): .config in menu order with menu comments, the minimal
// savedefconfig file, and auto.conf / autoconf.h / auto.conf.cmd in symbol-table order. Pure: each returns text.

import type { Kconfig } from "./kconfig.ts";
import { F, isChoice, isChoiceValue, isOptional, YES, type MenuNode, type Sym } from "./model.ts";

interface CommentStyle {
  decoration: string;
  prefix: string;
  postfix: string;
}
const POUND: CommentStyle = { decoration: "#", prefix: "#", postfix: "#" };
const C_STYLE: CommentStyle = { decoration: " *", prefix: "/*", postfix: " */" };

function heading(kc: Kconfig, cs: CommentStyle): string {
  return `${cs.prefix}\n${cs.decoration} Automatically generated file; DO NOT EDIT.\n${cs.decoration} ${kc.title}\n${cs.postfix}\n`;
}

/** escape_string_value: quotes, with `"` and `\` escaped. */
export function escapeString(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => "\\" + c)}"`;
}

type OutputN = "n" | "unset" | "none";

function printSymbol(kc: Kconfig, sym: Sym, outputN: OutputN, escape: boolean, prefix: string): string {
  if (sym.type === "unknown") return "";
  let val = kc.ev.stringValue(sym);
  if ((sym.type === "bool" || sym.type === "tristate") && outputN !== "n" && val[0] === "n")
    return outputN === "unset" ? `# ${prefix}${sym.name} is not set\n` : "";
  if (sym.type === "string" && escape) val = escapeString(val);
  return `${prefix}${sym.name}=${val}\n`;
}

/** menu_is_visible (for the entries conf_write looks at). */
export function menuVisible(kc: Kconfig, menu: MenuNode): boolean {
  if (!menu.prompt) return false;
  const ev = kc.ev;
  if (menu.visibility && ev.expr(menu.visibility) === 0) return false;
  const sym = menu.sym;
  let visible;
  if (sym) {
    ev.calc(sym);
    visible = menu.prompt.visibleTri;
  } else visible = menu.prompt.visibleTri = ev.expr(menu.prompt.visible);
  if (visible !== 0) return true;
  if (!sym || sym.curr.tri === 0) return false;
  for (let c = menu.list; c; c = c.next) {
    if (menuVisible(kc, c)) {
      sym.flags |= F.DEF_USER;
      return true;
    }
  }
  return false;
}

/** conf_write: the full .config text. */
export function writeConfig(kc: Kconfig, prefix = "CONFIG_"): string {
  let out = heading(kc, POUND);
  if (!kc.changed) kc.clearAllValid();
  let needNewline = false;
  let menu: MenuNode | null = kc.root.list;
  while (menu) {
    const sym: Sym | null = menu.sym;
    if (!sym) {
      if (menuVisible(kc, menu)) {
        out += `\n#\n# ${menu.prompt!.text}\n#\n`;
        needNewline = false;
      }
    } else if (!(sym.flags & F.CHOICE) && !(sym.flags & F.WRITTEN)) {
      kc.ev.calc(sym);
      if (sym.flags & F.WRITE) {
        if (needNewline) {
          out += "\n";
          needNewline = false;
        }
        sym.flags |= F.WRITTEN;
        out += printSymbol(kc, sym, "unset", true, prefix);
      }
    }
    if (menu.list) {
      menu = menu.list;
      continue;
    }
    // Leave finished menus, writing "# end of" for each visible `menu`.
    for (;;) {
      if (!menu.sym && menuVisible(kc, menu) && menu !== kc.root && menu.prompt!.type === "menu") {
        out += `# end of ${menu.prompt!.text}\n`;
        needNewline = true;
      }
      if (menu.next) {
        menu = menu.next;
        break;
      }
      menu = menu.parent;
      if (!menu) break;
    }
  }
  for (const s of kc.symbols.all()) s.flags &= ~F.WRITTEN;
  kc.changed = false;
  return out;
}

/** conf_write_defconfig: only the values that differ from what the tree would choose by itself. */
export function writeDefconfig(kc: Kconfig, prefix = "CONFIG_"): string {
  let out = "";
  kc.clearAllValid();
  let menu: MenuNode | null = kc.root.list;
  while (menu) {
    const sym = menu.sym;
    if (sym && !isChoice(sym)) out += defconfigLine(kc, sym, prefix);
    else if (!sym) menuVisible(kc, menu);
    if (menu.list) menu = menu.list;
    else if (menu.next) menu = menu.next;
    else {
      for (;;) {
        menu = menu.parent;
        if (!menu) break;
        if (menu.next) {
          menu = menu.next;
          break;
        }
      }
    }
  }
  return out;
}

function defconfigLine(kc: Kconfig, sym: Sym, prefix: string): string {
  const ev = kc.ev;
  ev.calc(sym);
  if (!(sym.flags & F.WRITE)) return "";
  sym.flags &= ~F.WRITE;
  if (!ev.changeable(sym)) return "";
  if (ev.stringValue(sym) === ev.stringDefault(sym)) return "";
  if (isChoiceValue(sym) && sym.choice) {
    const cs = sym.choice;
    const ds = ev.choiceDefault(cs);
    if (!isOptional(cs) && sym === ds && sym.type === "bool" && sym.curr.tri === YES) return "";
  }
  return printSymbol(kc, sym, "unset", true, prefix);
}

export interface AutoconfFiles {
  /** include/config/auto.conf */
  autoConf: string;
  /** include/generated/autoconf.h */
  autoconfH: string;
  /** include/config/auto.conf.cmd (Kconfig files and environment the configuration depends on) */
  autoConfCmd: string;
  /** Symbols whose value changed against the previous auto.conf (the files Kbuild touches in include/config/). */
  changedSymbols: string[];
}

function printC(kc: Kconfig, sym: Sym, prefix: string): string {
  if (sym.type === "unknown") return "";
  let val = kc.ev.stringValue(sym);
  let suffix = "";
  let valPrefix = "";
  switch (sym.type) {
    case "bool":
    case "tristate":
      if (val === "n") return "";
      if (val === "m") suffix = "_MODULE";
      val = "1";
      break;
    case "hex":
      if (!/^0[xX]/.test(val)) valPrefix = "0x";
      break;
    case "string":
      val = escapeString(val);
      break;
    default:
      break;
  }
  return `#define ${prefix}${sym.name}${suffix} ${valPrefix}${val}\n`;
}

/**
 * conf_write_autoconf: auto.conf, autoconf.h and auto.conf.cmd. `oldAutoConf` is the previous auto.conf,
 * read (as Linux does) to list the symbols whose value changed.
 */
export function writeAutoconf(
  kc: Kconfig,
  opts: { oldAutoConf?: string; autoconfName?: string; prefix?: string } = {},
): AutoconfFiles {
  const ev = kc.ev;
  const prefix = opts.prefix ?? "CONFIG_";
  const name = opts.autoconfName ?? "include/config/auto.conf";
  let cmd = "deps_config := \\\n";
  for (const f of [...kc.files].reverse()) cmd += `\t${f} \\\n`;
  cmd += `\n${name}: $(deps_config)\n\n`;
  for (const [k, v] of kc.envUsed) cmd += `ifneq "$(${k})" "${v}"\n${name}: FORCE\nendif\n`;
  cmd += "\n$(deps_config): ;\n";

  const changed: string[] = [];
  if (opts.oldAutoConf !== undefined) {
    // conf_read_simple(S_DEF_AUTO) without warnings, then compare (conf_touch_deps).
    for (const line of opts.oldAutoConf.split("\n")) {
      const m = line.startsWith(prefix) ? /^([^=]*)=/.exec(line.slice(prefix.length)) : null;
      if (m && !kc.symbols.find(m[1]!)) changed.push(m[1]!);
    }
    readAuto(kc, opts.oldAutoConf, prefix);
    ev.calc(kc.modules);
    for (const sym of kc.symbols.all()) {
      ev.calc(sym);
      if (sym.flags & F.NO_WRITE || !sym.name) continue;
      const hasAuto = (sym.flags & F.DEF_AUTO) !== 0;
      if (sym.flags & F.WRITE) {
        if (hasAuto) {
          if (sym.type === "bool" || sym.type === "tristate") {
            if (sym.curr.tri === sym.auto.tri) continue;
          } else if (sym.type === "unknown" || ev.stringValue(sym) === sym.auto.val) continue;
        } else if ((sym.type === "bool" || sym.type === "tristate") && sym.curr.tri === 0) continue;
      } else if (!hasAuto) continue;
      changed.push(sym.name);
    }
  }
  for (const sym of kc.symbols.all()) ev.calc(sym);
  let h = heading(kc, C_STYLE);
  let conf = heading(kc, POUND);
  for (const sym of kc.symbols.all()) {
    if (!(sym.flags & F.WRITE) || !sym.name) continue;
    h += printC(kc, sym, prefix);
    conf += printSymbol(kc, sym, "none", false, prefix);
  }
  return { autoConf: conf, autoconfH: h, autoConfCmd: cmd, changedSymbols: changed };
}

function readAuto(kc: Kconfig, text: string, prefix: string): void {
  for (const s of kc.symbols.all()) {
    s.flags &= ~(F.DEF_AUTO | F.VALID);
    if (isChoice(s)) s.flags |= F.DEF_AUTO;
    s.auto = { tri: 0, val: null };
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    const eq = line.indexOf("=", prefix.length);
    if (eq < 0) continue;
    const sym = kc.symbols.find(line.slice(prefix.length, eq));
    if (!sym) continue;
    const v = line.slice(eq + 1);
    if (sym.type === "bool" || sym.type === "tristate") {
      const t = sym.type === "tristate" && v[0] === "m" ? 1 : v[0] === "y" ? 2 : v[0] === "n" ? 0 : -1;
      if (t < 0) continue;
      sym.auto.tri = t as 0 | 1 | 2;
    } else sym.auto.val = v;
    sym.flags |= F.DEF_AUTO;
  }
}
