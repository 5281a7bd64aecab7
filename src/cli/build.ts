// keel build / keel run: resolve port + image + toolchain + metadata (the I/O edge), plan the steps (pure),
// hand them to the graph engine, link out/keel.elf to the result, and for run boot it in QEMU.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  build,
  compdbStep,
  NodeFs,
  ProcessRunner,
  type BuildResult,
  type StatusStream,
  type Step,
} from "../graph/index.ts";
import { cacheDir } from "../cache/store.ts";
import {
  portFacts,
  renderSbiTable,
  resolveHypervisorConfig,
  type ResolvedConfig,
} from "../kconfig/hypervisor.ts";
import { listGuests, loadGuest } from "../manifest/guest.ts";
import { loadImage, type ImageManifest } from "../manifest/image.ts";
import { emitPortHeader } from "../port/emit-header.ts";
import { qemuArgv } from "../port/emit-qemu.ts";
import { loadPortByName } from "../port/registry.ts";
import type { ResolvedPort } from "../port/resolve.ts";
import { planGuests } from "../plan/guest.ts";
import { planHypervisor } from "../plan/hypervisor.ts";
import { kbuildSources, parseKbuild, selectedItems } from "../plan/kbuild.ts";
import { planImage, type CapsuleSpec } from "../plan/image.ts";
import { captureMetadata, OPTIMIZE_MODES, type OptimizeMode } from "../plan/metadata.ts";
import { provideQemu } from "../qemu/provide.ts";
import { runInteractive } from "../qemu/run.ts";
import { planForeignGuests } from "../recipe/guests.ts";
import { realHostEnv } from "../recipe/host.ts";
import { chooseToolchain, probeToolchain } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";
import type { ParsedArgs } from "./args.ts";
import { keelVersion, probeRun } from "./host.ts";

export interface BuildRequest {
  root: string;
  outDir: string;
  system?: string | undefined;
  optimize?: string | undefined;
  image?: string | undefined;
  /** configs/<config>_defconfig (default: "default"). */
  config?: string | undefined;
  jobs?: number | undefined;
  verbose?: boolean;
  explain?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** Where progress goes (default stdout). */
  status?: StatusStream;
  /** Abort to stop the build: running commands are killed and the build throws "build interrupted". */
  signal?: AbortSignal;
}

/** Everything a build will run, before it runs: the steps and what they produce. */
export interface PlannedBuild {
  steps: Step[];
  /** The image ELF the last step links. */
  elf: string;
  port: ResolvedPort;
  image: ImageManifest;
  /** The hypervisor's configuration (its .config is in the build dir). */
  config: ResolvedConfig;
  /** The port + optimize (+ config) build dir. */
  buildDir: string;
  /** The capsules of the BUNDLE step (for a peer that runs that step outside Keel, e.g. bench/). */
  capsules: readonly CapsuleSpec[];
}

export interface BuiltImage {
  elf: string;
  port: ResolvedPort;
  image: ImageManifest;
  result: BuildResult;
}

function optimizeMode(v: string | undefined): OptimizeMode {
  if (v === undefined) return "Debug";
  if ((OPTIMIZE_MODES as readonly string[]).includes(v)) return v as OptimizeMode;
  throw new UserError(`-Doptimize must be one of ${OPTIMIZE_MODES.join(", ")}; got "${v}"`);
}

/** Sorted absolute paths of the *.c and *.S files directly in a folder. */
function sourcesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new UserError(`source folder ${dir} does not exist`);
  }
  return names
    .filter((n) => (n.endsWith(".c") || n.endsWith(".S")) && !n.endsWith(".ld.S"))
    .sort()
    .map((n) => join(dir, n));
}

/** The configuration used when -Dconfig names none. */
export const DEFAULT_CONFIG = "default";

