// The hypervisor's configuration (docs/design/hypervisor-config.md): the Kconfig tree under hypervisor/, read
// with the port's facts and the optimize mode as its environment, configured from configs/<name>_defconfig
// into the build dir's .config, which `keel kconfig` (menuconfig, olddefconfig, ...) may then edit.
//
// The pure parts (the environment, checking a defconfig, the generated SBI table) are separate from the I/O
// edge `resolveHypervisorConfig`, which reads and writes files (atomically, only when their content changes).

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../util/errors.ts";
import { readIfExists, writeIfChanged } from "../util/files.ts";
import { autoconf, defconfig, olddefconfig, type CommandResult } from "../kconfig/commands.ts";
import type { Kconfig, LoadOptions } from "../kconfig/kconfig.ts";
import { treeFs } from "../kconfig/node.ts";
import { configStamps } from "../kconfig/stamps.ts";

/** The top-level Kconfig file of the hypervisor, relative to the repository (the tree's srctree). */
export const HYPERVISOR_KCONFIG = "hypervisor/Kconfig";

/** What the tree reads from the port (the rest of the port reaches C through keel_port.h). */
export interface PortFacts {
  name: string;
  arch: string;
  harts: number;
  isolation: string;
  timer: string;
  drivers: readonly string[];
}

/** The facts of a resolved port (src/port's ResolvedPort, taken structurally). */
export function portFacts(port: {
  name: string;
  harts: number;
  hypervisor: { arch: string; isolation: string; timer: string; drivers: readonly string[] };
}): PortFacts {
  const { arch, isolation, timer, drivers } = port.hypervisor;
  return { name: port.name, arch, harts: port.harts, isolation, timer, drivers };
}

