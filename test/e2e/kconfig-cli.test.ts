// End to end: `keel kconfig` through the bundled CLI (node dist/keel.mjs) on throwaway Kconfig trees:
// the configuration targets, writing only on change, errors, interactive config/oldconfig with piped
// answers, menuconfig through a real pseudo-terminal (tmux), and defconfig on the Linux 6.1 tree.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleCli, KEEL_BUNDLE } from "./cli-helpers.ts";
import { hasTmux, inTmux } from "./tmux.ts";
import { linuxSrc, readRef, unavailable } from "../kconfig-compat/linux.ts";

const temps: string[] = [];
before(bundleCli);
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const KCONFIG = `mainmenu "Demo"

config MODULES
	bool "Enable loadable module support"
	modules
	default y

menu "Features"

config FOO
	bool "Foo support"
	default y
	help
	  Enables foo.

config BAR
	tristate "Bar driver"
	depends on FOO

config BAZ
	bool "Baz"
	select QUX

config QUX
	bool "Qux"

config COUNT
	int "How many"
	range 1 8
	default 4

config GREETING
	string "Greeting"
	default "$(GREETING_DEFAULT)"

endmenu
`;

function demoTree(kconfig = KCONFIG): string {
  const d = mkdtempSync(join(tmpdir(), "keel-kconfig-e2e-"));
  temps.push(d);
  writeFileSync(join(d, "Kconfig"), kconfig);
  mkdirSync(join(d, "configs"));
  writeFileSync(join(d, "configs", "demo_defconfig"), "CONFIG_BAR=m\nCONFIG_COUNT=6\n");
  return d;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function keel(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env["KCONFIG_CONFIG"];
  if (!opts.env?.["KEEL_CACHE_DIR"]) env["KEEL_CACHE_DIR"] = join(opts.cwd, ".keel-cache");
  const r = spawnSync(process.execPath, [KEEL_BUNDLE, ...args], {
    cwd: opts.cwd,
    env,
    input: opts.input ?? "",
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const show = (r: Run): string => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

test("defconfig NAME finds configs/NAME, sets the environment, writes .config only when it changes", () => {
  const d = demoTree();
  const r = keel(["kconfig", "GREETING_DEFAULT=hi there", "defconfig", "demo_defconfig"], { cwd: d });
  assert.equal(r.code, 0, show(r));
  const config = readFileSync(join(d, ".config"), "utf8");
  assert.match(config, /^CONFIG_BAR=m$/m);
  assert.match(config, /^CONFIG_COUNT=6$/m);
  assert.match(config, /^CONFIG_GREETING="hi there"$/m);
  assert.match(r.stdout, /configuration written to \.config/);
  const before = statSync(join(d, ".config")).mtimeMs;
  const again = keel(["kconfig", "--tree", d, "GREETING_DEFAULT=hi there", "defconfig", "demo_defconfig"], {
    cwd: tmpdir(),
  });
  assert.equal(again.code, 0, show(again));
  assert.match(again.stdout, /No change to configuration/);
  assert.equal(statSync(join(d, ".config")).mtimeMs, before, "an unchanged .config is not rewritten");
  assert.equal(existsSync(join(d, ".config.old")), false);
  const same = keel(["kconfig", "GREETING_DEFAULT=bye", "--autoconf", "gen", "olddefconfig"], { cwd: d });
  assert.equal(same.code, 0, show(same));
  assert.match(readFileSync(join(d, ".config"), "utf8"), /^CONFIG_GREETING="hi there"$/m, "user value kept");
  assert.equal(existsSync(join(d, ".config.old")), false);
  assert.match(readFileSync(join(d, "gen", "autoconf.h"), "utf8"), /^#define CONFIG_BAR_MODULE 1$/m);
  assert.match(readFileSync(join(d, "gen", "auto.conf"), "utf8"), /^CONFIG_COUNT=6$/m);
  assert.match(readFileSync(join(d, "gen", "auto.conf.cmd"), "utf8"), /ifneq "\$\(GREETING_DEFAULT\)" "bye"/);
  const changed = keel(["kconfig", "allyesconfig"], { cwd: d });
  assert.equal(changed.code, 0, show(changed));
  assert.equal(readFileSync(join(d, ".config.old"), "utf8"), config, ".config.old keeps the previous file");
});

test("savedefconfig, allnoconfig, allyesconfig and O=DIR", () => {
  const d = demoTree();
  const o = join(d, "obj");
  assert.equal(keel(["kconfig", `O=${o}`, "allyesconfig"], { cwd: d }).code, 0);
  assert.match(readFileSync(join(o, ".config"), "utf8"), /^CONFIG_BAZ=y$/m);
  const r = keel(["kconfig", `O=${o}`, "savedefconfig"], { cwd: d });
  assert.equal(r.code, 0, show(r));
  assert.equal(readFileSync(join(o, "defconfig"), "utf8"), "CONFIG_BAR=y\nCONFIG_BAZ=y\n");
  assert.equal(keel(["kconfig", "allnoconfig"], { cwd: d }).code, 0);
  assert.match(readFileSync(join(d, ".config"), "utf8"), /^# CONFIG_FOO is not set$/m);
});

test("Kbuild habits: keel allnoconfig O=DIR (a shorthand, O= after the target), a second O= refused", () => {
  const d = demoTree();
  const o = join(d, "obj2");
  const r = keel(["allyesconfig", `O=${o}`], { cwd: d });
  assert.equal(r.code, 0, show(r));
  assert.match(readFileSync(join(o, ".config"), "utf8"), /^CONFIG_BAZ=y$/m);
  const s = keel(["savedefconfig", `O=${o}`], { cwd: d });
  assert.equal(s.code, 0, show(s));
  assert.equal(readFileSync(join(o, "defconfig"), "utf8"), "CONFIG_BAR=y\nCONFIG_BAZ=y\n");
  const twice = keel(["kconfig", `O=${o}`, "allnoconfig", "O=elsewhere"], { cwd: d });
  assert.equal(twice.code, 2, show(twice));
  assert.match(twice.stderr, /^keel: O= given twice/);
  assert.equal(existsSync(join(d, "elsewhere")), false);
});

test("Kconfig errors are file:line: error: ... and exit 2", () => {
  const d = demoTree(`config A\n\tbool "a"\n\tdepends on (B\n`);
  const r = keel(["kconfig", "olddefconfig"], { cwd: d });
  assert.equal(r.code, 2, show(r));
  assert.match(r.stderr.split("\n")[0]!, /^Kconfig:3: error: /);
  assert.equal(existsSync(join(d, ".config")), false);
  const bad = keel(["kconfig", "frobconfig"], { cwd: d });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown kconfig command "frobconfig"/);
});

test("config asks every question; answers come from stdin", () => {
  const d = demoTree();
  const r = keel(["kconfig", "config"], { cwd: d, input: "n\ny\nm\ny\ny\n9\n3\nhello\n" });
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /^Enable loadable module support \(MODULES\) \[Y\/n\/\?\] \(NEW\) n$/m);
  // m is refused without modules: conf shows the help and asks again.
  assert.match(r.stdout, /^ {2}Bar driver \(BAR\) \[N\/y\/\?\] \(NEW\) m\n\nThere is no help available/m);
  assert.match(r.stdout, /^ {2}Bar driver \(BAR\) \[N\/y\/\?\] \(NEW\) y$/m);
  assert.match(r.stdout, /^Qux \(QUX\) \[Y\/\?\] \(NEW\) y$/m, "forced by Baz: not asked");
  assert.match(r.stdout, /^How many \(COUNT\) \[4\] \(NEW\) 9\nHow many \(COUNT\) \[4\] \(NEW\) 3$/m);
  const config = readFileSync(join(d, ".config"), "utf8");
  assert.match(config, /^CONFIG_BAR=y$/m);
  assert.match(config, /^CONFIG_COUNT=3$/m);
  assert.match(config, /^CONFIG_GREETING="hello"$/m);
});

test("oldconfig asks only about new symbols", () => {
  const d = demoTree();
  assert.equal(keel(["kconfig", "defconfig", "demo_defconfig"], { cwd: d }).code, 0);
  writeFileSync(join(d, "Kconfig"), KCONFIG + `\nconfig NEWSYM\n\tbool "Something new"\n\tdepends on FOO\n`);
  const r = keel(["kconfig", "oldconfig"], { cwd: d, input: "y\n" });
  assert.equal(r.code, 0, show(r));
  assert.equal((r.stdout.match(/\(NEW\)/g) ?? []).length, 1, show(r));
  assert.match(r.stdout, /^Something new \(NEWSYM\) \[N\/y\/\?\] \(NEW\) y$/m);
  assert.match(readFileSync(join(d, ".config"), "utf8"), /^CONFIG_NEWSYM=y$/m);
  assert.match(readFileSync(join(d, ".config"), "utf8"), /^CONFIG_COUNT=6$/m);
});

test(
  "menuconfig through a real pseudo-terminal (tmux): navigate, toggle, edit, save, exit",
  hasTmux() ? {} : { skip: "tmux is not installed (apt-get install tmux)" },
  async () => {
    const d = demoTree();
    const cmd = `cd '${d}' && KEEL_CACHE_DIR='${d}/.keel-cache' '${process.execPath}' '${KEEL_BUNDLE}' kconfig menuconfig; echo "menuconfig exited $?"; sleep 60`;
    await inTmux(`keel-kconfig-${process.pid}`, cmd, 20_000, async ({ keys, waitFor }) => {
      let s = await waitFor(/Features {2}--->/);
      assert.match(s, /^Demo$/m);
      assert.match(s, /^ \[\*\] Enable loadable module support \(NEW\)$/m);
      keys("Down", "Enter");
      s = await waitFor(/^Demo > Features$/m);
      assert.match(s, /^ < > {3}Bar driver \(NEW\)$/m);
      keys("Down", "m", "Down", " ");
      s = await waitFor(/^ -\*- Qux \(NEW\)$/m);
      assert.match(s, /^ <M> {3}Bar driver$/m);
      assert.match(s, /^ \[\*\] Baz$/m);
      keys("Down", "Down", "Enter", "BSpace", "7", "Enter");
      s = await waitFor(/^ \(7\) How many$/m);
      keys("?");
      s = await waitFor(/Symbol: COUNT \[=7\]/);
      assert.match(s, /Range : \[1 8\]/);
      keys("Escape");
      await waitFor(/^ \(7\) How many$/m);
      keys("/", "Q", "U", "X", "Enter");
      s = await waitFor(/1 match for "QUX"/);
      keys("?");
      s = await waitFor(/Selected by \[y\]:/);
      assert.match(s, /- BAZ \[=y\]/);
      keys("Escape", "Escape", "Escape", "Q");
      await waitFor(/Save your new configuration\? \(y\)es/);
      keys("y");
      s = await waitFor(/menuconfig exited 0/);
      assert.match(s, /End of the configuration/);
      const config = readFileSync(join(d, ".config"), "utf8");
      assert.match(config, /^CONFIG_BAR=m$/m);
      assert.match(config, /^CONFIG_BAZ=y$/m);
      assert.match(config, /^CONFIG_QUX=y$/m);
      assert.match(config, /^CONFIG_COUNT=7$/m);
    });
  },
);

const linux = unavailable();
test(
  "keel kconfig --tree linux ARCH=riscv CROSS_COMPILE=... defconfig equals conf's .config (cold and warm probe cache)",
  linux ? { skip: `${linux} (run test/kconfig-compat/prepare.sh)` } : {},
  () => {
    const o = mkdtempSync(join(tmpdir(), "keel-kconfig-linux-"));
    temps.push(o);
    const args = [
      "kconfig",
      "--tree",
      linuxSrc(),
      `O=${o}`,
      "ARCH=riscv",
      "CROSS_COMPILE=riscv64-linux-gnu-",
      "--autoconf",
      join(o, "gen"),
      "defconfig",
    ];
    for (const round of ["cold", "warm"]) {
      rmSync(join(o, ".config"), { force: true });
      const r = keel(args, { cwd: o, env: { KEEL_CACHE_DIR: join(o, "cache") } });
      assert.equal(r.code, 0, `${round}: ${show(r)}`);
      assert.equal(readFileSync(join(o, ".config"), "utf8"), readRef("defconfig"), round);
      assert.equal(readFileSync(join(o, "gen", "auto.conf"), "utf8"), readRef("defconfig", "auto.conf"));
      assert.equal(readFileSync(join(o, "gen", "autoconf.h"), "utf8"), readRef("defconfig", "autoconf.h"));
      assert.equal(
        readFileSync(join(o, "gen", "auto.conf.cmd"), "utf8"),
        readRef("defconfig", "auto.conf.cmd"),
      );
    }
  },
);
