// The line-by-line front end (conf.ts) and menuconfig's screen logic (menuconfig.ts) on a small in-memory
// tree. The conf transcripts were recorded from Linux 6.1's own `scripts/kconfig/conf` with the same tree,
// answers and old .config: questions, echoed answers, help and the resulting .config must match exactly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKconfig, readConfig, writeConfig, type LoadOptions } from "../../src/kconfig/index.ts";
import { runConf, type ConfMode } from "../../src/kconfig/conf.ts";
import { MenuConfig } from "../../src/kconfig/menuconfig.ts";
import { decodeKeys } from "../../src/kconfig/menuconfig-tty.ts";
import { helpText, setString, setTri } from "../../src/kconfig/interactive.ts";

export const DEMO_KCONFIG =
  'mainmenu "Demo"\n\nconfig MODULES\n\tbool "Enable loadable module support"\n\tmodules\n\tdefault y\n\nmenu "Features"\n\nconfig FOO\n\tbool "Foo support"\n\tdefault y\n\thelp\n\t  Enables foo.\n\nconfig BAR\n\ttristate "Bar driver"\n\tdepends on FOO\n\nconfig BAZ\n\tbool "Baz"\n\tselect QUX\n\nconfig QUX\n\tbool "Qux"\n\nconfig COUNT\n\tint "How many"\n\trange 1 8\n\tdefault 4\n\nconfig NAME\n\tstring "Name"\n\tdefault "keel"\n\nendmenu\n\nchoice\n\tprompt "Mode"\n\tdefault MODE_B\n\nconfig MODE_A\n\tbool "Mode A"\n\nconfig MODE_B\n\tbool "Mode B"\n\nendchoice\n';

function tree(text = DEMO_KCONFIG): LoadOptions {
  return { file: "Kconfig", fs: { read: (p) => (p === "Kconfig" ? text : undefined) } };
}

interface Recorded {
  mode: ConfMode;
  input: string;
  old: string | null;
  out: string;
  errors: number;
  config: string;
}