/** The variables hypervisor/Kconfig reads: the port's facts and the optimize mode. */
export function hypervisorKconfigEnv(port: PortFacts, optimize: string): Record<string, string> {
  const env: Record<string, string> = {
    ARCH: port.arch,
    KEEL_PORT: port.name,
    KEEL_PORT_HARTS: String(port.harts),
    KEEL_PORT_ISOLATION: port.isolation,
    KEEL_PORT_TIMER: port.timer,
    KEEL_OPTIMIZE: optimize,
  };
  for (const d of port.drivers) env[`KEEL_DRIVER_${d.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = "y";
  return env;
}

/** The names of configs/<name>_defconfig, sorted. */
export function listConfigs(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, "configs"));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith("_defconfig"))
    .map((n) => n.slice(0, -"_defconfig".length))
    .sort();
}

/** configs/<name>_defconfig (repo-relative), or a UserError naming the configurations there are. */
export function defconfigPath(root: string, name: string): string {
  const rel = `configs/${name}_defconfig`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || !existsSync(join(root, rel))) {
    throw new UserError(
      `unknown configuration "${name}" (configs: ${listConfigs(root).join(", ") || "none"})`,
    );
  }
  return rel;
}

/** A problem in a defconfig: errors stop the build, notes are printed. */
export interface DefconfigCheck {
  errors: string[];
  notes: string[];
}

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;

/**
 * Checks a defconfig against the tree it configured (`kc`, after `defconfig()`), stricter than Linux's conf:
 * a line that is neither an assignment nor a comment, an unknown symbol, a value of the wrong form for the
 * symbol's type, and an int/hex/string value that did not take (out of range, or not settable) are errors
 * `file:line: ...`; a bool that ended up otherwise (selected, or its dependencies unmet) is a note.
 */
export function checkDefconfig(kc: Kconfig, text: string, file: string): DefconfigCheck {
  const errors: string[] = [];
  const notes: string[] = [];
  const lines = text.split("\n");
  const assigned = (line: string): string | undefined =>
    SET.exec(line.trimEnd())?.[1] ?? UNSET.exec(line.trimEnd())?.[1];
  /** Each symbol's first and last assignment line (0-based). */
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  lines.forEach((raw, i) => {
    const name = assigned(raw);
    if (name === undefined) return;
    if (!first.has(name)) first.set(name, i);
    last.set(name, i);
  });
  lines.forEach((raw, i) => {
    const at = `${file}:${i + 1}`;
    const line = raw.trimEnd();
    let name: string;
    let value: string;
    const set = SET.exec(line);
    const unset = UNSET.exec(line);
    if (set) [name, value] = [set[1]!, set[2]!];
    else if (unset) [name, value] = [unset[1]!, "n"];
    else {
      if (line !== "" && !line.startsWith("#"))
        errors.push(`${at}: expected CONFIG_<NAME>=<value> or "# CONFIG_<NAME> is not set", got "${line}"`);
      return;
    }
    // A symbol assigned twice: one error at the second line naming the first (the last one would win).
    if (first.get(name) !== last.get(name)) {
      if (i !== first.get(name))
        errors.push(
          `${at}: CONFIG_${name} is assigned again (first on line ${first.get(name)! + 1}); give it once`,
        );
      return;
    }
    const sym = kc.symbol(name);
    if (!sym || sym.type === "unknown") {
      errors.push(
        `${at}: unknown symbol CONFIG_${name} (not in ${HYPERVISOR_KCONFIG} or the files it sources)`,
      );
      return;
    }
    const expected = expectedForm(sym.type, value);
    if (expected) {
      errors.push(`${at}: CONFIG_${name}=${value}: ${sym.type} symbol, expected ${expected}`);
      return;
    }
    kc.ev.calc(sym);
    const got = kc.ev.stringValue(sym);
    const want = sym.type === "string" ? unquote(value) : value;
    if (got === want) return;
    if (sym.type === "bool" || sym.type === "tristate") {
      notes.push(`${at}: CONFIG_${name}=${value} does not apply: it is ${got} (${why(kc, name)})`);
    } else {
      const range = sym.props.find((p) => p.type === "range")?.range;
      const limits = range ? `, range ${range[0].name} to ${range[1].name}` : "";
      errors.push(`${at}: CONFIG_${name}=${value} is not valid here (the value is ${got}${limits})`);
    }
  });
  return { errors, notes };
}

function expectedForm(type: string, value: string): string | undefined {
  switch (type) {
    case "bool":
      return /^[yn]$/.test(value) ? undefined : "y or n";
    case "tristate":
      return /^[ynm]$/.test(value) ? undefined : "y, m or n";
    case "int":
      return /^-?[0-9]+$/.test(value) ? undefined : "a decimal number";
    case "hex":
      return /^0[xX][0-9a-fA-F]+$/.test(value) ? undefined : "a hex number 0x...";
    case "string":
      return /^"(?:[^"\\]|\\.)*"$/.test(value) ? undefined : 'a "quoted string"';
    default:
      return undefined;
  }
}

function unquote(v: string): string {
  return v.slice(1, -1).replace(/\\(.)/g, "$1");
}

/** Why a bool did not take the asked value: the symbols selecting it, or its unmet dependencies. */
function why(kc: Kconfig, name: string): string {
  const selectors = kc.symbols
    .all()
    .filter((s) =>
      s.props.some((p) => p.type === "select" && p.expr?.k === "sym" && p.expr.sym.name === name),
    )
    .map((s) => s.name)
    .filter((n): n is string => n !== null);
  if (selectors.length > 0) return `selected by ${selectors.map((s) => `CONFIG_${s}`).join(", ")}`;
  return "its dependencies or the port decide it";
}

export interface HypervisorConfigRequest {
  root: string;
  /** The build dir (port + optimize (+ config)): holds .config. */
  buildDir: string;
  /** The configuration's name: configs/<name>_defconfig. */
  config: string;
  port: PortFacts;
  optimize: string;
  /** Notes and warnings (a line each). */
  log: (line: string) => void;
}

export interface ResolvedConfig {
  name: string;
  /** configs/<name>_defconfig, repo-relative. */
  defconfig: string;
  /** <buildDir>/.config */
  configPath: string;
  config: string;
  kconfig: Kconfig;
  autoconfH: string;
  autoConf: string;
  /** symbol -> stamp text (stamps.ts) */
  stamps: Map<string, string>;
  /** A symbol's value ("y", "n", a number, a string), undefined for a name the tree does not define. */
  value(name: string): string | undefined;
}

/** The tree with the port's environment: what `loadKconfig` and the commands take. */
export function hypervisorTree(root: string, port: PortFacts, optimize: string): LoadOptions {
  return { file: HYPERVISOR_KCONFIG, fs: treeFs(root), env: hypervisorKconfigEnv(port, optimize) };
}

/**
 * The build dir's .config for this port, optimize mode and configuration:
 * - no .config yet, or configs/<name>_defconfig changed since .config was made from it: made from the
 *   defconfig (checked strictly, see checkDefconfig);
 * - otherwise the existing .config (edited by `keel kconfig`, say), brought up to date like olddefconfig.
 * The .config is written back only when it changed; autoconf.h, auto.conf and the stamps are returned for
 * the build graph to write.
 */
export function resolveHypervisorConfig(req: HypervisorConfigRequest): ResolvedConfig {
  const rel = defconfigPath(req.root, req.config);
  const defText = readFileSync(join(req.root, rel), "utf8");
  const tree = hypervisorTree(req.root, req.port, req.optimize);
  mkdirSync(req.buildDir, { recursive: true });
  const configPath = join(req.buildDir, ".config");
  const madeFrom = join(req.buildDir, ".config.defconfig");
  const current = readIfExists(configPath);
  const recorded = readIfExists(madeFrom);
  let result: CommandResult;
  if (current === undefined || (recorded !== undefined && recorded !== defText)) {
    if (current !== undefined) req.log(`keel: ${rel} changed: ${relConfig(req)} is made from it again`);
    result = defconfig(tree, { name: rel, text: defText });
    const check = checkDefconfig(result.kconfig, defText, rel);
    if (check.errors.length > 0) {
      const [first, ...rest] = check.errors;
      throw new UserError(first!, { details: rest });
    }
    for (const n of check.notes) req.log(`keel: ${n}`);
  } else {
    result = olddefconfig(tree, { name: relConfig(req), text: current });
  }
  for (const w of result.warnings) req.log(`keel: ${w.replace(/\n$/, "")}`);
  writeIfChanged(configPath, result.config);
  writeIfChanged(madeFrom, defText);
  return {
    name: req.config,
    defconfig: rel,
    configPath,
    config: result.config,
    ...configOutputs(result.kconfig),
  };
}

/** What a configured tree gives the build: autoconf.h, auto.conf, the stamps and symbol values. Pure. */
export function configOutputs(
  kc: Kconfig,
): Pick<ResolvedConfig, "kconfig" | "autoconfH" | "autoConf" | "stamps" | "value"> {
  const files = autoconf(kc);
  return {
    kconfig: kc,
    autoconfH: files.autoconfH,
    autoConf: files.autoConf,
    stamps: configStamps(kc),
    value(name) {
      const sym = kc.symbol(name);
      if (!sym || sym.type === "unknown") return undefined;
      kc.ev.calc(sym);
      return kc.ev.stringValue(sym);
    },
  };
}

function relConfig(req: HypervisorConfigRequest): string {
  const parts = req.buildDir.split("/");
  return `${parts[parts.length - 1]}/.config`;
}
