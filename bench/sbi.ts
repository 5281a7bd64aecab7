// SBI null-call benchmark (issue 3, Done when): the round trip of BASE get_spec_version made by the sbibench
// guest in a capsule under Keel, next to the same call made from bare S-mode to QEMU's own OpenSBI, in the same
// QEMU, in the same run, taking turns. Usage:
//   node --import tsx bench/sbi.ts [--runs N] [--timeout S] [--optimize MODE] [--keep]
// What is measured and how to read it: bench/README.md ("SBI null call").
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { join, relative } from "node:path";
import { gatherInputs } from "../src/build/inputs.ts";
import { planBuild } from "../src/build/plan.ts";
import { buildImage } from "../src/build/run.ts";
import { hostQemu, qemuArgv } from "../src/port/emit-qemu.ts";
import { formatSize } from "../src/yamlfile/scalars.ts";
import { runCaptured } from "../src/qemu/run.ts";
import { CollectStream, copyCheckout } from "../test/e2e/helpers.ts";
import { firstLine, interleaved, median, wholeNumber } from "./stats.ts";

interface Options {
  /** Boots per variant. */
  runs: number;
  /** Per boot, in seconds. */
  timeoutS: number;
  /** Keel's -Doptimize for the hypervisor (the guest is always -O2). */
  optimize: string;
  keep: boolean;
}

const USAGE = "usage: bench/sbi.ts [--runs N] [--timeout S] [--optimize MODE] [--keep]";

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = { runs: 5, timeoutS: 120, optimize: "ReleaseFast", keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = wholeNumber(a, argv[++i]);
    else if (a === "--timeout") opts.timeoutS = wholeNumber(a, argv[++i]);
    else if (a === "--optimize") opts.optimize = argv[++i] ?? "";
    else if (a === "--keep") opts.keep = true;
    else throw new Error(`unknown argument ${a}; ${USAGE}`);
  }
  return opts;
}

/** Where OpenSBI (QEMU's -bios default) expects its S-mode payload. */
const OPENSBI_PAYLOAD = "0x80200000";
/** The image's bootargs; OpenSBI's payload gets the same through -append. */
const IMAGE = "sbibench";

/** One boot's figures, per call / per empty iteration, as the guest printed them. */
interface Sample {
  callNs: number;
  loopNs: number;
  callInstret: number;
  loopInstret: number;
  n: number;
}

interface Variant {
  name: string;
  /** "keel" or "opensbi": which side of the ratio. */
  side: "keel" | "opensbi";
  /** "tcg" (wall time) or "icount" (time = executed instructions). */
  clock: "tcg" | "icount";
  argv: string[];
}

const LINE = /sbibench: n (\d+) call ([\d.]+) ns loop ([\d.]+) ns/;
const INSTRET = /sbibench: instret call ([\d.]+) loop ([\d.]+)/;

function tail(text: string, lines = 20): string {
  return text.replace(/\r/g, "").split("\n").slice(-lines).join("\n");
}

async function bootOnce(v: Variant, timeoutMs: number): Promise<Sample> {
  const run = await runCaptured(v.argv, { timeoutMs, stdin: "ignore" });
  const out = run.output.replace(/\r/g, "");
  const m = LINE.exec(out);
  const i = INSTRET.exec(out);
  const what = `${v.name}: ${run.timedOut ? "timed out" : `QEMU exited with ${run.code ?? run.signal}`}`;
  if (run.timedOut || run.code !== 0 || m === null || i === null)
    throw new Error(`${what}; the console's last lines:\n${tail(out)}`);
  return {
    n: Number(m[1]),
    callNs: Number(m[2]),
    loopNs: Number(m[3]),
    callInstret: Number(i[1]),
    loopInstret: Number(i[2]),
  };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const num = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(x >= 10 ? 1 : 2));
