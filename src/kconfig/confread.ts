// Reading .config files (Linux's conf_read_simple and conf_read): `CONFIG_X=v` and `# CONFIG_X is not set`
// lines become user values; later lines override earlier ones, with Linux's warnings.

import { validString } from "./finalize.ts";
import type { Kconfig } from "./kconfig.ts";
import {
  F,
  formatWarning,
  hasUserValue,
  isChoice,
  isChoiceValue,
  MOD,
  NO,
  triOr,
  YES,
  type Sym,
} from "./model.ts";

export interface ReadOptions {
  /** Which value slot to fill: the user's (.config, defconfig) or auto.conf's. */
  slot?: "user" | "auto";
  /** The CONFIG_ prefix (Linux reads it from $CONFIG_). */
  prefix?: string;
  /** Warn about symbols the tree does not define (KCONFIG_WARN_UNKNOWN_SYMBOLS). */
  warnUnknown?: boolean;
}

/** conf_read_simple on the text of a file; returns the number of warnings. */
export function readConfigText(kc: Kconfig, text: string, filename: string, opts: ReadOptions = {}): number {
  const slot = opts.slot ?? "user";
  const prefix = opts.prefix ?? "CONFIG_";
  const defFlag = slot === "user" ? F.DEF_USER : F.DEF_AUTO;
  let warnings = 0;
  let lineno = 0;
  const warn = (msg: string): void => {
    kc.warnings.push(formatWarning(filename, lineno, msg));
    warnings++;
  };

  for (const s of kc.symbols.all()) {
    s.flags &= ~(defFlag | F.VALID);
    if (isChoice(s)) s.flags |= defFlag;
    if (slot === "user") s.user = { tri: NO, val: null, choice: null };
    else s.auto = { tri: NO, val: null };
  }

  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const raw of lines) {
    lineno++;
    let name: string;
    let val: string;
    if (raw.startsWith("#")) {
      if (raw[1] !== " " || !raw.startsWith(prefix, 2)) continue;
      const rest = raw.slice(2 + prefix.length);
      const sp = rest.indexOf(" ");
      if (sp < 0 || !rest.startsWith("is not set", sp + 1)) continue;
      name = rest.slice(0, sp);
      val = "n";
    } else if (raw.startsWith(prefix)) {
      const rest = raw.slice(prefix.length);
      const eq = rest.indexOf("=");
      if (eq < 0) continue;
      name = rest.slice(0, eq);
      val = rest.slice(eq + 1).replace(/\r$/, "");
    } else {
      if (raw !== "" && raw[0] !== "\r") warn(`unexpected data: ${raw.replace(/\r.*$/, "")}`);
      continue;
    }
    const sym = kc.symbols.find(name);
    if (!sym) {
      if (slot === "user") {
        if (opts.warnUnknown) warn(`unknown symbol: ${name}`);
        kc.changed = true;
      }
      continue;
    }
    if (sym.flags & defFlag) warn(`override: reassigning to symbol ${sym.name}`);
    if (!setValue(sym, slot, defFlag, val, warn)) continue;
    if (slot === "user" && isChoiceValue(sym) && sym.choice) {
      const cs = sym.choice;
      if (sym.user.tri === MOD) {
        if (cs.user.tri === YES) {
          warn(`${sym.name} creates inconsistent choice state`);
          cs.flags &= ~defFlag;
        }
      } else if (sym.user.tri === YES) {
        if (cs.user.tri !== NO) warn(`override: ${sym.name} changes choice state`);
        cs.user.choice = sym;
      }
      cs.user.tri = triOr(cs.user.tri, sym.user.tri);
    }
  }
  return warnings;
}

/** conf_set_sym_val; false when the value was rejected. */
function setValue(
  sym: Sym,
  slot: "user" | "auto",
  defFlag: number,
  p: string,
  warn: (m: string) => void,
): boolean {
  const user = slot === "user";
  const setTri = (t: 0 | 1 | 2): boolean => {
    if (user) sym.user.tri = t;
    else sym.auto.tri = t;
    sym.flags |= defFlag;
    return true;
  };
  switch (sym.type) {
    case "tristate":
    case "bool":
      if (sym.type === "tristate" && p[0] === "m") return setTri(MOD);
      if (p[0] === "y") return setTri(YES);
      if (p[0] === "n") return setTri(NO);
      if (user) warn(`symbol value '${p}' invalid for ${sym.name}`);
      return false;
    case "string":
    case "int":
    case "hex": {
      if (sym.type === "string" && user) {
        if (p[0] !== '"') return true;
        let out = "";
        let i = 1;
        let closed = false;
        for (; i < p.length; i++) {
          const c = p[i]!;
          if (c === '"') {
            closed = true;
            break;
          }
          if (c === "\\") {
            i++;
            if (i < p.length) out += p[i];
            continue;
          }
          out += c;
        }
        if (!closed) {
          warn("invalid string found");
          return false;
        }
        p = out;
      }
      if (validString(sym.type, p)) {
        if (user) sym.user.val = p;
        else sym.auto.val = p;
        sym.flags |= defFlag;
        return true;
      }
      if (user) warn(`symbol value '${p}' invalid for ${sym.name}`);
      return false;
    }
    default:
      return true;
  }
}

/**
 * conf_read: reads a .config (or a defconfig) into user values, then drops values that no longer apply
 * (out-of-range numbers; values of invisible symbols when nothing else changed).
 */
export function readConfig(
  kc: Kconfig,
  text: string | undefined,
  filename: string,
  opts: ReadOptions = {},
): boolean {
  const ev = kc.ev;
  kc.changed = false;
  if (text === undefined) {
    kc.changed = true;
    ev.calc(kc.modules);
    return false;
  }
  const warnings = readConfigText(kc, text, filename, opts);
  ev.calc(kc.modules);
  let unsaved = 0;
  for (const sym of kc.symbols.all()) {
    ev.calc(sym);
    if (isChoice(sym) || sym.flags & F.NO_WRITE) continue;
    if (hasUserValue(sym) && sym.flags & F.WRITE) {
      if (sym.type === "bool" || sym.type === "tristate") {
        if (sym.user.tri === sym.curr.tri) continue;
      } else if (sym.curr.val === sym.user.val) continue;
    } else if (!hasUserValue(sym) && !(sym.flags & F.WRITE)) continue;
    unsaved++;
  }
  for (const sym of kc.symbols.all()) {
    if (!hasUserValue(sym) || isChoiceValue(sym)) continue;
    if (sym.visible === NO && !unsaved) sym.flags &= ~F.DEF_USER;
    if (sym.type === "string" || sym.type === "int" || sym.type === "hex") {
      if (ev.stringWithinRange(sym, sym.user.val ?? "", validString)) continue;
      sym.flags &= ~(F.VALID | F.DEF_USER);
      unsaved++;
    }
  }
  if (warnings || unsaved) kc.changed = true;
  return true;
}
