// The $(shell,...) probe machinery (src/kconfig/probes.ts): the persistent cache, the speculative pre-pass
// with dependent probes, and the result staying exactly what running every probe in order gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alldefconfig, shellRunner, type LoadOptions } from "../../src/kconfig/index.ts";
import { builtinOnly, prefetchProbes, Prober } from "../../src/kconfig/probes.ts";

const KCONFIG = `info := $(shell,./tool --info)
name := $(shell,set -- $(info) && echo $1)
config NAME
\tstring
\tdefault "$(name)"
config HAS_FLAG
\tdef_bool $(shell,./tool --flag-$(name) >/dev/null && echo y || echo n)
`;

function setup(): { dir: string; tree: LoadOptions } {
  const dir = mkdtempSync(join(tmpdir(), "keel-probes-"));
  writeFileSync(
    join(dir, "tool"),
    '#!/bin/sh\ncase "$1" in --info) echo "GCC 120200";; --flag-GCC) exit 0;; *) exit 1;; esac\n',
  );
  chmodSync(join(dir, "tool"), 0o755);
  const tree: LoadOptions = { file: "Kconfig", fs: { read: (p) => (p === "Kconfig" ? KCONFIG : undefined) } };
  return { dir, tree };
}

test("builtinOnly tells shell-built-in commands from programs", () => {
  assert.equal(builtinOnly("set -- GCC 120200 && echo $1"), true);
  assert.equal(builtinOnly('{ test -z "x"; } >/dev/null 2>&1 && echo "y" || echo "n"'), true);
  assert.equal(builtinOnly("riscv64-linux-gnu-gcc --version | head -n 1"), false);
});

test("pre-pass + real load give exactly what running the probes in order gives; the cache persists", async () => {
  const { dir, tree } = setup();
  try {
    const expected = alldefconfig({ ...tree, shell: shellRunner(dir, process.env) }).config;
    assert.match(expected, /^CONFIG_NAME="GCC"$/m);
    assert.match(expected, /^CONFIG_HAS_FLAG=y$/m);
    const cache = join(dir, "cache");
    const p = new Prober({ cwd: dir, env: process.env, cacheDir: cache });
    await prefetchProbes(tree, p);
    assert.equal(p.stats.rounds, 1);
    assert.equal(alldefconfig({ ...tree, shell: p.runner }).config, expected);
    const again = new Prober({ cwd: dir, env: process.env, cacheDir: cache });
    assert.equal(alldefconfig({ ...tree, shell: again.runner }).config, expected);
    assert.equal(again.stats.ran, 0, "every answer came from the cache");
    assert.equal(again.stats.cached, 3);
    // A changed program (new mtime) is a different toolchain: its probes run again.
    utimesSync(join(dir, "tool"), new Date(), new Date(Date.now() + 5000));
    const changed = new Prober({ cwd: dir, env: process.env, cacheDir: cache });
    assert.equal(alldefconfig({ ...tree, shell: changed.runner }).config, expected);
    assert.equal(changed.stats.ran, 2, "the two probes that run ./tool");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("answer() waits for a command already running in the background instead of running it again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keel-probes-wait-"));
  try {
    const marks = join(dir, "runs");
    const cmd = `echo run >> ${marks}; sleep 0.3; echo late`;
    const prober = new Prober({ cwd: dir, env: process.env, cacheDir: null });
    prober.launch(cmd);
    prober.launch("echo other");
    // Synchronous, as inside a load: the answer arrives through the result port while this thread waits.
    assert.equal(prober.answer(cmd), "late\n");
    assert.equal(prober.answer("echo other"), "other\n");
    await prober.settle();
    assert.equal(readFileSync(marks, "utf8"), "run\n");
    assert.equal(prober.stats.ran, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cross driver's probe key covers its target C library directory (cc-can-link answers change with it)", () => {
  const dir = mkdtempSync(join(tmpdir(), "keel-probe-libdir-"));
  try {
    mkdirSync(join(dir, "bin"));
    const gcc = join(dir, "bin", "riscv64-linux-gnu-gcc");
    writeFileSync(gcc, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const env = { PATH: join(dir, "bin") };
    const cmd = "riscv64-linux-gnu-gcc -x c - -o /dev/null";
    const key = (): string => new Prober({ cwd: dir, env, cacheDir: null }).key(cmd);
    const without = key();
    mkdirSync(join(dir, "riscv64-linux-gnu", "lib"), { recursive: true });
    const empty = key();
    assert.notEqual(empty, without, "the library directory appearing changes the key");
    assert.equal(key(), empty, "nothing changed: same key");
    writeFileSync(join(dir, "riscv64-linux-gnu", "lib", "crt1.o"), "");
    const t = new Date(Date.now() + 5000);
    utimesSync(join(dir, "riscv64-linux-gnu", "lib"), t, t);
    assert.notEqual(key(), empty, "a file added to it changes the key");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