/** The build dir of a port + optimize mode (+ configuration, unless it is the default one). */
export function buildDirOf(outDir: string, port: string, optimize: string, config: string): string {
  return join(outDir, config === DEFAULT_CONFIG ? `${port}-${optimize}` : `${port}-${optimize}-${config}`);
}

/**
 * The hypervisor's sources for a configuration: every *.c/*.S of each folder, or, in a folder with a Kbuild
 * file, those its obj lines select; and the SBI extensions of the sbi-ext lists, for the generated table.
 */
export function hypervisorSources(
  root: string,
  dirs: readonly string[],
  value: (symbol: string) => string | undefined,
): { sources: string[]; sbiExts: string[] } {
  const sources: string[] = [];
  const sbiExts: string[] = [];
  for (const dir of dirs) {
    const abs = join(root, dir);
    const all = sourcesIn(abs);
    const kbuild = join(abs, "Kbuild");
    if (!existsSync(kbuild)) {
      sources.push(...all);
      continue;
    }
    const rel = `${dir}/Kbuild`;
    const entries = parseKbuild(readFileSync(kbuild, "utf8"), rel);
    const names = all.map((p) => p.slice(abs.length + 1));
    sources.push(...kbuildSources(entries, value, rel, names).map((n) => join(abs, n)));
    sbiExts.push(...selectedItems(entries, "sbi-ext", value, rel));
  }
  return { sources, sbiExts };
}

/** Resolves port, image, toolchain and metadata (the I/O edge) and plans every step of one image. */
export async function planBuild(req: BuildRequest): Promise<PlannedBuild> {
  const env = req.env ?? process.env;
  const { root, outDir } = req;
  const optimize = optimizeMode(req.optimize);
  const port = await loadPortByName(root, req.system);
  const imageName = req.image ?? port.defaultImage;
  if (imageName === undefined)
    throw new UserError(`port ${port.name} names no default_image; pass -Dimage=<image>`);
  const image = await loadImage(root, imageName);
  const toolchain = await probeToolchain(chooseToolchain(env), probeRun);
  const metadata = await captureMetadata(probeRun, root, env, {
    version: keelVersion(root),
    port: port.name,
    optimize,
  });
  const configName = req.config ?? DEFAULT_CONFIG;
  const buildDir = buildDirOf(outDir, port.name, optimize, configName);
  const config = resolveHypervisorConfig({
    root,
    buildDir,
    config: configName,
    optimize,
    port: portFacts(port),
    log: (line) => (req.status ?? process.stdout).write(`${line}\n`),
  });
  const hvSources = hypervisorSources(root, port.hypervisor.sourceDirs, (s) => config.value(s));
  if (!hvSources.sbiExts.includes("base"))
    throw new UserError("the SBI BASE extension is mandatory: no Kbuild sbi-ext list names base");

  const hv = planHypervisor({
    root,
    buildDir,
    outDir,
    optimize,
    toolchain,
    metadata,
    spec: {
      arch: port.hypervisor.arch,
      cflags: port.hypervisor.cflags,
      asflags: port.hypervisor.asflags,
      portHeader: emitPortHeader(port),
      config: {
        autoconfH: config.autoconfH,
        autoConf: config.autoConf,
        stamps: config.stamps,
        sbiTable: renderSbiTable(hvSources.sbiExts),
      },
    },
    sources: hvSources.sources,
  });
  const known = await listGuests(root);
  const used = [...new Set(image.capsules.map((c) => c.guest))].filter((g) => known.includes(g));
  const manifests = await Promise.all(used.map((g) => loadGuest(root, g)));
  const sourceGuests = manifests.filter((g) => g.kind === "source");
  const guests = planGuests({
    root,
    buildDir,
    outDir,
    toolchain,
    libSources: sourceGuests.length > 0 ? sourcesIn(join(root, "guests", "lib")) : [],
    guests: sourceGuests.map(({ name }) => ({ name, sources: sourcesIn(join(root, "guests", name)) })),
  });
  // host-file and recipe guests (docs/design/recipes.md)
  const foreign = await planForeignGuests({
    root,
    buildDir,
    outDir,
    guests: manifests,
    host: realHostEnv(probeRun, (line) => (req.status ?? process.stdout).write(`${line}\n`)),
    cacheDir: cacheDir(env),
    jobs: req.jobs,
    epoch: metadata.epoch,
  });
  const img = planImage({
    root,
    buildDir,
    outDir,
    image: image.name,
    toolchain,
    hypervisor: hv,
    capsules: image.capsules.map((c): CapsuleSpec => ({
      name: c.name,
      guestElf: (guests.elves.get(c.guest) ?? foreign.elves.get(c.guest))!,
      ramSize: c.ram,
      vcpus: c.vcpus,
      hart: c.hart,
      affinity: c.affinity,
      priority: c.priority,
      // Only when the policy restarts, so images without one keep their bundle step's identity.
      ...(c.restart !== "never" && { restart: c.restart, restartLimit: c.restartLimit }),
      // Only when set, so images without them keep their bundle step's identity.
      ownsMachine: c.ownsMachine || undefined,
      consoleFocus: c.consoleFocus || undefined,
      colour: image.colour || undefined,
      devUart: c.devUart || undefined,
      bootargs: c.bootargs,
    })),
  });
  const steps: Step[] = [...hv.steps, ...guests.steps, ...foreign.steps, ...img.steps];
  steps.push(compdbStep(steps, outDir, join(outDir, "compile_commands.json")));
  return { steps, elf: img.elf, port, image, config, buildDir, capsules: img.capsules };
}

