// Building one image end to end: gather the inputs (build/inputs.ts), plan (build/plan.ts), run the steps on
// the graph engine, and point out/keel.elf at the result. The library entry point behind keel build, keel run,
// the end-to-end and boot tests and the benchmarks.
import { relative, join } from "node:path";
import { existsSync, renameSync, rmdirSync, rmSync, symlinkSync } from "node:fs";
import { build, NodeFs, ProcessRunner, type BuildResult } from "../graph/index.ts";
import type { ImageManifest } from "../manifest/image.ts";
import type { ResolvedPort } from "../port/resolve.ts";
import { gatherInputs, type BuildRequest } from "./inputs.ts";
import { planBuild } from "./plan.ts";
import { fileSystemError } from "../util/fserror.ts";
import { acquireLock, describeHolder, type HeldLock } from "../util/lock.ts";

export interface BuiltImage {
  elf: string;
  port: ResolvedPort;
  image: ImageManifest;
  result: BuildResult;
}

/** Builds one image end to end. */
export async function buildImage(req: BuildRequest): Promise<BuiltImage> {
  const fresh = !existsSync(req.outDir);
  const lock = await lockOutDir(req.outDir, req.signal);
  try {
    return await buildLocked(req);
  } catch (err) {
    throw fileSystemError(err) ?? err;
  } finally {
    await lock.release();
    // A build rejected before it wrote anything leaves no out dir behind (only the lock's folder was made).
    if (fresh) for (const d of [join(req.outDir, ".keel"), req.outDir]) rmdirIfEmpty(d);
  }
}

function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (the build wrote something), or gone
  }
}

/**
 * One build per out dir: a second one waits for the first, saying so at once and every few seconds (a
 * build of a different out dir does not wait). The lock is `<out>/.keel/lock`, see src/util/lock.ts.
 */
export function lockOutDir(outDir: string, signal?: AbortSignal): Promise<HeldLock> {
  return acquireLock(outDirLock(outDir), {
    what: "keel build",
    signal,
    waiting: (holder, waitedMs) =>
      process.stderr.write(
        `keel: waiting for ${outDir}: another build uses it (${describeHolder(holder)})${waitedMs > 0 ? `, waited ${Math.round(waitedMs / 1000)} s` : ""}\n`,
      ),
  });
}

export function outDirLock(outDir: string): string {
  return join(outDir, ".keel", "lock");
}

async function buildLocked(req: BuildRequest): Promise<BuiltImage> {
  const { root, outDir } = req;
  const plan = planBuild(await gatherInputs(req));
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
