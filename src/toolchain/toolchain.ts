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
      cc: env["KEEL_CLANG"] ?? "clang",
      // lld before 15 cannot relax and rejects the R_RISCV_ALIGN that relaxable code carries; Keel
      // needs no relaxation (gp is set with .option norelax), so clang builds do without it.
      baseFlags: ["--target=riscv64-unknown-elf", "-mno-relax"],
      linkFlags: ["-fuse-ld=lld"],
      libs: [],
    };
  }
  const prefix = env["CROSS_COMPILE"] ?? "riscv64-unknown-elf-";
  return { kind: "gcc", cc: `${prefix}gcc`, baseFlags: [], linkFlags: [], libs: ["-lgcc"] };
}

/** How a probe runs a command; the CLI passes a real process runner, tests a fake. */
export type ProbeRun = (argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * Runs the driver once to learn its identity; a missing compiler is a user error with the install hint.
 * gcc: the version line and where cc1 lives. clang: the version line, its install dir, and the lld it links
 * with (the linker is part of what makes the bytes), after checking that the driver knows the riscv64 target.
 */
export async function probeToolchain(choice: ToolchainChoice, run: ProbeRun): Promise<Toolchain> {
  const tryRun = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      return await run(argv);
    } catch {
      return { code: 127, stdout: "", stderr: "" };
    }
  };
  const res = await tryRun([choice.cc, ...choice.baseFlags, "--version"]);
  if (res.code !== 0) {
    const hint =
      choice.kind === "clang"
        ? "install clang and lld (Debian: apt-get install clang lld)"
        : "install gcc-riscv64-unknown-elf (Debian), or set CROSS_COMPILE=<prefix> for another riscv64 gcc";
    throw new UserError(`cross compiler ${choice.cc} not found or not working: ${hint}`);
  }
  const version = res.stdout.split("\n")[0]?.trim() ?? "";
  if (choice.kind === "clang") return probeClang(choice, tryRun, res.stdout, version);
  let where = choice.cc;
  const p = await tryRun([choice.cc, ...choice.baseFlags, "-print-prog-name=cc1"]);
  if (p.code === 0) where = `${choice.cc} (${p.stdout.trim()})`;
  return { ...choice, identity: `${choice.kind} ${where} ${version}` };
}

async function probeClang(
  choice: ToolchainChoice,
  tryRun: ProbeRun,
  versionText: string,
  version: string,
): Promise<Toolchain> {
  const targets = await tryRun([choice.cc, "-print-targets"]);
  if (targets.code === 0 && !/^\s*riscv64\b/m.test(targets.stdout)) {
    throw new UserError(
      `${choice.cc} was built without the RISC-V target: install Debian's clang (apt-get install clang lld)`,
    );
  }
  const dir = /^InstalledDir:\s*(.+)$/m.exec(versionText)?.[1]?.trim();
  const where = dir === undefined ? choice.cc : `${choice.cc} (${dir})`;
  // The driver names the linker -fuse-ld=lld runs; a bare "ld.lld" back means "from PATH".
  const prog = await tryRun([choice.cc, ...choice.baseFlags, "-print-prog-name=ld.lld"]);
  const lld = prog.code === 0 && prog.stdout.trim() !== "" ? prog.stdout.trim() : "ld.lld";
  const lv = await tryRun([lld, "--version"]);
  if (lv.code !== 0) {
    throw new UserError(`linker ${lld} not found or not working: install lld (Debian: apt-get install lld)`);
  }
  const lldVersion = lv.stdout.split("\n")[0]?.trim() ?? "";
  return { ...choice, identity: `clang ${where} ${version}; ${lld} ${lldVersion}` };
}

/**
 * The pipeline writes its flags the gcc way (docs/design/build-inputs.md); this spells them the way the
 * chosen driver wants. Pure, and the identity for gcc, so gcc command lines stay byte for byte what they were.
 *
 * clang (checked with Debian 12's clang 14, also right for newer ones):
 * - `-march`: LLVM always accepts the Zicsr and Zifencei instructions as part of the base ISA, and clang 14
 *   rejects the names in -march, so they are dropped (rv64imac_zicsr_zifencei -> rv64imac).
 * - `-Wa,--debug-prefix-map=A=B`: the integrated assembler takes no gas options; the same remapping of .S
 *   debug info is the driver's `-fdebug-prefix-map=A=B`. clang 14's assembler leaves the compilation
 *   directory out of the map (the checkout's absolute path lands in .S line tables), so the first such
 *   request also brings `-fdebug-compilation-dir=.`: compile steps run in the checkout (or the build dir for
 *   build_info.c), and "." is what the map makes of it.
 */
export function driverArgs(kind: ToolchainKind, args: readonly string[]): string[] {
  if (kind === "gcc") return [...args];
  const out: string[] = [];
  let compDir = false;
  for (const arg of args) {
    const wa = /^-Wa,--debug-prefix-map=([^,]*)$/.exec(arg);
    if (wa) {
      if (!compDir) out.push("-fdebug-compilation-dir=.");
      compDir = true;
      out.push(`-fdebug-prefix-map=${wa[1]}`);
    } else if (arg.startsWith("-march=")) {
      out.push(`-march=${clangMarch(arg.slice("-march=".length))}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Multi-letter extensions clang 14 cannot name in -march but LLVM always provides. */
const CLANG_IMPLICIT_EXTENSIONS = new Set(["zicsr", "zifencei"]);

/** An ISA string as clang takes it: rv64imac_zicsr_zifencei -> rv64imac. Pure. */
export function clangMarch(isa: string): string {
  const [base = "", ...multi] = isa.split("_");
  return [base, ...multi.filter((ext) => !CLANG_IMPLICIT_EXTENSIONS.has(ext.toLowerCase()))].join("_");
}

/** A driver command line: the driver, then `args` spelled its way (see driverArgs). Pure. */
export function ccCommand(tc: ToolchainChoice, args: readonly string[]): string[] {
  return [tc.cc, ...driverArgs(tc.kind, args)];
}
