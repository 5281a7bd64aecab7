// keel kconfig: Linux's configuration targets on any Kconfig tree.
//   keel kconfig [--tree DIR] [--autoconf DIR] [O=DIR] [VAR=value ...] <command> [args]
// VAR=value assignments are the environment the Kconfig files read. For a Linux tree, the variables the
// kernel Makefile exports to conf (SRCARCH, CC, LD, KERNELVERSION, srctree, ...) are derived from ARCH,
// CROSS_COMPILE and LLVM as make derives them. Outputs are written atomically and only when they change.

import { existsSync, mkdirSync, readdirSync, readSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../store/store.ts";
import {
  alldefconfig,
  allmodconfig,
  allnoconfig,
  allyesconfig,
  autoconf,
  defconfig,
  loadKconfig,
  olddefconfig,
  readConfig,
  savedefconfig,
  tinyconfig,
  treeFs,
  writeConfig,
  type CommandResult,
  type ConfigInput,
  type Kconfig,
  type LoadOptions,
} from "../kconfig/index.ts";
import { runConf, type ConfIo } from "../kconfig/conf.ts";
import { treeFileId } from "../kconfig/node.ts";
import { memoFs, Prober, saveProbeManifest, warmProbes } from "../kconfig/probes.ts";
import { SNAPSHOT_VERSION } from "../kconfig/snapshot.ts";
import { fileTreeCache } from "../kconfig/treecache.ts";
import { linuxEnv, linuxTreeVersion, tinyInputs } from "../kconfig/linux.ts";
import { UserError } from "../util/errors.ts";
import { readIfExists, writeIfChanged } from "../util/files.ts";

import { KCONFIG_COMMANDS, type KconfigCommand } from "./kconfig-names.ts";
export { KCONFIG_COMMANDS, type KconfigCommand };

export interface KconfigArgs {
  tree: string;
  /** The top-level Kconfig file, relative to the tree. */
  file: string;
  /** Where .config goes and probes run (O=DIR; default: the tree). */
  objtree: string;
  autoconf: string | undefined;
  vars: Record<string, string>;
  command: KconfigCommand;
  args: string[];
  probeCache: boolean;
}

/** Parses what follows `keel kconfig`. */
export function parseKconfigArgs(argv: readonly string[], cwd: string): KconfigArgs {
  let tree = cwd;
  let file = "Kconfig";
  let objtree: string | undefined;
  let auto: string | undefined;
  let probeCache = true;
  const vars: Record<string, string> = {};
  let command: KconfigCommand | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    // Options and VAR=value may come after the command too (make allnoconfig O=dir).
    if (command && !a.startsWith("-") && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      args.push(a);
      continue;
    }
    const value = (flag: string): string => {
      if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
      const v = argv[++i];
      if (v === undefined) throw new UserError(`${flag} expects a value`);
      return v;
    };
    if (a === "--tree" || a.startsWith("--tree=")) tree = resolve(cwd, value("--tree"));
    else if (a === "--file" || a.startsWith("--file=")) file = value("--file");
    else if (a === "--autoconf" || a.startsWith("--autoconf=")) auto = resolve(cwd, value("--autoconf"));
    else if (a === "--no-probe-cache") probeCache = false;
    else if (a.startsWith("-")) throw new UserError(`unknown option ${a} (see keel kconfig -h)`);
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      const eq = a.indexOf("=");
      if (a.slice(0, eq) === "O") {
        if (objtree !== undefined) throw new UserError(`O= given twice (${a} and an earlier one)`);
        if (eq === a.length - 1) throw new UserError("O= expects a directory, got nothing");
        objtree = resolve(cwd, a.slice(eq + 1));
      } else vars[a.slice(0, eq)] = a.slice(eq + 1);
    } else if ((KCONFIG_COMMANDS as readonly string[]).includes(a)) command = a as KconfigCommand;
    else throw new UserError(`unknown kconfig command "${a}"; commands: ${KCONFIG_COMMANDS.join(", ")}`);
  }
  if (!command) throw new UserError(`keel kconfig expects a command: ${KCONFIG_COMMANDS.join(", ")}`);
  const maxArgs = command === "defconfig" || command === "savedefconfig" ? 1 : 0;
  if (args.length > maxArgs)
    throw new UserError(`kconfig ${command} takes ${maxArgs ? "at most one argument" : "no arguments"}`);
  return { tree, file, objtree: objtree ?? tree, autoconf: auto, vars, command, args, probeCache };
}

