// Emitters: keel_port.h and the QEMU argv of qemu-virt, compared byte for byte with test/golden/port/.
// After an intended change: KEEL_UPDATE_GOLDEN=1 node --import tsx --test test/unit/port-emit.test.ts
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { emitPortHeader } from "../../src/port/emit-header.ts";
import { hostQemu, qemuArgv } from "../../src/port/emit-qemu.ts";
import { loadPort, parsePort } from "../../src/port/load.ts";
import { resolvePort } from "../../src/port/resolve.ts";
import { matchesGolden as golden } from "../golden/golden.ts";

const GOLDEN = "test/golden/port";
const matchesGolden = (name: string, actual: string): Promise<void> => golden(`${GOLDEN}/${name}`, actual);
const qemuVirt = async () => resolvePort(await loadPort("ports/qemu-virt.yaml"));

test("golden: keel_port.h of qemu-virt", async () => {
  await matchesGolden("qemu-virt.keel_port.h", emitPortHeader(await qemuVirt()));
});

test("golden: QEMU argv of qemu-virt (one argument per line)", async () => {
  const argv = qemuArgv(hostQemu(await qemuVirt()), await qemuVirt(), "out/keel-demo.elf");
  await matchesGolden("qemu-virt.argv", `${argv.join("\n")}\n`);
});

test("keel_port.h lists the build-inputs.md facts in order, then the port's defines", async () => {
  const header = emitPortHeader(await qemuVirt());
  const names = [...header.matchAll(/^#define (\w+)/gm)].map((m) => m[1]);
  const facts = [
    "KEEL_PORT_NAME",
    "KEEL_PORT_HARTS",
    "KEEL_DRAM_BASE",
    "KEEL_DRAM_SIZE",
    "KEEL_LOAD_ADDR",
    "KEEL_UART_BASE",
    "KEEL_UART_IRQ",
    "KEEL_CLINT_BASE",
    "KEEL_PLIC_BASE",
    "KEEL_POWEROFF_BASE",
    "KEEL_STACK_SIZE",
  ];
  // Include guard, C block, assembler block, the port's defines.
  assert.deepEqual(names, ["KEEL_PORT_H", ...facts, ...facts, "KEEL_HAS_SSTC"]);
  assert.match(header, /^#define KEEL_DRAM_BASE 0x80000000UL$/m);
  assert.match(header, /^#define KEEL_DRAM_BASE 0x80000000$/m);
  assert.match(header, /^#define KEEL_PORT_NAME "qemu-virt"$/m);
});

test("keel_port.h: 64-bit addresses exactly, define values by kind", async () => {
  const text = (await readFile("test/fixtures/ports/high-memory.yaml", "utf8")).replace(
    "    KEEL_HAS_SSTC: 1",
    '    KEEL_HAS_SSTC: 1\n    KEEL_BIG: 0x123456789\n    KEEL_NEG: -2\n    KEEL_BANNER: "say \\"hi\\"\\\\"',
  );
  const header = emitPortHeader(resolvePort(parsePort(text, "high-memory.yaml")));
  assert.match(header, /^#define KEEL_DRAM_BASE 0xffffffff80000000UL$/m);
  assert.match(header, /^#define KEEL_LOAD_ADDR 0xffffffff80001000UL$/m);
  assert.match(header, /^#define KEEL_LOAD_ADDR 0xffffffff80001000$/m);
  assert.match(header, /^#define KEEL_BIG 0x123456789$/m);
  assert.match(header, /^#define KEEL_NEG \(-2\)$/m);
  assert.ok(header.includes('#define KEEL_BANNER "say \\"hi\\"\\\\"\n'), header);
});

test("QEMU argv: extra user arguments come last; memory in whole units", async () => {
  const port = await qemuVirt();
  const argv = qemuArgv(hostQemu(port), { ...port, qemu: { ...port.qemu, memory: 2n << 30n } }, "k.elf", [
    "-s",
    "-S",
  ]);
  assert.deepEqual(argv.slice(-4), ["-kernel", "k.elf", "-s", "-S"]);
  assert.deepEqual(argv.slice(7, 9), ["-m", "2G"]);
});

/** A RISC-V cross compiler on PATH, if there is one. */
function crossCompiler(): string | undefined {
  for (const cc of ["riscv64-unknown-elf-gcc", "riscv64-linux-gnu-gcc"]) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      return cc;
    } catch {
      // not installed; try the next
    }
  }
  return undefined;
}

const cc = crossCompiler();
test(
  "keel_port.h compiles as C, as assembly and in a linker script",
  { skip: !cc && "no RISC-V cross compiler" },
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "keel-port-h-"));
    try {
      const file = (name: string, text: string) => writeFile(path.join(dir, name), text);
      await file("keel_port.h", emitPortHeader(await qemuVirt()));
      await file(
        "t.c",
        '#include "keel_port.h"\n_Static_assert(sizeof(KEEL_DRAM_BASE) == 8, "UL");\nconst char *n = KEEL_PORT_NAME;\n',
      );
      await file("t.S", '#include "keel_port.h"\n.globl _start\n_start:\n\tli t0, KEEL_STACK_SIZE\n');
      await file("t.ld.S", "ENTRY(_start)\nSECTIONS { . = KEEL_LOAD_ADDR; .text : { *(.text) } }\n");
      const run = (...args: string[]) => execFileSync(cc as string, args, { cwd: dir, stdio: "pipe" });
      const arch = ["-march=rv64imac_zicsr", "-mabi=lp64", "-mcmodel=medany"];
      run(...arch, "-c", "t.c", "-o", "c.o");
      run(...arch, "-D__ASSEMBLY__", "-c", "t.S", "-o", "s.o");
      run("-E", "-P", "-x", "c", "-D__ASSEMBLY__", "-include", "keel_port.h", "t.ld.S", "-o", "t.ld");
      run(...arch, "-nostdlib", "-static", "-Wl,-T,t.ld", "s.o", "-o", "t.elf");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
