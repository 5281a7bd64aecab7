// Unit tests of the Kconfig engine's parts through an in-memory tree: the macro language with an injected
// shell runner, environment recording, help texts, the menu tree, tristate logic and the C number rules.

import { test } from "node:test";
import assert from "node:assert/strict";
import { alldefconfig, loadKconfig, mergeConfig, type LoadOptions } from "../../src/kconfig/index.ts";
import { parseForCompare, strtol } from "../../src/kconfig/cnum.ts";
import { shellOutput } from "../../src/kconfig/macro.ts";

function memTree(files: Record<string, string>, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { file: "Kconfig", fs: { read: (p) => files[p] }, ...extra };
}

test("$(shell,...) goes through the injected runner; output is trimmed and joined like Linux", () => {
  const ran: string[] = [];
  const tree = memTree(
    {
      Kconfig: 'cc := $(shell,probe $(CC))\nconfig OUT\n\tstring\n\tdefault "$(cc)"\n',
    },
    {
      env: { CC: "riscv64-gcc" },
      shell: (cmd) => {
        ran.push(cmd);
        return "line one\nline two\n\n";
      },
    },
  );
  const r = alldefconfig(tree);
  assert.deepEqual(ran, ["probe riscv64-gcc"]);
  assert.match(r.config, /^CONFIG_OUT="line one line two"$/m);
  assert.deepEqual([...r.kconfig.envUsed], [["CC", "riscv64-gcc"]]);
});

test("environment variables are recorded once, in first-read order, with the value seen", () => {
  const kc = loadKconfig(
    memTree(
      { Kconfig: 'config A\n\tstring\n\tdefault "$(B_VAR)$(A_VAR)$(B_VAR)$(UNSET)"\n' },
      { env: { A_VAR: "a", B_VAR: "b" } },
    ),
  );
  assert.deepEqual(
    [...kc.envUsed],
    [
      ["B_VAR", "b"],
      ["A_VAR", "a"],
    ],
  );
});

test("$(info) and $(warning-if) report through the host", () => {
  const info: string[] = [];
  const kc = loadKconfig(
    memTree({ Kconfig: "$(info,hello)\n$(warning-if,y,careful)\n" }, { info: (l) => info.push(l) }),
  );
  assert.deepEqual(info, ["hello"]);
  assert.deepEqual(kc.warnings, ["Kconfig:2: careful"]);
});

test("help text keeps relative indentation and ends at a less indented line", () => {
  const kc = loadKconfig(
    memTree({
      Kconfig:
        'config A\n\tbool "A"\n\thelp\n\t  First line.\n\t    indented\n\n\t  After blank.\nconfig B\n\tbool\n',
    }),
  );
  const a = kc.symbol("A")!;
  assert.equal(a.menus[0]!.help, "First line.\n  indented\n\nAfter blank.");
  assert.ok(kc.symbol("B")!.menus.length === 1);
});

test("entries depending on the preceding symbol nest under it; if blocks are flattened", () => {
  const kc = loadKconfig(
    memTree({
      Kconfig:
        'config A\n\tbool "A"\nconfig B\n\tbool "B"\n\tdepends on A\nif A\nconfig C\n\tbool "C"\nendif\nconfig D\n\tbool "D"\n',
    }),
  );
  const a = kc.symbol("A")!.menus[0]!;
  const names: string[] = [];
  for (let m = a.list; m; m = m.next) names.push(m.sym?.name ?? `<${m.kind}>`);
  assert.deepEqual(names, ["B", "<if>", "C"]);
  assert.equal(a.next?.sym?.name, "D");
});

test("tristate logic: m && y is m, !m is m, m || n is m; without MODULES m reads as y", () => {
  const src = (modules: string): string =>
    `config MODULES\n\tbool "m"\n\tdefault ${modules}\n\tmodules\n` +
    'config T\n\ttristate "T"\n\tdefault m\nconfig AND\n\ttristate "and"\n\tdefault T && y\n' +
    'config NOT\n\ttristate "not"\n\tdefault !T\nconfig OR\n\ttristate "or"\n\tdefault T || n\n';
  const withMod = alldefconfig(memTree({ Kconfig: src("y") })).config;
  assert.match(withMod, /CONFIG_T=m\nCONFIG_AND=m\nCONFIG_NOT=m\nCONFIG_OR=m\n/);
  const noMod = alldefconfig(memTree({ Kconfig: src("n") })).config;
  assert.match(noMod, /CONFIG_T=y\nCONFIG_AND=y\n# CONFIG_NOT is not set\nCONFIG_OR=y\n/);
});

test("C number parsing: bases, prefixes, overflow and what counts as a number in comparisons", () => {
  assert.equal(strtol("0x1F", 0).value, 31n);
  assert.equal(strtol("010", 0).value, 8n);
  assert.equal(strtol("-12", 10).value, -12n);
  assert.equal(strtol("99999999999999999999", 10).overflow, true);
  assert.equal(strtol("-1", 16, true).value, (1n << 64n) - 1n);
  assert.deepEqual(parseForCompare("0x10", "hex"), { kind: "unsigned", value: 16n });
  assert.equal(parseForCompare("12abc", "int").kind, "string");
  assert.equal(parseForCompare("0x", "string").kind, "string");
  assert.deepEqual(parseForCompare("m", "tristate"), { kind: "signed", value: 1n });
});

test("shell output: trailing newlines dropped, inner ones become spaces, 4095 characters at most", () => {
  assert.equal(shellOutput("a\nb\n\n"), "a b");
  assert.equal(shellOutput("x".repeat(5000)).length, 4095);
});

test("mergeConfig replaces the base's lines for symbols a fragment sets, like merge_config.sh", () => {
  const base = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_AB=y\n";
  const merged = mergeConfig(base, [{ name: "frag", text: "CONFIG_B=y\n# CONFIG_A is not set\n" }]);
  assert.equal(merged, "CONFIG_AB=y\n\nCONFIG_B=y\n# CONFIG_A is not set\n");
});

test("a shell-less load fails clearly when the tree uses $(shell,...)", () => {
  assert.throws(() => loadKconfig(memTree({ Kconfig: "x := $(shell,true)\n" })), /no shell runner/);
});

test("rsource/orsource are relative to the including file; osource/orsource skip missing files", () => {
  const kc = loadKconfig(
    memTree({
      Kconfig: 'rsource "sub/Kconfig"\nosource "missing/Kconfig"\n',
      "sub/Kconfig": 'config IN_SUB\n\tbool "sub"\nrsource "deeper.Kconfig"\norsource "nope.Kconfig"\n',
      "sub/deeper.Kconfig": 'config DEEPER\n\tbool "deeper"\n',
    }),
  );
  assert.ok(kc.symbol("IN_SUB"));
  assert.ok(kc.symbol("DEEPER"));
  assert.deepEqual(kc.files, ["Kconfig", "sub/Kconfig", "sub/deeper.Kconfig"]);
});
