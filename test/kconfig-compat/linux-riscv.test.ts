// Keel's Kconfig engine against Linux 6.1's own scripts/kconfig/conf on the real tree, ARCH=riscv: every
// output must be byte-identical. Part of `keel test`: the tree and conf's references are prepared first
// (test/kconfig-compat/linux.ts, cached by the tarball's hash); when that cannot be done, every test fails
// with the reason. Nothing is skipped.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  alldefconfig,
  allmodconfig,
  allnoconfig,
  allyesconfig,
  autoconf,
  defconfig,
  olddefconfig,
  savedefconfig,
  tinyconfig,
  type LoadOptions,
  type Prober,
} from "../../src/kconfig/index.ts";
import { warmProbes } from "../../src/kconfig/probes.ts";
import {
  CROSS,
  linuxSrc,
  preparedDir,
  prepareLinux,
  readRef,
  readSrc,
  riscvProber,
  riscvTree,
  memorySnapshotCache,
  rootvmFragment,
  withFragment,
} from "./linux.ts";

let prober: Prober;
let tree: () => LoadOptions;
// The first load (defconfig) parses; the others decode its stored snapshot, so every configuration
// below also checks the snapshot round trip on the real tree (and the suite runs faster).
const cache = memorySnapshotCache();

before(async () => {
  const t0 = performance.now();
  await prepareLinux((l) => process.stdout.write(`${l}\n`));
  // Every load asks the same ~85 probes: run them once, concurrently, and answer later loads from memory.
  prober = riscvProber();
  tree = () => riscvTree(prober, cache);
  await warmProbes(tree(), prober, null);
  process.stdout.write(`kconfig-compat: ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
});

const riscvDefconfig = (): { name: string; text: string } => ({
  name: "arch/riscv/configs/defconfig",
  text: readSrc("arch/riscv/configs/defconfig"),
});

const tinyInputs = () => ({
  base: { name: "kernel/configs/tiny-base.config", text: readSrc("kernel/configs/tiny-base.config") },
  frags: [{ name: "kernel/configs/tiny.config", text: readSrc("kernel/configs/tiny.config") }],
});

test("defconfig: .config, auto.conf, autoconf.h and auto.conf.cmd match conf", () => {
  const r = defconfig(tree(), riscvDefconfig());
  assert.equal(cache.hits, 0, "the first load parses");
  assert.equal(r.config, readRef("defconfig"));
  const a = autoconf(r.kconfig);
  assert.equal(a.autoConf, readRef("defconfig", "auto.conf"));
  assert.equal(a.autoconfH, readRef("defconfig", "autoconf.h"));
  assert.equal(a.autoConfCmd, readRef("defconfig", "auto.conf.cmd"));
});

test("savedefconfig of the defconfig .config matches conf", () => {
  const r = savedefconfig(tree(), { name: ".config", text: readRef("defconfig") });
  assert.equal(r.defconfig, readRef("defconfig", "savedefconfig"));
  assert.equal(cache.hits, 1, "later loads decode the stored tree");
});

test("allnoconfig matches conf", () => {
  assert.equal(allnoconfig(tree()).config, readRef("allnoconfig"));
});

test("allyesconfig matches conf", () => {
  assert.equal(allyesconfig(tree()).config, readRef("allyesconfig"));
});

test("alldefconfig matches conf", () => {
  assert.equal(alldefconfig(tree()).config, readRef("alldefconfig"));
});

test("allmodconfig matches conf", () => {
  assert.equal(allmodconfig(tree()).config, readRef("allmodconfig"));
});

test("tinyconfig matches make tinyconfig", () => {
  const { base, frags } = tinyInputs();
  assert.equal(tinyconfig(tree(), base, frags).config, readRef("tinyconfig"));
});

test("the root VM's kernel configuration: tinyconfig + guests/rootvm/linux.fragment, olddefconfig", () => {
  const { base, frags } = tinyInputs();
  const frag = rootvmFragment();
  const tiny = tinyconfig(tree(), base, frags).config;
  const merged = withFragment(tiny, frag.file, frag.text);
  const r = olddefconfig(tree(), { name: ".config", text: merged });
  assert.equal(r.config, readFileSync(join(frag.dir, ".config"), "utf8"));
});

// Its object tree and its probe and tree caches persist beside the references, so a warm `keel test`
// answers the probes from the cache and decodes the stored tree; each run writes its own KCONFIG_CONFIG.
test("keel kconfig ARCH=riscv tinyconfig writes make tinyconfig's .config", () => {
  const o = join(preparedDir(), "cli-obj");
  mkdirSync(o, { recursive: true });
  const name = `tiny-${process.pid}.config`;
  try {
    const repo = join(import.meta.dirname, "..", "..");
    const main = join(repo, "src", "cli", "main.ts");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        main,
        "kconfig",
        "--tree",
        linuxSrc(),
        `O=${o}`,
        "ARCH=riscv",
        `CROSS_COMPILE=${CROSS}`,
        `KCONFIG_CONFIG=${name}`,
        "tinyconfig",
      ],
      {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, KEEL_CACHE_DIR: join(preparedDir(), "cli-cache"), KEEL_KCONFIG_TIMING: "1" },
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`configuration written to ${name.replace(/\./g, "\\.")}`));
    assert.equal(readFileSync(join(o, name), "utf8"), readRef("tinyconfig"));
    process.stdout.write(
      r.stderr
        .split("\n")
        .filter((l) => l.startsWith("kconfig:"))
        .join("\n") + "\n",
    );
  } finally {
    rmSync(join(o, name), { force: true });
    rmSync(join(o, `${name}.old`), { force: true });
  }
});
