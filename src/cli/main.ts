// keel's entry point: parse arguments, dispatch to a command, map errors to exit codes
// (user errors: one line, exit 2; bugs: stack, exit 1).
// Each command's modules are imported when it runs: `keel kconfig` on a Linux tree then never loads (nor
// evaluates) the build graph, the schemas and the YAML parser.
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../util/errors.ts";
import { parseArgs, type ParsedArgs } from "./args.ts";
import { usage } from "./usage.ts";

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function outDirOf(root: string, args: ParsedArgs): string {
  return resolve(args.outDir ?? join(root, "out"));
}

async function dispatch(args: ParsedArgs): Promise<number> {
  if (args.help) {
    print(usage(args.command));
    // build and run list the choices, from the registries the build reads (in a Keel checkout).
    if (args.command === "build" || args.command === "run") {
      const { repoRoot } = await import("./host.ts");
      const { gatherChoices, renderChoices } = await import("./choices.ts");
      print(`\n${renderChoices(await gatherChoices(repoRoot()))}`);
    }
    return 0;
  }
  if (args.version) {
    const { repoRoot } = await import("./host.ts");
    const { versionLine } = await import("./version.ts");
    print(await versionLine(repoRoot()));
    return 0;
  }
  // kconfig works on any Kconfig tree, inside a Keel checkout or not.
  if (args.command === "kconfig")
    return (await import("./kconfig.ts")).kconfigCommand(args.positional, print);
  const { repoRoot } = await import("./host.ts");
  const root = repoRoot();
  switch (args.command) {
    case "help":
      print(usage("help"));
      return 0;
    case "build": {
      const { buildCommand } = await import("./build.ts");
      const result = await buildCommand(root, args);
      print(result.elf);
      return 0;
    }
    case "run":
      return (await import("./build.ts")).runCommand(root, args);
    case "test": {
      const any = args.flags.has("--static") || args.flags.has("--unit") || args.flags.has("--boot");
      const { runTests } = await import("./test.ts");
      return runTests(
        root,
        {
          static: !any || args.flags.has("--static"),
          unit: !any || args.flags.has("--unit"),
          boot: !any || args.flags.has("--boot"),
          namePattern: args.passthrough.join(" ") || undefined,
          verbose: args.verbose,
        },
        print,
      );
    }
    case "ports": {
      const { portsCommand } = await import("./ports.ts");
      const { lines, problems } = await portsCommand(root);
      for (const line of lines) print(line);
      for (const p of problems) {
        process.stderr.write(`keel: ${p.headline}\n`);
        for (const d of p.details) process.stderr.write(`${d}\n`);
      }
      return problems.length === 0 ? 0 : 2;
    }
    case "inspect": {
      const file = args.positional[0];
      if (file === undefined || args.positional.length > 1)
        throw new UserError("inspect expects one file (see keel inspect -h)");
      const { describeImage } = await import("../bundle/describe.ts");
      const { describeInitramfs, describeLinuxPayload, looksLikeInitramfs } =
        await import("../initramfs/inspect.ts");
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      try {
        print(
          looksLikeInitramfs(bytes)
            ? describeInitramfs(bytes, file)
            : (describeLinuxPayload(bytes, file) ?? describeImage(bytes, file)),
        );
      } catch (e) {
        throw new UserError(
          (e as Error).message.startsWith(file) ? (e as Error).message : `${file}: ${(e as Error).message}`,
        );
      }
      return 0;
    }
    case "clean": {
      const out = outDirOf(root, args);
      rmSync(out, { recursive: true, force: true });
      print(`removed ${out}`);
      if (args.flags.has("--cache")) {
        const cache = (await import("../store/store.ts")).cacheDir(process.env);
        rmSync(cache, { recursive: true, force: true });
        print(`removed ${cache}`);
      }
      return 0;
    }
    case "doctor": {
      const { doctor, featuresOf } = await import("./doctor.ts");
      const { probeRun } = await import("../toolchain/probe.ts");
      const { listGuests, loadGuest } = await import("../manifest/guest.ts");
      const { realHostEnv } = await import("../recipe/host.ts");
      const guests = await Promise.all((await listGuests(root)).map((g) => loadGuest(root, g)));
      const { debian } = realHostEnv(probeRun, () => undefined);
      const report = await doctor(probeRun, process.env, featuresOf(guests), debian);
      for (const line of report.lines) print(line);
      return report.ok ? 0 : 2;
    }
  }
}

async function main(): Promise<void> {
  let code: number;
  try {
    code = await dispatch(parseArgs(process.argv.slice(2), process.env));
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`keel: ${e.headline}\n`);
      for (const d of e.details.slice(e.detailsShown)) process.stderr.write(`${d}\n`);
      code = e.exitCode;
    } else {
      process.stderr.write(
        `keel: internal error (a bug in Keel; please report it)\n${(e as Error).stack ?? String(e)}\n`,
      );
      code = 1;
    }
  }
  process.exitCode = code;
}

await main();
