// Compiler flags shared by the hypervisor and guest plans (docs/design/build-inputs.md is the contract).
import { tmp } from "../graph/graph.ts";
import type { OptimizeMode } from "./metadata.ts";

/** Flags every freestanding C unit of Keel gets. */
export const FREESTANDING = [
  "-std=c11",
  "-ffreestanding",
  "-fno-common",
  "-fno-builtin",
  "-fno-stack-protector",
  "-fno-pic",
  "-nostdlib",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-g",
] as const;

/**
 * Optimization only: debug assertions are the configuration's CONFIG_DEBUG_ASSERTS, whose default follows the
 * mode (docs/design/hypervisor-config.md).
 */
export const OPTIMIZE_FLAGS: Readonly<Record<OptimizeMode, readonly string[]>> = {
  Debug: ["-Og"],
  ReleaseSafe: ["-O2"],
  ReleaseFast: ["-O2"],
  ReleaseSmall: ["-Os"],
};

/** Guests are built the same way whatever the hypervisor's optimize mode. */
export const GUEST_ARCH = ["-march=rv64imac_zicsr_zifencei", "-mabi=lp64", "-mcmodel=medany"] as const;

/**
 * Path remapping so that no absolute path of the checkout or the out dir reaches an object file:
 * two builds of one commit in two directories give the same bytes. gcc does not pass its map on to
 * the assembler, so .S debug info needs the gas option as well.
 */
export function prefixMaps(root: string, outDir: string): string[] {
  return [
    `-ffile-prefix-map=${root}=.`,
    `-ffile-prefix-map=${outDir}=out`,
    `-Wa,--debug-prefix-map=${root}=.`,
    `-Wa,--debug-prefix-map=${outDir}=out`,
  ];
}

/** The tail of every compile: `-c source` into the object's temp name, with a make-style depfile `<obj>.d`. */
export function compileTail(source: string, obj: string): string[] {
  return ["-MD", "-MF", `${obj}.d`, "-MT", obj, "-c", source, "-o", tmp(obj)];
}
