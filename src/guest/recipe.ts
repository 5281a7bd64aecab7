// Planning recipe guests (Linux + BusyBox + programs + initramfs -> one payload ELF) as graph steps. Each long
// step is an action whose result is a cache entry: the graph decides whether the step runs (its key covers
// the declared inputs), the cache decides whether running it means building or copying a previous result
// (its key covers the content of everything that affects the output). See docs/design/recipes.md.
import { mkdir, readFile, rm } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ContentCache } from "../store/store.ts";
import { cacheKey, hashFile } from "../store/store.ts";
import { createHash } from "node:crypto";
import type { ActionContext, Step } from "../graph/graph.ts";
import { tmp } from "../graph/graph.ts";
import { formatElapsed } from "../graph/status.ts";
import { writeCpio } from "../initramfs/cpio.ts";
import { GZIP_LEVEL, gzipDeterministic } from "../initramfs/gzip.ts";
import { assembleEntries, manifestInputs, type InitramfsManifest } from "../initramfs/manifest.ts";
import type { GuestManifest } from "../manifest/guest.ts";
import { INITRD_GPA, LINUX_LOAD_GPA, linuxPayload } from "../payload/linux.ts";
import { UserError } from "../util/errors.ts";
import {
  BUSYBOX_RECIPE_VERSION,
  BUSYBOX_SOURCE_VERSION,
  buildBusybox,
  fetchSource,
} from "../recipe/busybox.ts";
import { buildLinux, KBUILD_ENV, LINUX_CROSS, LINUX_RECIPE_VERSION } from "../recipe/linux.ts";
import { exclusive, SubBuild } from "../recipe/run.ts";
import { WorkTree } from "../recipe/worktree.ts";
import { describeHolder, procProbe } from "../util/lock.ts";

export type RecipeGuest = Extract<GuestManifest, { kind: "recipe" }>;

/** What planning a recipe guest needs from the host, gathered once at the build's edge (gatherForeignGuests). */
export interface RecipeHost {
  cache: ContentCache;
  /** make -j for the sub-builds. */
  jobs: number;
  /** Installed version of the kernel source package (dpkg-query). */
  linuxVersion: string;
  /** Candidate version of the BusyBox source package (apt-cache showsrc); undefined without busybox. */
  busyboxVersion: string | undefined;
  /** The Linux cross toolchain: riscv64-linux-gnu-gcc and -ld version lines. */
  crossIdentity: string;
  /** mtime of every initramfs entry: the build's SOURCE_DATE_EPOCH. */
  epoch: number;
}

export interface RecipePlanInput {
  root: string;
  buildDir: string;
  outDir: string;
  guest: RecipeGuest;
  initramfs: InitramfsManifest;
  host: RecipeHost;
}

/** Names `build:` entries of the initramfs may use for a recipe guest. */
export function recipeBuildNames(g: RecipeGuest): string[] {
  return [...(g.busybox ? ["busybox"] : []), ...g.programs.map((p) => basename(p, ".c"))];
}

/** Writes a cache entry's files to a step's outputs (entry file name = output base name). */
async function exportEntry(ctx: ActionContext, dir: string, outputs: readonly string[]): Promise<void> {
  for (const out of outputs) await ctx.writeOutput(out, await readFile(join(dir, basename(out))));
}

/** Runs `build` for a cache miss (one sub-build at a time), logging hits and misses for the step log. */
async function cached(
  ctx: ActionContext,
  cache: ContentCache,
  what: string,
  material: unknown,
  logDir: string,
  build: (entryDir: string, work: string, sub: SubBuild) => Promise<void>,
): Promise<string> {
  const key = cacheKey(material);
  const short = key.slice(0, 12);
  const found = await cache.lookup(key);
  if ("dir" in found) {
    ctx.log?.(`keel: ${what}: cache hit ${short}, not rebuilt`);
    return found.dir;
  }
  if (found.reason) ctx.log?.(`keel: ${what}: ${found.reason}`);
  return exclusive(async () => {
    const again = await cache.lookup(key); // built by a concurrent build meanwhile?
    if ("dir" in again) return again.dir;
    for (const dead of await cache.collectScratch((pid) => procProbe.startOf(pid) !== undefined)) {
      ctx.log?.(`keel: removed ${dead}, left by a build that died`);
    }
    await mkdir(logDir, { recursive: true });
    const logFile = join(logDir, `${what.replace(/[^A-Za-z0-9.-]+/g, "-")}.log`);
    const sub = new SubBuild({ logFile, progress: (l) => ctx.progress?.(l), signal: ctx.signal });
    const started = Date.now();
    const work = join(cache.root, "build", `${short}-${process.pid}`);
    try {
      const entry = await cache.put(key, what, (dir) => build(dir, work, sub), material);
      ctx.log?.(
        `keel: ${what}: cache miss, built in ${formatElapsed(Date.now() - started)} (cache entry ${short})`,
      );
      return entry.dir;
    } finally {
      await sub.close();
      await rm(work, { recursive: true, force: true });
    }
  });
}

