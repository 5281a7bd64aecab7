// Boot tests: each row builds an image for a port, boots it in real QEMU with a timeout, and checks what
// the console printed (in order) and QEMU's exit status (set by the hypervisor through the test device).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildImage } from "../../src/cli/build.ts";
import { qemuArgv } from "../../src/port/emit-qemu.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import { CollectStream, ROOT } from "../e2e/helpers.ts";

interface BootCase {
  image: string;
  port: string;
  /** Each must match a line, in this order (other lines may come between). */
  expect: readonly RegExp[];
  /** Pairs [a, b]: a line matching a must come before one matching b (independent of `expect`). */
  unordered?: readonly (readonly [RegExp, RegExp])[];
  /** Must match no line. */
  forbid?: readonly RegExp[];
  exit: number;
  timeoutMs?: number;
}

const BANNER = /^\[keel\] Keel \d+\.\d+\.\d+ \(commit [0-9a-f]+(-dirty)?|unknown/;
const HELLO_OK = [/^\[hello\] hello: hello from vCPU 0$/, /^\[hello\] hello: all \d+ checks passed$/];

const CASES: readonly BootCase[] = [
  {
    image: "hello",
    port: "qemu-virt",
    expect: [
      BANNER,
      /^\[keel\] 2 harts, 256 MiB RAM/,
      ...HELLO_OK,
      /^\[keel\] capsule hello: shut down/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    image: "isolation",
    port: "qemu-virt",
    expect: [/^\[hello\] hello: all \d+ checks passed$/, /^\[keel\] all capsules ended: 1 clean, 7 failed$/],
    forbid: [/survived/],
    exit: 1,
  },
  {
    image: "timer",
    port: "qemu-virt",
    expect: [
      /^\[timer\] timer: sbi ticks 5$/,
      /^\[timer\] timer: sstc ticks 5$/,
      /^\[timer\] timer: PASS$/,
      /all capsules ended: 1 clean, 0 failed/,
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    // Both capsules greet before either finishes: they really run at once, one per hart.
    image: "pair",
    port: "qemu-virt",
    expect: [
      /^\[keel\] capsule hello-0: hart 0,/,
      /^\[keel\] capsule hello-1: hart 1,/,
      /all capsules ended: 2 clean, 0 failed/,
    ],
    unordered: [
      [/^\[hello-0\] hello: hello from vCPU 0$/, /^\[hello-1\] hello: all \d+ checks passed$/],
      [/^\[hello-1\] hello: hello from vCPU 0$/, /^\[hello-0\] hello: all \d+ checks passed$/],
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    image: "reboot",
    port: "qemu-virt",
    expect: [
      /^\[hello\] hello: boot count 0$/,
      /^\[hello\] hello: rebooting$/,
      /^\[hello\] hello: boot count 1$/,
      ...HELLO_OK.slice(1),
      /1 clean, 0 failed/,
    ],
    exit: 0,
  },
  {
    image: "fail",
    port: "qemu-virt",
    expect: [
      /^\[hello\] hello: failing on request$/,
      /^\[keel\] capsule hello: failed/,
      /all capsules ended: 0 clean, 1 failed/,
    ],
    exit: 1,
  },
];

/** Every attack of the isolation guest ends in exactly one kill diagnostic naming its capsule. */
const ATTACKS = ["read-beyond", "write-beyond", "read-hv", "mmio-clint", "mmio-plic", "mmio-uart", "m-csr"];

function checkOrder(lines: readonly string[], expect: readonly RegExp[]): string | undefined {
  let at = 0;
  for (const re of expect) {
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    if (found < 0) return `no line matching ${re} (after line ${at})`;
    at = found + 1;
  }
  return undefined;
}

const OUT = join(ROOT, "out", "test");

for (const c of CASES) {
  test(`boot ${c.image} on ${c.port}`, async () => {
    const built = await buildImage({
      root: ROOT,
      outDir: OUT,
      system: c.port,
      image: c.image,
      status: new CollectStream(),
    });
    const run = await runCaptured(qemuArgv(built.port, built.elf), { timeoutMs: c.timeoutMs ?? 60_000 });
    const lines = run.output.split(/\r?\n/);
    const transcript = `--- console ---\n${run.output}\n---------------`;
    assert.equal(run.timedOut, false, `QEMU timed out\n${transcript}`);
    const missing = checkOrder(lines, c.expect);
    assert.equal(missing, undefined, `${missing}\n${transcript}`);
    for (const pair of c.unordered ?? []) {
      const wrong = checkOrder(lines, pair);
      assert.equal(wrong, undefined, `${wrong}\n${transcript}`);
    }
    for (const re of c.forbid ?? []) {
      assert.ok(!lines.some((l) => re.test(l)), `unexpected line matching ${re}\n${transcript}`);
    }
    if (c.image === "isolation") {
      for (const a of ATTACKS) {
        const kills = lines.filter((l) => l.startsWith(`[keel] capsule atk-${a}: killed: `));
        assert.equal(kills.length, 1, `attack ${a}: want one kill line\n${transcript}`);
      }
    }
    assert.equal(run.code, c.exit, `exit status\n${transcript}`);
  });
}