/**
 * The identity of the running engine, part of the tree cache's key: the bundle's size and mtime, or, when
 * running from source (tsx), those of every engine source file.
 */
function engineId(): string {
  const self = fileURLToPath(import.meta.url);
  const files = self.endsWith(".ts")
    ? [
        self,
        ...readdirSync(join(dirname(self), "..", "kconfig")).map((f) =>
          join(dirname(self), "..", "kconfig", f),
        ),
      ]
    : [self];
  return files
    .map((f) => {
      try {
        const st = statSync(f);
        return `${f}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${f}:-`;
      }
    })
    .join(";");
}

interface Session {
  tree: LoadOptions;
  env: Record<string, string | undefined>;
  configName: string;
  configPath: string;
  prober: Prober;
  manifest: string | null;
}

/** Sets up the environment and the probes for a command; runs the probes the tree needs concurrently. */
async function session(a: KconfigArgs): Promise<Session> {
  if (!existsSync(join(a.tree, a.file))) throw new UserError(`no ${a.file} in ${a.tree}`);
  mkdirSync(a.objtree, { recursive: true });
  const base: Record<string, string | undefined> = { ...process.env, ...a.vars };
  const keelCache = cacheDir(process.env);
  const probeDir = a.probeCache ? join(keelCache, "kconfig-probes") : null;
  const prober = new Prober({ cwd: a.objtree, env: base as NodeJS.ProcessEnv, cacheDir: probeDir });
  const version = linuxTreeVersion(a.tree);
  let env = base;
  let derived: Record<string, string> = {};
  if (version !== null) {
    derived = linuxEnv(a.tree, version, a.vars, process.env, (cmd) => prober.answer(cmd));
    env = { ...process.env, ...derived, ...a.vars };
  }
  // The runner sees the same environment as the Kconfig files (make exports it to conf and its probes).
  const runEnv = env as NodeJS.ProcessEnv;
  const runner = new Prober({ cwd: a.objtree, env: runEnv, cacheDir: probeDir });
  const fs = memoFs(treeFs(a.tree, a.objtree));
  // The parsed tree is kept beside the probes (and off with them): valid while the files, the
  // environment and the probes' outputs are those recorded.
  const treeKey = createHash("sha256")
    .update(JSON.stringify([SNAPSHOT_VERSION, engineId(), a.tree, a.file, a.objtree]))
    .digest("hex");
  const cache = a.probeCache
    ? fileTreeCache(join(keelCache, "kconfig-trees"), treeKey.slice(0, 32), treeFileId(a.tree, a.objtree))
    : undefined;
  const tree: LoadOptions = {
    file: a.file,
    fs,
    env,
    shell: runner.runner,
    info: (l) => process.stdout.write(`${l}\n`),
    ...(cache && { cache }),
  };
  const configName = env["KCONFIG_CONFIG"] || ".config";
  const idHash = createHash("sha256")
    .update(JSON.stringify([a.tree, a.file, a.objtree, a.vars, derived, env["PATH"] ?? ""]))
    .digest("hex");
  const manifest = probeDir ? join(probeDir, `manifest-${idHash.slice(0, 32)}.json`) : null;
  const t0 = performance.now();
  // Started, not awaited: the load blocks only on the answers it reaches before they are in.
  await warmProbes(tree, runner, manifest, false);
  if (process.env["KEEL_KCONFIG_TIMING"]) {
    process.stderr.write(
      `kconfig: probes started in ${(performance.now() - t0).toFixed(0)} ms (done ${runner.stats.ran}, cached ${runner.stats.cached}, pre-pass rounds ${runner.stats.rounds})\n`,
    );
    process.on("exit", () => {
      const st = cache?.stats;
      process.stderr.write(
        `kconfig: tree cache ${!st ? "off" : st.hit ? "hit" : `miss (${st.miss})${st.stored ? ", stored" : ""}`}, probes run in all ${runner.stats.ran}, ${(performance.now() - t0).toFixed(0)} ms after the probes started\n`,
      );
    });
  }
  return {
    tree,
    env,
    configName,
    configPath: resolve(a.objtree, configName),
    prober: runner,
    manifest,
  };
}

