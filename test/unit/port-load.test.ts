// Port files -> checked PortFile: YAML syntax, schema and name rule, every problem at its exact position.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadPort, parsePort } from "../../src/port/load.ts";
import { formatSize, parseSizeString } from "../../src/yamlfile/scalars.ts";
import { UserError } from "../../src/util/errors.ts";
import { parseYaml } from "../../src/yamlfile/yaml.ts";

const FIXTURES = "test/fixtures/ports";

/** Every line a failing load reports: the headline, then the details. */
async function problems(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError, nothing was thrown");
}

const fixture = (name: string) => `${FIXTURES}/${name}.yaml`;

test("qemu-virt and the good fixtures load", async () => {
  for (const file of [
    "ports/qemu-virt.yaml",
    fixture("good-full"),
    fixture("good-minimal"),
    fixture("high-memory"),
  ]) {
    const { port } = await loadPort(file);
    assert.equal(typeof port.name, "string", file);
  }
});

test("numbers: YAML integers, 0x strings and size suffixes become exact bigints", async () => {
  const { port } = await loadPort(fixture("good-minimal"));
  assert.equal(port.memory.dram.base, 0x80000000n); // "0x80000000"
  assert.equal(port.memory.dram.size, 0x8000000n); // "0x8000000"
  assert.equal(port.devices.uart.size, 256n);
  assert.equal(port.devices.clint.size, 64n * 1024n); // 64K
  assert.equal(port.devices.plic.size, 6n << 20n); // 6M
  assert.equal(port.devices.poweroff.size, 4096n); // 4k
  assert.equal(port.qemu.memory, 1n << 30n); // 1G
  assert.equal(port.hypervisor.link.stack_size, 8192n);
  assert.equal(port.harts, 1);
  assert.deepEqual(port.qemu.args, []);
  assert.deepEqual(port.hypervisor.drivers, []);
  assert.deepEqual(port.hypervisor.defines, {});
  assert.equal(port.default_image, undefined);
});

test("addresses above 2^53 are parsed exactly", async () => {
  const { port } = await loadPort(fixture("high-memory"));
  assert.equal(port.memory.dram.base, 0xffffffff80000000n);
  assert.equal(port.load_address, 0xffffffff80001000n);
  assert.equal(port.load_address.toString(16), "ffffffff80001000");
});

test("size strings", () => {
  assert.equal(parseSizeString("256M"), 256n << 20n);
  assert.equal(parseSizeString("16K"), 16384n);
  assert.equal(parseSizeString("1G"), 1n << 30n);
  assert.equal(parseSizeString("2 m"), 2n << 20n);
  assert.equal(parseSizeString("0x1000"), 4096n);
  assert.equal(parseSizeString("4096"), 4096n);
  for (const bad of ["256MB", "-16K", "1.5G", "M", "", "0x"])
    assert.equal(parseSizeString(bad), undefined, bad);
  assert.equal(formatSize(256n << 20n), "256M");
  assert.equal(formatSize(1n << 30n), "1G");
  assert.equal(formatSize(24n << 10n), "24K");
  assert.equal(formatSize(100n), "100");
});

const BAD: Record<string, string[]> = {
  "duplicate-key": ["test/fixtures/ports/duplicate-key.yaml:17:1: Map keys must be unique"],
  "missing-field": [
    'test/fixtures/ports/missing-field.yaml:3:1: missing required field "harts"',
    'test/fixtures/ports/missing-field.yaml:11:3: devices.uart: missing required field "irq"',
  ],
  "wrong-type": [
    'test/fixtures/ports/wrong-type.yaml:8:8: harts: expected an integer, got a string ("two")',
    "test/fixtures/ports/wrong-type.yaml:24:22: qemu.args[1]: expected a string, got a mapping",
  ],
  "unknown-key": [
    'test/fixtures/ports/unknown-key.yaml:3:1: missing required field "load_address"',
    'test/fixtures/ports/unknown-key.yaml:16:3: devices: unknown key "rtc" (allowed: uart, clint, plic, poweroff)',
    'test/fixtures/ports/unknown-key.yaml:17:1: unknown key "load_adress" (did you mean "load_address"?)',
  ],
  "bad-size": [
    'test/fixtures/ports/bad-size.yaml:10:35: memory.dram.size: bad size "256MB": expected bytes as an integer or with K, M or G (e.g. 256M, 16K, 0x1000)',
    'test/fixtures/ports/bad-size.yaml:31:17: hypervisor.link.stack_size: bad size "-16K": expected bytes as an integer or with K, M or G (e.g. 256M, 16K, 0x1000)',
  ],
  "name-mismatch": [
    'test/fixtures/ports/name-mismatch.yaml:3:7: name: port "qemu-virt-h" is in name-mismatch.yaml; name it "name-mismatch" or rename the file',
  ],
  "many-errors": [
    'test/fixtures/ports/many-errors.yaml:6:9: isa.base: expected one of "rv32", "rv64", got a string ("rv128")',
    "test/fixtures/ports/many-errors.yaml:10:17: memory.dram.base: address 18446744073709551616 does not fit in 64 bits",
    'test/fixtures/ports/many-errors.yaml:11:1: devices: missing required field "clint"',
    "test/fixtures/ports/many-errors.yaml:12:69: devices.uart.irq: must be at least 1, got 0",
    'test/fixtures/ports/many-errors.yaml:20:3: qemu: unknown key "machine_type" (allowed: binary, machine, cpu, smp, memory, args, from, version)',
    "test/fixtures/ports/many-errors.yaml:33:5: hypervisor.defines.keel_has_sstc: expected an upper-case C macro name",
    "test/fixtures/ports/many-errors.yaml:34:20: hypervisor.defines.KEEL_FEATURES: expected an integer or a string, got a list",
  ],
};

