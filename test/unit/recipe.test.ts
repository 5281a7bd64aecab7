// Recipe helpers: host packages (checked with dpkg-query, installed as root, else the exact command), the
// deb-src entry Keel adds, Kconfig fragments and whether they survived olddefconfig, BusyBox config checks,
// the kernel's configuration by Keel's engine (the files syncconfig writes, stamps, timestamps) and the
// persistent kernel work tree (lock, state).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { configSettings } from "../../src/recipe/busybox.ts";
import {
  debSrcState,
  ensureDebSrc,
  ensurePackages,
  missingPackages,
  type HostEnv,
} from "../../src/recipe/host.ts";
import type { LoadOptions } from "../../src/kconfig/index.ts";
import { kbuildConfigEnv, kernelVersion, tinyInputs } from "../../src/kconfig/linux.ts";
import {
  configureKernel,
  parseFragment,
  syncConfig,
  unmetFragmentLines,
  writeSyncConfig,
} from "../../src/recipe/kernel-config.ts";
import { buildLinux } from "../../src/recipe/linux.ts";
import { linuxWorkName } from "../../src/guest/recipe.ts";
import type { SubBuild } from "../../src/recipe/run.ts";
import { WorkTree } from "../../src/recipe/worktree.ts";
import type { ProbeRun } from "../../src/toolchain/toolchain.ts";
import { UserError } from "../../src/util/errors.ts";
import { procProbe } from "../../src/util/lock.ts";