const col = (xs: readonly number[]): string =>
  `${num(median(xs))} (${num(Math.min(...xs))}–${num(Math.max(...xs))})`;

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const { root, dispose } = copyCheckout("keel-bench-sbi-");
  process.stdout.write(
    [
      `machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"}, Linux ${release()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      `node ${process.version}; ${firstLine(["qemu-system-riscv64", "--version"])}`,
      `checkout copy: ${root}; ${opts.runs} boots per variant; Keel -Doptimize=${opts.optimize}`,
      `load average at the start: ${load()}`,
      "",
    ].join("\n"),
  );
  try {
    // 1. The image, built by Keel; then the same guest objects relinked for OpenSBI.
    const outDir = join(root, "out");
    const req = { root, outDir, image: IMAGE, optimize: opts.optimize, status: new CollectStream() };
    const built = await buildImage(req);
    const plan = planBuild(await gatherInputs(req));
    const guestElf = join(outDir, `${built.port.name}-${opts.optimize}`, "guests", `${IMAGE}.elf`);
    const link = plan.steps.find((s) => s.id === `ld:${guestElf}`);
    const cmd = link?.command;
    if (link === undefined || cmd === undefined)
      throw new Error(`no link command for ${guestElf} in the plan`);
    const opensbiElf = join(outDir, `${IMAGE}-opensbi.elf`);
    const o = cmd.indexOf("-o");
    if (o < 0) throw new Error(`the guest link has no -o: ${cmd.join(" ")}`);
    // The defsym must come before the -T script: ld evaluates DEFINED(GUEST_BASE) while it reads the script.
    const relink = [
      cmd[0] ?? "",
      `-Wl,--defsym=GUEST_BASE=${OPENSBI_PAYLOAD}`,
      ...cmd.slice(1, o),
      "-o",
      opensbiElf,
      ...cmd.slice(o + 2),
    ];
    execFileSync(relink[0] ?? "", relink.slice(1), { cwd: link.cwd ?? root, stdio: "inherit" });
    const bootargs = built.image.capsules[0]?.bootargs ?? "";

    // 2. The QEMU command lines: one hart for both, with and without -icount.
    const q = built.port.qemu;
    const smp = ["-smp", "1"];
    const icount = ["-icount", "shift=0"];
    const direct = (extra: readonly string[]): string[] => [
      q.binary,
      "-M",
      q.machine,
      "-cpu",
      q.cpu,
      ...smp,
      "-m",
      formatSize(q.memory),
      "-nographic",
      "-bios",
      "default",
      "-kernel",
      opensbiElf,
      "-append",
      bootargs,
      ...extra,
    ];
    const variants: Variant[] = [
      {
        name: "keel",
        side: "keel",
        clock: "tcg",
        argv: qemuArgv(hostQemu(built.port), built.port, built.elf, smp),
      },
      { name: "opensbi", side: "opensbi", clock: "tcg", argv: direct([]) },
      {
        name: "keel-icount",
        side: "keel",
        clock: "icount",
        argv: qemuArgv(hostQemu(built.port), built.port, built.elf, [...smp, ...icount]),
      },
      { name: "opensbi-icount", side: "opensbi", clock: "icount", argv: direct(icount) },
    ];
    process.stdout.write(
      [
        `relinked for OpenSBI: ${relink.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(" ")}`,
        ...variants.map((v) => `${v.name}: ${v.argv.join(" ")}`),
        "",
      ].join("\n"),
    );

    // 3. One untimed boot each, then N rounds, every variant once per round, the first one rotating.
    const samples = await interleaved(
      variants,
      opts.runs,
      (v) => bootOnce(v, opts.timeoutS * 1000),
      (round, v, s) =>
        process.stdout.write(
          `run ${round}/${opts.runs} ${v.name}: call ${s.callNs} ns, loop ${s.loopNs} ns, instret call ${s.callInstret} loop ${s.loopInstret}\n`,
        ),
    );
    process.stdout.write(
      ["", table(variants, samples), "", `load average at the end: ${load()}`, ""].join("\n"),
    );
  } finally {
    if (opts.keep) process.stdout.write(`kept ${root}\n`);
    else dispose();
  }
}

function table(variants: readonly Variant[], samples: ReadonlyMap<string, readonly Sample[]>): string {
  const get = (name: string): readonly Sample[] => samples.get(name) ?? [];
  const net = (s: Sample): number => s.callNs - s.loopNs;
  const netI = (s: Sample): number => s.callInstret - s.loopInstret;
  const rows = [
    "| variant | clock | n | call, ns | loop, ns | call − loop, ns | instret per call − loop (TCG: host ticks) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const v of variants) {
    const s = get(v.name);
    rows.push(
      `| ${v.name} | ${v.clock === "tcg" ? "TCG, wall time" : "`-icount shift=0`"} | ${s[0]?.n ?? "?"} | ${col(s.map((x) => x.callNs))} | ${col(s.map((x) => x.loopNs))} | ${col(s.map(net))} | ${col(s.map(netI))} |`,
    );
  }
  rows.push("", "| ratio of medians, keel / opensbi | call − loop |", "|---|---|");
  for (const clock of ["tcg", "icount"] as const) {
    const k = variants.find((v) => v.side === "keel" && v.clock === clock)?.name ?? "";
    const o = variants.find((v) => v.side === "opensbi" && v.clock === clock)?.name ?? "";
    const f = clock === "tcg" ? net : netI;
    const what = clock === "tcg" ? "TCG wall time" : "guest instructions (`-icount shift=0` instret)";
    rows.push(`| ${what} | **${(median(get(k).map(f)) / median(get(o).map(f))).toFixed(2)}** |`);
  }
  return rows.join("\n");
}

await main();