/** Builds one image end to end; the library entry point behind keel build, keel run and the boot tests. */
export async function buildImage(req: BuildRequest): Promise<BuiltImage> {
  const { root, outDir } = req;
  const plan = await planBuild(req);
  const result = await build(plan.steps, {
    fs: new NodeFs(),
    runner: new ProcessRunner(),
    outDir,
    root,
    jobs: req.jobs,
    verbose: req.verbose ?? false,
    explain: req.explain ?? false,
    status: req.status ?? process.stdout,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  linkLatest(outDir, plan.elf);
  return { elf: plan.elf, port: plan.port, image: plan.image, result };
}

/** Points out/keel.elf at the image just built (atomically: a new link renamed over the old one). */
function linkLatest(outDir: string, elf: string): void {
  const link = join(outDir, "keel.elf");
  const tmpLink = `${link}.tmp`;
  rmSync(tmpLink, { force: true });
  symlinkSync(relative(outDir, elf), tmpLink);
  renameSync(tmpLink, link);
}

function requestOf(root: string, args: ParsedArgs): BuildRequest {
  return {
    root,
    outDir: args.outDir ? resolve(args.outDir) : join(root, "out"),
    system: args.defines.system,
    optimize: args.defines.optimize,
    image: args.defines.image,
    config: args.defines.config,
    jobs: args.jobs,
    verbose: args.verbose,
    explain: args.explain,
  };
}

export async function buildCommand(root: string, args: ParsedArgs): Promise<BuiltImage> {
  if (args.passthrough.length > 0) throw new UserError("keel build takes no arguments after --");
  return buildImage(requestOf(root, args));
}

export async function runCommand(root: string, args: ParsedArgs): Promise<number> {
  const built = await buildImage(requestOf(root, args));
  const program = await provideQemu(
    built.port,
    realHostEnv(probeRun, (line) => process.stdout.write(`${line}\n`)),
    cacheDir(process.env),
  );
  const argv = qemuArgv(program, built.port, built.elf, args.passthrough);
  process.stdout.write(
    `keel: booting ${relative(process.cwd(), built.elf) || built.elf} on ${built.port.name} (Ctrl-A x leaves QEMU)\n`,
  );
  if (args.verbose) process.stdout.write(`${argv.join(" ")}\n`);
  return runInteractive(argv, program.env);
}