/** Recorded from `conf --<mode> Kconfig < input` (Linux 6.1), stdin not a terminal. */
const RECORDED: Recorded[] = [
  {
    mode: "oldaskconfig",
    input: "y\n?\nm\nyes\n\n12\n3\nhello world\n1\n",
    old: null,
    out: "*\n* Demo\n*\nEnable loadable module support (MODULES) [Y/n/?] (NEW) y\n*\n* Features\n*\nFoo support (FOO) [Y/n/?] (NEW) ?\n\nCONFIG_FOO:\n\nEnables foo.\n\nSymbol: FOO [=y]\nType  : bool\nDefined at Kconfig:10\n  Prompt: Foo support\n  Location:\n    -> Features\n      -> Foo support (FOO [=y])\n\n\n\nFoo support (FOO) [Y/n/?] (NEW) m\n\nCONFIG_FOO:\n\nEnables foo.\n\nSymbol: FOO [=y]\nType  : bool\nDefined at Kconfig:10\n  Prompt: Foo support\n  Location:\n    -> Features\n      -> Foo support (FOO [=y])\n\n\n\nFoo support (FOO) [Y/n/?] (NEW) yes\n  Bar driver (BAR) [N/m/y/?] (NEW) \nBaz (BAZ) [N/y/?] (NEW) 12\nBaz (BAZ) [N/y/?] (NEW) 3\nBaz (BAZ) [N/y/?] (NEW) hello world\nBaz (BAZ) [N/y/?] (NEW) 1\nBaz (BAZ) [N/y/?] (NEW) \nQux (QUX) [N/y/?] (NEW) \nHow many (COUNT) [4] (NEW) \nName (NAME) [keel] (NEW) \nMode\n  1. Mode A (MODE_A) (NEW)\n> 2. Mode B (MODE_B) (NEW)\nchoice[1-2?]: ",
    errors: 5,
    config:
      '#\n# Automatically generated file; DO NOT EDIT.\n# Demo\n#\nCONFIG_MODULES=y\n\n#\n# Features\n#\nCONFIG_FOO=y\n# CONFIG_BAR is not set\n# CONFIG_BAZ is not set\n# CONFIG_QUX is not set\nCONFIG_COUNT=4\nCONFIG_NAME="keel"\n# end of Features\n\n# CONFIG_MODE_A is not set\nCONFIG_MODE_B=y\n',
  },
  {
    mode: "oldaskconfig",
    input: "n\n\n\n\n\n\n\n",
    old: null,
    out: "*\n* Demo\n*\nEnable loadable module support (MODULES) [Y/n/?] (NEW) n\n*\n* Features\n*\nFoo support (FOO) [Y/n/?] (NEW) \n  Bar driver (BAR) [N/y/?] (NEW) \nBaz (BAZ) [N/y/?] (NEW) \nQux (QUX) [N/y/?] (NEW) \nHow many (COUNT) [4] (NEW) \nName (NAME) [keel] (NEW) \nMode\n  1. Mode A (MODE_A) (NEW)\n> 2. Mode B (MODE_B) (NEW)\nchoice[1-2?]: ",
    errors: 1,
    config:
      '#\n# Automatically generated file; DO NOT EDIT.\n# Demo\n#\n# CONFIG_MODULES is not set\n\n#\n# Features\n#\nCONFIG_FOO=y\n# CONFIG_BAR is not set\n# CONFIG_BAZ is not set\n# CONFIG_QUX is not set\nCONFIG_COUNT=4\nCONFIG_NAME="keel"\n# end of Features\n\n# CONFIG_MODE_A is not set\nCONFIG_MODE_B=y\n',
  },
  {
    mode: "oldconfig",
    input: "n\n2\n\n",
    old: "CONFIG_MODULES=y\nCONFIG_FOO=y\nCONFIG_BAR=m\nCONFIG_COUNT=5\n",
    out: "*\n* Restart config...\n*\n*\n* Features\n*\nFoo support (FOO) [Y/n/?] y\n  Bar driver (BAR) [M/n/y/?] m\nBaz (BAZ) [N/y/?] (NEW) n\nQux (QUX) [N/y/?] (NEW) 2\nQux (QUX) [N/y/?] (NEW) \nHow many (COUNT) [5] 5\nName (NAME) [keel] (NEW) \n*\n* Demo\n*\nEnable loadable module support (MODULES) [Y/n/?] y\nMode\n  1. Mode A (MODE_A) (NEW)\n> 2. Mode B (MODE_B) (NEW)\nchoice[1-2?]: ",
    errors: 2,
    config:
      '#\n# Automatically generated file; DO NOT EDIT.\n# Demo\n#\nCONFIG_MODULES=y\n\n#\n# Features\n#\nCONFIG_FOO=y\nCONFIG_BAR=m\n# CONFIG_BAZ is not set\n# CONFIG_QUX is not set\nCONFIG_COUNT=5\nCONFIG_NAME="keel"\n# end of Features\n\n# CONFIG_MODE_A is not set\nCONFIG_MODE_B=y\n',
  },
  {
    mode: "oldaskconfig",
    input: "y\ny\nm\ny\n9\n6\nx y\n?\n1\n",
    old: null,
    out: "*\n* Demo\n*\nEnable loadable module support (MODULES) [Y/n/?] (NEW) y\n*\n* Features\n*\nFoo support (FOO) [Y/n/?] (NEW) y\n  Bar driver (BAR) [N/m/y/?] (NEW) m\nBaz (BAZ) [N/y/?] (NEW) y\nQux (QUX) [Y/?] (NEW) y\nHow many (COUNT) [4] (NEW) 9\nHow many (COUNT) [4] (NEW) 6\nName (NAME) [keel] (NEW) x y\nMode\n  1. Mode A (MODE_A) (NEW)\n> 2. Mode B (MODE_B) (NEW)\nchoice[1-2?]: ?\n\nThere is no help available for this option.\nDefined at Kconfig:38\n  Prompt: Mode\n  Location:\n    -> Mode (<choice> [=y])\nSelected by [m]:\n  - m [=m]\n\n\n\nMode\n  1. Mode A (MODE_A) (NEW)\n> 2. Mode B (MODE_B) (NEW)\nchoice[1-2?]: 1\n",
    errors: 0,
    config:
      '#\n# Automatically generated file; DO NOT EDIT.\n# Demo\n#\nCONFIG_MODULES=y\n\n#\n# Features\n#\nCONFIG_FOO=y\nCONFIG_BAR=m\nCONFIG_BAZ=y\nCONFIG_QUX=y\nCONFIG_COUNT=6\nCONFIG_NAME="x y"\n# end of Features\n\nCONFIG_MODE_A=y\n# CONFIG_MODE_B is not set\n',
  },
];

for (const [i, r] of RECORDED.entries()) {
  test(`conf --${r.mode} transcript ${i + 1} matches Linux conf`, () => {
    const kc = loadKconfig(tree());
    readConfig(kc, r.old ?? undefined, ".config");
    const lines = r.input.split("\n");
    if (lines.at(-1) === "") lines.pop();
    let out = "";
    let errors = 0;
    runConf(kc, r.mode, {
      readLine: () => lines.shift() ?? null,
      write: (s) => (out += s),
      error: () => errors++,
      tty: false,
    });
    assert.equal(out, r.out);
    assert.equal(errors, r.errors);
    assert.equal(writeConfig(kc), r.config);
  });
}

test("setters follow Linux: ranges, select, hex prefix, bool refuses m", () => {
  const kc = loadKconfig(tree());
  readConfig(kc, undefined, ".config");
  const sym = (n: string) => kc.symbol(n)!;
  assert.equal(setString(kc, sym("COUNT"), "9"), false);
  assert.equal(setString(kc, sym("COUNT"), "8"), true);
  assert.equal(setTri(kc, sym("FOO"), 1), false, "bool cannot be m");
  assert.equal(setTri(kc, sym("BAZ"), 2), true);
  assert.equal(setTri(kc, sym("QUX"), 0), false, "selected by BAZ");
  assert.match(writeConfig(kc), /^CONFIG_COUNT=8$/m);
  assert.match(writeConfig(kc), /^CONFIG_QUX=y$/m);
  const help = helpText(kc, sym("QUX").menus[0]!);
  assert.match(help, /^Selected by \[y\]:\n {2}- BAZ \[=y\]$/m);
});

