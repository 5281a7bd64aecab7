// The Linux recipe: Debian's linux-source tarball, ARCH=riscv, configured by Keel's Kconfig engine
// (tinyconfig + a fragment kept in the repo + olddefconfig, and every file syncconfig writes: Kbuild never
// runs conf), `make -jN Image` in a persistent work tree in the Keel cache, so a changed fragment recompiles
// only what the changed symbols affect. The result (Image + the final .config) is a cache entry keyed by
// everything that affects it. Contract and keys: docs/design/recipes.md.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { memoFs, Prober, treeFs, type LoadOptions } from "../kconfig/index.ts";
import { kbuildConfigEnv, kernelVersion, tinyInputs } from "../kconfig/linux.ts";
import { saveProbeManifest, warmProbes, type ProbeStats } from "../kconfig/probes.ts";
import {
  configureKernel,
  readAutoConf,
  syncConfig,
  writeSyncConfig,
  type KernelConfig,
} from "./kernel-config.ts";
import type { SubBuild } from "./run.ts";
import type { WorkTree } from "./worktree.ts";

export const LINUX_RECIPE_VERSION = "linux recipe v2";
export const LINUX_ARCH = "riscv";
export const LINUX_CROSS = "riscv64-linux-gnu-";

/**
 * Fixed build identity for reproducible kernels: the same inputs give the same Image wherever and whenever
 * it is built, so one cache entry is as good as another build.
 */
export const KBUILD_ENV: Readonly<Record<string, string>> = {
  KBUILD_BUILD_TIMESTAMP: "1970-01-01 00:00:00 UTC",
  KBUILD_BUILD_USER: "keel",
  KBUILD_BUILD_HOST: "keel",
  KBUILD_BUILD_VERSION: "1",
};

export interface LinuxBuild {
  tarball: string;
  fragmentText: string;
  /** The fragment as the user should see it in messages (repo-relative). */
  fragmentFile: string;
  jobs: number;
  /** The persistent kernel tree; the caller holds its lock. */
  work: WorkTree;
  /** The Kconfig engine's persistent $(shell,...) probe cache, or null for none. */
  probeCache: string | null;
  /** Tells the user what happened (`keel: linux rootvm: ...`). */
  say: (line: string) => void;
}

/** How a kernel build went, for logs, tests and the benchmark. */
export interface LinuxOutcome {
  /** The work tree was (re)made from the tarball: a cold build. */
  fresh: boolean;
  /** Symbols whose include/config stamp was touched (all set symbols in a fresh tree). */
  changedSymbols: string[];
  /** Time Keel's Kconfig engine took, probes included, in ms. */
  configureMs: number;
}

const SHOW_SYMBOLS = 12;

/**
 * Builds into `entryDir` (a cache entry being written): `Image` and `config`, in `b.work`'s tree: made from
 * the tarball when it is missing or was left by a failed or interrupted build, otherwise reconfigured in
 * place so that `make` recompiles only what the changed symbols affect.
 */
export async function buildLinux(
  b: LinuxBuild,
  entryDir: string,
  sub: Pick<SubBuild, "run" | "note">,
): Promise<LinuxOutcome> {
  const tree = b.work.tree;
  const before = await b.work.state();
  const fresh = before?.state !== "ready";
  if (fresh) {
    if (before) b.say("the kernel work tree was left by a failed or interrupted build; making it afresh");
    await b.work.discard();
    await mkdir(tree, { recursive: true });
    await sub.run(
      "extract the kernel source",
      ["tar", "-xf", b.tarball, "-C", tree, "--strip-components=1"],
      tree,
    );
    await b.work.setState("ready", "extracted"); // a sound tree, even if the configuration below fails
  }

  const started = performance.now();
  const manifest = join(b.work.dir, "probes.json");
  const { kernel, probes } = await configureTree(
    tree,
    { file: b.fragmentFile, text: b.fragmentText },
    b.probeCache,
    manifest,
  );
  const sync = syncConfig(kernel, await readAutoConf(tree));
  const configureMs = performance.now() - started;
  for (const w of kernel.warnings) sub.note(w.trimEnd());

  await b.work.setState("building", b.fragmentFile);
  const wrote = await writeSyncConfig(tree, sync);
  const n = wrote.touched.length;
  const shown = wrote.touched.slice(0, SHOW_SYMBOLS).join(" ") + (n > SHOW_SYMBOLS ? " ..." : "");
  b.say(
    `configured by Keel's Kconfig engine in ${(configureMs / 1000).toFixed(1)} s ` +
      `(probes: ${probes.ran} run, ${probes.cached} cached); ` +
      (fresh ? `fresh work tree, ${n} symbols set` : `${n} symbol(s) changed${n ? `: ${shown}` : ""}`),
  );
  const stamps = fresh ? `${n} stamps made` : `stamps touched: ${wrote.touched.join(" ") || "none"}`;
  sub.note(`configured; files written: ${wrote.written.join(" ") || "none"}; ${stamps}`);

  await sub.run(`make -j${b.jobs} Image`, make(`-j${b.jobs}`, "Image"), tree, KBUILD_ENV);
  // Kbuild builds scripts/kconfig/conf only to run syncconfig: its absence proves it took Keel's files.
  if (existsSync(join(tree, "scripts", "kconfig", "conf"))) {
    throw new Error(
      `Kbuild built and ran its own conf in ${tree}: it did not accept the configuration files Keel wrote (a Keel bug; the work tree will be made afresh)`,
    );
  }
  await copyFile(join(tree, "arch", LINUX_ARCH, "boot", "Image"), join(entryDir, "Image"));
  await copyFile(join(tree, ".config"), join(entryDir, "config"));
  await b.work.setState("ready", b.fragmentFile);
  return { fresh, changedSymbols: wrote.touched, configureMs };
}

/**
 * Configures the kernel tree `tree` (an in-tree build: $(srctree) is ".") with Keel's Kconfig engine, as
 * `make tinyconfig`, merging `fragment`, `make olddefconfig` would; $(shell,...) probes go through the
 * engine's persistent probe cache (`probeCache`) and are warmed concurrently (`manifest`: the probe list of
 * the last run). Nothing is written into the tree.
 */
export async function configureTree(
  tree: string,
  fragment: { file: string; text: string },
  probeCache: string | null,
  manifest: string | null,
): Promise<{ kernel: KernelConfig; probes: ProbeStats }> {
  const versionProbe = new Prober({ cwd: tree, env: process.env, cacheDir: probeCache });
  const env = kbuildConfigEnv({
    arch: LINUX_ARCH,
    cross: LINUX_CROSS,
    srctree: ".",
    kernelVersion: kernelVersion(await readFile(join(tree, "Makefile"), "utf8")),
    ccVersionText:
      versionProbe.answer(`LC_ALL=C ${LINUX_CROSS}gcc --version 2>/dev/null`).split("\n")[0] ?? "",
  });
  const prober = new Prober({ cwd: tree, env: { ...process.env, ...env }, cacheDir: probeCache });
  const kconfigTree: LoadOptions = { file: "Kconfig", fs: memoFs(treeFs(tree)), env, shell: prober.runner };
  await warmProbes(kconfigTree, prober, manifest);
  const kernel = configureKernel(kconfigTree, tinyInputs(tree, LINUX_ARCH), fragment);
  saveProbeManifest(manifest, prober);
  return { kernel, probes: prober.stats };
}

/** `make ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- <args>` */
export function make(...args: string[]): string[] {
  return ["make", `ARCH=${LINUX_ARCH}`, `CROSS_COMPILE=${LINUX_CROSS}`, ...args];
}
