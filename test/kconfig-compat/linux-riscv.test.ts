// Keel's Kconfig engine against Linux 6.1's own scripts/kconfig/conf on the real tree, ARCH=riscv:
// every output must be byte-identical. Skipped (with the reason) when the tree has not been prepared
// with test/kconfig-compat/prepare.sh.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  allnoconfig,
  allyesconfig,
  autoconf,
  defconfig,
  savedefconfig,
  tinyconfig,
} from "../../src/kconfig/index.ts";
import { readRef, readSrc, riscvTree, unavailable } from "./linux.ts";

const skip = unavailable();
const opts = skip ? { skip: `${skip} (run test/kconfig-compat/prepare.sh)` } : {};

const riscvDefconfig = (): { name: string; text: string } => ({
  name: "arch/riscv/configs/defconfig",
  text: readSrc("arch/riscv/configs/defconfig"),
});

test("defconfig: .config, auto.conf, autoconf.h and auto.conf.cmd match conf", opts, () => {
  const r = defconfig(riscvTree(), riscvDefconfig());
  assert.equal(r.config, readRef("defconfig"));
  const a = autoconf(r.kconfig);
  assert.equal(a.autoConf, readRef("defconfig", "auto.conf"));
  assert.equal(a.autoconfH, readRef("defconfig", "autoconf.h"));
  assert.equal(a.autoConfCmd, readRef("defconfig", "auto.conf.cmd"));
});

test("savedefconfig of the defconfig .config matches conf", opts, () => {
  const r = savedefconfig(riscvTree(), { name: ".config", text: readRef("defconfig") });
  assert.equal(r.defconfig, readRef("defconfig", "savedefconfig"));
});

test("allnoconfig matches conf", opts, () => {
  assert.equal(allnoconfig(riscvTree()).config, readRef("allnoconfig"));
});

test("allyesconfig matches conf", opts, () => {
  assert.equal(allyesconfig(riscvTree()).config, readRef("allyesconfig"));
});

test("tinyconfig matches make tinyconfig", opts, () => {
  const base = { name: "kernel/configs/tiny-base.config", text: readSrc("kernel/configs/tiny-base.config") };
  const frag = { name: "kernel/configs/tiny.config", text: readSrc("kernel/configs/tiny.config") };
  assert.equal(tinyconfig(riscvTree(), base, [frag]).config, readRef("tinyconfig"));
});
