// Kconfig benchmark: load the Linux 6.1 tree for ARCH=riscv and write the defconfig .config, with Keel's
// engine (CLI process: cold, warm probe cache without a stored tree, fully warm; and the engine alone,
// parsing or decoding a stored tree, with every probe answered from memory) against Linux's own C `conf`
// (through `make ARCH=riscv defconfig`, and conf run by itself) and Kconfiglib (Debian's
// python3-kconfiglib). Medians of N runs taken in turns, reported as ratios.
//
//   node --import tsx bench/kconfig.ts [--runs N]
//
// Prepares the compatibility suite's tree first (test/kconfig-compat/linux.ts: as root it installs what
// is missing). Needs /usr/bin/python3 for the CPU accounting helper; Kconfiglib is skipped when it is not
// installed.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeSnapshot,
  defconfig,
  encodeSnapshot,
  loadKconfig,
  treeFs,
  type KconfigCache,
  type LoadOptions,
} from "../src/kconfig/index.ts";
import { memoFs, Prober } from "../src/kconfig/probes.ts";
import { CROSS, linuxSrc, prepareLinux, readRef, riscvEnv } from "../test/kconfig-compat/linux.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 5);
try {
  await prepareLinux((l) => process.stderr.write(`${l}\n`));
} catch (e) {
  process.stderr.write(`bench/kconfig.ts: ${(e as Error).message}\n`);
  process.exit(2);
}
const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "keel-bench-kconfig-"));
const py = "/usr/bin/python3";

// Runs argv and reports wall time, the process's own CPU (utime+stime, read from /proc while it is a
// zombie, so its children are not counted) and its reaped children's CPU (the $(shell,...) probes).
const TIMER = String.raw`
import json, os, subprocess, sys, time
spec = json.loads(sys.argv[1])
t0 = time.monotonic()
p = subprocess.Popen(spec["argv"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
wall = time.monotonic() - t0
f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
hz = os.sysconf("SC_CLK_TCK")
own = (int(f[11]) + int(f[12])) / hz
kids = (int(f[13]) + int(f[14])) / hz
err = p.stderr.read().decode()
p.wait()
print(json.dumps({"wall": wall, "own": own, "children": kids, "code": p.returncode, "err": err[-2000:]}))
`;

interface Sample {
  wall: number;
  own: number;
  children: number;
}

function timed(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const out = execFileSync(py, ["-c", TIMER, JSON.stringify({ argv, cwd, env })], { encoding: "utf8" });
  const r = JSON.parse(out) as Sample & { code: number; err: string };
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (${r.code}):\n${r.err}`);
  return r;
}

// The CLI bundle, built by scripts/bundle.mjs into the scratch dir (the repository's dist/ is left alone).
const bundle = join(work, "keel.mjs");
execFileSync(process.execPath, [join(root, "scripts", "bundle.mjs"), "--out", bundle], { stdio: "inherit" });

const env = riscvEnv();
const baseEnv: NodeJS.ProcessEnv = { ...process.env };
delete baseEnv["KEEL_CACHE_DIR"];
const ref = readRef("defconfig");
const objKeel = join(work, "obj-keel");
const objMake = join(work, "obj-make");
const objLib = join(work, "obj-kconfiglib");
for (const d of [objKeel, objMake, objLib]) mkdirSync(d, { recursive: true });
const warmCache = join(work, "cache-warm");
const coldCache = join(work, "cache-cold");
const parseCache = join(work, "cache-parse");
const keelArgv = [
  process.execPath,
  bundle,
  "kconfig",
  "--tree",
  linuxSrc(),
  `O=${objKeel}`,
  "ARCH=riscv",
  `CROSS_COMPILE=${CROSS}`,
  "defconfig",
];
const makeArgv = ["make", "-s", "ARCH=riscv", `CROSS_COMPILE=${CROSS}`, `O=${objMake}`, "defconfig"];
const conf = join(objMake, "scripts", "kconfig", "conf");
const confArgv = [conf, "--defconfig=arch/riscv/configs/defconfig", "Kconfig"];
const confEnv = { ...baseEnv, ...env };

const KCONFIGLIB = String.raw`
import io, os, re, kconfiglib
orig = kconfiglib.Kconfig._open
def _open(self, filename, mode):
    if "r" not in mode:
        return orig(self, filename, mode)
    f = orig(self, filename, mode)
    text = f.read()
    f.close()
    s = io.StringIO(re.sub(r"(?m)^(\s*)modules\s*$", r"\1option modules", text))
    s.name = filename
    return s
kconfiglib.Kconfig._open = _open  # Kconfiglib 14.1 spells Linux 5.13's "modules" as "option modules"
k = kconfiglib.Kconfig("Kconfig", warn=False)
k.load_config("arch/riscv/configs/defconfig")
k.write_config(os.environ["KEEL_BENCH_OUT"])
`;
const hasKconfiglib = spawnSync(py, ["-c", "import kconfiglib"]).status === 0;
type Tool = "keel-cold" | "keel-parse" | "keel-warm" | "make" | "conf" | "kconfiglib";
const tools: Tool[] = [
  "keel-cold",
  "keel-parse",
  "keel-warm",
  "make",
  "conf",
  ...(hasKconfiglib ? ["kconfiglib" as const] : []),
];

function runTool(t: Tool): Sample {
  switch (t) {
    case "keel-cold":
      rmSync(coldCache, { recursive: true, force: true });
      rmSync(join(objKeel, ".config"), { force: true });
      return timed(keelArgv, objKeel, { ...baseEnv, KEEL_CACHE_DIR: coldCache });
    case "keel-parse":
      // The probe cache kept, the stored tree removed: a fresh process parses the tree.
      rmSync(join(parseCache, "kconfig-trees"), { recursive: true, force: true });
      rmSync(join(objKeel, ".config"), { force: true });
      return timed(keelArgv, objKeel, { ...baseEnv, KEEL_CACHE_DIR: parseCache });
    case "keel-warm":
      rmSync(join(objKeel, ".config"), { force: true });
      return timed(keelArgv, objKeel, { ...baseEnv, KEEL_CACHE_DIR: warmCache });
    case "make":
      rmSync(join(objMake, ".config"), { force: true });
      return timed(makeArgv, linuxSrc(), baseEnv);
    case "conf":
      rmSync(join(objMake, ".config"), { force: true });
      return timed(confArgv, objMake, confEnv);
    case "kconfiglib":
      rmSync(join(objLib, ".config"), { force: true });
      return timed([py, "-c", KCONFIGLIB], linuxSrc(), {
        ...confEnv,
        KEEL_BENCH_OUT: join(objLib, ".config"),
      });
  }
}

function check(t: Tool): void {
  const file =
    t === "make" || t === "conf"
      ? join(objMake, ".config")
      : t === "kconfiglib"
        ? join(objLib, ".config")
        : join(objKeel, ".config");
  const text = readFileSync(file, "utf8");
  // Kconfiglib writes no header and no "# end of" for an empty menu: compare the symbol lines.
  const body = (s: string): string =>
    s
      .split("\n")
      .filter((l) => /^(# )?CONFIG_/.test(l))
      .join("\n");
  const ok = t === "kconfiglib" ? body(text) === body(ref) : text === ref;
  if (!ok) throw new Error(`${t}: the .config differs from conf's reference`);
}

