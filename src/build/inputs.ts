// Everything a build depends on, gathered in one place (the I/O edge of `keel build`): the port, the image
// and its guests, the toolchain's identity, the build metadata (git), the hypervisor configuration (its
// .config is written here), the sources the configuration selects and the host packages the guests need.
// build/plan.ts turns the result into steps without touching the world.
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { probeRun } from "../toolchain/probe.ts";
import type { StatusStream } from "../graph/index.ts";
import { gatherForeignGuests, type ForeignGuest } from "../guest/foreign.ts";
import { listGuests, loadGuest } from "../manifest/guest.ts";
import { loadImage, type ImageManifest } from "../manifest/image.ts";
import { loadPortByName } from "../port/registry.ts";
import type { ResolvedPort } from "../port/resolve.ts";
import { realHostEnv } from "../recipe/host.ts";
import { cacheDir } from "../store/store.ts";
import { chooseToolchain, probeToolchain, type Toolchain } from "../toolchain/toolchain.ts";
import { formatDiagnostic, UserError } from "../util/errors.ts";
import { problemsError, readYaml } from "../yamlfile/yaml.ts";
import { imageFit } from "./fit.ts";
import { portFacts, resolveHypervisorConfig, type ResolvedConfig } from "./hvconfig.ts";
import { kbuildSources, parseKbuild, selectedItems } from "./kbuild.ts";
import {
  captureMetadata,
  keelVersion,
  OPTIMIZE_MODES,
  type BuildMetadata,
  type OptimizeMode,
} from "./metadata.ts";

/** What the caller asks for: `keel build`'s options, or a test's or benchmark's. */
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

/** The hypervisor's sources for a configuration, and the SBI extensions its sbi-ext lists select. */
export interface HypervisorSources {
  sources: string[];
  sbiExts: string[];
}

/** Everything planBuild needs: plain data, so that the plan is a pure function of it. */
export interface BuildInputs {
  root: string;
  outDir: string;
  /** The port + optimize (+ config) build dir. */
  buildDir: string;
  optimize: OptimizeMode;
  port: ResolvedPort;
  image: ImageManifest;
  toolchain: Toolchain;
  metadata: BuildMetadata;
  /** The hypervisor's configuration: what the graph writes under gen/. */
  config: Pick<ResolvedConfig, "autoconfH" | "autoConf" | "stamps">;
  hypervisor: HypervisorSources;
  guests: {
    /** guests/lib's sources (none when no source guest is used). */
    libSources: string[];
    /** The source guests the image uses, with their sources. */
    source: { name: string; sources: string[] }[];
    /** The host-file and recipe guests the image uses. */
    foreign: ForeignGuest[];
  };
}

/** The configuration used when -Dconfig names none. */
export const DEFAULT_CONFIG = "default";

/** The build dir of a port + optimize mode (+ configuration, unless it is the default one). */
export function buildDirOf(outDir: string, port: string, optimize: string, config: string): string {
  return join(outDir, config === DEFAULT_CONFIG ? `${port}-${optimize}` : `${port}-${optimize}-${config}`);
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

/**
 * The hypervisor's sources for a configuration: every *.c/*.S of each folder, or, in a folder with a Kbuild
 * file, those its obj lines select; and the SBI extensions of the sbi-ext lists, for the generated table.
 */
export function hypervisorSources(
  root: string,
  dirs: readonly string[],
  value: (symbol: string) => string | undefined,
): HypervisorSources {
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

/** Gathers port, image, toolchain, metadata, configuration, sources and guests (all the I/O of planning). */
export async function gatherInputs(req: BuildRequest): Promise<BuildInputs> {
  const env = req.env ?? process.env;
  const { root, outDir } = req;
  const log = (line: string): void => void (req.status ?? process.stdout).write(`${line}\n`);
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
    log,
  });
  const hypervisor = hypervisorSources(root, port.hypervisor.sourceDirs, (s) => config.value(s));
  if (!hypervisor.sbiExts.includes("base"))
    throw new UserError("the SBI BASE extension is mandatory: no Kbuild sbi-ext list names base");
  // The image against the port and the configuration, at the image file's lines (build/fit.ts).
  const fit = imageFit(image, {
    port: port.name,
    harts: port.harts,
    dramSize: port.dram.size,
    value: (s) => config.value(s),
    sbiExts: hypervisor.sbiExts,
  });
  if (fit.errors.length > 0 || fit.warnings.length > 0) {
    const source = await readYaml(image.file);
    if (fit.errors.length > 0) throw problemsError(source, fit.errors);
    for (const w of fit.warnings) log(formatDiagnostic(source.locate(w.path), `warning: ${w.message}`));
  }

  const known = await listGuests(root);
  const used = [...new Set(image.capsules.map((c) => c.guest))].filter((g) => known.includes(g));
  const manifests = await Promise.all(used.map((g) => loadGuest(root, g)));
  const sourceGuests = manifests.filter((g) => g.kind === "source");
  const libSources = sourceGuests.length > 0 ? sourcesIn(join(root, "guests", "lib")) : [];
  const source = sourceGuests.map(({ name }) => ({ name, sources: sourcesIn(join(root, "guests", name)) }));
  // host-file and recipe guests (docs/design/recipes.md)
  const foreign = await gatherForeignGuests({
    root,
    outDir,
    guests: manifests,
    host: realHostEnv(probeRun, log),
    cacheDir: cacheDir(env),
    jobs: req.jobs,
    epoch: metadata.epoch,
  });
  return {
    root,
    outDir,
    buildDir,
    optimize,
    port,
    image,
    toolchain,
    metadata,
    config,
    hypervisor,
    guests: { libSources, source, foreign },
  };
}
