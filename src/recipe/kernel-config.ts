// Configuring a Linux tree with Keel's Kconfig engine instead of the kernel's own `conf`: `make tinyconfig`
// (allnoconfig with tiny-base.config, the tiny.config fragments merged, olddefconfig), the repo's fragment
// merged, olddefconfig, and every file `conf --syncconfig` writes, so that Kbuild finds its configuration up
// to date and never builds or runs conf. Planning (values, file texts) is pure; writeSyncConfig is the I/O.
// See docs/design/recipes.md, "The kernel's configuration".

import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  autoconf,
  mergeConfig,
  olddefconfig,
  tinyconfig,
  writeRustcCfg,
  type ConfigInput,
  type Kconfig,
  type LoadOptions,
} from "../kconfig/index.ts";
import { UserError } from "../util/errors.ts";
import { writeIfChanged } from "../util/files.ts";

/** One line of a Kconfig fragment that sets a symbol. */
export interface FragmentLine {
  symbol: string;
  /** `y`, `m`, `n`, a number or a quoted string, as written. */
  value: string;
  line: number;
}

/** The settings of a fragment: `CONFIG_X=v` and `# CONFIG_X is not set` (= n); comments and blanks skipped. */
export function parseFragment(text: string, file: string): FragmentLine[] {
  const out: FragmentLine[] = [];
  text.split("\n").forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    const off = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(l);
    if (off) return out.push({ symbol: off[1]!, value: "n", line: i + 1 });
    if (l.startsWith("#")) return;
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(l);
    if (!m) {
      throw new UserError(`expected CONFIG_NAME=value or "# CONFIG_NAME is not set"`, {
        location: { file, line: i + 1, col: 1 },
      });
    }
    out.push({ symbol: m[1]!, value: m[2]!, line: i + 1 });
  });
  return out;
}

/** The value of each symbol in a .config (`n` for "is not set"). */
export function parseDotConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const l of text.split("\n")) {
    const off = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(l);
    if (off) values.set(off[1]!, "n");
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(l);
    if (m) values.set(m[1]!, m[2]!);
  }
  return values;
}

/**
 * Fragment lines that the final .config does not honour: a symbol `known` says the tree lacks (a typo), or a
 * value olddefconfig changed (a dependency missing, a range).
 */
export function unmetFragmentLines(
  fragment: readonly FragmentLine[],
  dotConfig: string,
  known: (symbol: string) => boolean = () => true,
): { line: number; message: string }[] {
  const values = parseDotConfig(dotConfig);
  return fragment.flatMap((f) => {
    if (!known(f.symbol)) {
      return [{ line: f.line, message: `${f.symbol}: the kernel's Kconfig has no such symbol` }];
    }
    const got = values.get(f.symbol) ?? "n";
    if (got === f.value) return [];
    const has = got === "n" ? "leaves it unset" : `has ${f.symbol}=${got}`;
    return [
      { line: f.line, message: `${f.symbol}=${f.value} did not survive olddefconfig (the .config ${has})` },
    ];
  });
}

/** The files `conf --syncconfig` writes, relative to the object tree (Linux 6.1 defaults). */
export const SYNC_FILES = {
  config: ".config",
  autoConf: "include/config/auto.conf",
  autoConfCmd: "include/config/auto.conf.cmd",
  autoconfH: "include/generated/autoconf.h",
  rustcCfg: "include/generated/rustc_cfg",
} as const;

/** The folder of the per-symbol stamp files (conf_touch_deps; Kbuild's fixdep makes objects depend on them). */
export const SYMBOL_STAMPS = "include/config";

export interface KernelConfig {
  /** The .config text. */
  config: string;
  /** The tree after olddefconfig (for syncFiles). */
  kconfig: Kconfig;
  warnings: string[];
}

/**
 * tinyconfig + `fragment` merged (as merge_config.sh -m does) + olddefconfig. Every fragment line must
 * survive: a symbol the tree does not have, or a value olddefconfig changed, is a UserError at
 * `fragmentFile:line`.
 */
