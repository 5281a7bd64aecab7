// Keel's Kconfig engine: a Linux 6.1-compatible implementation of the Kconfig language and of `conf`'s
// non-interactive commands. See docs/kconfig.md.

export { loadKconfig, Kconfig, kconfigError, type LoadOptions, type KconfigCache } from "./kconfig.ts";
export {
  olddefconfig,
  defconfig,
  savedefconfig,
  allnoconfig,
  allyesconfig,
  allmodconfig,
  alldefconfig,
  tinyconfig,
  mergeConfig,
  autoconf,
  type CommandResult,
  type ConfigInput,
} from "./commands.ts";
export { readConfig, readConfigText } from "./confread.ts";
export { writeConfig, writeDefconfig, writeAutoconf, type AutoconfFiles } from "./confwrite.ts";
export { writeRustcCfg } from "./rustccfg.ts";
export { treeFs, shellRunner, treeFileId } from "./node.ts";
export { encodeSnapshot, decodeSnapshot, recordHolds, type LoadRecord } from "./snapshot.ts";
export { fileTreeCache } from "./treecache.ts";
export type { KconfigFs } from "./stream.ts";
export type { ShellRunner } from "./macro.ts";
export type { Sym, MenuNode, Tri } from "./model.ts";
export { runConf, type ConfIo, type ConfMode } from "./conf.ts";
export { MenuConfig, type MenuIo, type Key } from "./menuconfig.ts";
export { setTri, setString, toggleTri, helpText, symbolInfo } from "./interactive.ts";
export { Prober, prefetchProbes, warmProbes, memoFs } from "./probes.ts";