/** conf_read(NULL)'s input: the .config, else the first file of KCONFIG_DEFCONFIG_LIST that exists. */
function oldConfigInput(s: Session, a: KconfigArgs, print: (l: string) => void): ConfigInput | undefined {
  const text = readIfExists(s.configPath);
  if (text !== undefined) return { name: s.configName, text };
  for (const name of (s.env["KCONFIG_DEFCONFIG_LIST"] ?? "").split(/\s+/).filter(Boolean)) {
    const t = readIfExists(resolve(a.objtree, name)) ?? readIfExists(resolve(a.tree, name));
    if (t !== undefined) {
      print(`#\n# using defaults found in ${name}\n#`);
      return { name, text: t };
    }
  }
  return undefined;
}

/** Finds a defconfig file the way a user names it: a path, a file in the tree, or configs/NAME. */
function findDefconfig(a: KconfigArgs, env: Record<string, string | undefined>): ConfigInput {
  const arch = env["SRCARCH"];
  const name = a.args[0] ?? (arch ? `arch/${arch}/configs/defconfig` : "defconfig");
  const candidates = [resolve(process.cwd(), name), resolve(a.tree, name), join(a.tree, "configs", name)];
  if (arch) candidates.push(join(a.tree, "arch", arch, "configs", name));
  for (const p of candidates) {
    const text = readIfExists(p);
    if (text !== undefined) return { name, text };
  }
  throw new UserError(`cannot find the default configuration "${name}"`);
}

/** Synchronous line reader on fd 0 (conf reads with fgets; piped input and terminals both work). */
export function stdinLines(): () => string | null {
  let buf = "";
  let eof = false;
  const chunk = Buffer.alloc(4096);
  return () => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      if (eof) {
        if (buf === "") return null;
        const line = buf;
        buf = "";
        return line;
      }
      let n = 0;
      try {
        n = readSyncRetry(chunk);
      } catch {
        n = 0;
      }
      if (n === 0) eof = true;
      else buf += chunk.subarray(0, n).toString("utf8");
    }
  };
}

function readSyncRetry(chunk: Buffer): number {
  for (;;) {
    try {
      return readSync0(chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === "EOF") return 0;
      throw e;
    }
  }
}

function readSync0(chunk: Buffer): number {
  return readSync(0, chunk, 0, chunk.length, null);
}

/** Writes .config (with .config.old) and, with --autoconf, auto.conf, autoconf.h and auto.conf.cmd. */
function writeOutputs(
  s: Session,
  a: KconfigArgs,
  kc: Kconfig,
  config: string,
  print: (l: string) => void,
): void {
  if (writeIfChanged(s.configPath, config, { backup: true }))
    print(`#\n# configuration written to ${s.configName}\n#`);
  else print(`#\n# No change to configuration in '${s.configName}'\n#`);
  if (a.autoconf) {
    mkdirSync(a.autoconf, { recursive: true });
    const old = readIfExists(join(a.autoconf, "auto.conf"));
    const files = autoconf(kc, old);
    writeIfChanged(join(a.autoconf, "auto.conf"), files.autoConf);
    writeIfChanged(join(a.autoconf, "autoconf.h"), files.autoconfH);
    writeIfChanged(join(a.autoconf, "auto.conf.cmd"), files.autoConfCmd);
  }
}

function warn(r: { warnings: string[] } | Kconfig): void {
  const list = "allWarnings" in r ? r.allWarnings() : r.warnings;
  for (const w of list) process.stderr.write(w.endsWith("\n") ? w : `${w}\n`);
}

/** Runs `keel kconfig ...`; returns the exit status. */
export async function kconfigCommand(argv: readonly string[], print: (l: string) => void): Promise<number> {
  // No --tree and no Kconfig here: the hypervisor's tree and build dir (hvkconfig.ts).
  // (Imported only then: it brings the ports and the build, which a Linux tree does not need.)
  if (!argv.some((x) => x === "--tree" || x.startsWith("--tree="))) {
    const hv = await import("./hvkconfig.ts");
    if (hv.meansHypervisor(argv, process.cwd()))
      argv = (await hv.hypervisorKconfigArgv(argv, process.cwd())).argv;
  }
  const a = parseKconfigArgs(argv, process.cwd());
  try {
    return await run(a, print);
  } catch (e) {
    // Kconfig errors are already `file:line: error: ...`; print them as they are (exit 2, like conf's 1).
    if (e instanceof UserError && /^[^\s:]+:\d+: error: /.test(e.message)) {
      process.stderr.write(`${e.message}\n`);
      for (const d of e.details) process.stderr.write(`${d}\n`);
      return 2;
    }
    throw e;
  }
}