export function configureKernel(
  tree: LoadOptions,
  tiny: { base: ConfigInput; fragments: readonly ConfigInput[] },
  fragment: { file: string; text: string },
): KernelConfig {
  const lines = parseFragment(fragment.text, fragment.file);
  const base = tinyconfig(tree, tiny.base, tiny.fragments);
  const merged = mergeConfig(base.config, [{ name: fragment.file, text: fragment.text }]);
  const r = olddefconfig(tree, { name: ".config", text: merged });
  const known = (symbol: string): boolean => r.kconfig.symbol(symbol.replace(/^CONFIG_/, "")) !== undefined;
  const [first, ...rest] = unmetFragmentLines(lines, r.config, known);
  if (first) {
    throw new UserError(first.message, {
      location: { file: fragment.file, line: first.line, col: 1 },
      details: rest.map((u) => `${fragment.file}:${u.line}:1: ${u.message}`),
    });
  }
  return { config: r.config, kconfig: r.kconfig, warnings: [...base.warnings, ...r.warnings] };
}

/** What `conf --syncconfig` writes for a configuration, as texts, plus the symbols whose stamps it touches. */
export interface SyncConfig {
  config: string;
  autoConf: string;
  autoConfCmd: string;
  autoconfH: string;
  rustcCfg: string;
  /** conf_touch_deps: symbols whose value differs from `oldAutoConf` (every set symbol when there is none). */
  changedSymbols: string[];
}

/**
 * The syncconfig outputs for `k`. `oldAutoConf` is the tree's current include/config/auto.conf (undefined
 * when it has none: then, as in conf, every symbol with a value other than n counts as changed).
 */
export function syncConfig(k: KernelConfig, oldAutoConf: string | undefined): SyncConfig {
  const a = autoconf(k.kconfig, oldAutoConf ?? "");
  return {
    config: k.config,
    autoConf: a.autoConf,
    autoConfCmd: a.autoConfCmd,
    autoconfH: a.autoconfH,
    rustcCfg: writeRustcCfg(k.kconfig),
    changedSymbols: a.changedSymbols,
  };
}

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The object tree's current include/config/auto.conf, if any. */
export function readAutoConf(objDir: string): Promise<string | undefined> {
  return readOrUndefined(join(objDir, SYNC_FILES.autoConf));
}

export interface SyncWrite {
  /** The files whose content changed (relative). */
  written: string[];
  /** The symbols whose include/config/<SYMBOL> stamp was touched. */
  touched: string[];
}

/**
 * Writes the syncconfig outputs into `objDir` in conf's order (.config, auto.conf.cmd, the symbol stamps,
 * autoconf.h, rustc_cfg, auto.conf last), each only when its content changed, then makes sure no output of
 * the rule `%/config/auto.conf ... %/generated/rustc_cfg: $(KCONFIG_CONFIG)` is older than .config, so
 * Kbuild considers the configuration in sync and does not run syncconfig.
 */
export async function writeSyncConfig(objDir: string, s: SyncConfig): Promise<SyncWrite> {
  const written: string[] = [];
  const put = async (rel: string, text: string): Promise<void> => {
    if (writeIfChanged(join(objDir, rel), text)) written.push(rel);
  };
  await put(SYNC_FILES.config, s.config);
  await put(SYNC_FILES.autoConfCmd, s.autoConfCmd);
  await mkdir(join(objDir, SYMBOL_STAMPS), { recursive: true });
  for (const sym of s.changedSymbols) await writeFile(join(objDir, SYMBOL_STAMPS, sym), "");
  await put(SYNC_FILES.autoconfH, s.autoconfH);
  await put(SYNC_FILES.rustcCfg, s.rustcCfg);
  await put(SYNC_FILES.autoConf, s.autoConf);
  const configTime = (await stat(join(objDir, SYNC_FILES.config))).mtimeMs;
  for (const rel of [
    SYNC_FILES.autoConfCmd,
    SYNC_FILES.autoconfH,
    SYNC_FILES.rustcCfg,
    SYNC_FILES.autoConf,
  ]) {
    const f = join(objDir, rel);
    if ((await stat(f)).mtimeMs < configTime) {
      const now = new Date(Math.max(Date.now(), Math.ceil(configTime) + 1));
      await utimes(f, now, now);
    }
  }
  return { written, touched: [...s.changedSymbols] };
}
