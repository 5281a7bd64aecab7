// Build benchmarks: Keel against GNU make running the same compiler commands, same run, same machine, as
// ratios of wall-clock medians. Usage: node --import tsx bench/build.ts [--runs N] [--jobs J] [--header PATH]
// [--keep]. What is measured and how to read it: bench/README.md.
import { execFileSync, spawn } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, release } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { build as esbuild } from "esbuild";
import { gatherInputs } from "../src/build/inputs.ts";
import { planBuild, type PlannedBuild } from "../src/build/plan.ts";
import { buildImage } from "../src/build/run.ts";
import { build, dbPath, NodeFs, ProcessRunner, type BuildDb } from "../src/graph/index.ts";
import { chooseToolchain } from "../src/toolchain/toolchain.ts";
import { CollectStream, ROOT, copyCheckout } from "../test/e2e/helpers.ts";
import { bundleSpec } from "./bundle-step.ts";
import { writeMakefile } from "./makefile.ts";
import { cell, firstLine, spread, wholeNumber, type Spread } from "./stats.ts";

interface Options {
  runs: number;
  jobs: number;
  /** Header to edit, relative to the checkout. */
  header: string;
  /** Keep the throwaway checkout (its path is printed). */
  keep: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = {
    runs: 5,
    jobs: availableParallelism(),
    header: "hypervisor/include/keel/bundle.h",
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = wholeNumber(a, argv[++i]);
    else if (a === "--jobs") opts.jobs = wholeNumber(a, argv[++i]);
    else if (a === "--header") opts.header = argv[++i] ?? "";
    else if (a === "--keep") opts.keep = true;
    else
      throw new Error(
        `unknown argument ${a}; usage: bench/build.ts [--runs N] [--jobs J] [--header PATH] [--keep]`,
      );
  }
  return opts;
}

/** One timed run: wall-clock milliseconds and how many steps (Keel) or recipes (make) ran. */
interface Sample {
  ms: number;
  ran: number;
}

/** The peers of one run. Each `build` brings its out dir up to date and reports what it cost. */
interface Tool {
  name: string;
  outDir: string;
  build(): Promise<Sample>;
}

async function timed(f: () => Promise<number>): Promise<Sample> {
  const start = performance.now();
  const ran = await f();
  return { ms: performance.now() - start, ran };
}

/** Runs a program to completion; throws with its stderr when it fails. Resolves to its stdout. */
function run(argv: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("run: empty argv");
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(new Error(`${argv.join(" ")} exited with ${code}:\n${Buffer.concat(err).toString("utf8")}`));
    });
  });
}

/** Checks that the plan the bench runs make on is what buildImage ran: same step ids, commands, cwds and identities. */
function checkPlanMatches(plan: PlannedBuild, outDir: string): void {
  const db = JSON.parse(readFileSync(dbPath(outDir), "utf8")) as BuildDb;
  const problems: string[] = [];
  const ids = new Set(plan.steps.map((s) => s.id));
  for (const id of Object.keys(db.steps))
    if (!ids.has(id)) problems.push(`keel ran ${id}, the bench did not plan it`);
  for (const step of plan.steps) {
    const r = db.steps[step.id];
    if (r === undefined) problems.push(`the bench planned ${step.id}, keel did not run it`);
    else if (
      JSON.stringify([r.command, r.cwd, r.identity, r.outputs]) !==
      JSON.stringify([step.command ?? [], step.cwd ?? outDir, step.identity, step.outputs])
    )
      problems.push(`${step.id} differs between keel and the bench's plan`);
  }
  if (problems.length > 0)
    throw new Error(`the bench's plan no longer matches buildImage's:\n  ${problems.join("\n  ")}`);
}

/** Objects whose last depfile names `header` (how many users a header edit rebuilds). */
function usersOf(outDir: string, header: string): number {
  let n = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".d") && readFileSync(p, "utf8").includes(header)) n++;
    }
  };
  walk(outDir);
  return n;
}

/** The image measured: the small demo (the default image may be the Linux root VM, a recipe build). */
const IMAGE = "demo";

interface Summary extends Spread {
  /** The step counts seen, e.g. "8" or "8/9". */
  ran: string;
}

