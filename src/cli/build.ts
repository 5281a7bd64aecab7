// keel build / keel run: the command line -> a BuildRequest; the build itself is src/build/ (inputs, plan,
// run), and for run the image is booted in QEMU.
import { join, relative, resolve } from "node:path";
import type { BuildRequest } from "../build/inputs.ts";
import { interruptible } from "../build/interrupt.ts";
import { buildImage, type BuiltImage } from "../build/run.ts";
import { qemuArgv } from "../port/emit-qemu.ts";
import { provideQemu } from "../qemu/provide.ts";
import { realHostEnv } from "../recipe/host.ts";
import { runOwned } from "../run/session.ts";
import { cacheDir } from "../store/store.ts";
import { probeRun } from "../toolchain/probe.ts";
import { UserError } from "../util/errors.ts";
import type { ParsedArgs } from "./args.ts";

function requestOf(root: string, args: ParsedArgs): BuildRequest {
  return {
    root,
    outDir: args.outDir ? resolve(args.outDir) : join(root, "out"),
    system: args.defines.system,
    optimize: args.defines.optimize,
    image: args.defines.image,
    config: args.defines.config,
    jobs: args.jobs,
    verbose: args.verbose,
    explain: args.explain,
  };
}

export async function buildCommand(root: string, args: ParsedArgs): Promise<BuiltImage> {
  if (args.passthrough.length > 0) throw new UserError("keel build takes no arguments after --");
  return interruptible((signal) => buildImage({ ...requestOf(root, args), signal }));
}

export async function runCommand(root: string, args: ParsedArgs): Promise<number> {
  const built = await interruptible((signal) => buildImage({ ...requestOf(root, args), signal }));
  const program = await provideQemu(
    built.port,
    realHostEnv(probeRun, (line) => process.stdout.write(`${line}\n`)),
    cacheDir(process.env),
  );
  const argv = qemuArgv(program, built.port, built.elf, args.passthrough);
  process.stdout.write(
    `keel: booting ${relative(process.cwd(), built.elf) || built.elf} on ${built.port.name} (Ctrl-A x leaves QEMU)\n`,
  );
  if (args.verbose) process.stdout.write(`${argv.join(" ")}\n`);
  const verdict = await runOwned(argv, program.env);
  if (verdict.reason !== undefined) process.stderr.write(`keel: ${verdict.reason}\n`);
  return verdict.exitCode;
}
