// The I/O edge for guests that are not compiled from guests/<name>/*.c: host-file guests (a binary from a
// Debian package, located and checksummed now) and recipe guests (host packages checked or installed, versions
// and toolchain identity probed, the initramfs manifest checked). Returns their steps and payload ELFs.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ContentCache } from "../cache/store.ts";
import type { Step } from "../graph/graph.ts";
import { loadInitramfs } from "../initramfs/manifest.ts";
import type { GuestManifest } from "../manifest/guest.ts";
import { locateHostFile, planHostFile } from "../plan/host-file.ts";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";
import {
  ensureDebSrc,
  ensurePackages,
  installedVersion,
  RECIPE_PACKAGES,
  sourceVersion,
  type HostEnv,
} from "./host.ts";
import { LINUX_CROSS } from "./linux.ts";
import { planRecipeGuest, recipeBuildNames } from "./plan.ts";

export interface ForeignGuestsInput {
  root: string;
  buildDir: string;
  outDir: string;
  guests: readonly GuestManifest[];
  host: HostEnv;
  /** The recipe cache folder (cacheDir(env)). */
  cacheDir: string;
  jobs: number | undefined;
  epoch: number;
}

export interface ForeignGuests {
  steps: Step[];
  /** guest name -> payload ELF */
  elves: Map<string, string>;
}

/** First line of `<tool> --version`, or a UserError naming the package that provides it. */
async function versionLine(run: ProbeRun, tool: string, pkg: string): Promise<string> {
  const r = await run([tool, "--version"]).catch(() => ({ code: 127, stdout: "", stderr: "" }));
  if (r.code !== 0) throw new UserError(`${tool} is not installed (Debian package ${pkg})`);
  return r.stdout.split("\n")[0]!.trim();
}

export async function planForeignGuests(p: ForeignGuestsInput): Promise<ForeignGuests> {
  const steps: Step[] = [];
  const elves = new Map<string, string>();
  for (const g of p.guests) {
    if (g.kind === "host-file") {
      // The package that installs the file, by the same host setup the recipe guests use (installed on the
      // spot as root on Debian; elsewhere locateHostFile says which file is missing).
      if (p.host.debian) await ensurePackages(p.host, [g.package], `building guest ${g.name}`);
      const located = await locateHostFile(g);
      const plan = planHostFile({ buildDir: p.buildDir, outDir: p.outDir, guest: g, sha256: located.sha256 });
      steps.push(...plan.steps);
      elves.set(g.name, plan.elf);
    } else if (g.kind === "recipe") {
      const why = `building guest ${g.name}`;
      await ensurePackages(p.host, [...RECIPE_PACKAGES, g.linux.package], why);
      if (g.busybox) await ensureDebSrc(p.host);
      const initramfs = await loadInitramfs(join(p.root, g.dir, g.initramfs), {
        builds: recipeBuildNames(g),
        allowedRoots: [p.root, p.outDir],
      });
      const crossIdentity = [
        await versionLine(p.host.run, `${LINUX_CROSS}gcc`, "gcc-riscv64-linux-gnu"),
        await versionLine(p.host.run, `${LINUX_CROSS}ld`, "binutils-riscv64-linux-gnu"),
      ].join("; ");
      const plan = planRecipeGuest({
        root: p.root,
        buildDir: p.buildDir,
        outDir: p.outDir,
        guest: g,
        initramfs,
        host: {
          cache: new ContentCache(p.cacheDir),
          jobs: Math.max(1, p.jobs ?? availableParallelism()),
          linuxVersion: (await installedVersion(p.host.run, g.linux.package)) ?? "unknown",
          busyboxVersion: g.busybox ? await sourceVersion(p.host.run, g.busybox.package) : undefined,
          crossIdentity,
          epoch: p.epoch,
        },
      });
      steps.push(...plan.steps);
      elves.set(g.name, plan.elf);
    }
  }
  return { steps, elves };
}