function summary(samples: readonly Sample[]): Summary {
  const ms = samples.map((s) => s.ms);
  const ran = [...new Set(samples.map((s) => s.ran))].join("/");
  return { ...spread(ms), ran };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const { root, dispose } = copyCheckout("keel-bench-");
  const cc = chooseToolchain(process.env).cc;
  process.stdout.write(
    [
      `machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"}, Linux ${release()}`,
      `node ${process.version}; ${firstLine([cc, "--version"])}; ${firstLine(["make", "--version"])}`,
      `checkout copy: ${root}; ${opts.runs} runs per scenario; -j${opts.jobs} for both`,
      `load average at the start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
      "",
    ].join("\n"),
  );
  try {
    // The CLI, bundled the way scripts/bundle.mjs does, but inside the copy: the real dist/ is left alone.
    for (const part of ["src", "scripts"]) cpSync(join(ROOT, part), join(root, part), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
    execFileSync("node", [join(root, "scripts", "bundle.mjs")], { stdio: "inherit" });
    const cli = join(root, "dist", "keel.mjs");

    const keelOut = join(root, "out");
    const makeOut = join(root, "out-make");
    const makeDir = join(root, "bench-make");
    const keelPlan = planBuild(
      await gatherInputs({ root, outDir: keelOut, image: IMAGE, status: new CollectStream() }),
    );
    const makePlan = planBuild(
      await gatherInputs({ root, outDir: makeOut, image: IMAGE, status: new CollectStream() }),
    );

    // make's side: the Makefile, the BUNDLE step as a bundled node script, pre-rendered GEN outputs.
    const bundleScript = join(makeDir, "bundle-step.mjs");
    await esbuild({
      entryPoints: [join(ROOT, "bench", "bundle-step.ts")],
      outfile: bundleScript,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning",
    });
    const bundleStep = makePlan.steps.find((s) => s.kind === "BUNDLE");
    if (bundleStep === undefined) throw new Error("the plan has no BUNDLE step");
    const spec = bundleSpec(`${bundleStep.outputs[0] ?? ""}.tmp`, makePlan.capsules);
    const specFile = join(makeDir, "bundle.json");
    writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
    const makefile = join(makeDir, "Makefile");
    await writeMakefile(makefile, makePlan.steps, {
      makeDir: root,
      outDir: makeOut,
      dataDir: join(makeDir, "data"),
      actionCommands: new Map([[bundleStep.id, ["node", bundleScript, specFile]]]),
    });

    const status = (): CollectStream => new CollectStream();
    const keel: Tool = {
      name: "keel",
      outDir: keelOut,
      build: () =>
        timed(async () => {
          const built = await buildImage({
            root,
            outDir: keelOut,
            image: IMAGE,
            jobs: opts.jobs,
            status: status(),
          });
          return built.result.ran.length;
        }),
    };
    const keelCli: Tool = {
      name: "keel CLI",
      outDir: keelOut,
      build: () =>
        timed(async () => {
          const out = await run(["node", cli, "build", `-Dimage=${IMAGE}`, "-j", String(opts.jobs)], {
            cwd: root,
            env: { ...process.env, KEEL_ROOT: root },
          });
          return out.split("\n").filter((l) => /^\[\d+\/\d+\] /.test(l)).length;
        }),
    };
    const make: Tool = {
      name: "make",
      outDir: makeOut,
      build: () =>
        timed(async () => {
          const out = await run(["make", "-r", `-j${opts.jobs}`, "-f", makefile], { cwd: root });
          return out.split("\n").filter((l) => l.startsWith("mkdir -p ")).length;
        }),
    };
    // Where a no-op's time goes: a bare node start, the planning (port, image, toolchain and git probes),
    // and the engine checking the already planned steps.
    const breakdown: Tool[] = [
      {
        name: "node -e 0",
        outDir: keelOut,
        build: () =>
          timed(async () => {
            await run(["node", "-e", "0"], { cwd: root });
            return 0;
          }),
      },
      {
        name: "planning",
        outDir: keelOut,
        build: () =>
          timed(async () => {
            planBuild(
              await gatherInputs({ root, outDir: keelOut, image: IMAGE, status: new CollectStream() }),
            );
            return 0;
          }),
      },
      {
        name: "engine",
        outDir: keelOut,
        build: () =>
          timed(async () => {
            const r = await build(keelPlan.steps, {
              fs: new NodeFs(),
              runner: new ProcessRunner(),
              outDir: keelOut,
              root,
              jobs: opts.jobs,
              status: status(),
            });
            return r.ran.length;
          }),
      },
    ];

    // Warm-up (untimed): fills the page cache, checks the plan against keel and the two outputs against each other.
    process.stdout.write("warm-up: clean build with each tool\n");
    for (const t of [keel, make]) {
      rmSync(t.outDir, { recursive: true, force: true });
      await t.build();
    }
    checkPlanMatches(keelPlan, keelOut);
    const sameElf = readFileSync(keelPlan.elf).equals(readFileSync(makePlan.elf));
    const header = join(root, opts.header);
    process.stdout.write(
      [
        `plan: ${keelPlan.steps.length} steps (${keelPlan.port.name}, image ${keelPlan.image.name}), same as keel's build db`,
        `image ELF from make is ${sameElf ? "byte-identical to" : "DIFFERENT from"} keel's`,
        `${opts.header} is read by ${usersOf(keelOut, header)} compiles`,
        "",
      ].join("\n"),
    );

    const results: Results = new Map();
    const record = (scenario: string, tool: string, s: Sample): void => {
      const byTool = results.get(scenario) ?? new Map<string, Sample[]>();
      results.set(scenario, byTool);
      byTool.set(tool, [...(byTool.get(tool) ?? []), s]);
    };
    // The peers take turns going first, so none always gets the cache another just warmed.
    const peers = [keel, make, keelCli];
    const order = (i: number): Tool[] => [
      ...peers.slice(i % peers.length),
      ...peers.slice(0, i % peers.length),
    ];

    for (let i = 0; i < opts.runs; i++) {
      process.stdout.write(`clean build, run ${i + 1}/${opts.runs}\n`);
      for (const t of order(i)) {
        rmSync(t.outDir, { recursive: true, force: true });
        record("clean build", t.name, await t.build());
      }
    }
    for (let i = 0; i < opts.runs; i++) {
      process.stdout.write(`no-op build, run ${i + 1}/${opts.runs}\n`);
      for (const t of [...order(i), ...breakdown]) record("no-op build", t.name, await t.build());
    }
    const original = readFileSync(header, "utf8");
    for (let i = 0; i < opts.runs; i++) {
      process.stdout.write(`header edit, run ${i + 1}/${opts.runs}\n`);
      for (const t of order(i)) {
        appendFileSync(header, `/* bench: edit ${i} for ${t.name} */\n`);
        record("header edit", t.name, await t.build());
      }
    }
    writeFileSync(header, original);

    process.stdout.write(
      [
        "",
        mainTable(results),
        "",
        breakdownTable(results.get("no-op build") ?? new Map(), [
          "node -e 0",
          "planning",
          "engine",
          "keel",
          "keel CLI",
        ]),
        "",
        `load average at the end: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
        "",
      ].join("\n"),
    );
  } finally {
    if (opts.keep) process.stdout.write(`kept ${root}\n`);
    else dispose();
  }
}

type Results = Map<string, Map<string, Sample[]>>;

/** One row per scenario and Keel variant, make as the peer of each; Markdown. */
function mainTable(results: Results): string {
  const rows = [
    "| scenario | keel as | keel median (min–max) | make median (min–max) | keel/make | steps run keel / make |",
    "|---|---|---|---|---|---|",
  ];
  for (const [scenario, byTool] of results) {
    const m = summary(byTool.get("make") ?? []);
    for (const [name, label] of [
      ["keel", "in-process"],
      ["keel CLI", "CLI process"],
    ] as const) {
      const samples = byTool.get(name);
      if (samples === undefined) continue;
      const k = summary(samples);
      rows.push(
        `| ${scenario} | ${label} | ${cell(k)} | ${cell(m)} | ${(k.median / m.median).toFixed(2)} | ${k.ran} / ${m.ran} |`,
      );
    }
  }
  return rows.join("\n");
}

/** Where a no-op build's time goes. */
function breakdownTable(byTool: ReadonlyMap<string, readonly Sample[]>, names: readonly string[]): string {
  const what: Record<string, string> = {
    "node -e 0": "a bare `node -e 0` process",
    planning: "planning only: port + image + toolchain probe + git metadata (in-process)",
    engine: "engine only: `build()` on the planned steps (in-process)",
    keel: "`buildImage` = planning + engine (in-process)",
    "keel CLI": "`node dist/keel.mjs build` (process)",
  };
  const rows = ["| no-op, part | median (min–max) |", "|---|---|"];
  for (const name of names) {
    const samples = byTool.get(name);
    if (samples !== undefined) rows.push(`| ${what[name] ?? name} | ${cell(summary(samples))} |`);
  }
  return rows.join("\n");
}

await main();