for (const [name, expected] of Object.entries(BAD)) {
  test(`bad port ${name}: every problem at its position`, async () => {
    assert.deepEqual(await problems(() => loadPort(fixture(name))), expected);
  });
}

test("the first problem is the headline with a location; the rest are details", async () => {
  try {
    await loadPort(fixture("missing-field"));
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof UserError);
    assert.deepEqual(e.location, { file: fixture("missing-field"), line: 3, col: 1 });
    assert.equal(e.message, 'missing required field "harts"');
    assert.equal(e.details.length, 1);
  }
});

// Syntax errors live here rather than in fixture files: prettier refuses to check unparsable YAML.
const goodText = readFileSync(fixture("good-full"), "utf8");
const SYNTAX: { name: string; edit: [string, string]; expected: string[] }[] = [
  {
    name: "unclosed flow mapping",
    edit: ["  clint: { base: 0x2000000, size: 0x10000 }", "  clint: { base: 0x2000000, size: 0x10000"],
    expected: [
      "ports/bad-syntax.yaml:14:3: Flow map in block collection must be sufficiently indented and end with a }",
    ],
  },
  {
    name: "tab indentation",
    edit: ["  link:\n    stack_size: 16K", "  link:\n\tstack_size: 16K"],
    // The parser recovers and reports what follows from the bad line too; all of it is passed on.
    expected: [
      "ports/bad-syntax.yaml:31:1: Tabs are not allowed as indentation",
      "ports/bad-syntax.yaml:31:14: Nested mappings are not allowed in compact mappings",
      "ports/bad-syntax.yaml:31:14: Implicit keys need to be on a single line",
      "ports/bad-syntax.yaml:34:1: All mapping items must start at the same column",
      "ports/bad-syntax.yaml:35:1: All mapping items must start at the same column",
    ],
  },
  {
    name: "bad escape in a quoted string",
    edit: [
      "description: QEMU 7.2 virt machine, RV64GC + H + Sstc, G-stage isolation",
      'description: "QEMU\\q"',
    ],
    expected: ["ports/bad-syntax.yaml:4:19: Invalid escape sequence \\q"],
  },
];
for (const { name, edit, expected } of SYNTAX) {
  test(`syntax error: ${name}`, async () => {
    assert.ok(goodText.includes(edit[0]), edit[0]);
    const text = goodText.replace("name: good-full", "name: bad-syntax").replace(edit[0], edit[1]);
    assert.deepEqual(await problems(() => parsePort(text, "ports/bad-syntax.yaml")), expected);
  });
}

test("an alias without an anchor is reported where it is used", async () => {
  assert.deepEqual(await problems(() => parseYaml("a: 1\nb: *nope\n", "x.yaml")), [
    "x.yaml:2:4: alias *nope has no anchor &nope before it",
  ]);
});

test("an empty file and a file that is a list", async () => {
  assert.deepEqual(await problems(() => parsePort("", "ports/empty.yaml")), [
    "ports/empty.yaml:1:1: expected a mapping, got an empty value",
  ]);
  assert.deepEqual(await problems(() => parsePort("- a\n", "ports/list.yaml")), [
    "ports/list.yaml:1:1: expected a mapping, got a list",
  ]);
});

test("a missing file is a UserError naming it", async () => {
  assert.deepEqual(await problems(() => loadPort(fixture("no-such-port"))), [
    "test/fixtures/ports/no-such-port.yaml: no such file",
  ]);
});
