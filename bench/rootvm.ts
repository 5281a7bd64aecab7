// Root VM benchmarks (issue 4, Benchmarks): Linux 6.1 + BusyBox booted to the shell prompt under Keel against
// the same kernel Image and initramfs booted directly under QEMU's OpenSBI, in the same QEMU, in the same run,
// taking turns; then the build time of the rootvm image with a cold and a warm recipe cache, and of a kernel
// fragment change (rebuilt in the kernel work tree) and its revert (a cache hit). Usage:
//   node --import tsx bench/rootvm.ts [--runs N] [--cold-runs N] [--fragment-runs N] [--timeout S] [--keep]
// What is measured and how to read it: bench/README.md ("Root VM").
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildImage, type BuiltImage } from "../src/build/run.ts";
import { cacheDir, ContentCache } from "../src/store/store.ts";
import { hostQemu, qemuArgv } from "../src/port/emit-qemu.ts";
import { forgetLinuxEntries } from "../src/guest/recipe.ts";
import { formatSize } from "../src/yamlfile/scalars.ts";
import { runCaptured } from "../src/qemu/run.ts";
import { CollectStream, copyCheckout } from "../test/e2e/helpers.ts";
import { cell, firstLine, fmt, interleaved, median, spread, wholeNumber } from "./stats.ts";

interface Options {
  /** Boots per variant, and warm-cache builds. */
  runs: number;
  /** Cold-cache builds (each builds Linux and BusyBox for real: minutes). 0 skips them. */
  coldRuns: number;
  /** Fragment changes (each rebuilds the kernel in its work tree) and reverts. 0 skips them. */
  fragmentRuns: number;
  /** Per boot, in seconds. */
  timeoutS: number;
  /** Keel's -Doptimize for the hypervisor (the guests' recipes do not depend on it). */
  optimize: string;
  /** Keep the throwaway checkout (its path is printed). */
  keep: boolean;
}

const USAGE =
  "usage: bench/rootvm.ts [--runs N] [--cold-runs N] [--fragment-runs N] [--timeout S] [--optimize MODE] [--keep]";

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = {
    runs: 5,
    coldRuns: 1,
    fragmentRuns: 1,
    timeoutS: 180,
    optimize: "Debug",
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = wholeNumber(a, argv[++i], 1);
    else if (a === "--cold-runs") opts.coldRuns = wholeNumber(a, argv[++i], 0);
    else if (a === "--fragment-runs") opts.fragmentRuns = wholeNumber(a, argv[++i], 0);
    else if (a === "--timeout") opts.timeoutS = wholeNumber(a, argv[++i], 1);
    else if (a === "--optimize") opts.optimize = argv[++i] ?? "";
    else if (a === "--keep") opts.keep = true;
    else throw new Error(`unknown argument ${a}; ${USAGE}`);
  }
  return opts;
}

/** The root VM alone: the shipped rootvm image without its hello capsule (written into the copy only). */
const ALONE_IMAGE = `description: The Linux root VM alone (bench/rootvm.ts)
capsules:
  - name: root
    guest: rootvm
    ram: 128M
    vcpus: 2
    bootargs: console=hvc0 earlycon=sbi
    owns_machine: true
`;

/** The init's first line, the same on both consoles (Keel prefixes "[root] "). */
const BANNER = /keel rootvm: Linux 6\.1\.\d+, \d+ CPU\(s\)\n/;
/** BusyBox ash's prompt as root in / (after the banner). */
const PROMPT = /\/ # /;

/** One boot: milliseconds from QEMU's spawn to each marker, and from typing poweroff to QEMU's exit. */
interface BootSample {
  /** The first byte on the console: OpenSBI's or Keel's banner (QEMU's start-up and the firmware's). */
  firstMs: number;
  /** The kernel's `Linux version` line (printed at once with earlycon, else replayed when hvc0 registers). */
  linuxMs: number;
  bannerMs: number;
  promptMs: number;
  poweroffMs: number;
  totalMs: number;
}

interface Variant {
  name: string;
  /** How the README's table names it. */
  label: string;
  argv: string[];
}

