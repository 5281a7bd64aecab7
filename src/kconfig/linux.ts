// What Keel knows about Linux's own build around Kconfig, in one place for `keel kconfig` on a kernel tree
// (cli/kconfig.ts) and the Linux recipe (recipe/linux.ts): the kernel version of a Makefile, the variables
// the top Makefile exports to conf (ARCH, SRCARCH, the tools, KERNELVERSION, srctree, CC_VERSION_TEXT, ...),
// and the inputs of `make tinyconfig`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readIfExists } from "../util/files.ts";
import { UserError } from "../util/errors.ts";
import type { ConfigInput } from "./commands.ts";

/** `VERSION.PATCHLEVEL.SUBLEVEL EXTRAVERSION` of a kernel Makefile: the KERNELVERSION make exports. */
export function kernelVersion(makefile: string): string {
  const get = (k: string): string => makefileVar(makefile, k) ?? "";
  const [v, p, s, x] = ["VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"].map(get);
  if (!v) throw new UserError("the kernel Makefile has no VERSION line");
  return `${v}${p ? `.${p}${s ? `.${s}` : ""}` : ""}${x}`;
}

function makefileVar(makefile: string, k: string): string | undefined {
  return new RegExp(`^${k} = ?(.*)$`, "m").exec(makefile)?.[1]?.trim();
}

/**
 * The kernel version of `dir` when it is a Linux source tree (scripts/kconfig/conf.c exists and the Makefile
 * has VERSION and PATCHLEVEL), else null.
 */
export function linuxTreeVersion(dir: string): string | null {
  if (!existsSync(join(dir, "scripts", "kconfig", "conf.c"))) return null;
  const mk = readIfExists(join(dir, "Makefile"));
  if (mk === undefined || !makefileVar(mk, "VERSION") || makefileVar(mk, "PATCHLEVEL") === undefined)
    return null;
  return kernelVersion(mk);
}

/** uname -m as the kernel Makefile's SUBARCH maps it. */
function subarch(): string {
  const m = process.arch;
  const map: Record<string, string> = {
    x64: "x86",
    ia32: "x86",
    arm64: "arm64",
    arm: "arm",
    riscv64: "riscv",
  };
  return map[m] ?? m;
}

/** ARCH -> SRCARCH where they differ (the top Makefile's list). */
const SRCARCH: Record<string, string> = {
  i386: "x86",
  x86_64: "x86",
  sparc32: "sparc",
  sparc64: "sparc",
  parisc64: "parisc",
  sh64: "sh",
};

/** The tool variables the Makefile hands conf. */
const TOOLS = ["CC", "LD", "AR", "NM", "OBJCOPY"] as const;
type Tools = Record<(typeof TOOLS)[number], string>;

/** The tools the Makefile picks: GNU ones named `<cross>gcc`..., or LLVM's for LLVM=1 / LLVM=<dir>/ / LLVM=-<n>. */
function kbuildTools(cross: string, llvm: string): Tools {
  if (!llvm) {
    return {
      CC: `${cross}gcc`,
      LD: `${cross}ld`,
      AR: `${cross}ar`,
      NM: `${cross}nm`,
      OBJCOPY: `${cross}objcopy`,
    };
  }
  const prefix = llvm.endsWith("/") ? llvm : "";
  const suffix = llvm.startsWith("-") ? llvm : "";
  const t = (n: string): string => `${prefix}${n}${suffix}`;
  return { CC: t("clang"), LD: t("ld.lld"), AR: t("llvm-ar"), NM: t("llvm-nm"), OBJCOPY: t("llvm-objcopy") };
}

/** The tools conf is told about whatever the configuration (Linux 6.1 exports them unconditionally). */
const OTHER_TOOLS = { PAHOLE: "pahole", RUSTC: "rustc", BINDGEN: "bindgen" } as const;

