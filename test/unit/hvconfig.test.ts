// The hypervisor's configuration: Kbuild source selection, strict defconfig checks on the real tree, the
// port's facts reaching the tree (a port without Sstc selects SBI TIME), stamps, the generated SBI table.
import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { defconfig } from "../../src/kconfig/index.ts";
import {
  checkDefconfig,
  hypervisorTree,
  listConfigs,
  resolveHypervisorConfig,
  type PortFacts,
} from "../../src/build/hvconfig.ts";
import { renderSbiTable } from "../../src/build/sbi-table.ts";
import { configStamps } from "../../src/kconfig/stamps.ts";
import { kbuildSources, parseKbuild, selectedItems } from "../../src/build/kbuild.ts";
import { UserError } from "../../src/util/errors.ts";

const ROOT = process.cwd();
const VIRT: PortFacts = {
  name: "qemu-virt",
  arch: "riscv",
  harts: 2,
  isolation: "gstage",
  timer: "sstc",
  drivers: ["ns16550", "sifive-test"],
};
const NOSSTC: PortFacts = { ...VIRT, name: "qemu-virt-nosstc", timer: "legacy" };

const headline = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e.headline;
  }
  assert.fail("no error");
};

describe("Kbuild", () => {
  const text = [
    "# comment",
    "obj-y += a.o \\",
    "  b.o",
    "obj-$(CONFIG_X) += x.o",
    "sbi-ext-y += base",
    "sbi-ext-$(CONFIG_X) += x1 x2",
    "",
  ].join("\n");
  const entries = parseKbuild(text, "core/Kbuild");
  const values: Record<string, string> = { X: "n" };
  const value = (s: string) => values[s];

  it("selects obj-y always and obj-$(CONFIG_X) only when X is y", () => {
    assert.deepEqual(kbuildSources(entries, value, "core/Kbuild", ["a.c", "b.S", "x.c"]), ["a.c", "b.S"]);
    assert.deepEqual(
      kbuildSources(entries, () => "y", "core/Kbuild", ["a.c", "b.S", "x.c"]),
      ["a.c", "b.S", "x.c"],
    );
    assert.deepEqual(
      selectedItems(entries, "sbi-ext", () => "y", "core/Kbuild"),
      ["base", "x1", "x2"],
    );
    assert.deepEqual(selectedItems(entries, "sbi-ext", value, "core/Kbuild"), ["base"]);
  });

  it("errors name file:line: bad lines, unknown symbols, unlisted and missing sources", () => {
    assert.equal(
      headline(() => parseKbuild("obj-y += a.o\nobj-y = b.o\n", "k/Kbuild")),
      'k/Kbuild:2:1: expected "<list>-y += ..." or "<list>-$(CONFIG_<SYMBOL>) += ..."',
    );
    assert.equal(
      headline(() => selectedItems(entries, "obj", () => undefined, "core/Kbuild")),
      "core/Kbuild:4:1: CONFIG_X is not a symbol of the Kconfig tree",
    );
    assert.match(
      headline(() => kbuildSources(entries, value, "core/Kbuild", ["a.c", "b.S", "x.c", "new.c"])),
      /^core\/Kbuild:1:1: new\.c is not listed/,
    );
    assert.equal(
      headline(() => kbuildSources(entries, value, "core/Kbuild", ["a.c", "x.c"])),
      "core/Kbuild:2:1: b.o: no b.c or b.S in this folder",
    );
  });

  it("the real core/Kbuild lists every source of core/", () => {
    const rel = "hypervisor/core/Kbuild";
    const e = parseKbuild(readFileSync(rel, "utf8"), rel);
    const present = readdirSync("hypervisor/core").filter((n) => n.endsWith(".c") || n.endsWith(".S"));
    assert.equal(kbuildSources(e, () => "y", rel, present).length, present.length);
  });
});

