// Kbuild's fixdep for Keel's graph (docs/design/hypervisor-config.md): a compile's depfile names the
// configuration header (autoconf.h), which changes whenever any symbol does. Replace that one dependency by
// the per-symbol stamps of the CONFIG_ symbols the source and the headers it opened actually mention, so a
// configuration change recompiles exactly the units that use a changed symbol.

/** Where a step's configuration dependencies come from. */
export interface ConfigDeps {
  /** The generated header every unit includes (absolute); dropped from the discovered deps. */
  header: string;
  /** The folder of per-symbol stamps (absolute): `<stampDir>/<SYMBOL>`. */
  stampDir: string;
}

/** The symbols named `CONFIG_<NAME>` in a text (as identifiers, not inside longer ones), sorted, once each. */
export function configSymbols(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![A-Za-z0-9_])CONFIG_([A-Za-z0-9_]+)/g)) found.add(m[1]!);
  return [...found].sort();
}

/**
 * The deps with `cfg.header` replaced by the stamps of the symbols that `files` mention (every file the
 * compiler opened: the source and its headers; the header itself is not read, and a file that cannot be read
 * is skipped: it is still a dependency, hashed as missing). Only when the deps name the header: a unit that
 * never saw the configuration does not depend on it. Result sorted, once each.
 */
export async function fixdep(
  deps: readonly string[],
  files: readonly string[],
  cfg: ConfigDeps,
  read: (file: string) => Promise<string>,
): Promise<string[]> {
  if (!deps.includes(cfg.header)) return [...deps];
  const stamps = new Set<string>();
  for (const f of files) {
    if (f === cfg.header || f.startsWith(`${cfg.stampDir}/`)) continue;
    let text: string;
    try {
      text = await read(f);
    } catch {
      continue;
    }
    for (const sym of configSymbols(text)) stamps.add(`${cfg.stampDir}/${sym}`);
  }
  return [...new Set([...deps.filter((d) => d !== cfg.header), ...stamps])].sort();
}