// Warm-up: builds conf (make), fills the warm probe cache, checks every output once.
process.stderr.write(`warm-up in ${work}\n`);
for (const t of tools) {
  runTool(t);
  check(t);
}
const samples = new Map<Tool, Sample[]>(tools.map((t) => [t, []]));
for (let i = 0; i < runs; i++) {
  const order = tools.map((_, j) => tools[(i + j) % tools.length]!);
  for (const t of order) samples.get(t)!.push(runTool(t));
  process.stderr.write(`run ${i + 1}/${runs}\n`);
}

// The engine alone, in this process, every probe answered from memory: the first run pays for the JIT
// like a fresh CLI process does; the median of the rest is the steady state. Then the same with the tree
// decoded from a snapshot (what `keel kconfig` does when its tree cache holds the tree).
const prober = new Prober({
  cwd: objKeel,
  env: { ...baseEnv, ...env },
  cacheDir: join(warmCache, "kconfig-probes"),
});
const text = readFileSync(join(linuxSrc(), "arch/riscv/configs/defconfig"), "utf8");
const engineTree = (cache?: KconfigCache): LoadOptions => ({
  file: "Kconfig",
  fs: memoFs(treeFs(linuxSrc(), objKeel)),
  env,
  shell: prober.runner,
  ...(cache && { cache }),
});
const cpuOf = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
const engine: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  engine.push(
    cpuOf(() => {
      if (defconfig(engineTree(), { name: "defconfig", text }).config !== ref)
        throw new Error("engine: the .config differs from conf's reference");
    }),
  );
}
const snapshot = encodeSnapshot(loadKconfig(engineTree()), { files: [], env: [], shell: [], info: [] });
const stored: KconfigCache = {
  load: () => decodeSnapshot(snapshot) ?? undefined,
  store: () => {},
};
const fromSnapshot: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  fromSnapshot.push(
    cpuOf(() => {
      if (defconfig(engineTree(stored), { name: "defconfig", text }).config !== ref)
        throw new Error("engine from a snapshot: the .config differs from conf's reference");
    }),
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const med = (t: Tool, k: keyof Sample): number => median(samples.get(t)!.map((x) => x[k]));
const makeWall = med("make", "wall");
const confOwn = med("conf", "own");
const label: Record<Tool, string> = {
  "keel-cold": "keel kconfig, cold (no probe cache, no stored tree)",
  "keel-parse": "keel kconfig, warm probe cache, no stored tree",
  "keel-warm": "keel kconfig, warm (probe cache and stored tree)",
  make: "make ARCH=riscv defconfig (conf built)",
  conf: "conf --defconfig alone",
  kconfiglib: "Kconfiglib 14.1 (python3)",
};
const out: string[] = [];
out.push(
  `${runs} runs, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
out.push("");
out.push("| tool | wall median (min–max) | own CPU | probes' CPU | wall / make | own CPU / conf's |");
out.push("| --- | --- | --- | --- | --- | --- |");
for (const t of tools) {
  const walls = samples.get(t)!.map((x) => x.wall);
  out.push(
    `| ${label[t]} | ${fmt(med(t, "wall"))} (${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))}) | ${fmt(med(t, "own"))} | ${fmt(med(t, "children"))} | ${(med(t, "wall") / makeWall).toFixed(2)} | ${(med(t, "own") / confOwn).toFixed(2)} |`,
  );
}
const engineRows: [string, number[]][] = [
  ["Keel engine in-process, parsing", engine],
  ["Keel engine in-process, from a stored tree", fromSnapshot],
];
for (const [what, xs] of engineRows) {
  const steady = median(xs.slice(1));
  out.push(`| ${what}: first run | — | ${fmt(xs[0]!)} | 0 | — | ${(xs[0]! / confOwn).toFixed(2)} |`);
  out.push(`| ${what}: median of the rest | — | ${fmt(steady)} | 0 | — | ${(steady / confOwn).toFixed(2)} |`);
}
process.stdout.write(out.join("\n") + "\n");
rmSync(work, { recursive: true, force: true });