const tmp = mkdtempSync(join(tmpdir(), "keel-recipe-test-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake host: dpkg-query knows `installed`; apt-get install adds to it; every argv is recorded. */
function fakeHost(installed: string[], uid = 0): HostEnv & { ran: string[][]; said: string[] } {
  const have = new Set(installed);
  const ran: string[][] = [];
  const said: string[] = [];
  const run: ProbeRun = async (argv) => {
    ran.push(argv);
    if (argv[0] === "dpkg-query") {
      const pkgs = argv.slice(4);
      const stdout = pkgs
        .filter((p) => have.has(p))
        .map((p) => `${p} ii \n`)
        .join("");
      return { code: pkgs.every((p) => have.has(p)) ? 0 : 1, stdout, stderr: "" };
    }
    if (argv[0] === "apt-get" && argv[1] === "install") {
      for (const p of argv.slice(4)) have.add(p);
      return { code: 0, stdout: "", stderr: "" };
    }
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, say: (l) => said.push(l), uid, debian: true, ran, said };
}

test("missingPackages: what dpkg-query does not list as installed", async () => {
  const host = fakeHost(["flex", "bc"]);
  assert.deepEqual(await missingPackages(host.run, ["flex", "bison", "bc", "cpio"]), ["bison", "cpio"]);
});

test("ensurePackages: nothing to do; as root apt-get install (said aloud); otherwise the exact command", async () => {
  const done = fakeHost(["a", "b"]);
  await ensurePackages(done, ["a", "b"], "building guest rootvm");
  assert.deepEqual(done.said, []);

  const root = fakeHost(["a"]);
  await ensurePackages(root, ["a", "c", "b"], "building guest rootvm");
  assert.deepEqual(root.said, [
    "keel: building guest rootvm needs b c; installing: apt-get install -y --no-install-recommends b c",
  ]);
  assert.ok(root.ran.some((a) => a.join(" ") === "apt-get install -y --no-install-recommends b c"));

  const user = fakeHost(["a"], 1000);
  await assert.rejects(ensurePackages(user, ["a", "c", "b"], "building guest rootvm"), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.deepEqual(
      [e.headline, ...e.details],
      [
        "building guest rootvm needs host packages that are not installed: b, c",
        "install them with: sudo apt-get install -y --no-install-recommends b c",
      ],
    );
    return true;
  });
  assert.ok(!user.ran.some((a) => a[0] === "apt-get"));
});

test("deb-src: derived from the deb822 and one-line deb entries; written in Keel's own file as root", async () => {
  const apt = join(tmp, "apt");
  mkdirSync(join(apt, "sources.list.d"), { recursive: true });
  writeFileSync(
    join(apt, "sources.list.d", "debian.sources"),
    [
      "Types: deb",
      "URIs: http://deb.debian.org/debian",
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(apt, "sources.list"),
    "deb http://security.debian.org/debian-security bookworm-security main\n",
  );
  const state = debSrcState(apt);
  assert.equal(state.has, false);
  assert.match(
    state.proposal ?? "",
    /Types: deb-src\nURIs: http:\/\/deb.debian.org\/debian\nSuites: bookworm bookworm-updates/,
  );
  assert.match(
    state.proposal ?? "",
    /URIs: http:\/\/security.debian.org\/debian-security\nSuites: bookworm-security/,
  );

  const user = { ...fakeHost([], 1000), aptDir: apt };
  await assert.rejects(ensureDebSrc(user), /needs a deb-src entry, and apt has none/);

  const root = { ...fakeHost([]), aptDir: apt };
  await ensureDebSrc(root);
  const written = readFileSync(join(apt, "sources.list.d", "keel-deb-src.sources"), "utf8");
  assert.equal(written, state.proposal);
  assert.match(root.said[0] ?? "", /added deb-src entries in .*keel-deb-src.sources/);
  assert.ok(root.ran.some((a) => a.join(" ") === "apt-get update"));
  assert.equal(debSrcState(apt).has, true);
  root.ran.length = 0;
  await ensureDebSrc(root); // now a no-op
  assert.deepEqual(root.ran, []);
});

test("fragments: settings and 'is not set' lines; bad lines at file:line", () => {
  assert.deepEqual(parseFragment("# c\nCONFIG_A=y\n\n# CONFIG_B is not set\nCONFIG_N=8\n", "f"), [
    { symbol: "CONFIG_A", value: "y", line: 2 },
    { symbol: "CONFIG_B", value: "n", line: 4 },
    { symbol: "CONFIG_N", value: "8", line: 5 },
  ]);
  assert.throws(
    () => parseFragment("CONFIG_A=y\nFPU=y\n", "guests/rootvm/linux.fragment"),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(
        e.headline,
        'guests/rootvm/linux.fragment:2:1: expected CONFIG_NAME=value or "# CONFIG_NAME is not set"',
      );
      return true;
    },
  );
});

test("fragments: lines olddefconfig dropped or changed are found", () => {
  const frag = parseFragment("CONFIG_A=y\nCONFIG_B=n\nCONFIG_C=y\nCONFIG_D=8\n# CONFIG_E is not set\n", "f");
  const dot = "CONFIG_A=y\n# CONFIG_B is not set\n# CONFIG_C is not set\nCONFIG_D=4\n";
  assert.deepEqual(unmetFragmentLines(frag, dot), [
    { line: 3, message: "CONFIG_C=y did not survive olddefconfig (the .config leaves it unset)" },
    { line: 4, message: "CONFIG_D=8 did not survive olddefconfig (the .config has CONFIG_D=4)" },
  ]);
});

test("the repo's fragment and BusyBox config are well-formed", () => {
  const frag = parseFragment(
    readFileSync("guests/rootvm/linux.fragment", "utf8"),
    "guests/rootvm/linux.fragment",
  );
  const set = new Map(frag.map((f) => [f.symbol, f.value]));
  for (const must of [
    "CONFIG_FPU",
    "CONFIG_RISCV_SBI_V01",
    "CONFIG_HVC_RISCV_SBI",
    "CONFIG_BLK_DEV_INITRD",
    "CONFIG_RD_GZIP",
  ])
    assert.equal(set.get(must), "y", must);
  assert.equal(set.get("CONFIG_MODULES"), "n");
  const bb = configSettings(readFileSync("guests/rootvm/busybox.config", "utf8"));
  assert.ok(bb.includes("CONFIG_STATIC=y"));
  assert.ok(bb.includes("CONFIG_SH_IS_ASH=y") || bb.includes("CONFIG_ASH=y"));
});

// The kernel's configuration by Keel's engine (src/recipe/kernel-config.ts) on a small Kconfig tree.
const KCONFIG = `mainmenu "Tiny test"
config ENV_CC
	string
	default "$(CC)"
config BASE
	bool "base"
config NET
	bool "net"
	depends on BASE
config PRINTK_TIME
	bool "printk time"
config LOG_SHIFT
	int "log shift"
	range 12 25
	default 14
`;
const tinyTree = (): LoadOptions => ({
  file: "Kconfig",
  fs: { read: (p) => (p === "Kconfig" ? KCONFIG : undefined) },
  env: { CC: "riscv64-linux-gnu-gcc" },
});
const TINY = { base: { name: "kernel/configs/tiny-base.config", text: "" }, fragments: [] };

test("configureKernel: tinyconfig + the fragment + olddefconfig; unknown symbols and lost values at file:line", () => {
  const k = configureKernel(tinyTree(), TINY, { file: "f.fragment", text: "CONFIG_BASE=y\nCONFIG_NET=y\n" });
  assert.match(k.config, /^CONFIG_NET=y$/m);
  assert.match(k.config, /^CONFIG_LOG_SHIFT=14$/m);
  assert.throws(
    () => configureKernel(tinyTree(), TINY, { file: "f.fragment", text: "CONFIG_NET=y\nCONFIG_NETT=y\n" }),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.deepEqual(
        [e.headline, ...e.details],
        [
          "f.fragment:1:1: CONFIG_NET=y did not survive olddefconfig (the .config leaves it unset)",
          "f.fragment:2:1: CONFIG_NETT: the kernel's Kconfig has no such symbol",
        ],
      );
      return true;
    },
  );
});