describe("the hypervisor tree", () => {
  const configure = (port: PortFacts, text: string, optimize = "Debug") =>
    defconfig(hypervisorTree(ROOT, port, optimize), { name: "configs/t_defconfig", text }).kconfig;

  it("has a default and a tiny configuration", () => {
    assert.deepEqual(
      listConfigs(ROOT).filter((c) => c === "default" || c === "tiny"),
      ["default", "tiny"],
    );
  });

  it("takes the port's facts: harts default MAX_HARTS, the timer is fixed by the port", () => {
    const s = configStamps(configure(VIRT, ""));
    assert.equal(s.get("MAX_HARTS"), "2\n");
    assert.equal(s.get("TIMER_SSTC"), "y\n");
    assert.equal(s.get("TIMER_LEGACY"), "n\n");
    assert.equal(s.get("PORT_NAME"), "qemu-virt\n");
  });

  it("a port without Sstc selects SBI TIME: a defconfig turning it off gets a note, not its way", () => {
    const text = "# CONFIG_SBI_TIME is not set\n";
    const kc = configure(NOSSTC, text);
    assert.equal(configStamps(kc).get("SBI_TIME"), "y\n");
    const check = checkDefconfig(kc, text, "configs/t_defconfig");
    assert.deepEqual(check.errors, []);
    assert.deepEqual(check.notes, [
      "configs/t_defconfig:1: CONFIG_SBI_TIME=n does not apply: it is y (selected by CONFIG_TIMER_LEGACY)",
    ]);
    assert.equal(configStamps(configure(VIRT, text)).get("SBI_TIME"), "n\n");
  });

  it("debug assertions follow the optimize mode unless the configuration says otherwise", () => {
    assert.equal(configStamps(configure(VIRT, "", "Debug")).get("DEBUG_ASSERTS"), "y\n");
    assert.equal(configStamps(configure(VIRT, "", "ReleaseSafe")).get("DEBUG_ASSERTS"), "y\n");
    assert.equal(configStamps(configure(VIRT, "", "ReleaseFast")).get("DEBUG_ASSERTS"), "n\n");
    assert.equal(
      configStamps(configure(VIRT, "CONFIG_DEBUG_ASSERTS=y\n", "ReleaseFast")).get("DEBUG_ASSERTS"),
      "y\n",
    );
  });

  it("a bad defconfig is an error naming file:line and what was expected", () => {
    const text = [
      "# a comment",
      "CONFIG_NO_SUCH=y",
      "CONFIG_MAX_CAPSULES=fast",
      "CONFIG_SLICE_US=5",
      "CONFIG_SBI_HSM=maybe",
      "SLICE_US=1",
      "",
    ].join("\n");
    const check = checkDefconfig(configure(VIRT, text), text, "configs/t_defconfig");
    assert.deepEqual(check.errors, [
      "configs/t_defconfig:2: unknown symbol CONFIG_NO_SUCH (not in hypervisor/Kconfig or the files it sources)",
      "configs/t_defconfig:3: CONFIG_MAX_CAPSULES=fast: int symbol, expected a decimal number",
      "configs/t_defconfig:4: CONFIG_SLICE_US=5 is not valid here (the value is 5000, range 100 to 1000000)",
      "configs/t_defconfig:5: CONFIG_SBI_HSM=maybe: bool symbol, expected y or n",
      'configs/t_defconfig:6: expected CONFIG_<NAME>=<value> or "# CONFIG_<NAME> is not set", got "SLICE_US=1"',
    ]);
  });

  it("a symbol assigned twice is one error at the second line, naming the first", () => {
    const text = "CONFIG_MAX_VCPUS=4\nCONFIG_SLICE_US=2000\nCONFIG_MAX_VCPUS=6\n";
    const check = checkDefconfig(configure(VIRT, text), text, "configs/t_defconfig");
    assert.deepEqual(check.errors, [
      "configs/t_defconfig:3: CONFIG_MAX_VCPUS is assigned again (first on line 1); give it once",
    ]);
  });

  it("resolve: .config made from the defconfig, kept when edited, remade when the defconfig changes", () => {
    const root = mkdtempSync(join(tmpdir(), "keel-hvconfig-"));
    try {
      symlinkSync(join(ROOT, "hypervisor"), join(root, "hypervisor"));
      mkdirSync(join(root, "configs"));
      const defconfigFile = join(root, "configs", "t_defconfig");
      writeFileSync(defconfigFile, "# CONFIG_SBI_HSM is not set\n");
      const dir = join(root, "out", "qemu-virt-Debug-t");
      const log: string[] = [];
      const req = {
        root,
        buildDir: dir,
        config: "t",
        optimize: "Debug",
        port: VIRT,
        log: (l: string) => log.push(l),
      };
      assert.equal(resolveHypervisorConfig(req).value("SBI_HSM"), "n");
      const dotConfig = join(dir, ".config");
      assert.match(readFileSync(dotConfig, "utf8"), /^# CONFIG_SBI_HSM is not set$/m);
      // an edit of .config (what menuconfig does) is kept
      writeFileSync(
        dotConfig,
        readFileSync(dotConfig, "utf8").replace("CONFIG_SLICE_US=5000", "CONFIG_SLICE_US=2000"),
      );
      assert.equal(resolveHypervisorConfig(req).value("SLICE_US"), "2000");
      assert.deepEqual(log, []);
      // a defconfig edit makes .config from it again (and says so)
      writeFileSync(defconfigFile, "CONFIG_SLICE_US=3000\n");
      const again = resolveHypervisorConfig(req);
      assert.deepEqual([again.value("SLICE_US"), again.value("SBI_HSM")], ["3000", "y"]);
      assert.deepEqual(log, [
        "keel: configs/t_defconfig changed: qemu-virt-Debug-t/.config is made from it again",
      ]);
      // errors: an unknown configuration, a bad defconfig (file:line)
      assert.equal(
        headline(() => resolveHypervisorConfig({ ...req, config: "nosuch" })),
        'unknown configuration "nosuch" (configs: t)',
      );
      writeFileSync(defconfigFile, "CONFIG_SLICE_US=3000\nCONFIG_NOPE=y\n");
      assert.equal(
        headline(() => resolveHypervisorConfig(req)),
        "configs/t_defconfig:2: unknown symbol CONFIG_NOPE (not in hypervisor/Kconfig or the files it sources)",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("renders the SBI table from the selected extensions", () => {
    const c = renderSbiTable(["base", "srst"]);
    assert.match(c, /^extern const struct sbi_ext sbi_ext_srst;$/m);
    assert.match(c, /^\t&sbi_ext_base,\n\t&sbi_ext_srst,\n\};\nconst unsigned keel_sbi_table_len = 2;$/m);
  });
});
