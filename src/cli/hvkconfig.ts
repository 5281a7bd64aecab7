// `keel kconfig` on the hypervisor (docs/design/hypervisor-config.md): without --tree, and outside a
// directory with its own top-level Kconfig, the command works on hypervisor/Kconfig for the selected port,
// optimize mode and configuration, reading and writing the .config of that build dir: the one the next
// `keel build` with the same -D options uses.
//
//   keel kconfig [-Dsystem=P] [-Doptimize=M] [-Dconfig=C] [--out DIR | O=DIR] <command> [args]

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  defconfigPath,
  hypervisorKconfigEnv,
  HYPERVISOR_KCONFIG,
  portFacts,
  resolveHypervisorConfig,
} from "../build/hvconfig.ts";
import { OPTIMIZE_MODES } from "../build/metadata.ts";
import { loadPortByName } from "../port/registry.ts";
import { UserError } from "../util/errors.ts";
import { buildDirOf, DEFAULT_CONFIG } from "../build/inputs.ts";
import { repoRoot } from "./host.ts";

/** Whether `keel kconfig argv` (run in `cwd`) means the hypervisor: no --tree, and no Kconfig in cwd. */
export function meansHypervisor(argv: readonly string[], cwd: string): boolean {
  return !argv.some((a) => a === "--tree" || a.startsWith("--tree=")) && !existsSync(join(cwd, "Kconfig"));
}

export interface HypervisorKconfig {
  /** The argv for the generic `keel kconfig` parser: --tree, --file, O=<build dir>, the port's variables. */
  argv: string[];
  buildDir: string;
}

/**
 * Rewrites `keel kconfig` arguments for the hypervisor: takes out -D options and the out dir, makes sure the
 * build dir has a .config (from configs/<config>_defconfig, as a build would), and names the tree, the build
 * dir and the port's variables. `defconfig` without a file means configs/<config>_defconfig.
 */
export async function hypervisorKconfigArgv(
  argv: readonly string[],
  cwd: string,
): Promise<HypervisorKconfig> {
  const root = repoRoot();
  const defines: Record<string, string> = {};
  let outDir = join(root, "out");
  let outGiven: string | undefined;
  const setOut = (dir: string, spelling: string): void => {
    if (dir === "") throw new UserError(`${spelling} expects a directory, got nothing`);
    if (outGiven !== undefined)
      throw new UserError(`the output directory given twice: ${outGiven} and ${spelling} (give it once)`);
    outGiven = spelling;
    outDir = resolve(cwd, dir);
  };
  const rest: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // -D, --out and O= may come after the command too (make menuconfig O=dir)
    if (command !== undefined && !a.startsWith("-") && !a.startsWith("O=")) rest.push(a);
    else if (a === "-D" || a.startsWith("-D")) {
      const spec = a === "-D" ? (argv[++i] ?? "") : a.slice(2);
      const m = /^(system|optimize|config)=(.+)$/.exec(spec);
      if (!m)
        throw new UserError(
          `keel kconfig: -D expects system=..., optimize=... or config=...; got "-D${spec}"`,
        );
      if (defines[m[1]!] !== undefined)
        throw new UserError(
          `-D${m[1]} given twice: -D${m[1]}=${defines[m[1]!]} and -D${spec} (give it once)`,
        );
      defines[m[1]!] = m[2]!;
    } else if (a === "--out") setOut(argv[++i] ?? "", "--out");
    else if (a.startsWith("--out=")) setOut(a.slice(6), a);
    else if (a.startsWith("O=")) setOut(a.slice(2), a);
    else {
      if (!a.startsWith("-") && !a.includes("=")) command = a;
      rest.push(a);
    }
  }
  const optimize = defines["optimize"] ?? "Debug";
  if (!(OPTIMIZE_MODES as readonly string[]).includes(optimize))
    throw new UserError(`-Doptimize must be one of ${OPTIMIZE_MODES.join(", ")}; got "${optimize}"`);
  const config = defines["config"] ?? DEFAULT_CONFIG;
  const port = await loadPortByName(root, defines["system"]);
  const facts = portFacts(port);
  const buildDir = buildDirOf(outDir, port.name, optimize, config);
  const defconfig = join(root, defconfigPath(root, config));
  // The build dir's .config as the next build would see it (made from the defconfig when there is none).
  resolveHypervisorConfig({
    root,
    buildDir,
    config,
    optimize,
    port: facts,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const vars = Object.entries(hypervisorKconfigEnv(facts, optimize)).map(([k, v]) => `${k}=${v}`);
  if (command === "defconfig" && rest.indexOf("defconfig") === rest.length - 1) rest.push(defconfig);
  return {
    argv: ["--tree", root, "--file", HYPERVISOR_KCONFIG, `O=${buildDir}`, ...vars, ...rest],
    buildDir,
  };
}