test("syncConfig: auto.conf, autoconf.h, rustc_cfg, auto.conf.cmd; changed symbols against the old auto.conf", () => {
  const a = syncConfig(configureKernel(tinyTree(), TINY, { file: "f", text: "CONFIG_BASE=y\n" }), undefined);
  // Symbol-table (hash) order, strings unquoted: as conf writes auto.conf.
  assert.equal(
    a.autoConf,
    "#\n# Automatically generated file; DO NOT EDIT.\n# Tiny test\n#\n" +
      "CONFIG_LOG_SHIFT=14\nCONFIG_BASE=y\nCONFIG_ENV_CC=riscv64-linux-gnu-gcc\n",
  );
  assert.match(a.autoconfH, /^#define CONFIG_BASE 1$/m);
  assert.match(a.rustcCfg, /^--cfg=CONFIG_BASE\n--cfg=CONFIG_BASE="y"$/m);
  assert.match(a.rustcCfg, /^--cfg=CONFIG_LOG_SHIFT="14"$/m);
  assert.match(a.autoConfCmd, /^ifneq "\$\(CC\)" "riscv64-linux-gnu-gcc"$/m);
  // No old auto.conf: every symbol with a value other than n is new.
  assert.deepEqual([...a.changedSymbols].sort(), ["BASE", "ENV_CC", "LOG_SHIFT"]);
  const b = syncConfig(
    configureKernel(tinyTree(), TINY, { file: "f", text: "CONFIG_BASE=y\nCONFIG_PRINTK_TIME=y\n" }),
    a.autoConf,
  );
  assert.deepEqual(b.changedSymbols, ["PRINTK_TIME"]);
  // A symbol that was set and is now n counts too.
  const c = syncConfig(configureKernel(tinyTree(), TINY, { file: "f", text: "" }), b.autoConf);
  assert.deepEqual([...c.changedSymbols].sort(), ["BASE", "PRINTK_TIME"]);
});

test("writeSyncConfig: conf's files, only when changed; stamps touched; nothing older than .config", async () => {
  const dir = join(tmp, "objtree");
  const a = syncConfig(configureKernel(tinyTree(), TINY, { file: "f", text: "CONFIG_BASE=y\n" }), undefined);
  const first = await writeSyncConfig(dir, a);
  assert.deepEqual(first.written, [
    ".config",
    "include/config/auto.conf.cmd",
    "include/generated/autoconf.h",
    "include/generated/rustc_cfg",
    "include/config/auto.conf",
  ]);
  for (const s of ["BASE", "ENV_CC", "LOG_SHIFT"])
    assert.equal(readFileSync(join(dir, "include/config", s), "utf8"), "");
  assert.equal(readFileSync(join(dir, ".config"), "utf8"), a.config);
  const old = new Date("2001-01-01T00:00:00Z");
  for (const f of [".config", "include/config/auto.conf", "include/config/BASE"])
    utimesSync(join(dir, f), old, old);
  // Unchanged: nothing written, nothing touched.
  const again = await writeSyncConfig(
    dir,
    syncConfig(
      configureKernel(tinyTree(), TINY, { file: "f", text: "CONFIG_BASE=y\n" }),
      readFileSync(join(dir, "include/config/auto.conf"), "utf8"),
    ),
  );
  assert.deepEqual(again, { written: [], touched: [] });
  assert.equal(statSync(join(dir, "include/config/BASE")).mtimeMs, old.getTime());
  // .config newer than an unchanged output (Kbuild would run syncconfig): the output is made newer.
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, ".config"), later, later);
  await writeSyncConfig(
    dir,
    syncConfig(
      configureKernel(tinyTree(), TINY, { file: "f", text: "CONFIG_BASE=y\n" }),
      readFileSync(join(dir, "include/config/auto.conf"), "utf8"),
    ),
  );
  for (const f of [
    "include/config/auto.conf",
    "include/config/auto.conf.cmd",
    "include/generated/autoconf.h",
    "include/generated/rustc_cfg",
  ])
    assert.ok(statSync(join(dir, f)).mtimeMs > later.getTime(), f);
});

