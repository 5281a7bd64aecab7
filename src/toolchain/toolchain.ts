// The cross toolchain: which compiler driver to use (gcc or clang+lld), how to call it, and its identity.
// The identity is part of every compile and link step's cache key, so a new compiler rebuilds everything.
import { UserError } from "../util/errors.ts";

export type ToolchainKind = "gcc" | "clang";

/** What the environment asks for, before anything is run. */
export interface ToolchainChoice {
  kind: ToolchainKind;
  /** The compiler driver: a name on PATH or a path. */
  cc: string;
  /** Arguments that come first on every compile and link line. */
  baseFlags: string[];
  /** Extra arguments for link lines only. */
  linkFlags: string[];
  /** Libraries appended to link lines (compiler runtime). */
  libs: string[];
}

export interface Toolchain extends ToolchainChoice {
  /** Resolved path of the driver and its version line; stable across runs on one machine. */
  identity: string;
}

/** Picks the toolchain from the environment: KEEL_TOOLCHAIN=clang, CROSS_COMPILE=<prefix>, else riscv64-unknown-elf-gcc. Pure. */
export function chooseToolchain(env: Readonly<Record<string, string | undefined>>): ToolchainChoice {
  const want = env["KEEL_TOOLCHAIN"];
  if (want !== undefined && want !== "" && want !== "gcc" && want !== "clang") {
    throw new UserError(`KEEL_TOOLCHAIN must be "gcc" or "clang", not "${want}"`);
  }
  if (want === "clang") {
    return {
      kind: "clang",
      cc: env["CC"] ?? "clang",
      baseFlags: ["--target=riscv64-unknown-elf"],
      linkFlags: ["-fuse-ld=lld"],
      libs: [],
    };
  }
  const prefix = env["CROSS_COMPILE"] ?? "riscv64-unknown-elf-";
  return { kind: "gcc", cc: `${prefix}gcc`, baseFlags: [], linkFlags: [], libs: ["-lgcc"] };
}

/** How a probe runs a command; the CLI passes a real process runner, tests a fake. */
export type ProbeRun = (argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs the driver once to learn its identity; a missing compiler is a user error with the install hint. */
export async function probeToolchain(choice: ToolchainChoice, run: ProbeRun): Promise<Toolchain> {
  let res;
  try {
    res = await run([choice.cc, ...choice.baseFlags, "--version"]);
  } catch {
    res = { code: 127, stdout: "", stderr: "" };
  }
  if (res.code !== 0) {
    const hint =
      choice.kind === "clang"
        ? "install clang and lld (Debian: apt-get install clang lld)"
        : "install gcc-riscv64-unknown-elf (Debian), or set CROSS_COMPILE=<prefix> for another riscv64 gcc";
    throw new UserError(`cross compiler ${choice.cc} not found or not working: ${hint}`);
  }
  const version = res.stdout.split("\n")[0]?.trim() ?? "";
  let where = choice.cc;
  try {
    const p = await run([choice.cc, ...choice.baseFlags, "-print-prog-name=cc1"]);
    if (p.code === 0) where = `${choice.cc} (${p.stdout.trim()})`;
  } catch {
    // keep the bare name: identity is still the version line
  }
  return { ...choice, identity: `${choice.kind} ${where} ${version}` };
}
