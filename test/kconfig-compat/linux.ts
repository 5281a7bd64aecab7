// The Linux 6.1 tree for the compatibility suite: where it is, the environment the kernel Makefile gives
// `conf` for ARCH=riscv, and Keel's engine run on it. Prepared by test/kconfig-compat/prepare.sh.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { shellRunner, treeFs, type LoadOptions } from "../../src/kconfig/index.ts";

export const CACHE = join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "keel");
export const LINUX_SRC = process.env["KEEL_LINUX_SRC"] ?? join(CACHE, "linux-6.1-src");
/** Reference outputs made by the kernel's own scripts/kconfig/conf (prepare.sh). */
export const LINUX_REF = process.env["KEEL_LINUX_REF"] ?? join(CACHE, "linux-6.1-ref");
export const CROSS = "riscv64-linux-gnu-";

/** Why the suite cannot run, or null when the tree, the references and the cross compiler are there. */
export function unavailable(): string | null {
  if (!existsSync(join(LINUX_SRC, "Kconfig"))) return `no Linux 6.1 tree at ${LINUX_SRC}`;
  if (!existsSync(join(LINUX_REF, "defconfig", ".config"))) return `no reference outputs at ${LINUX_REF}`;
  try {
    execFileSync(`${CROSS}gcc`, ["--version"], { stdio: "ignore" });
  } catch {
    return `${CROSS}gcc is not installed`;
  }
  return null;
}

function kernelVersion(): string {
  const mk = readFileSync(join(LINUX_SRC, "Makefile"), "utf8");
  const get = (k: string): string => new RegExp(`^${k} = ?(.*)$`, "m").exec(mk)?.[1]?.trim() ?? "";
  const extra = get("EXTRAVERSION");
  return `${get("VERSION")}.${get("PATCHLEVEL")}.${get("SUBLEVEL")}${extra}`;
}

/** The variables the top-level Makefile exports to `conf` for ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-. */
export function riscvEnv(): Record<string, string> {
  const cc = `${CROSS}gcc`;
  const ccVersion = execFileSync(cc, ["--version"], { encoding: "utf8" }).split("\n")[0]!;
  return {
    ARCH: "riscv",
    SRCARCH: "riscv",
    KERNELVERSION: kernelVersion(),
    CC: cc,
    LD: `${CROSS}ld`,
    AR: `${CROSS}ar`,
    NM: `${CROSS}nm`,
    OBJCOPY: `${CROSS}objcopy`,
    PAHOLE: "pahole",
    RUSTC: "rustc",
    BINDGEN: "bindgen",
    CC_VERSION_TEXT: ccVersion,
    srctree: LINUX_SRC,
  };
}

/** Load options for the riscv tree; $(shell,...) probes run the real cross compiler in a scratch objtree. */
export function riscvTree(): LoadOptions {
  const env = riscvEnv();
  const objtree = mkdtempSync(join(tmpdir(), "keel-kconfig-obj-"));
  return {
    file: "Kconfig",
    fs: treeFs(LINUX_SRC, objtree),
    env,
    shell: shellRunner(objtree, { ...process.env, ...env }),
  };
}

export function readRef(target: string, file = ".config"): string {
  return readFileSync(join(LINUX_REF, target, file), "utf8");
}

export function readSrc(path: string): string {
  return readFileSync(join(LINUX_SRC, path), "utf8");
}
