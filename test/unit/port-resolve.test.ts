// Checked port -> ResolvedPort: normalisation, the named rules with their positions, the registry.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { loadPort, parsePort } from "../../src/port/load.ts";
import { defaultPortName, findPort, listPorts, loadPortByName } from "../../src/port/registry.ts";
import { resolvePort, type ResolveContext } from "../../src/port/resolve.ts";
import { UserError } from "../../src/util/errors.ts";

const FIXTURES = "test/fixtures/ports";
const fixture = (name: string) => `${FIXTURES}/${name}.yaml`;

/** The folders of a complete riscv hypervisor tree, for the injected `exists`. */
const TREE = new Set([
  "hypervisor/core",
  "hypervisor/arch/riscv",
  "hypervisor/arch/riscv/isolation/gstage",
  "hypervisor/arch/riscv/timer/sstc",
  "hypervisor/drivers/ns16550",
  "hypervisor/drivers/sifive-test",
]);
const ALL: ResolveContext = { exists: (p) => TREE.has(p), images: ["demo", "hello", "rootvm"] };

async function problems(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError, nothing was thrown");
}

const resolveFixture = async (name: string, context: ResolveContext = ALL) =>
  resolvePort(await loadPort(fixture(name)), context);

test("qemu-virt resolves to the model the emitters use", async () => {
  const port = resolvePort(await loadPort("ports/qemu-virt.yaml"), ALL);
  assert.equal(port.name, "qemu-virt");
  assert.equal(port.file, "ports/qemu-virt.yaml");
  assert.deepEqual(port.isa, {
    base: "rv64",
    extensions: ["i", "m", "a", "f", "d", "c", "h", "zicsr", "zifencei", "sstc"],
  });
  assert.equal(port.harts, 2);
  assert.deepEqual(port.dram, { base: 0x80000000n, size: 256n << 20n });
  assert.deepEqual(port.devices.uart, { compatible: "ns16550a", base: 0x10000000n, size: 0x100n, irq: 10 });
  assert.deepEqual(port.devices.poweroff, { compatible: "sifive-test", base: 0x100000n, size: 0x1000n });
  assert.equal(port.loadAddress, 0x80000000n);
  assert.equal(port.defaultImage, "rootvm");
  assert.equal(port.qemu.memory, 256n << 20n);
  assert.equal(port.hypervisor.stackSize, 16384n);
  assert.deepEqual(port.hypervisor.defines, [{ name: "KEEL_HAS_SSTC", value: 1n }]);
  assert.deepEqual(port.hypervisor.sourceDirs, [
    "hypervisor/core",
    "hypervisor/arch/riscv",
    "hypervisor/arch/riscv/isolation/gstage",
    "hypervisor/arch/riscv/timer/sstc",
    "hypervisor/drivers/ns16550",
    "hypervisor/drivers/sifive-test",
  ]);
  assert.deepEqual(port.hypervisor.includeDirs, ["hypervisor/include", "hypervisor/arch/riscv/include"]);
});

test("the commented template resolves once copied to its name", async () => {
  const text = await readFile("ports/TEMPLATE.yaml.example", "utf8");
  const port = resolvePort(parsePort(text, "ports/my-board.yaml"), { ...ALL, images: ["hello"] });
  assert.equal(port.name, "my-board");
  assert.equal(port.harts, 1);
});

test("a 64-bit DRAM window keeps its exact addresses through resolution", async () => {
  const port = await resolveFixture("high-memory");
  assert.equal(port.dram.base, 0xffffffff80000000n);
  assert.equal(port.dram.base + port.dram.size, 1n << 64n);
  assert.equal(port.loadAddress, 0xffffffff80001000n);
});

test("load address outside DRAM", async () => {
  assert.deepEqual(await problems(() => resolveFixture("outside-dram")), [
    "test/fixtures/ports/outside-dram.yaml:16:15: load_address: 0x90000000 is outside DRAM (0x80000000-0x8fffffff)",
  ]);
});