/** CC_VERSION_TEXT: the first line of `$(CC) --version`, without `#` (the Makefile strips it). */
function ccVersionText(firstLine: string): string {
  return firstLine.replace(/#/g, "");
}

/**
 * The variables Linux 6.1's top Makefile exports to conf for `make ARCH=<arch> CROSS_COMPILE=<cross>`
 * with GNU tools: exactly what auto.conf.cmd compares (a difference makes Kbuild run syncconfig).
 * `srctree` is "." for an in-tree build; `ccVersionText` is the first line of `$(CC) --version`.
 */
export function kbuildConfigEnv(o: {
  arch: string;
  cross: string;
  srctree: string;
  kernelVersion: string;
  ccVersionText: string;
}): Record<string, string> {
  return {
    ARCH: o.arch,
    SRCARCH: o.arch,
    KERNELVERSION: o.kernelVersion,
    ...kbuildTools(o.cross, ""),
    ...OTHER_TOOLS,
    CC_VERSION_TEXT: ccVersionText(o.ccVersionText),
    srctree: o.srctree,
  };
}

/**
 * The variables the Linux Makefile exports to conf, for the given command-line and process variables:
 * ARCH, SRCARCH, CC/LD/AR/NM/OBJCOPY (GNU or LLVM=1), PAHOLE, RUSTC, BINDGEN, KERNELVERSION, srctree,
 * CC_VERSION_TEXT (the first line of `$CC --version`, from `runner`) and KCONFIG_DEFCONFIG_LIST.
 */
export function linuxEnv(
  tree: string,
  version: string,
  vars: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
  runner: (cmd: string) => string,
): Record<string, string> {
  const get = (k: string): string | undefined => vars[k] ?? env[k];
  const arch = get("ARCH") || subarch();
  const cross = get("CROSS_COMPILE") ?? "";
  const llvm = get("LLVM") ?? "";
  const out: Record<string, string> = {
    ARCH: arch,
    SRCARCH: SRCARCH[arch] ?? arch,
    ...kbuildTools(cross, llvm),
  };
  for (const k of TOOLS) if (vars[k] !== undefined) out[k] = vars[k];
  Object.assign(out, { ...OTHER_TOOLS, KERNELVERSION: version });
  out["srctree"] = tree;
  out["CC_VERSION_TEXT"] = ccVersionText(
    runner(`LC_ALL=C ${out["CC"]} --version 2>/dev/null`).split("\n")[0] ?? "",
  );
  const defconfigs = [`arch/${out["SRCARCH"]}/configs/defconfig`];
  if (!cross && !llvm && (SRCARCH[arch] ?? arch) === subarch()) {
    let rel = "";
    try {
      rel = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
    } catch {
      rel = "";
    }
    defconfigs.unshift(`/lib/modules/${rel}/.config`, "/etc/kernel-config", `/boot/config-${rel}`);
  }
  out["KCONFIG_DEFCONFIG_LIST"] = defconfigs.join(" ");
  return out;
}

/**
 * `make tinyconfig`'s inputs in the tree: kernel/configs/tiny-base.config (allnoconfig's KCONFIG_ALLCONFIG)
 * and the fragments the `tiny.config` target merges, those that exist (scripts/kconfig/Makefile:
 * configfiles = $(wildcard kernel/configs/$@ arch/$(SRCARCH)/configs/$@)).
 */
export function tinyInputs(
  tree: string,
  srcarch: string | undefined,
): { base: ConfigInput; fragments: ConfigInput[] } {
  const inTree = (name: string): ConfigInput | undefined => {
    const text = readIfExists(join(tree, name));
    return text === undefined ? undefined : { name, text };
  };
  const baseName = "kernel/configs/tiny-base.config";
  const base = inTree(baseName);
  if (!base) throw new UserError(`tinyconfig needs ${baseName} in ${tree}`);
  const names = ["kernel/configs/tiny.config", ...(srcarch ? [`arch/${srcarch}/configs/tiny.config`] : [])];
  const fragments = names.map(inTree).filter((f): f is ConfigInput => f !== undefined);
  if (fragments.length === 0)
    throw new UserError(`tinyconfig: no ${names.join(" or ")} in ${tree} (no configuration for this target)`);
  return { base, fragments };
}
