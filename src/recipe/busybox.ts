// The BusyBox recipe: Debian's source package (`apt-get source --download-only`, itself a cache entry keyed by
// package and version), unpacked with Debian's patches (`dpkg-source -x`), configured from a .config kept in
// the repo (`make oldconfig` must leave it unchanged), cross-built static for riscv64.
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../util/errors.ts";
import { LINUX_CROSS } from "./linux.ts";
import type { SubBuild } from "./run.ts";

export const BUSYBOX_RECIPE_VERSION = "busybox recipe v1";
export const BUSYBOX_SOURCE_VERSION = "busybox source v1";

/** Fixed build date: the BusyBox banner and .config header do not depend on when it was built. */
export const BUSYBOX_ENV: Readonly<Record<string, string>> = {
  SOURCE_DATE_EPOCH: "0",
  KCONFIG_NOTIMESTAMP: "1",
};

/** Downloads the source package `pkg=version` (.dsc + tarballs) into `dir`. */
export async function fetchSource(pkg: string, version: string, dir: string, sub: SubBuild): Promise<void> {
  await sub.run(`apt-get source ${pkg}`, ["apt-get", "source", "--download-only", `${pkg}=${version}`], dir);
}

/** The settings of a .config, without comments: what `make oldconfig` must not change. */
export function configSettings(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export interface BusyboxBuild {
  /** The folder holding the downloaded source package (a cache entry). */
  sourceDir: string;
  configText: string;
  /** The config as the user should see it in messages. */
  configFile: string;
  jobs: number;
}

/** Builds `busybox` (and its `config`) into `entryDir`; `work` is scratch, removed by the caller. */
export async function buildBusybox(
  b: BusyboxBuild,
  work: string,
  entryDir: string,
  sub: SubBuild,
): Promise<void> {
  const dsc = (await readdir(b.sourceDir)).find((f) => f.endsWith(".dsc"));
  if (!dsc) throw new UserError(`no .dsc file in the BusyBox source download ${b.sourceDir}`);
  const src = join(work, "src");
  await mkdir(work, { recursive: true });
  await sub.run("unpack busybox", ["dpkg-source", "-x", join(b.sourceDir, dsc), src], work);
  await writeFile(join(src, ".config"), b.configText);
  const make = (...args: string[]): string[] => [
    "make",
    "ARCH=riscv",
    `CROSS_COMPILE=${LINUX_CROSS}`,
    ...args,
  ];
  await sub.run("make oldconfig", make("oldconfig"), src, BUSYBOX_ENV);
  const after = configSettings(await readFile(join(src, ".config"), "utf8"));
  const before = configSettings(b.configText);
  const added = after.filter((l) => !before.includes(l));
  const dropped = before.filter((l) => !after.includes(l));
  if (added.length + dropped.length > 0) {
    throw new UserError(
      `${b.configFile} is not a complete BusyBox 1.35 configuration: make oldconfig changed it`,
      {
        details: [...dropped.map((l) => `- ${l}`), ...added.map((l) => `+ ${l}`)].slice(0, 20),
      },
    );
  }
  if (!after.includes("CONFIG_STATIC=y")) throw new UserError(`${b.configFile} must set CONFIG_STATIC=y`);
  await sub.run(`make -j${b.jobs} busybox`, make(`-j${b.jobs}`, "busybox"), src, BUSYBOX_ENV);
  await copyFile(join(src, "busybox"), join(entryDir, "busybox"));
  await copyFile(join(src, ".config"), join(entryDir, "config"));
  await rm(work, { recursive: true, force: true });
}