test("overlapping device windows", async () => {
  assert.deepEqual(await problems(() => resolveFixture("overlap")), [
    "test/fixtures/ports/overlap.yaml:14:17: devices.plic.base: 0xc000000-0x13ffffff overlaps devices.uart (0x10000000-0x100000ff)",
    "test/fixtures/ports/overlap.yaml:15:46: devices.poweroff.base: 0x7ffff000-0x80000fff overlaps memory.dram (0x80000000-0x8fffffff)",
  ]);
});

test("every broken rule is reported at its line", async () => {
  assert.deepEqual(await problems(() => resolveFixture("rules")), [
    "test/fixtures/ports/rules.yaml:8:8: harts: a port needs at least 1 hart",
    "test/fixtures/ports/rules.yaml:16:15: load_address: 0x80000800 is not 4 KiB aligned",
    "test/fixtures/ports/rules.yaml:22:8: qemu.smp: QEMU would start 4 harts but the port has harts: 0",
    "test/fixtures/ports/rules.yaml:23:11: qemu.memory: 0x8000000 is smaller than DRAM (0x10000000)",
    'test/fixtures/ports/rules.yaml:27:14: hypervisor.isolation: gstage needs the "h" extension in isa.extensions',
    'test/fixtures/ports/rules.yaml:28:10: hypervisor.timer: sstc needs the "sstc" extension in isa.extensions',
    'test/fixtures/ports/rules.yaml:29:35: hypervisor.drivers[2]: driver "ns16550" is listed twice',
    "test/fixtures/ports/rules.yaml:31:17: hypervisor.link.stack_size: must be a multiple of 16 (the RISC-V ABI stack alignment)",
    "test/fixtures/ports/rules.yaml:34:5: hypervisor.defines.KEEL_UART_IRQ: generated from the port's fields; it cannot be redefined here",
  ]);
});

test("source folders are checked through the injected exists, and only then", async () => {
  const missing = (gone: string): ResolveContext => ({ exists: (p) => TREE.has(p) && p !== gone });
  assert.deepEqual(
    await problems(() => resolveFixture("good-full", missing("hypervisor/arch/riscv/timer/sstc"))),
    [
      "test/fixtures/ports/good-full.yaml:28:10: hypervisor.timer: no folder hypervisor/arch/riscv/timer/sstc/",
    ],
  );
  assert.deepEqual(
    await problems(() => resolveFixture("good-full", missing("hypervisor/drivers/sifive-test"))),
    [
      "test/fixtures/ports/good-full.yaml:29:22: hypervisor.drivers[1]: no folder hypervisor/drivers/sifive-test/",
    ],
  );
  assert.deepEqual(await problems(() => resolveFixture("good-full", { exists: () => false })), [
    "test/fixtures/ports/good-full.yaml:26:9: hypervisor.arch: no folder hypervisor/arch/riscv/",
    "test/fixtures/ports/good-full.yaml:27:14: hypervisor.isolation: no folder hypervisor/arch/riscv/isolation/gstage/",
    "test/fixtures/ports/good-full.yaml:28:10: hypervisor.timer: no folder hypervisor/arch/riscv/timer/sstc/",
    "test/fixtures/ports/good-full.yaml:29:13: hypervisor.drivers[0]: no folder hypervisor/drivers/ns16550/",
    "test/fixtures/ports/good-full.yaml:29:22: hypervisor.drivers[1]: no folder hypervisor/drivers/sifive-test/",
  ]);
  // No exists function: no folder check (e.g. emitting from a port file outside a repo).
  assert.equal((await resolveFixture("good-full", {})).name, "good-full");
});

test("default_image must name an image when the images are known", async () => {
  assert.deepEqual(await problems(() => resolveFixture("good-full", { images: ["hello", "timer"] })), [
    'test/fixtures/ports/good-full.yaml:17:16: default_image: no image "demo" (images: hello, timer)',
  ]);
});

