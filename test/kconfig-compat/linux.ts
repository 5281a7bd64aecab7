// The Linux 6.1 tree for the compatibility suite and its reference outputs from the kernel's own
// scripts/kconfig/conf: prepared from Debian's linux-source-6.1 tarball by prepareLinux(), cached under the
// Keel cache dir keyed by the tarball's hash, and the environment the kernel Makefile gives `conf` for
// ARCH=riscv.
//
// Layout (<cache> = $KEEL_CACHE_DIR, else $XDG_CACHE_HOME/keel, else ~/.cache/keel):
//   <cache>/kconfig-compat/tarballs.json          tarball identity (path, size, mtime, inode) -> sha256
//   <cache>/kconfig-compat/linux-<sha16>/src/      the files Kconfig and `make *config` need (not the tree)
//   <cache>/kconfig-compat/linux-<sha16>/ref/conf  scripts/kconfig/conf built from that tree
//   <cache>/kconfig-compat/linux-<sha16>/ref/<target>/   conf's outputs (.config, auto.conf, ...)
//   <cache>/kconfig-compat/linux-<sha16>/rootvm-<fragment sha16>/.config   tinyconfig + fragment, olddefconfig
// Each directory is built under a temporary name and renamed into place when complete.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir } from "../../src/store/store.ts";
import { probeRun } from "../../src/toolchain/probe.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  Prober,
  recordHolds,
  shellRunner,
  treeFs,
  type KconfigCache,
  type LoadOptions,
} from "../../src/kconfig/index.ts";
import { kbuildConfigEnv, kernelVersion } from "../../src/kconfig/linux.ts";
import { ensurePackages, realHostEnv } from "../../src/recipe/host.ts";
import { KBUILD_ENV, LINUX_CROSS } from "../../src/recipe/linux.ts";
import { UserError } from "../../src/util/errors.ts";

/** The tarball Debian's linux-source-6.1 installs (guests/rootvm/guest.yaml names the same). */
export const TARBALL = process.env["KEEL_LINUX_TARBALL"] ?? "/usr/src/linux-source-6.1.tar.xz";
/** The root VM's fragment, as src/recipe/linux.ts applies it (named relative to the repository). */
export const ROOTVM_FRAGMENT = "guests/rootvm/linux.fragment";
export const CROSS = LINUX_CROSS;
/** What preparing needs: the tarball, the cross compiler the probes run, and what building conf needs. */
export const PACKAGES: readonly string[] = [
  "linux-source-6.1",
  "gcc-riscv64-linux-gnu",
  // The target's C library: the cc-can-link probes answer y only with it, and the root VM recipe installs it
  // later in the same `keel test`; references recorded without it would disagree with later runs.
  "libc6-dev-riscv64-cross",
  "flex",
  "bison",
  "make",
  "gcc",
  "libc6-dev",
  "xz-utils",
];
/** The conf targets recorded as references (each a directory under ref/). */
export const TARGETS = [
  "defconfig",
  "allnoconfig",
  "allyesconfig",
  "alldefconfig",
  "allmodconfig",
  "tinyconfig",
] as const;
/** What is extracted: Kconfig files anywhere, and what `make ARCH=riscv *config` reads. */
const MEMBERS = ["Makefile", "scripts/*", "*Kconfig*", "arch/riscv/*", "kernel/configs/*"];
const PREP_VERSION = "1";
const REPO = join(import.meta.dirname, "..", "..");
const TIMEOUT = 10 * 60 * 1000;

const COMPAT = join(cacheDir(process.env), "kconfig-compat");

/** sha256 of the tarball, remembered by its identity so a second run does not read 138 MB again. */
function tarballHash(): string | null {
  let st;
  try {
    st = statSync(TARBALL);
  } catch {
    return null;
  }
  const id = `${TARBALL}:${st.size}:${st.mtimeMs}:${st.ino}`;
  const memo = join(COMPAT, "tarballs.json");
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(readFileSync(memo, "utf8")) as Record<string, string>;
  } catch {
    known = {};
  }
  const hit = known[id];
  if (typeof hit === "string") return hit;
  const h = createHash("sha256");
  const fd = openSync(TARBALL, "r");
  const buf = Buffer.alloc(1 << 22);
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const sha = h.digest("hex");
  mkdirSync(COMPAT, { recursive: true });
  atomicWrite(memo, JSON.stringify({ ...known, [id]: sha }));
  return sha;
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

// Everything below is keyed by the tarball's hash, found when first asked for (not at import: on a fresh
// machine the tarball appears only once prepareLinux() has installed linux-source-6.1).
let hashMemo: string | null = null;
function hash(): string | null {
  hashMemo ??= tarballHash();
  return hashMemo;
}
/** The prepared tree's directory (absent until prepareLinux() has run). */
export function preparedDir(): string {
  return join(COMPAT, `linux-${(hash() ?? "no-tarball").slice(0, 16)}-v${PREP_VERSION}`);
}
export function linuxSrc(): string {
  return process.env["KEEL_LINUX_SRC"] ?? join(preparedDir(), "src");
}
/** Reference outputs made by the kernel's own scripts/kconfig/conf. */
export function linuxRef(): string {
  return process.env["KEEL_LINUX_REF"] ?? join(preparedDir(), "ref");
}
/** conf, built once from the prepared tree (test/kconfig-compat/gen-fixtures.sh uses it). */
export function confPath(): string {
  return join(linuxRef(), "conf");
}

