// The hypervisor's pure C, tested off the target: each test/c/test_*.c is built with the host C compiler
// (HOST_CC, default gcc) under AddressSanitizer and UndefinedBehaviorSanitizer, together with the real
// hypervisor sources its `keel-test-sources:` line names, and run; it unit-tests those functions and feeds
// them random input in a bounded loop (fixed seed). Two guards show the harness can fail: a false CHECK
// fails its program, and an out-of-bounds read stops one under these flags.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runCaptured } from "../../src/qemu/run.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TESTS = join(ROOT, "test", "c");
const CC = process.env.HOST_CC ?? "gcc";
// Generous: two cores shared by several developers, sanitizers make the fuzz loops slower.
const COMPILE_MS = 120_000;
const RUN_MS = 300_000;

const FLAGS = [
  "-std=c11",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-g",
  "-O1",
  "-fno-omit-frame-pointer",
  "-fsanitize=address,undefined",
  "-fno-sanitize-recover=all",
  "-include",
  join(TESTS, "include", "autoconf.h"),
  `-I${join(TESTS, "include")}`,
  `-I${join(ROOT, "hypervisor", "include")}`,
  `-I${join(ROOT, "hypervisor", "arch", "riscv", "include")}`,
];

// core/lib.c defines the standard memory and string functions for the target; on the host those are the C
// library's, so lib.c's own versions are renamed and only its Keel-only helpers (str_starts, strlcpy...) are
// used.
const LIB_RENAMES = ["memset", "memcpy", "memmove", "memcmp", "strlen", "strnlen", "strcmp", "strncmp"].map(
  (f) => `-D${f}=keel_${f}`,
);

let work = "";
const objects = new Map<string, Promise<string>>();

async function cc(args: readonly string[], what: string): Promise<void> {
  const run = await runCaptured([CC, ...FLAGS, ...args], { timeoutMs: COMPILE_MS, stdin: "ignore" });
  if (run.code !== 0) {
    assert.fail(
      `${CC} ${what}: ${run.timedOut ? "timed out" : `exit ${run.code ?? run.signal}`}\n${run.output}`,
    );
  }
}

/** One object per hypervisor source, shared by the tests that use it. */
function object(source: string): Promise<string> {
  let made = objects.get(source);
  if (!made) {
    const out = join(work, `${source.replaceAll("/", "_")}.o`);
    const extra = source === "hypervisor/core/lib.c" ? LIB_RENAMES : [];
    made = cc(["-c", ...extra, join(ROOT, source), "-o", out], source).then(() => out);
    objects.set(source, made);
  }
  return made;
}

function sourcesOf(file: string): string[] {
  const m = /keel-test-sources:([^\n*]*)/.exec(readFileSync(file, "utf8"));
  assert.ok(m?.[1], `${file}: no keel-test-sources: line`);
  return m[1].trim().split(/\s+/);
}

async function buildAndRun(test: string, sources: readonly string[]): Promise<string> {
  const objs = [];
  for (const s of sources) objs.push(await object(s));
  const exe = join(work, basename(test, ".c"));
  await cc([test, ...objs, "-o", exe], basename(test));
  const run = await runCaptured([exe], { timeoutMs: RUN_MS, stdin: "ignore" });
  assert.equal(run.timedOut, false, `${basename(test)} timed out`);
  assert.equal(run.code, 0, `${basename(test)} failed:\n${run.output}`);
  return run.stdout;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "keel-hvc-"));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const files = readdirSync(TESTS)
  .filter((f) => /^test_.*\.c$/.test(f))
  .sort();

test("test/c holds the host-side tests of every pure hypervisor unit", () => {
  assert.deepEqual(files, [
    "test_bundle.c",
    "test_elf.c",
    "test_fdt.c",
    "test_lib.c",
    "test_mmio.c",
    "test_mmio_insn.c",
    "test_runq.c",
    "test_sbi_hartmask.c",
    "test_vplic.c",
  ]);
});

for (const f of files) {
  const file = join(TESTS, f);
  test(`host C: ${f} (${sourcesOf(file).join(", ")})`, async () => {
    const out = await buildAndRun(file, sourcesOf(file));
    assert.match(out, /: [1-9]\d* checks, 0 failed\n$/);
  });
}

test("host C harness: a false CHECK fails the program and names file:line", async () => {
  const src = join(work, "test_false.c");
  writeFileSync(
    src,
    `#include "check.h"\nint main(void)\n{\n\tCHECK(1 + 1 == 3);\n\treturn check_done("false");\n}\n`,
  );
  const exe = join(work, "test_false");
  await cc([`-I${TESTS}`, src, "-o", exe], "test_false.c");
  const run = await runCaptured([exe], { timeoutMs: RUN_MS, stdin: "ignore" });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /test_false\.c:4: check failed: 1 \+ 1 == 3/);
  assert.match(run.stdout, /false: 1 checks, 1 failed/);
});

test("host C harness: an out-of-bounds read stops the program (the sanitizers are on)", async () => {
  const src = join(work, "test_oob.c");
  writeFileSync(
    src,
    `#include <stdlib.h>\nint main(int argc, char **argv)\n{\n\tchar *p = calloc(8, 1);\n\t(void)argv;\n\treturn p[7 + argc];\n}\n`,
  );
  const exe = join(work, "test_oob");
  await cc([src, "-o", exe], "test_oob.c");
  const run = await runCaptured([exe], { timeoutMs: RUN_MS, stdin: "ignore" });
  assert.notEqual(run.code, 0);
  // UBSan's object-size check or ASan, whichever sees it first.
  assert.match(
    run.stderr,
    /AddressSanitizer: heap-buffer-overflow|runtime error: load of address .* insufficient space/,
  );
});
