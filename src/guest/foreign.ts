// Guests that are not compiled from guests/<name>/*.c: host-file guests (a binary from a Debian package) and
// recipe guests (Linux + BusyBox + initramfs). gatherForeignGuests is the I/O edge (host packages checked or
// installed, the host file located and checksummed, versions and toolchain identity probed, the initramfs
// manifest checked); planForeignGuests turns what it found into steps and payload ELFs, purely.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ContentCache } from "../store/store.ts";
import type { Step } from "../graph/graph.ts";
import { loadInitramfs, type InitramfsManifest } from "../initramfs/manifest.ts";
import type { GuestManifest } from "../manifest/guest.ts";
import { locateHostFile, planHostFile, type HostFileGuest } from "./host-file.ts";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";
import {
  ensureDebSrc,
  ensurePackages,
  installedVersion,
  RECIPE_PACKAGES,
  sourceVersion,
  type HostEnv,
} from "../recipe/host.ts";
import { LINUX_CROSS } from "../recipe/linux.ts";
import { planRecipeGuest, recipeBuildNames, type RecipeGuest, type RecipeHost } from "./recipe.ts";

export interface ForeignGuestsRequest {
  root: string;
  /** The build outputs (an initramfs from: may read them, as it may the checkout). */
  outDir: string;
  /** Every guest the image uses; source guests are skipped. */
  guests: readonly GuestManifest[];
  host: HostEnv;
  /** The recipe cache folder (cacheDir(env)). */
  cacheDir: string;
  jobs: number | undefined;
  epoch: number;
}

/** What planning one host-file or recipe guest needs, found at the edge. */
export type ForeignGuest =
  | { kind: "host-file"; guest: HostFileGuest; sha256: string }
  | { kind: "recipe"; guest: RecipeGuest; initramfs: InitramfsManifest; host: RecipeHost };

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

/** The I/O edge: for each host-file and recipe guest, in image order, what its plan needs. */
export async function gatherForeignGuests(p: ForeignGuestsRequest): Promise<ForeignGuest[]> {
  const found: ForeignGuest[] = [];
  for (const g of p.guests) {
    if (g.kind === "host-file") {
      // The package that installs the file, by the same host setup the recipe guests use (installed on the
      // spot as root on Debian; elsewhere locateHostFile says which file is missing).
      if (p.host.debian) await ensurePackages(p.host, [g.package], `building guest ${g.name}`);
      const located = await locateHostFile(g);
      found.push({ kind: "host-file", guest: g, sha256: located.sha256 });
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
      found.push({
        kind: "recipe",
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
    }
  }
  return found;
}

/** Their steps and payload ELFs. Pure: data in, steps out. */
export function planForeignGuests(p: {
  root: string;
  buildDir: string;
  outDir: string;
  guests: readonly ForeignGuest[];
}): ForeignGuests {
  const steps: Step[] = [];
  const elves = new Map<string, string>();
  for (const g of p.guests) {
    const plan =
      g.kind === "host-file"
        ? planHostFile({ buildDir: p.buildDir, outDir: p.outDir, guest: g.guest, sha256: g.sha256 })
        : planRecipeGuest({
            root: p.root,
            buildDir: p.buildDir,
            outDir: p.outDir,
            guest: g.guest,
            initramfs: g.initramfs,
            host: g.host,
          });
    steps.push(...plan.steps);
    elves.set(g.guest.name, plan.elf);
  }
  return { steps, elves };
}