async function run(a: KconfigArgs, print: (l: string) => void): Promise<number> {
  const s = await session(a);
  try {
    return await runIn(s, a, print);
  } finally {
    // Lets the probe worker go once every probe still running has finished (and been cached).
    await s.prober.settle();
  }
}

async function runIn(s: Session, a: KconfigArgs, print: (l: string) => void): Promise<number> {
  const finish = (r: CommandResult): number => {
    warn(r);
    writeOutputs(s, a, r.kconfig, r.config, print);
    saveProbeManifest(s.manifest, s.prober);
    return 0;
  };
  switch (a.command) {
    case "defconfig": {
      const input = findDefconfig(a, s.env);
      print(`#\n# configuration based on ${input.name}\n#`);
      return finish(defconfig(s.tree, input));
    }
    case "olddefconfig":
      return finish(olddefconfig(s.tree, oldConfigInput(s, a, print)));
    case "allnoconfig":
      return finish(allnoconfig(s.tree, allconfig(a, s)));
    case "allyesconfig":
      return finish(allyesconfig(s.tree, allconfig(a, s)));
    case "allmodconfig":
      return finish(allmodconfig(s.tree, allconfig(a, s)));
    case "alldefconfig":
      return finish(alldefconfig(s.tree, allconfig(a, s)));
    case "tinyconfig": {
      const tiny = tinyInputs(a.tree, s.env["SRCARCH"]);
      return finish(tinyconfig(s.tree, tiny.base, tiny.fragments));
    }
    case "savedefconfig": {
      const r = savedefconfig(s.tree, { name: s.configName, text: readIfExists(s.configPath) ?? "" });
      warn(r);
      const out = resolve(a.objtree, a.args[0] ?? "defconfig");
      writeIfChanged(out, r.defconfig!);
      print(`#\n# minimal configuration written to ${a.args[0] ?? "defconfig"}\n#`);
      saveProbeManifest(s.manifest, s.prober);
      return 0;
    }
    case "config":
    case "oldconfig": {
      const kc = loadKconfig(s.tree);
      const input = oldConfigInput(s, a, print);
      readConfig(kc, input?.text, input?.name ?? s.configName);
      saveProbeManifest(s.manifest, s.prober);
      warn(kc);
      kc.warnings.length = 0;
      kc.ev.warnings.length = 0;
      const io: ConfIo = {
        readLine: stdinLines(),
        write: (t) => process.stdout.write(t),
        error: (t) => process.stderr.write(t),
        tty: process.stdin.isTTY === true,
      };
      runConf(kc, a.command === "config" ? "oldaskconfig" : "oldconfig", io);
      const config = writeConfig(kc);
      warn(kc);
      writeOutputs(s, a, kc, config, print);
      return 0;
    }
    case "menuconfig": {
      const kc = loadKconfig(s.tree);
      const input = oldConfigInput(s, a, () => {});
      readConfig(kc, input?.text, input?.name ?? s.configName);
      saveProbeManifest(s.manifest, s.prober);
      const { runMenuconfig } = await import("../kconfig/menuconfig-tty.ts");
      const saved = await runMenuconfig(kc, {
        configName: s.configName,
        save: (text) => writeIfChanged(s.configPath, text, { backup: true }),
        current: () => readIfExists(s.configPath),
      });
      if (saved && a.autoconf) writeOutputs(s, a, kc, writeConfig(kc), () => {});
      return 0;
    }
  }
}

/** KCONFIG_ALLCONFIG: a file name, or 1/"" for all<mode>.config / all.config in the object tree. */
function allconfig(a: KconfigArgs, s: Session): ConfigInput | undefined {
  const name = s.env["KCONFIG_ALLCONFIG"];
  if (name === undefined) return undefined;
  if (name !== "" && name !== "1") {
    const text = readIfExists(resolve(a.objtree, name));
    if (text === undefined) throw new UserError(`cannot read seed configuration "${name}"`);
    return { name, text };
  }
  const mode = `${a.command.replace(/config$/, "")}.config`;
  for (const n of [mode, "all.config"]) {
    const text = readIfExists(resolve(a.objtree, n));
    if (text !== undefined) return { name: n, text };
  }
  throw new UserError(`KCONFIG_ALLCONFIG set, but no "${mode}" or "all.config" file found`);
}
