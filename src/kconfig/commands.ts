// The non-interactive configuration commands, as library functions mirroring Linux's `conf --<mode>`:
// olddefconfig, defconfig, savedefconfig, allnoconfig, allyesconfig, allmodconfig, alldefconfig, tinyconfig.
// Each takes a freshly loaded tree and text inputs and returns the output text; file I/O is the caller's.

import { readConfig, readConfigText } from "./confread.ts";
import { writeAutoconf, writeConfig, writeDefconfig, type AutoconfFiles } from "./confwrite.ts";
import { loadKconfig, type Kconfig, type LoadOptions } from "./kconfig.ts";
import { F, hasUserValue, isChoice, isChoiceValue, MOD, NO, YES } from "./model.ts";

/** A configuration file's name (for messages) and text. */
export interface ConfigInput {
  name: string;
  text: string;
}

export interface CommandResult {
  /** The new .config (empty for savedefconfig). */
  config: string;
  /** savedefconfig's minimal file. */
  defconfig?: string;
  /** Warnings in Linux's wording. */
  warnings: string[];
  /** The tree in its final state, e.g. for `autoconf()`. */
  kconfig: Kconfig;
}

type NewMode = "default" | "yes" | "mod" | "no";

/** conf_set_all_new_symbols: gives every bool/tristate without a user value the mode's value. */
function setAllNewSymbols(kc: Kconfig, mode: NewMode): void {
  const ev = kc.ev;
  const all = kc.symbols.all();
  for (const sym of all) {
    if (hasUserValue(sym) || sym.flags & F.VALID) continue;
    const t = ev.type(sym);
    if (t !== "bool" && t !== "tristate") continue;
    if (mode === "default") continue;
    sym.user.tri = mode === "yes" ? YES : mode === "mod" ? MOD : NO;
    sym.flags |= F.DEF_USER;
  }
  kc.clearAllValid();
  for (const s of all) {
    if ((isChoice(s) && !hasUserValue(s)) || isChoiceValue(s)) s.flags |= F.NEED_SET_CHOICE_VALUES;
  }
  for (const s of all) {
    if (hasUserValue(s) || !isChoice(s)) continue;
    ev.calc(s);
    ev.setAllChoiceValues(s);
  }
}

function result(kc: Kconfig, config: string): CommandResult {
  return { config, warnings: kc.allWarnings(), kconfig: kc };
}

/**
 * olddefconfig: reads the old .config (or, when there is none, the first of `defconfigList` that exists, as
 * KCONFIG_DEFCONFIG_LIST) and writes it back with defaults for every new symbol.
 */
export function olddefconfig(
  tree: LoadOptions,
  oldConfig: ConfigInput | undefined,
  defconfigList: readonly ConfigInput[] = [],
): CommandResult {
  const kc = loadKconfig(tree);
  const input = oldConfig ?? defconfigList[0];
  readConfig(kc, input?.text, input?.name ?? ".config");
  return result(kc, writeConfig(kc));
}

/** defconfig: a .config from a (minimal) defconfig file, everything else at its default. */
export function defconfig(tree: LoadOptions, file: ConfigInput): CommandResult {
  const kc = loadKconfig(tree);
  readConfig(kc, file.text, file.name);
  setAllNewSymbols(kc, "default");
  return result(kc, writeConfig(kc));
}

/** savedefconfig: the minimal defconfig that reproduces `config`. */
export function savedefconfig(tree: LoadOptions, config: ConfigInput | undefined): CommandResult {
  const kc = loadKconfig(tree);
  readConfig(kc, config?.text, config?.name ?? ".config");
  const out = writeDefconfig(kc);
  return { config: "", defconfig: out, warnings: kc.allWarnings(), kconfig: kc };
}

function allConfig(tree: LoadOptions, mode: NewMode, allconfig: ConfigInput | undefined): CommandResult {
  const kc = loadKconfig(tree);
  if (allconfig) readConfigText(kc, allconfig.text, allconfig.name);
  setAllNewSymbols(kc, mode);
  return result(kc, writeConfig(kc));
}

/** allnoconfig: every symbol that can be n is n. `allconfig` is KCONFIG_ALLCONFIG's fragment. */
export function allnoconfig(tree: LoadOptions, allconfig?: ConfigInput): CommandResult {
  return allConfig(tree, "no", allconfig);
}

/** allyesconfig: every symbol that can be y is y. */
export function allyesconfig(tree: LoadOptions, allconfig?: ConfigInput): CommandResult {
  return allConfig(tree, "yes", allconfig);
}

/** allmodconfig: every tristate that can be m is m, other symbols y. */
export function allmodconfig(tree: LoadOptions, allconfig?: ConfigInput): CommandResult {
  return allConfig(tree, "mod", allconfig);
}

/** alldefconfig: every symbol at its default. */
export function alldefconfig(tree: LoadOptions, allconfig?: ConfigInput): CommandResult {
  return allConfig(tree, "default", allconfig);
}

/**
 * mergeConfig: what `scripts/kconfig/merge_config.sh -m base fragments...` writes: every fragment's
 * assignments replace the base's lines for the same symbols, appended at the end.
 */
export function mergeConfig(base: string, fragments: readonly ConfigInput[], prefix = "CONFIG_"): string {
  let merged = base;
  const set = new RegExp(`^(${prefix}[a-zA-Z0-9_]*)=.*`);
  const unset = new RegExp(`^# (${prefix}[a-zA-Z0-9_]*) is not set$`);
  for (const frag of fragments) {
    for (const line of frag.text.split("\n")) {
      const cfg = set.exec(line)?.[1] ?? unset.exec(line)?.[1];
      if (!cfg) continue;
      const word = new RegExp(`(^|[^A-Za-z0-9_])${cfg}($|[^A-Za-z0-9_])`);
      if (!word.test(merged)) continue;
      const kill = new RegExp(`${cfg}[ =]`);
      merged = merged
        .split("\n")
        .filter((l) => !kill.test(l))
        .join("\n");
    }
    merged += "\n" + frag.text;
  }
  return merged;
}

/**
 * tinyconfig, as Linux 6.1's Makefile does it: allnoconfig with `tinyBase` (kernel/configs/tiny-base.config)
 * as KCONFIG_ALLCONFIG, then the `fragments` (kernel/configs/tiny.config and the arch's) merged in, then
 * olddefconfig.
 */
export function tinyconfig(
  tree: LoadOptions,
  tinyBase: ConfigInput,
  fragments: readonly ConfigInput[],
): CommandResult {
  const first = allnoconfig(tree, tinyBase);
  const merged = mergeConfig(first.config, fragments);
  const second = olddefconfig(tree, { name: ".config", text: merged });
  return { ...second, warnings: [...first.warnings, ...second.warnings] };
}

/** auto.conf, autoconf.h and auto.conf.cmd for the tree's current values (after a command). */
export function autoconf(kc: Kconfig, oldAutoConf?: string): AutoconfFiles {
  return writeAutoconf(kc, oldAutoConf === undefined ? {} : { oldAutoConf });
}
