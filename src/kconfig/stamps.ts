// Per-symbol stamps (the Kbuild fixdep model, docs/design/hypervisor-config.md): one small file per symbol
// holding its value, so that a compile can depend on exactly the symbols its source and headers mention.
// Keel's build graph keys steps by content, so a stamp is its value: rewriting it unchanged changes nothing.

import type { Kconfig } from "./kconfig.ts";
import { F } from "./model.ts";

/**
 * Every named symbol of the tree (choice values included) with its current value as a stamp's text:
 * `y`/`n` for bools, the number or string otherwise, then a newline. Symbols only referenced, never
 * defined, have no stamp (a source naming one depends on a missing file, which the graph hashes as such).
 */
export function configStamps(kc: Kconfig): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const sym of kc.symbols.all()) {
    if (!sym.name || sym.flags & F.CONST || sym.flags & F.CHOICE || sym.type === "unknown") continue;
    kc.ev.calc(sym);
    stamps.set(sym.name, `${kc.ev.stringValue(sym)}\n`);
  }
  return new Map([...stamps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