function tail(text: string, lines = 30): string {
  return text.replace(/\r/g, "").split("\n").slice(-lines).join("\n");
}

/** Boots once, types poweroff at the prompt, waits for QEMU to exit; throws unless all of that happened. */
async function bootOnce(v: Variant, timeoutMs: number): Promise<BootSample> {
  let text = "";
  const seen: Partial<Record<"first" | "linux" | "banner" | "prompt", number>> = {};
  const start = performance.now();
  const run = await runCaptured(v.argv, {
    timeoutMs,
    // runCaptured calls onOutput before it checks the interaction, so the prompt's time is taken first.
    onOutput: (chunk) => {
      const now = performance.now();
      text += chunk.replace(/\r/g, "");
      seen.first ??= now;
      if (seen.linux === undefined && /Linux version 6\.1/.test(text)) seen.linux = now;
      if (seen.banner === undefined && BANNER.test(text)) seen.banner = now;
      if (
        seen.banner !== undefined &&
        seen.prompt === undefined &&
        PROMPT.test(text.slice(text.search(BANNER)))
      )
        seen.prompt = now;
    },
    interactions: [{ waitFor: /keel rootvm: Linux[\s\S]*\/ # /, send: "poweroff\n" }],
  });
  const end = performance.now();
  const { first, linux, banner, prompt } = seen;
  const what = `${v.name}: ${run.timedOut ? "timed out" : `QEMU exited with ${run.code ?? run.signal}`}`;
  if (run.timedOut || run.code !== 0 || first === undefined || linux === undefined)
    throw new Error(`${what}; the console's last lines:\n${tail(run.output)}`);
  if (banner === undefined || prompt === undefined)
    throw new Error(`${what} before the prompt; the console's last lines:\n${tail(run.output)}`);
  if (!/reboot: Power down|all capsules ended/.test(run.output))
    throw new Error(`${what} without powering off; the console's last lines:\n${tail(run.output)}`);
  return {
    firstMs: first - start,
    linuxMs: linux - start,
    bannerMs: banner - start,
    promptMs: prompt - start,
    poweroffMs: end - prompt,
    totalMs: end - start,
  };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** One timed build of an image into an empty out dir; what the recipe steps said about the cache. */
interface BuildSample {
  ms: number;
  ran: number;
  /** "linux: cache miss, built in 3m 2s" etc., from the build's status. */
  recipes: string[];
}

async function timedBuild(
  root: string,
  image: string,
  optimize: string,
  env: NodeJS.ProcessEnv,
  clean = true,
): Promise<BuildSample> {
  const outDir = join(root, "out");
  if (clean) rmSync(outDir, { recursive: true, force: true }); // keel clean
  const status = new CollectStream();
  const start = performance.now();
  let built: BuiltImage;
  try {
    built = await buildImage({ root, outDir, image, optimize, env, status });
  } catch (e) {
    throw new Error(`building ${image} failed: ${(e as Error).message}\n${tail(status.text)}`, { cause: e });
  }
  const ms = performance.now() - start;
  const recipes = [...status.text.matchAll(/keel: (\w+) rootvm: (cache (?:hit|miss)[^\n(]*)/g)].map(
    (m) => `${m[1]}: ${(m[2] ?? "").trim()}`,
  );
  const configured = /keel: linux rootvm: configured by Keel's Kconfig engine in ([^\n]*)/.exec(status.text);
  if (configured) recipes.push(`linux configured in ${configured[1]}`);
  return { ms, ran: built.result.ran.length, recipes };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync("/etc/debian_version")) throw new Error("the rootvm recipes need a Debian host");
  const { root, dispose } = copyCheckout("keel-bench-rootvm-");
  writeFileSync(join(root, "images", "rootvm-alone.yaml"), ALONE_IMAGE);
  const qemuVersion = firstLine(["qemu-system-riscv64", "--version"]);
  process.stdout.write(
    [
      `machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"}, Linux ${release()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      `node ${process.version}; ${qemuVersion}`,
      `checkout copy: ${root}; ${opts.runs} boots per variant, ${opts.runs} warm-cache builds, ${opts.coldRuns} cold-cache build(s); -Doptimize=${opts.optimize}`,
      `load average at the start: ${load()}`,
      "",
    ].join("\n"),
  );
  try {
    // 1. Boots. The images are built untimed first with the user's recipe cache (warm after one build).
    process.stdout.write("building rootvm and rootvm-alone (untimed, user's recipe cache)\n");
    const outDir = join(root, "out");
    const status = new CollectStream();
    const shipped = await buildImage({ root, outDir, image: "rootvm", optimize: opts.optimize, status });
    const alone = await buildImage({ root, outDir, image: "rootvm-alone", optimize: opts.optimize, status });
    const bd = join(outDir, `${shipped.port.name}-${opts.optimize}`);
    const kernel = join(bd, "recipes", "rootvm", "linux", "Image");
    const initrd = join(bd, "guests", "rootvm", "initramfs.cpio.gz");
    const q = shipped.port.qemu;
    const direct = (append: string): string[] => [
      q.binary,
      "-M",
      q.machine,
      "-cpu",
      q.cpu,
      "-smp",
      String(q.smp),
      "-m",
      formatSize(q.memory),
      "-nographic",
      "-bios",
      "default",
      "-kernel",
      kernel,
      "-initrd",
      initrd,
      "-append",
      append,
    ];
    const variants: Variant[] = [
      {
        name: "keel",
        label: "Keel, `rootvm` image (root VM + spinning hello capsule)",
        argv: qemuArgv(hostQemu(shipped.port), shipped.port, shipped.elf),
      },
      { name: "opensbi", label: "OpenSBI, `console=hvc0`", argv: direct("console=hvc0") },
      {
        name: "keel-alone",
        label: "Keel, root VM alone (no hello capsule)",
        argv: qemuArgv(hostQemu(alone.port), alone.port, alone.elf),
      },
      {
        name: "opensbi-earlycon",
        label: "OpenSBI, `console=hvc0 earlycon=sbi` (Keel's bootargs)",
        argv: direct("console=hvc0 earlycon=sbi"),
      },
    ];
    process.stdout.write(
      [
        `kernel ${kernel} (${statSync(kernel).size} bytes), initramfs ${initrd} (${statSync(initrd).size} bytes)`,
        ...variants.map((v) => `${v.name}: ${v.argv.join(" ")}`),
        "",
      ].join("\n"),
    );
    const boots = await interleaved(
      variants,
      opts.runs,
      (v) => bootOnce(v, opts.timeoutS * 1000),
      (round, v, s) =>
        process.stdout.write(
          `boot run ${round}/${opts.runs} ${v.name}: first output ${fmt(s.firstMs)}, Linux ${fmt(s.linuxMs)}, banner ${fmt(s.bannerMs)}, prompt ${fmt(s.promptMs)}, poweroff ${fmt(s.poweroffMs)}\n`,
        ),
    );
    const loadAfterBoots = load();

    // 2. Builds with a warm recipe cache (the user's, warmed by the builds above), after keel clean.
    const warm: BuildSample[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const s = await timedBuild(root, "rootvm", opts.optimize, process.env);
      if (s.recipes.some((r) => r.includes("miss")))
        throw new Error(`a warm-cache build missed the cache: ${s.recipes.join("; ")}`);
      warm.push(s);
      process.stdout.write(
        `warm-cache build ${i + 1}/${opts.runs}: ${fmt(s.ms)}, ${s.ran} steps (${s.recipes.join("; ")})\n`,
      );
    }

    // 3. Builds with an empty recipe cache (KEEL_CACHE_DIR at a fresh temp dir each time).
    const cold: BuildSample[] = [];
    for (let i = 0; i < opts.coldRuns; i++) {
      const cache = mkdtempSync(join(tmpdir(), "keel-bench-cache-"));
      try {
        const env = { ...process.env, KEEL_CACHE_DIR: cache };
        if (cacheDir(env) !== cache) throw new Error("KEEL_CACHE_DIR is not honoured");
        process.stdout.write(`cold-cache build ${i + 1}/${opts.coldRuns} (recipe cache ${cache}): minutes\n`);
        const s = await timedBuild(root, "rootvm", opts.optimize, env);
        cold.push(s);
        process.stdout.write(`  ${fmt(s.ms)}, ${s.ran} steps (${s.recipes.join("; ")})\n`);
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    }

    // 4. A kernel fragment edit (CONFIG_PRINTK_TIME=y appended) and back, in the out dir of a build of the
    // original. Each rebuild first forgets its cache entry, so the kernel is rebuilt in its work tree:
    // the edit incrementally from the original's tree, the way back from the edit's tree (which also
    // shows whether an incremental build gives the original's bytes). Then the edit again, now a cache hit.
    const changed: BuildSample[] = [];
    const back: BuildSample[] = [];
    const hit: BuildSample[] = [];
    const fragmentFile = join(root, "guests", "rootvm", "linux.fragment");
    const imageFile = join(root, "out", `qemu-virt-${opts.optimize}`, "recipes", "rootvm", "linux", "Image");
    const fragmentA = readFileSync(fragmentFile, "utf8");
    const fragmentB = `${fragmentA}CONFIG_PRINTK_TIME=y\n`;
    let sameBytes = true;
    if (opts.fragmentRuns > 0) await timedBuild(root, "rootvm", opts.optimize, process.env); // the out dir
    const imageA = opts.fragmentRuns > 0 ? readFileSync(imageFile) : Buffer.alloc(0);
    const rebuild = async (
      fragment: string,
      what: string,
      into: BuildSample[],
      forget: boolean,
    ): Promise<void> => {
      const forgotten = forget
        ? await forgetLinuxEntries(new ContentCache(cacheDir(process.env)), fragment)
        : 0;
      writeFileSync(fragmentFile, fragment);
      const s = await timedBuild(root, "rootvm", opts.optimize, process.env, false);
      const missed = s.recipes.some((r) => r.startsWith("linux: cache miss"));
      if (missed !== forget) throw new Error(`${what}: unexpected ${s.recipes.join("; ")}`);
      into.push(s);
      process.stdout.write(
        `${what}: ${fmt(s.ms)}, ${s.ran} steps (${s.recipes.join("; ")}${forget ? `; ${forgotten} cached entry forgotten first` : ""})\n`,
      );
    };
    try {
      for (let i = 0; i < opts.fragmentRuns; i++) {
        const n = `${i + 1}/${opts.fragmentRuns}`;
        await rebuild(fragmentB, `fragment edit ${n}`, changed, true);
        await rebuild(fragmentA, `back to the original ${n}`, back, true);
        if (!readFileSync(imageFile).equals(imageA)) sameBytes = false;
        await rebuild(fragmentB, `the edit again ${n}`, hit, false);
        writeFileSync(fragmentFile, fragmentA);
        await timedBuild(root, "rootvm", opts.optimize, process.env, false); // a cache hit: the next round's start
      }
    } finally {
      writeFileSync(fragmentFile, fragmentA);
    }
    if (opts.fragmentRuns > 0)
      process.stdout.write(
        `the original rebuilt incrementally ${sameBytes ? "is" : "is NOT"} byte-identical to its first build\n`,
      );

    process.stdout.write(
      [
        "",
        bootTable(variants, boots),
        "",
        ratioTable(boots),
        "",
        buildTable(warm, cold),
        "",
        fragmentTable(changed, back, hit),
        "",
        `load average after the boots: ${loadAfterBoots}`,
        `load average at the end: ${load()}`,
        "",
      ].join("\n"),
    );
  } finally {
    if (opts.keep) process.stdout.write(`kept ${root}\n`);
    else dispose();
  }
}

function bootTable(variants: readonly Variant[], boots: ReadonlyMap<string, readonly BootSample[]>): string {
  const rows = [
    "| boot | first console output | `Linux version` line | init's banner | shell prompt | `poweroff` to QEMU's exit |",
    "|---|---|---|---|---|---|",
  ];
  const col = (s: readonly BootSample[], f: (b: BootSample) => number): string => cell(spread(s.map(f)));
  for (const v of variants) {
    const s = boots.get(v.name) ?? [];
    rows.push(
      `| ${v.label} | ${col(s, (b) => b.firstMs)} | ${col(s, (b) => b.linuxMs)} | ${col(s, (b) => b.bannerMs)} | ${col(s, (b) => b.promptMs)} | ${col(s, (b) => b.poweroffMs)} |`,
    );
  }
  return rows.join("\n");
}

/** Ratios of medians, each Keel variant over its OpenSBI peer. */
function ratioTable(boots: ReadonlyMap<string, readonly BootSample[]>): string {
  const m = (name: string, f: (b: BootSample) => number): number => median((boots.get(name) ?? []).map(f));
  const rows = [
    "| ratio of medians | first output | banner | prompt | `poweroff` to exit |",
    "|---|---|---|---|---|",
  ];
  for (const [k, o, what] of [
    ["keel", "opensbi", "`rootvm` image / OpenSBI `console=hvc0`"],
    ["keel-alone", "opensbi", "root VM alone / OpenSBI `console=hvc0`"],
    ["keel-alone", "opensbi-earlycon", "root VM alone / OpenSBI with Keel's bootargs"],
    ["keel", "keel-alone", "`rootvm` image / root VM alone (cost of the hello capsule)"],
  ] as const) {
    const r = (f: (b: BootSample) => number): string => (m(k, f) / m(o, f)).toFixed(2);
    rows.push(
      `| ${what} | ${r((b) => b.firstMs)} | ${r((b) => b.bannerMs)} | ${r((b) => b.promptMs)} | ${r((b) => b.poweroffMs)} |`,
    );
  }
  return rows.join("\n");
}

function buildTable(warm: readonly BuildSample[], cold: readonly BuildSample[]): string {
  const rows = [
    "| `rootvm` build, from an empty out dir | runs | median (min–max) | steps run | recipes |",
    "|---|---|---|---|---|",
  ];
  for (const [what, s] of [
    ["cold: empty recipe cache", cold],
    ["cached: after `keel clean`, warm recipe cache", warm],
  ] as const) {
    if (s.length === 0) continue;
    const recipes = [...new Set(s.flatMap((b) => b.recipes.map((r) => r.replace(/ [0-9a-f]{12},/, ","))))];
    const ran = [...new Set(s.map((b) => b.ran))].join("/");
    rows.push(
      `| ${what} | ${s.length} | ${cell(spread(s.map((b) => b.ms)))} | ${ran} | ${recipes.join("; ")} |`,
    );
  }
  if (cold.length > 0 && warm.length > 0)
    rows.push(
      `| cold / cached | | ${(median(cold.map((b) => b.ms)) / median(warm.map((b) => b.ms))).toFixed(1)} | | |`,
    );
  return rows.join("\n");
}

function fragmentTable(
  changed: readonly BuildSample[],
  back: readonly BuildSample[],
  hit: readonly BuildSample[],
): string {
  if (changed.length === 0) return "";
  const rows = [
    "| `rootvm` build after a kernel fragment edit (out dir kept) | runs | median (min–max) | steps run | recipes |",
    "|---|---|---|---|---|",
  ];
  for (const [what, s] of [
    ["`CONFIG_PRINTK_TIME=y` appended (entry forgotten): rebuilt in the work tree", changed],
    ["back to the original (entry forgotten): rebuilt in the work tree", back],
    ["the edit again: cache hit", hit],
  ] as const) {
    const recipes = [
      ...new Set(
        s.flatMap((b) =>
          b.recipes.map((r) =>
            r
              .replace(/ [0-9a-f]{12},/, ",")
              .replace(/ in [0-9.]+ s \(/, " (")
              .replace(/ in \d+m?\d*s/, ""),
          ),
        ),
      ),
    ];
    const ran = [...new Set(s.map((b) => b.ran))].join("/");
    rows.push(
      `| ${what} | ${s.length} | ${cell(spread(s.map((b) => b.ms)))} | ${ran} | ${recipes.join("; ")} |`,
    );
  }
  return rows.join("\n");
}

await main();