test("a window that runs past 2^64", async () => {
  const text = (await readFile(fixture("high-memory"), "utf8")).replace("size: 2G", "size: 4G");
  assert.deepEqual(await problems(() => resolvePort(parsePort(text, "high-memory.yaml"), {})), [
    "high-memory.yaml:10:43: memory.dram.size: 0xffffffff80000000 + 0x100000000 runs past 2^64",
    "high-memory.yaml:23:11: qemu.memory: 0x80000000 is smaller than DRAM (0x100000000)",
  ]);
});

// The registry, on a throw-away repo.
let root = "";
const PORT = await readFile("ports/qemu-virt.yaml", "utf8");

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "keel-ports-"));
  await mkdir(path.join(root, "ports"));
  await mkdir(path.join(root, "images"));
  for (const dir of TREE) await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, "ports", "qemu-virt.yaml"), PORT);
  await writeFile(path.join(root, "ports", "second.yaml"), PORT.replace("name: qemu-virt", "name: second"));
  await writeFile(path.join(root, "ports", "default.yaml"), "default: qemu-virt\n");
  await writeFile(path.join(root, "ports", "TEMPLATE.yaml.example"), "name: nope\n");
  for (const image of ["demo", "rootvm"]) {
    await writeFile(
      path.join(root, "images", `${image}.yaml`),
      "description: d\ncapsules: [{ name: a, guest: a }]\n",
    );
  }
});
after(() => rm(root, { recursive: true, force: true }));

test("registry: lists ports/*.yaml except default.yaml, reads the default", async () => {
  assert.deepEqual(await listPorts(root), ["qemu-virt", "second"]);
  assert.equal(await defaultPortName(root), "qemu-virt");
  assert.equal(await findPort(root, "second"), path.join(root, "ports", "second.yaml"));
});

test("registry: an unknown port lists the available ones", async () => {
  assert.deepEqual(await problems(() => findPort(root, "sifive-u")), [
    'unknown port "sifive-u" (ports: qemu-virt, second)',
  ]);
});

test("registry: loads and resolves by name, the default when none is given", async () => {
  assert.equal((await loadPortByName(root)).name, "qemu-virt");
  assert.equal((await loadPortByName(root, "second")).name, "second");
});

test("registry: a default naming no port is an error at its line", async () => {
  await writeFile(path.join(root, "ports", "default.yaml"), "# the default\ndefault: sifive-u\n");
  const file = path.join(root, "ports", "default.yaml");
  assert.deepEqual(await problems(() => defaultPortName(root)), [
    `${file}:2:10: default: no port "sifive-u" (ports: qemu-virt, second)`,
  ]);
  await writeFile(path.join(root, "ports", "default.yaml"), "default: qemu-virt\nextra: 1\n");
  assert.deepEqual(await problems(() => defaultPortName(root)), [
    `${file}:2:1: unknown key "extra" (allowed: default)`,
  ]);
});

test("the repo's own ports: qemu-virt is the default and is listed", async () => {
  assert.ok((await listPorts(".")).includes("qemu-virt"));
  assert.equal(await defaultPortName("."), "qemu-virt");
});

test("the repo's default port resolves against the real hypervisor/ and images/ folders", async () => {
  const port = await loadPortByName(".");
  assert.equal(port.name, "qemu-virt");
  assert.equal(port.defaultImage, "rootvm");
});

test("a port with more harts than Keel's cap (MAX_HARTS range 1 64) is refused at its harts line", async () => {
  const text = (await readFile("ports/qemu-virt.yaml", "utf8"))
    .replace(/^harts: 2$/m, "harts: 1000")
    .replace(/^ {2}smp: 2$/m, "  smp: 1000");
  const found = await problems(() => resolvePort(parsePort(text, "ports/qemu-virt.yaml"), ALL));
  assert.match(found[0]!, /^ports\/qemu-virt\.yaml:\d+:8: harts: 1000 harts, but Keel runs on at most 64 /);
});