/**
 * The kernel work tree's name: one per source tarball and toolchain (and recipe version), shared by every
 * fragment, so a fragment change reuses the tree's objects.
 */
export function linuxWorkName(tarballSha256: string, crossIdentity: string): string {
  const tc = createHash("sha256").update(`${LINUX_RECIPE_VERSION}\n${crossIdentity}`).digest("hex");
  return `linux-${tarballSha256.slice(0, 12)}-${tc.slice(0, 12)}`;
}

/** The key material of a Linux recipe entry (see the LINUX step below); what `forgetLinuxEntries` matches. */
interface LinuxMaterial {
  recipe: string;
  fragment: string;
}

/**
 * Removes this recipe version's kernel entries built from `fragmentText`, so that the next build of that
 * fragment runs (tests and the bench use it; entries of other recipe versions stay).
 */
export function forgetLinuxEntries(cache: ContentCache, fragmentText: string): Promise<number> {
  return cache.removeWhere((m) => {
    const lm = m as Partial<LinuxMaterial> | undefined;
    return lm?.recipe === LINUX_RECIPE_VERSION && lm.fragment === fragmentText;
  });
}

export function planRecipeGuest(p: RecipePlanInput): { steps: Step[]; elf: string; initramfs: string } {
  const { guest: g, host, root } = p;
  const dir = join(root, g.dir);
  const rdir = join(p.buildDir, "recipes", g.name);
  const logDir = join(p.outDir, ".keel", "logs");
  const label = (f: string): string => relative(p.outDir, f);
  const steps: Step[] = [];

  // Linux
  const fragment = join(dir, g.linux.fragment);
  const image = join(rdir, "linux", "Image");
  const kconfig = join(rdir, "linux", "config");
  steps.push({
    id: `recipe:linux:${image}`,
    kind: "LINUX",
    label: label(image),
    inputs: [g.linux.tarball, fragment],
    outputs: [image, kconfig],
    identity: [LINUX_RECIPE_VERSION, `${g.linux.package} ${host.linuxVersion}`, host.crossIdentity],
    action: async (ctx) => {
      const fragmentText = await readFile(fragment, "utf8");
      const tarball = await hashFile(g.linux.tarball);
      const material: LinuxMaterial & Record<string, unknown> = {
        recipe: LINUX_RECIPE_VERSION,
        package: `${g.linux.package} ${host.linuxVersion}`,
        tarball,
        fragment: fragmentText,
        toolchain: host.crossIdentity,
        env: KBUILD_ENV,
      };
      const what = `linux ${g.name}`;
      const entry = await cached(ctx, host.cache, what, material, logDir, (out, _scratch, sub) => {
        const work = new WorkTree(host.cache.root, linuxWorkName(tarball, host.crossIdentity));
        const say = (l: string): void => {
          ctx.log?.(`keel: ${what}: ${l}`);
          sub.note(l);
        };
        return work.locked(
          async () => {
            await buildLinux(
              {
                tarball: g.linux.tarball,
                fragmentText,
                fragmentFile: relative(root, fragment),
                jobs: host.jobs,
                work,
                probeCache: join(host.cache.root, "kconfig-probes"),
                say,
              },
              out,
              sub,
            );
          },
          {
            signal: ctx.signal,
            waiting: (holder) => {
              const line = `waiting for the kernel work tree ${work.dir} (${describeHolder(holder)})`;
              say(line);
              ctx.progress?.(line);
            },
          },
        );
      });
      await exportEntry(ctx, entry, [image, kconfig]);
    },
  });

  // BusyBox
  const builds = new Map<string, string>();
  if (g.busybox) {
    const bb = g.busybox;
    const config = join(dir, bb.config);
    const bin = join(rdir, "busybox", "busybox");
    builds.set("busybox", bin);
    const version = host.busyboxVersion ?? "unknown";
    steps.push({
      id: `recipe:busybox:${bin}`,
      kind: "BUSYBOX",
      label: label(bin),
      inputs: [config],
      outputs: [bin],
      identity: [BUSYBOX_RECIPE_VERSION, `${bb.package} ${version}`, host.crossIdentity],
      action: async (ctx) => {
        const configText = await readFile(config, "utf8");
        const srcMaterial = { recipe: BUSYBOX_SOURCE_VERSION, package: bb.package, version };
        const srcDir = await cached(
          ctx,
          host.cache,
          `${bb.package} source`,
          srcMaterial,
          logDir,
          (out, _w, sub) => fetchSource(bb.package, version, out, sub),
        );
        const material = {
          recipe: BUSYBOX_RECIPE_VERSION,
          source: srcMaterial,
          files: JSON.parse(await readFile(join(srcDir, ".keel-entry.json"), "utf8")).files as unknown,
          config: configText,
          toolchain: host.crossIdentity,
        };
        const entry = await cached(ctx, host.cache, `busybox ${g.name}`, material, logDir, (out, work, sub) =>
          buildBusybox(
            { sourceDir: srcDir, configText, configFile: relative(root, config), jobs: host.jobs },
            work,
            out,
            sub,
          ),
        );
        await exportEntry(ctx, entry, [bin]);
      },
    });
  }

  // Small static programs: ordinary compile steps (fast, no cache needed).
  for (const prog of g.programs) {
    const src = join(dir, prog);
    const bin = join(rdir, basename(prog, ".c"));
    builds.set(basename(prog, ".c"), bin);
    steps.push({
      id: `cc:${bin}`,
      kind: "CC",
      label: relative(root, src),
      inputs: [src],
      outputs: [bin],
      identity: [host.crossIdentity],
      cwd: root,
      source: src,
      command: [
        `${LINUX_CROSS}gcc`,
        "-static",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-s",
        "-Wl,--build-id=none",
        `-ffile-prefix-map=${root}=.`,
        "-o",
        tmp(bin),
        relative(root, src),
      ],
    });
  }

  // Initramfs
  const cpio = join(p.buildDir, "guests", g.name, "initramfs.cpio.gz");
  const manifestFile = join(dir, g.initramfs);
  steps.push({
    id: `initramfs:${cpio}`,
    kind: "CPIO",
    label: label(cpio),
    inputs: [manifestFile, ...manifestInputs(p.initramfs), ...[...builds.values()].sort()],
    outputs: [cpio],
    identity: [
      "initramfs newc v1",
      `mtime ${host.epoch}`,
      `gzip -${GZIP_LEVEL} zlib ${process.versions.zlib}`,
    ],
    action: async (ctx) => {
      const entries = await assembleEntries(
        p.initramfs,
        (name) => {
          const f = builds.get(name);
          if (!f) throw new Error(`no build output ${name}`);
          return f;
        },
        (f) => ctx.fs.readFile(f),
      );
      await ctx.writeOutput(cpio, gzipDeterministic(writeCpio(entries, host.epoch)));
    },
  });

  // Payload
  const elf = join(p.buildDir, "guests", `${g.name}.elf`);
  steps.push({
    id: `payload:${elf}`,
    kind: "ELF",
    label: label(elf),
    inputs: [image, cpio],
    outputs: [elf],
    identity: [
      "linux payload v1",
      `kernel 0x${LINUX_LOAD_GPA.toString(16)}`,
      `initrd 0x${INITRD_GPA.toString(16)}`,
    ],
    action: async (ctx) => {
      const kernel = await ctx.fs.readFile(image);
      const initrd = await ctx.fs.readFile(cpio);
      let bytes: Uint8Array;
      try {
        bytes = linuxPayload(kernel, initrd);
      } catch (e) {
        throw new UserError(`${label(image)}: ${(e as Error).message}`);
      }
      await ctx.writeOutput(elf, bytes);
    },
  });
  return { steps, elf, initramfs: cpio };
}