/** Why the prepared tree cannot be used yet, or null when it, its references and the cross compiler are there. */
export function unavailable(): string | null {
  if (!existsSync(join(linuxSrc(), "Kconfig"))) return `no Linux 6.1 tree at ${linuxSrc()}`;
  if (!existsSync(join(linuxRef(), "defconfig", ".config"))) return `no reference outputs at ${linuxRef()}`;
  try {
    execFileSync(`${CROSS}gcc`, ["--version"], { stdio: "ignore" });
  } catch {
    return `${CROSS}gcc is not installed`;
  }
  return null;
}

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    execFileSync(argv[0]!, argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: TIMEOUT });
  } catch (e) {
    const err = e as { status?: number | null; signal?: string | null; stderr?: Buffer; stdout?: Buffer };
    const out = `${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}`.trim().split("\n");
    const why = err.signal ? `killed by ${err.signal} (timeout ${TIMEOUT / 1000} s?)` : `exit ${err.status}`;
    throw new Error(`${argv.join(" ")} (in ${cwd}) failed: ${why}\n${out.slice(-20).join("\n")}`);
  }
}

/** Renames the complete `tmp` to `dest`; when another process got there first, its copy is as good. */
function publish(tmp: string, dest: string): void {
  try {
    renameSync(tmp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    rmSync(tmp, { recursive: true, force: true });
    if ((code !== "ENOTEMPTY" && code !== "EEXIST") || !existsSync(dest)) throw e;
  }
}

const make = (obj: string, ...targets: string[]): string[] => [
  "make",
  "-s",
  "ARCH=riscv",
  `CROSS_COMPILE=${CROSS}`,
  `O=${obj}`,
  ...targets,
];

/** Extracts the files Kconfig and `make *config` need into src/ (built aside, renamed into place). */
function extractTree(say: (l: string) => void): void {
  mkdirSync(preparedDir(), { recursive: true });
  const tmp = mkdtempSync(join(preparedDir(), "tmp-src-"));
  try {
    const t0 = performance.now();
    // xz decompresses the tarball's blocks on every CPU; tar writes only the members Kconfig needs.
    run(
      [
        "tar",
        "-xf",
        TARBALL,
        "-C",
        tmp,
        "--use-compress-program=xz -T0",
        "--strip-components=1",
        "--wildcards",
        ...MEMBERS.map((m) => `linux-source-6.1/${m}`),
      ],
      tmp,
    );
    say(`kconfig-compat: extracted the Kconfig files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    publish(tmp, join(preparedDir(), "src"));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Builds conf once and records its outputs for every target into ref/ (aside, then renamed). The make runs
 * use the final src/, since auto.conf.cmd records $(srctree).
 */
function recordReferences(say: (l: string) => void): void {
  const tmp = mkdtempSync(join(preparedDir(), "tmp-ref-"));
  try {
    const t0 = performance.now();
    const obj = join(tmp, "obj");
    for (const t of TARGETS) {
      run(make(obj, t), linuxSrc());
      mkdirSync(join(tmp, t), { recursive: true });
      copyFileSync(join(obj, ".config"), join(tmp, t, ".config"));
      if (t === "defconfig") {
        // auto.conf, autoconf.h, auto.conf.cmd and the minimal defconfig for the defconfig configuration.
        run(make(obj, "syncconfig", "savedefconfig"), linuxSrc());
        copyFileSync(join(obj, "include/config/auto.conf"), join(tmp, t, "auto.conf"));
        copyFileSync(join(obj, "include/config/auto.conf.cmd"), join(tmp, t, "auto.conf.cmd"));
        copyFileSync(join(obj, "include/generated/autoconf.h"), join(tmp, t, "autoconf.h"));
        copyFileSync(join(obj, "defconfig"), join(tmp, t, "savedefconfig"));
      }
    }
    copyFileSync(join(obj, "scripts/kconfig/conf"), join(tmp, "conf"));
    rmSync(obj, { recursive: true, force: true });
    say(
      `kconfig-compat: built conf and recorded its references in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    publish(tmp, linuxRef());
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** The root VM fragment's text and the directory of its reference (keyed by the fragment's hash too). */
export function rootvmFragment(): { file: string; text: string; dir: string } {
  const text = readFileSync(join(REPO, ROOTVM_FRAGMENT), "utf8");
  const sha = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return { file: ROOTVM_FRAGMENT, text, dir: join(preparedDir(), `rootvm-${sha}`) };
}

/** What src/recipe/linux.ts writes to .config between `make tinyconfig` and `make olddefconfig`. */
export function withFragment(tinyConfig: string, fragmentFile: string, fragmentText: string): string {
  return `${tinyConfig}\n# keel: ${fragmentFile}\n${fragmentText}\n`;
}

/** conf's .config for the root VM: `make tinyconfig`, the fragment appended, `make olddefconfig`. */
function prepareRootvm(): void {
  const frag = rootvmFragment();
  const tmp = mkdtempSync(join(preparedDir(), "tmp-"));
  try {
    const obj = join(tmp, "obj");
    const env = { ...process.env, ...KBUILD_ENV };
    run(make(obj, "tinyconfig"), linuxSrc(), env);
    const base = readFileSync(join(obj, ".config"), "utf8");
    writeFileSync(join(obj, ".config"), withFragment(base, frag.file, frag.text));
    run(make(obj, "olddefconfig"), linuxSrc(), env);
    copyFileSync(join(obj, ".config"), join(tmp, ".config"));
    rmSync(obj, { recursive: true, force: true });
    publish(tmp, frag.dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Makes the suite's inputs exist: installs the packages (as root on Debian; otherwise throws with the
 * command to run), then extracts the tree and records conf's references unless the cache has them.
 */
export async function prepareLinux(say: (l: string) => void = () => {}): Promise<void> {
  if (process.env["KEEL_LINUX_SRC"] || process.env["KEEL_LINUX_REF"]) {
    const why = unavailable();
    if (why) throw new Error(`${why} (KEEL_LINUX_SRC/KEEL_LINUX_REF point at a tree that is not prepared)`);
    return;
  }
  try {
    await ensurePackages(realHostEnv(probeRun, say), PACKAGES, "the Kconfig compatibility suite");
  } catch (e) {
    // The reason with its hint (e.g. the apt-get command to run), in the message the test reports.
    if (e instanceof UserError) throw new Error([e.message, ...e.details].join("\n"));
    throw e;
  }
  if (hash() === null || !existsSync(TARBALL))
    throw new Error(`${TARBALL} is missing after installing ${PACKAGES[0]}`);
  if (!existsSync(join(linuxSrc(), "Kconfig"))) extractTree(say);
  if (!existsSync(confPath())) recordReferences(say);
  if (!existsSync(join(rootvmFragment().dir, ".config"))) prepareRootvm();
  const why = unavailable();
  if (why) throw new Error(why);
}

/** The variables the top-level Makefile exports to `conf` for ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-. */
export function riscvEnv(): Record<string, string> {
  return kbuildConfigEnv({
    arch: "riscv",
    cross: CROSS,
    srctree: linuxSrc(),
    kernelVersion: kernelVersion(readFileSync(join(linuxSrc(), "Makefile"), "utf8")),
    ccVersionText: execFileSync(`${CROSS}gcc`, ["--version"], { encoding: "utf8" }).split("\n")[0]!,
  });
}

let scratch: string | undefined;
/** One scratch object tree per process (probes run there), removed when the process exits. */
function scratchObjtree(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "keel-kconfig-obj-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

let envMemo: Record<string, string> | undefined;

/**
 * Load options for the riscv tree. $(shell,...) probes run the real cross compiler in a scratch objtree;
 * with a `prober`, each command runs once and later loads reuse its output (the probes' outputs depend
 * only on the command and the toolchain), otherwise every load runs them again as conf does. With a
 * `cache`, loads after the first may decode a stored snapshot instead of parsing.
 */
export function riscvTree(prober?: Prober, cache?: KconfigCache): LoadOptions {
  const env = (envMemo ??= riscvEnv());
  const objtree = scratchObjtree();
  return {
    file: "Kconfig",
    fs: treeFs(linuxSrc(), objtree),
    env,
    shell: prober?.runner ?? shellRunner(objtree, { ...process.env, ...env }),
    ...(cache && { cache }),
  };
}

/** A Prober for the riscv tree: no persistent cache, outputs remembered in memory for the process. */
export function riscvProber(): Prober {
  return new Prober({
    cwd: scratchObjtree(),
    env: { ...process.env, ...(envMemo ??= riscvEnv()) },
    cacheDir: null,
  });
}

/**
 * A KconfigCache in memory: the first load parses and stores its snapshot (encoded), later loads decode
 * it; `hits` counts them.
 */
export function memorySnapshotCache(): KconfigCache & { hits: number } {
  let stored: Uint8Array | undefined;
  const cache = {
    hits: 0,
    load(opts: LoadOptions): ReturnType<KconfigCache["load"]> {
      const snap = stored && decodeSnapshot(stored);
      if (!snap || !recordHolds(snap.record, opts)) return undefined;
      cache.hits++;
      return snap;
    },
    store(...[kc, record]: Parameters<KconfigCache["store"]>): void {
      stored = encodeSnapshot(kc, record);
    },
  };
  return cache;
}

export function readRef(target: string, file = ".config"): string {
  return readFileSync(join(linuxRef(), target, file), "utf8");
}

export function readSrc(path: string): string {
  return readFileSync(join(linuxSrc(), path), "utf8");
}
