// The persistent tree cache (src/kconfig/treecache.ts): a stored tree is used only while every file the
// load read, every environment variable it looked up and every probe answer are unchanged.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defconfig, treeFs, type LoadOptions } from "../../src/kconfig/index.ts";
import { treeFileId } from "../../src/kconfig/node.ts";
import { fileTreeCache, TREES_KEPT } from "../../src/kconfig/treecache.ts";

const KCONFIG = `mainmenu "Demo $(VERSION)"
tool := $(shell,probe)
$(info,loading with $(tool))
source "sub/Kconfig"
config FEATURE
\tbool "Feature"
\tdefault $(tool)
config OPTIONAL_ENV
\tstring
\tdefault "$(EXTRA)"
`;

const SUB = `config SUB
\tbool "Sub"
\tdefault y
`;

interface Setup {
  src: string;
  obj: string;
  cacheDir: string;
  probe: { out: string; runs: number };
  env: Record<string, string>;
}

function setup(): Setup {
  const src = mkdtempSync(join(tmpdir(), "keel-treecache-"));
  writeFileSync(join(src, "Kconfig"), KCONFIG);
  mkdirSync(join(src, "sub"));
  writeFileSync(join(src, "sub", "Kconfig"), SUB);
  const obj = join(src, "obj");
  mkdirSync(obj);
  return { src, obj, cacheDir: join(src, "cache"), probe: { out: "y", runs: 0 }, env: { VERSION: "1" } };
}

/** One `defconfig` as the CLI runs it: a fresh cache object over the same directory. */
function load(s: Setup): { config: string; info: string[]; hit: boolean; miss: string } {
  const cache = fileTreeCache(s.cacheDir, "key", treeFileId(s.src, s.obj));
  const info: string[] = [];
  const tree: LoadOptions = {
    file: "Kconfig",
    fs: treeFs(s.src, s.obj),
    env: s.env,
    shell: (cmd) => {
      assert.equal(cmd, "probe");
      s.probe.runs++;
      return s.probe.out;
    },
    info: (l) => info.push(l),
    cache,
  };
  const r = defconfig(tree, { name: "defconfig", text: "" });
  return { config: r.config, info, hit: cache.stats.hit, miss: cache.stats.miss };
}

test("the second load decodes the stored tree, with the same output and $(info,...) lines", () => {
  const s = setup();
  try {
    const first = load(s);
    assert.equal(first.hit, false);
    assert.equal(first.miss, "no stored tree");
    assert.match(first.config, /^CONFIG_FEATURE=y$/m);
    assert.deepEqual(first.info, ["loading with y"]);
    const second = load(s);
    assert.equal(second.hit, true);
    assert.equal(second.config, first.config);
    assert.deepEqual(second.info, first.info);
  } finally {
    rmSync(s.src, { recursive: true, force: true });
  }
});

test("a changed source file, environment variable or probe answer is a miss", () => {
  const s = setup();
  try {
    load(s);
    assert.equal(load(s).hit, true);

    writeFileSync(join(s.src, "sub", "Kconfig"), SUB.replace("default y", "default n"));
    utimesSync(join(s.src, "sub", "Kconfig"), new Date(), new Date(Date.now() + 5000));
    const edited = load(s);
    assert.equal(edited.hit, false);
    assert.equal(edited.miss, "sub/Kconfig changed");
    assert.match(edited.config, /^# CONFIG_SUB is not set$/m);
    assert.equal(load(s).hit, true);

    s.env = { VERSION: "2" };
    const env = load(s);
    assert.equal(env.hit, false);
    assert.match(env.config, /Demo 2/);
    assert.equal(load(s).hit, true);

    // A variable that was unset when the tree was stored counts too.
    s.env = { VERSION: "2", EXTRA: "x" };
    const extra = load(s);
    assert.equal(extra.hit, false);
    assert.match(extra.config, /^CONFIG_OPTIONAL_ENV="x"$/m);

    s.probe.out = "n";
    const probe = load(s);
    assert.equal(probe.hit, false);
    assert.equal(probe.miss, "the environment or a probe's output changed");
    assert.match(probe.config, /^# CONFIG_FEATURE is not set$/m);
    assert.deepEqual(probe.info, ["loading with n"]);
  } finally {
    rmSync(s.src, { recursive: true, force: true });
  }
});

test("a file appearing in the object tree, which the reader prefers, is a miss", () => {
  const s = setup();
  try {
    load(s);
    mkdirSync(join(s.obj, "sub"));
    writeFileSync(join(s.obj, "sub", "Kconfig"), "config OBJ_SUB\n\tbool\n\tdefault y\n");
    const r = load(s);
    assert.equal(r.hit, false);
    assert.match(r.config, /^CONFIG_OBJ_SUB=y$/m);
  } finally {
    rmSync(s.src, { recursive: true, force: true });
  }
});

test("a corrupt stored tree is a miss, then replaced", () => {
  const s = setup();
  try {
    const good = load(s);
    const [name] = readdirSync(s.cacheDir);
    writeFileSync(join(s.cacheDir, name!), "garbage");
    const r = load(s);
    assert.equal(r.hit, false);
    assert.equal(r.config, good.config);
    assert.equal(load(s).hit, true);
  } finally {
    rmSync(s.src, { recursive: true, force: true });
  }
});

test("storing a tree keeps only the most recent trees in the directory", () => {
  const s = setup();
  try {
    mkdirSync(s.cacheDir);
    for (let i = 0; i < TREES_KEPT + 3; i++) {
      const old = join(s.cacheDir, `old${i}.tree`);
      writeFileSync(old, "x");
      utimesSync(old, new Date(1000 + i), new Date(1000 + i));
    }
    writeFileSync(join(s.cacheDir, "notes.txt"), "not a tree");
    load(s);
    const left = readdirSync(s.cacheDir).sort();
    assert.equal(left.filter((f) => f.endsWith(".tree")).length, TREES_KEPT);
    assert.ok(left.includes("key.tree"));
    assert.ok(left.includes("notes.txt"));
    assert.ok(!left.includes("old0.tree"));
    assert.ok(left.includes(`old${TREES_KEPT + 2}.tree`));
  } finally {
    rmSync(s.src, { recursive: true, force: true });
  }
});
