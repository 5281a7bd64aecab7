// include/generated/rustc_cfg: the configuration as `rustc --cfg` options, one a line, written by Linux
// 6.1's conf_write_autoconf beside auto.conf and autoconf.h (confdata.c, print_symbol_for_rustccfg). No
// heading; symbols in symbol-table order, like the other autoconf files. Pure: returns the text.

import { escapeString } from "./confwrite.ts";
import type { Kconfig } from "./kconfig.ts";
import { F } from "./model.ts";

/**
 * The rustc_cfg text for the tree's current values: `--cfg=CONFIG_X` and `--cfg=CONFIG_X="y"` (or "m") for
 * each enabled bool/tristate, `--cfg=CONFIG_X="<value>"` for int, hex (with 0x) and string symbols; values
 * escaped as in .config. Symbols that are n, unnamed or not written are left out.
 */
export function writeRustcCfg(kc: Kconfig, prefix = "CONFIG_"): string {
  const ev = kc.ev;
  for (const sym of kc.symbols.all()) ev.calc(sym);
  let out = "";
  for (const sym of kc.symbols.all()) {
    if (!(sym.flags & F.WRITE) || !sym.name || sym.type === "unknown") continue;
    let val = ev.stringValue(sym);
    if (sym.type === "bool" || sym.type === "tristate") {
      if (val[0] === "n") continue;
      out += `--cfg=${prefix}${sym.name}\n`;
    } else if (sym.type === "hex" && !/^0[xX]/.test(val)) val = `0x${val}`;
    out += `--cfg=${prefix}${sym.name}=${escapeString(val)}\n`;
  }
  return out;
}