test("kernel version and the variables make exports to conf", () => {
  assert.equal(
    kernelVersion("VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\nNAME = x\n"),
    "6.1.192",
  );
  assert.equal(
    kernelVersion("VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\n"),
    "6.1.0-rc1",
  );
  const env = kbuildConfigEnv({
    arch: "riscv",
    cross: "riscv64-linux-gnu-",
    srctree: ".",
    kernelVersion: "6.1.192",
    ccVersionText: "riscv64-linux-gnu-gcc (Debian #1 12.2.0-14) 12.2.0",
  });
  assert.equal(env["CC"], "riscv64-linux-gnu-gcc");
  assert.equal(env["CC_VERSION_TEXT"], "riscv64-linux-gnu-gcc (Debian 1 12.2.0-14) 12.2.0");
  assert.deepEqual(Object.keys(env).sort(), [
    "AR",
    "ARCH",
    "BINDGEN",
    "CC",
    "CC_VERSION_TEXT",
    "KERNELVERSION",
    "LD",
    "NM",
    "OBJCOPY",
    "PAHOLE",
    "RUSTC",
    "SRCARCH",
    "srctree",
  ]);
});

test("tinyInputs: tiny-base.config, kernel/configs/tiny.config and the arch's tiny.config when it exists", async () => {
  const src = join(tmp, "linux");
  mkdirSync(join(src, "kernel/configs"), { recursive: true });
  mkdirSync(join(src, "arch/x86/configs"), { recursive: true });
  writeFileSync(join(src, "kernel/configs/tiny-base.config"), "CONFIG_EMBEDDED=y\n");
  writeFileSync(join(src, "kernel/configs/tiny.config"), "CONFIG_SLOB=y\n");
  writeFileSync(join(src, "arch/x86/configs/tiny.config"), "CONFIG_NOHIGHMEM=y\n");
  const riscv = await tinyInputs(src, "riscv");
  assert.deepEqual(
    riscv.fragments.map((f) => f.name),
    ["kernel/configs/tiny.config"],
  );
  const x86 = await tinyInputs(src, "x86");
  assert.deepEqual(
    x86.fragments.map((f) => f.name),
    ["kernel/configs/tiny.config", "arch/x86/configs/tiny.config"],
  );
  assert.equal(x86.base.text, "CONFIG_EMBEDDED=y\n");
});

