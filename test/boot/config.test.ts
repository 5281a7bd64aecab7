// Boot tests of hypervisor configurations other than the default (configs/*_defconfig, -Dconfig): what a
// configuration compiles out is really gone (a guest's SBI probe answers 0, the symbol is not in the ELF)
// and the system still boots and powers off; a port's `select` beats the configuration.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { qemuArgv } from "../../src/port/emit-qemu.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import { CollectStream, copyCheckout, ROOT } from "../e2e/helpers.ts";

const OUT = join(ROOT, "out", "test");

async function boot(port: string, image: string, config: string, root = ROOT, outDir = OUT) {
  const built = await buildImage({
    root,
    outDir,
    system: port,
    image,
    config,
    status: new CollectStream(),
  });
  const run = await runCaptured(qemuArgv(built.port, built.elf), { timeoutMs: 60_000 });
  const lines = run.output.split(/\r?\n/);
  const transcript = `--- console ---\n${run.output}\n---------------`;
  assert.equal(run.timedOut, false, `QEMU timed out\n${transcript}`);
  return { built, run, lines, transcript };
}

/** The symbols an ELF defines (nm), by name. */
function symbols(elf: string): Set<string> {
  const nm = process.env["CROSS_COMPILE"] ? `${process.env["CROSS_COMPILE"]}nm` : "riscv64-unknown-elf-nm";
  const out = execFileSync(nm, [elf], { encoding: "utf8" });
  return new Set(out.split("\n").map((l) => l.split(" ")[2] ?? ""));
}

test("boot hello on qemu-virt with -Dconfig=tiny: the compiled-out SBI extensions probe 0, the rest work", async () => {
  const { built, run, lines, transcript } = await boot("qemu-virt", "hello", "tiny");
  const hello = lines.filter((l) => l.startsWith("[hello] hello: "));
  const failed = hello.filter((l) => l.includes(" FAIL ")).map((l) => l.slice("[hello] hello: FAIL ".length));
  // Exactly the checks that need TIME, HSM, IPI or RFENCE fail, with NOT_SUPPORTED (-2) or probe 0.
  assert.deepEqual(
    failed,
    [
      "probe TIME (got 0, want 1)",
      "probe HSM (got 0, want 1)",
      "probe IPI (got 0, want 1)",
      "probe RFENCE (got 0, want 1)",
      "HSM status of vCPU 0 is STARTED (got -2, want 0)",
      "HSM status of an absent vCPU returns INVALID_PARAM (got -2, want -3)",
      "IPI to an absent vCPU returns INVALID_PARAM (got -2, want -3)",
    ],
    transcript,
  );
  for (const ok of [
    "probe BASE",
    "probe SRST",
    "probe DBCN",
    "probe unknown EID is absent",
    "DBCN write returns the byte count",
  ])
    assert.ok(hello.includes(`[hello] hello: ok   ${ok}`), `${ok}\n${transcript}`);
  // The guest printed through DBCN and powered off through SRST (reason: system failure, its checks failed).
  assert.ok(lines.includes("[keel] capsule hello: failed (reason system failure)"), transcript);
  assert.ok(lines.includes("[keel] all capsules ended: 0 clean, 1 failed"), transcript);
  assert.equal(run.code, 1, transcript);

  const syms = symbols(built.elf);
  for (const s of ["sbi_ext_base", "sbi_ext_srst", "sbi_ext_dbcn", "keel_sbi_table"])
    assert.ok(syms.has(s), s);
  for (const s of [
    "sbi_ext_time",
    "sbi_ext_hsm",
    "sbi_ext_ipi",
    "sbi_ext_rfence",
    "sbi_ext_legacy_putchar",
    "sbi_ext_keel",
  ])
    assert.ok(!syms.has(s), `${s} is in the tiny image`);
  // The default configuration's image of the same port has them all.
  const full = symbols(
    (await buildImage({ root: ROOT, outDir: OUT, image: "hello", status: new CollectStream() })).elf,
  );
  for (const s of ["sbi_ext_time", "sbi_ext_hsm", "sbi_ext_ipi", "sbi_ext_rfence", "sbi_ext_keel"])
    assert.ok(full.has(s), s);
});

test("build smp with -Dconfig=tiny: a capsule asking for more vCPUs than the configuration allows is refused at its line", async () => {
  // The hypervisor refuses such a capsule at boot too (capsule_create), but the build checks the image against
  // the configuration first (src/build/fit.ts), so the image never gets that far.
  await assert.rejects(
    buildImage({
      root: ROOT,
      outDir: OUT,
      system: "qemu-virt",
      image: "smp",
      config: "tiny",
      status: new CollectStream(),
    }),
    (e: Error & { location?: { file: string; line: number } }) =>
      /capsules\[0\]\.vcpus: 4 vCPUs, the hypervisor configuration allows at most 1 \(CONFIG_MAX_VCPUS\)/.test(
        e.message,
      ) &&
      e.location?.file === "images/smp.yaml" &&
      e.location.line > 0,
  );
});

test("boot timer on qemu-virt-nosstc with -Dconfig=tiny: the port selects SBI TIME, the guest timer works", async () => {
  const { built, run, lines, transcript } = await boot("qemu-virt-nosstc", "timer", "tiny");
  for (const re of [
    /^\[timer\] timer: sbi ticks 5$/,
    /^\[timer\] timer: PASS$/,
    /all capsules ended: 1 clean, 0 failed/,
  ])
    assert.ok(
      lines.some((l) => re.test(l)),
      `${re}\n${transcript}`,
    );
  assert.ok(symbols(built.elf).has("sbi_ext_time"));
  assert.ok(!symbols(built.elf).has("sbi_ext_hsm"));
  assert.equal(run.code, 0, transcript);
});

test("a configuration of one's own: verbose log and coloured tags (LOG_LEVEL=2, CONSOLE_COLOUR_ALWAYS)", async () => {
  const { root, dispose } = copyCheckout("keel-boot-config-");
  try {
    writeFileSync(
      join(root, "configs", "verbose_defconfig"),
      "CONFIG_LOG_LEVEL=2\nCONFIG_CONSOLE_COLOUR_ALWAYS=y\n# CONFIG_SBI_KEEL is not set\n",
    );
    const { run, lines, transcript } = await boot("qemu-virt", "hello", "verbose", root, join(root, "out"));
    const sbi =
      "sbi: 11 extensions: base time ipi rfence hsm srst dbcn legacy set_timer legacy putchar legacy getchar legacy shutdown";
    assert.ok(lines.includes(`[keel] ${sbi}`), transcript);
    // The hart that lost the boot lottery (either one) says it is up.
    assert.ok(lines.includes("[keel] hart 0 up") || lines.includes("[keel] hart 1 up"), transcript);
    // The image does not ask for colour; the configuration colours every capsule tag anyway.
    const ESC = "\u001b";
    const coloured = (l: string): boolean =>
      /^\[3[1-6]m\[hello\]$/.test(l.slice(1, l.indexOf("]") + 1)) &&
      l.startsWith(ESC) &&
      l.includes(`]${ESC}[0m hello: all `);
    assert.ok(lines.some(coloured), transcript);
    assert.equal(run.code, 0, transcript);
  } finally {
    dispose();
  }
});
