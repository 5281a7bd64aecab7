// src/yamlfile/yaml.ts: exact 64-bit integers, and paths mapped back to line:col.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPath, parseYaml, problemsError } from "../../src/yamlfile/yaml.ts";

const TEXT = [
  "# comment",
  "devices:",
  "  uart: { base: 0x10000000, size: 256 }",
  "  clint:",
  "    base: 0xffffffff80000000",
  "    size:",
  "list:",
  "  - a",
  "  - { b: 1 }",
  "",
].join("\n");
const src = parseYaml(TEXT, "f.yaml");
const at = (path: (string | number)[], target?: "key" | "value") => {
  const { line, col } = src.locate(path, target);
  return `${line}:${col}`;
};

test("integers are bigints, exactly", () => {
  const value = src.value as { devices: { clint: { base: unknown }; uart: { size: unknown } } };
  assert.equal(value.devices.clint.base, 0xffffffff80000000n);
  assert.equal(value.devices.uart.size, 256n);
});

test("a path points at its value, or at its key when asked", () => {
  assert.equal(at(["devices", "uart", "base"]), "3:17");
  assert.equal(at(["devices", "uart", "base"], "key"), "3:11");
  assert.equal(at(["devices", "clint", "base"]), "5:11");
  assert.equal(at(["list", 1, "b"]), "9:10");
  assert.equal(at(["list", 0]), "8:5");
});

test("a missing path points at the key of its nearest parent", () => {
  assert.equal(at(["devices", "uart", "irq"]), "3:3");
  assert.equal(at(["devices", "plic", "base"]), "2:1");
  assert.equal(at(["list", 1, "c"]), "9:5"); // sequence items have no key: the item itself
  assert.equal(at(["nothing"]), "2:1"); // the document's first key
  assert.equal(at(["list", 7]), "7:1");
});

test("an empty value points at its key", () => {
  assert.equal(at(["devices", "clint", "size"]), "6:5");
});

test("problems are placed and sorted into one error", () => {
  const err = problemsError(src, [
    { path: ["list", 1, "b"], message: "second" },
    { path: ["devices", "uart", "size"], message: "first", at: "key" },
  ]);
  assert.equal(err.headline, "f.yaml:3:29: first");
  assert.deepEqual(err.details, ["f.yaml:9:10: second"]);
});

test("formatPath", () => {
  assert.equal(formatPath(["capsules", 2, "ram"]), "capsules[2].ram");
  assert.equal(formatPath([]), "");
});