test("work tree: one holder at a time, a dead holder's lock taken over, state ready/building", async () => {
  const w = new WorkTree(join(tmp, "cache"), "linux-test");
  assert.equal(await w.state(), undefined);
  const order: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = w.locked(async () => {
    order.push("first in");
    await held;
    order.push("first out");
  });
  await new Promise((r) => setTimeout(r, 50));
  let waitedFor = 0;
  const second = w.locked(
    async () => {
      order.push("second in");
    },
    { waiting: (holder) => (waitedFor = holder.pid) },
  );
  await new Promise((r) => setTimeout(r, 300));
  release();
  await Promise.all([first, second]);
  assert.deepEqual(order, ["first in", "first out", "second in"]);
  assert.equal(waitedFor, process.pid);

  // A lock left by a process that is gone.
  const dead = spawnSync("true").pid!;
  writeFileSync(join(tmp, "cache", "work", "linux-test.lock"), `${dead}\n`);
  assert.equal(await w.locked(async () => "ran"), "ran");
  assert.ok(!existsSync(join(tmp, "cache", "work", "linux-test.lock")));
  // A lock naming a live pid (ours) that another process held before the pid was reused: other start time.
  writeFileSync(
    join(tmp, "cache", "work", "linux-test.lock"),
    JSON.stringify({ pid: process.pid, boot: procProbe.bootId(), start: "1", what: "old", since: "" }),
  );
  assert.equal(await w.locked(async () => "ran"), "ran");
  // fn failing (or aborted) still releases the lock.
  await assert.rejects(
    w.locked(async () => {
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.ok(!existsSync(join(tmp, "cache", "work", "linux-test.lock")));

  await w.setState("building", "f");
  assert.deepEqual(await w.state(), { version: 1, state: "building", note: "f" });
  await w.setState("ready");
  assert.equal((await w.state())?.state, "ready");
  await w.discard();
  assert.equal(await w.state(), undefined);
  assert.throws(() => new WorkTree(tmp, "../escape"));
});

test("the kernel work tree's name: per tarball and toolchain, not per fragment", () => {
  const a = linuxWorkName("4d415b3d3648aaaa", "gcc 12; ld 2.40");
  assert.match(a, /^linux-4d415b3d3648-[0-9a-f]{12}$/);
  assert.equal(linuxWorkName("4d415b3d3648aaaa", "gcc 12; ld 2.40"), a);
  assert.notEqual(linuxWorkName("4d415b3d3648aaaa", "gcc 13; ld 2.40"), a);
});

/**
 * A fake sub-build for buildLinux: `tar` makes a small kernel tree (the Kconfig above, a Makefile, the tiny
 * configs), `make` writes an Image made of the .config (and, when `runConf` is set, Kbuild's conf binary).
 */
function fakeKernelBuild(runConf = { on: false }): Pick<SubBuild, "run" | "note"> & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    note: () => {},
    run: async (_what, argv, cwd) => {
      ran.push(argv[0]!);
      if (argv[0] === "tar") {
        writeFileSync(join(cwd, "Kconfig"), KCONFIG);
        writeFileSync(join(cwd, "Makefile"), "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 9\nEXTRAVERSION =\n");
        mkdirSync(join(cwd, "kernel/configs"), { recursive: true });
        writeFileSync(join(cwd, "kernel/configs/tiny-base.config"), "");
        writeFileSync(join(cwd, "kernel/configs/tiny.config"), "CONFIG_LOG_SHIFT=12\n");
      } else if (argv[0] === "make") {
        mkdirSync(join(cwd, "arch/riscv/boot"), { recursive: true });
        writeFileSync(
          join(cwd, "arch/riscv/boot/Image"),
          `image of\n${readFileSync(join(cwd, ".config"), "utf8")}`,
        );
        if (runConf.on) {
          mkdirSync(join(cwd, "scripts/kconfig"), { recursive: true });
          writeFileSync(join(cwd, "scripts/kconfig/conf"), "");
        }
      }
    },
  };
}

test("buildLinux: a fresh tree, then reconfigured in place; a failed build's tree is made afresh", async () => {
  const cache = join(tmp, "linux-cache");
  const work = new WorkTree(cache, "linux-fake");
  const said: string[] = [];
  const build = (fragmentText: string) => ({
    tarball: "/nonexistent/linux.tar.xz",
    fragmentText,
    fragmentFile: "guests/x/linux.fragment",
    jobs: 2,
    work,
    probeCache: null,
    say: (l: string) => said.push(l),
  });
  const entry = (): string => mkdtempSync(join(tmp, "entry-"));

  const sub = fakeKernelBuild();
  const e1 = entry();
  const first = await buildLinux(build("CONFIG_BASE=y\n"), e1, sub);
  assert.equal(first.fresh, true);
  assert.deepEqual(sub.ran, ["tar", "make"]);
  assert.match(readFileSync(join(e1, "config"), "utf8"), /^CONFIG_LOG_SHIFT=12$/m);
  assert.match(readFileSync(join(e1, "Image"), "utf8"), /^CONFIG_BASE=y$/m);
  assert.equal((await work.state())?.state, "ready");

  // A fragment change: no extraction, only the changed symbol's stamp.
  const again = await buildLinux(build("CONFIG_BASE=y\nCONFIG_PRINTK_TIME=y\n"), entry(), sub);
  assert.equal(again.fresh, false);
  assert.deepEqual(again.changedSymbols, ["PRINTK_TIME"]);
  assert.deepEqual(sub.ran, ["tar", "make", "make"]);
  assert.match(
    said.at(-1)!,
    /configured by Keel's Kconfig engine in .*; 1 symbol\(s\) changed: PRINTK_TIME$/,
  );

  // A bad fragment fails before the tree is touched: it stays ready.
  await assert.rejects(
    buildLinux(build("CONFIG_NETT=y\n"), entry(), sub),
    /CONFIG_NETT: the kernel's Kconfig has no such symbol/,
  );
  assert.equal((await work.state())?.state, "ready");

  // Kbuild ran conf: an error, and the tree is not ready, so the next build starts from the tarball.
  const conf = { on: true };
  const bad = fakeKernelBuild(conf);
  await assert.rejects(
    buildLinux(build("CONFIG_BASE=y\n"), entry(), bad),
    /Kbuild built and ran its own conf/,
  );
  assert.equal((await work.state())?.state, "building");
  conf.on = false;
  const e4 = entry();
  const fresh = await buildLinux(build("CONFIG_BASE=y\n"), e4, bad);
  assert.equal(fresh.fresh, true);
  assert.deepEqual(bad.ran, ["make", "tar", "make"]);
  assert.ok(
    said.includes("the kernel work tree was left by a failed or interrupted build; making it afresh"),
  );
  assert.ok(
    readFileSync(join(e4, "Image")).equals(readFileSync(join(e1, "Image"))),
    "same inputs, same Image",
  );
});