/** A MenuConfig over the demo tree, with the "file" in memory. */
function menu(old?: string): { ui: MenuConfig; file: { text: string | undefined } } {
  const kc = loadKconfig(tree());
  readConfig(kc, old, ".config");
  const file = { text: old };
  const ui = new MenuConfig(kc, {
    configName: ".config",
    save: (t) => {
      const changed = t !== file.text;
      file.text = t;
      return changed;
    },
    current: () => file.text,
  });
  return { ui, file };
}

const screen = (ui: MenuConfig, w = 80, h = 20): string[] => ui.render(w, h).lines;
const press = (ui: MenuConfig, ...keys: string[]): void => keys.forEach((k) => ui.key(k));

test("menuconfig: top menu rows look like mconf's", () => {
  const { ui } = menu();
  const s = screen(ui);
  assert.equal(s[0], "Demo");
  assert.deepEqual(s.slice(2, 5), [
    " [*] Enable loadable module support (NEW)",
    "     Features  --->",
    "     Mode (Mode B)  --->",
  ]);
  assert.equal(ui.render(80, 20).highlight, 2);
});

test("menuconfig: enter a menu, toggle, edit a value with its range, save and quit", () => {
  const { ui, file } = menu();
  press(ui, "down", "enter");
  let s = screen(ui);
  assert.equal(s[0], "Demo > Features");
  assert.deepEqual(s.slice(2, 8), [
    " [*] Foo support (NEW)",
    " < >   Bar driver (NEW)",
    " [ ] Baz (NEW)",
    " [ ] Qux (NEW)",
    " (4) How many (NEW)",
    " (keel) Name (NEW)",
  ]);
  press(ui, "down", "m", "down", " ");
  s = screen(ui);
  assert.equal(s[3], " <M>   Bar driver");
  assert.equal(s[4], " [*] Baz");
  assert.equal(s[5], " -*- Qux (NEW)", "Qux is forced by Baz");
  press(ui, "down", "n");
  assert.match(screen(ui).at(-2)!, /^QUX cannot be changed: forced to at least y by: BAZ \[=y\]/);
  press(ui, "down", "enter", "backspace", "9", "enter");
  assert.match(screen(ui).at(-2)!, /invalid value "9" for COUNT \(range 1\.\.8\)/);
  press(ui, "backspace", "7", "enter");
  assert.equal(screen(ui)[6], " (7) How many");
  press(ui, "S");
  assert.match(file.text!, /^CONFIG_BAR=m$/m);
  assert.match(file.text!, /^CONFIG_COUNT=7$/m);
  press(ui, "esc", "Q");
  assert.equal(ui.outcome, "saved", "nothing left to save: no question");
});

test("menuconfig: quitting with changes asks to save", () => {
  const { ui, file } = menu("CONFIG_MODULES=y\n");
  press(ui, "down", "down", "enter", "home", "enter");
  assert.equal(screen(ui)[0], "Demo", "selecting a choice value returns to the parent menu");
  assert.equal(screen(ui)[4], "     Mode (Mode A)  --->");
  press(ui, "Q");
  assert.match(screen(ui).at(-2)!, /Save your new configuration\?/);
  press(ui, "y");
  assert.equal(ui.outcome, "saved");
  assert.match(file.text!, /^CONFIG_MODE_A=y$/m);
});

test("menuconfig: help, search and jump to a hidden symbol with the reason", () => {
  const { ui } = menu("CONFIG_MODULES=y\n# CONFIG_FOO is not set\n");
  press(ui, "/", "B", "A", "R", "enter");
  let s = screen(ui);
  assert.match(s[2]!, /^ BAR \[=n\] "Bar driver" \[hidden\] in Features > Foo support/);
  press(ui, "?");
  s = screen(ui);
  assert.ok(s.includes(" Symbol: BAR [=n]"), s.join("\n"));
  assert.ok(s.includes("   Depends on: FOO [=n]"), s.join("\n"));
  press(ui, "esc", "enter");
  s = screen(ui);
  assert.equal(s[0], "Demo > Features");
  assert.equal(s[3], "       Bar driver (NEW)  [hidden]");
  assert.equal(ui.render(80, 20).highlight, 3);
  assert.match(s.at(-2)!, /BAR: invisible: depends on FOO \[=n\]/);
});

test("terminal keys decode, including a lone Escape", () => {
  assert.deepEqual(decodeKeys("\x1b[A\x1bOBj\r\x7f\x1b"), ["up", "down", "j", "enter", "backspace", "esc"]);
  assert.deepEqual(decodeKeys("\x1b[5~\x1b[6~\x1b[H\x1b[4~ "), ["pgup", "pgdn", "home", "end", " "]);
});
