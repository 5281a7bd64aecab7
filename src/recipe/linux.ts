// The Linux recipe: Debian's linux-source tarball, ARCH=riscv, tinyconfig + a fragment kept in the repo,
// `make olddefconfig`, `make -jN Image`. The result (Image + the final .config) is a cache entry keyed by
// everything that affects it. Contract and keys: docs/design/recipes.md.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../util/errors.ts";
import type { SubBuild } from "./run.ts";

export const LINUX_RECIPE_VERSION = "linux recipe v1";
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

/** One line of a Kconfig fragment that sets a symbol. */
export interface FragmentLine {
  symbol: string;
  /** `y`, `m`, `n`, a number or a quoted string, as written. */
  value: string;
  line: number;
}

/** The settings of a fragment: `CONFIG_X=v` and `# CONFIG_X is not set` (= n); comments and blanks skipped. */
export function parseFragment(text: string, file: string): FragmentLine[] {
  const out: FragmentLine[] = [];
  text.split("\n").forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    const off = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(l);
    if (off) return out.push({ symbol: off[1]!, value: "n", line: i + 1 });
    if (l.startsWith("#")) return;
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(l);
    if (!m) {
      throw new UserError(`expected CONFIG_NAME=value or "# CONFIG_NAME is not set"`, {
        location: { file, line: i + 1, col: 1 },
      });
    }
    out.push({ symbol: m[1]!, value: m[2]!, line: i + 1 });
  });
  return out;
}

/** The value of each symbol in a .config (`n` for "is not set"). */
export function parseDotConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const l of text.split("\n")) {
    const off = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(l);
    if (off) values.set(off[1]!, "n");
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(l);
    if (m) values.set(m[1]!, m[2]!);
  }
  return values;
}

/** Fragment lines that the final .config does not honour (a dependency missing, a typo). */
export function unmetFragmentLines(
  fragment: readonly FragmentLine[],
  dotConfig: string,
): { line: number; message: string }[] {
  const values = parseDotConfig(dotConfig);
  return fragment.flatMap((f) => {
    const got = values.get(f.symbol) ?? "n";
    if (got === f.value) return [];
    const has = got === "n" ? "leaves it unset" : `has ${f.symbol}=${got}`;
    return [
      { line: f.line, message: `${f.symbol}=${f.value} did not survive olddefconfig (the .config ${has})` },
    ];
  });
}

export interface LinuxBuild {
  tarball: string;
  fragmentText: string;
  /** The fragment as the user should see it in messages (repo-relative). */
  fragmentFile: string;
  jobs: number;
}

/**
 * Builds into `entryDir` (a cache entry being written): `Image` and `config`. `work` is a scratch folder
 * (removed by the caller).
 */
export async function buildLinux(
  b: LinuxBuild,
  work: string,
  entryDir: string,
  sub: SubBuild,
): Promise<void> {
  await mkdir(work, { recursive: true });
  await sub.run(
    "extract the kernel source",
    ["tar", "-xf", b.tarball, "-C", work, "--strip-components=1"],
    work,
  );
  const make = (...args: string[]): string[] => [
    "make",
    "ARCH=riscv",
    `CROSS_COMPILE=${LINUX_CROSS}`,
    ...args,
  ];
  await sub.run("make tinyconfig", make("tinyconfig"), work, KBUILD_ENV);
  const fragment = parseFragment(b.fragmentText, b.fragmentFile);
  const base = await readFile(join(work, ".config"), "utf8");
  await writeFile(join(work, ".config"), `${base}\n# keel: ${b.fragmentFile}\n${b.fragmentText}\n`);
  await sub.run("make olddefconfig", make("olddefconfig"), work, KBUILD_ENV);
  const final = await readFile(join(work, ".config"), "utf8");
  const [first, ...rest] = unmetFragmentLines(fragment, final);
  if (first) {
    throw new UserError(first.message, {
      location: { file: b.fragmentFile, line: first.line, col: 1 },
      details: rest.map((u) => `${b.fragmentFile}:${u.line}:1: ${u.message}`),
    });
  }
  await sub.run(`make -j${b.jobs} Image`, make(`-j${b.jobs}`, "Image"), work, KBUILD_ENV);
  await copyFile(join(work, "arch/riscv/boot/Image"), join(entryDir, "Image"));
  await copyFile(join(work, ".config"), join(entryDir, "config"));
  await rm(work, { recursive: true, force: true });
}
