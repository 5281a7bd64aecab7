// The clang + lld toolchain: how the pipeline's gcc-style flags are spelled for clang (unit level, always
// run), and real builds and boots of images made with KEEL_TOOLCHAIN=clang (skipped without clang/ld.lld).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { probeRun } from "../../src/toolchain/probe.ts";
import { hostQemu, qemuArgv } from "../../src/port/emit-qemu.ts";
import { FREESTANDING, GUEST_ARCH, OPTIMIZE_FLAGS, prefixMaps } from "../../src/build/flags.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import {
  ccCommand,
  chooseToolchain,
  clangMarch,
  driverArgs,
  probeToolchain,
  type ProbeRun,
} from "../../src/toolchain/toolchain.ts";
import { CollectStream, copyCheckout, ROOT } from "./helpers.ts";

// ---- flag translation (pure) ----

const PIPELINE_FLAGS = [
  "-march=rv64imafdc_zicsr_zifencei",
  ...GUEST_ARCH,
  ...FREESTANDING,
  ...OPTIMIZE_FLAGS.Debug,
  ...prefixMaps("/src", "/out"),
  "-I/src/guests/lib/include",
  "-c",
  "guests/lib/start.S",
];

test("gcc gets the pipeline's flags untouched", () => {
  assert.deepEqual(driverArgs("gcc", PIPELINE_FLAGS), PIPELINE_FLAGS);
  const gcc = chooseToolchain({});
  assert.deepEqual(ccCommand(gcc, ["-c", "a.c"]), ["riscv64-unknown-elf-gcc", "-c", "a.c"]);
  assert.deepEqual(gcc.baseFlags, []);
  assert.deepEqual(gcc.libs, ["-lgcc"]);
  // prefixMaps is the gcc contract: both the compiler's and gas's maps, nothing else.
  assert.deepEqual(prefixMaps("/r", "/o"), [
    "-ffile-prefix-map=/r=.",
    "-ffile-prefix-map=/o=out",
    "-Wa,--debug-prefix-map=/r=.",
    "-Wa,--debug-prefix-map=/o=out",
  ]);
});

test("clang -march drops only the extension names LLVM provides implicitly", () => {
  assert.equal(clangMarch("rv64imac_zicsr_zifencei"), "rv64imac");
  assert.equal(clangMarch("rv64imafdc_zicsr_zifencei"), "rv64imafdc");
  assert.equal(clangMarch("rv64gc"), "rv64gc");
  assert.equal(clangMarch("rv64imac_Zicsr_zba_zifencei_zbb"), "rv64imac_zba_zbb");
  assert.equal(clangMarch("rv32i2p0_zifencei"), "rv32i2p0");
});

test("clang gets -march without zicsr/zifencei and the driver's debug prefix maps", () => {
  const args = driverArgs("clang", PIPELINE_FLAGS);
  assert.ok(!args.some((a) => a.startsWith("-Wa,")), args.join(" "));
  assert.deepEqual(
    args.filter((a) => a.startsWith("-march=")),
    ["-march=rv64imafdc", "-march=rv64imac"],
  );
  assert.deepEqual(
    args.filter((a) => a.includes("prefix-map") || a.startsWith("-fdebug-compilation-dir")),
    [
      "-ffile-prefix-map=/src=.",
      "-ffile-prefix-map=/out=out",
      "-fdebug-compilation-dir=.",
      "-fdebug-prefix-map=/src=.",
      "-fdebug-prefix-map=/out=out",
    ],
  );
  // Everything else passes through in order.
  const rest = (xs: readonly string[]): string[] =>
    xs.filter((a) => !a.startsWith("-march=") && !/prefix-map|compilation-dir/.test(a));
  assert.deepEqual(rest(args), rest(PIPELINE_FLAGS));
  // A link line (no prefix maps) gets no compilation dir.
  assert.deepEqual(driverArgs("clang", ["-march=rv64imac_zicsr_zifencei", "-nostdlib", "-o", "x"]), [
    "-march=rv64imac",
    "-nostdlib",
    "-o",
    "x",
  ]);
  const clang = chooseToolchain({ KEEL_TOOLCHAIN: "clang" });
  assert.deepEqual(ccCommand(clang, ["-march=rv64imac_zicsr", "-c", "a.c"]), [
    "clang",
    "-march=rv64imac",
    "-c",
    "a.c",
  ]);
  assert.deepEqual(clang.baseFlags, ["--target=riscv64-unknown-elf", "-mno-relax"]);
  assert.deepEqual(clang.libs, []);
});

// ---- the clang probe (fake runner) ----

const CLANG_VERSION =
  "Debian clang version 14.0.6\nTarget: riscv64-unknown-unknown-elf\nInstalledDir: /usr/bin\n";

function fakeClang(over: Partial<Record<"targets" | "lld" | "lldVersion", string | null>>): ProbeRun {
  return async (argv) => {
    const ok = (stdout: string): { code: number; stdout: string; stderr: string } => ({
      code: 0,
      stdout,
      stderr: "",
    });
    const missing = { code: 127, stdout: "", stderr: "" };
    if (argv[0] === "clang" && argv.includes("--version")) return ok(CLANG_VERSION);
    if (argv[0] === "clang" && argv.includes("-print-targets"))
      return ok(
        over.targets ?? "  Registered Targets:\n    riscv32 - 32-bit RISC-V\n    riscv64 - 64-bit RISC-V\n",
      );
    if (argv[0] === "clang" && argv.includes("-print-prog-name=ld.lld"))
      return ok(`${over.lld ?? "/usr/bin/ld.lld"}\n`);
    if (argv[1] === "--version" && argv[0] === (over.lld ?? "/usr/bin/ld.lld")) {
      if (over.lldVersion === null) return missing;
      return ok(`${over.lldVersion ?? "Debian LLD 14.0.6 (compatible with GNU linkers)"}\n`);
    }
    return missing;
  };
}

test("the clang identity names the driver, its version and the lld it links with", async () => {
  const choice = chooseToolchain({ KEEL_TOOLCHAIN: "clang" });
  const tc = await probeToolchain(choice, fakeClang({}));
  assert.equal(
    tc.identity,
    "clang clang (/usr/bin) Debian clang version 14.0.6; /usr/bin/ld.lld Debian LLD 14.0.6 (compatible with GNU linkers)",
  );
  const newer = await probeToolchain(choice, fakeClang({ lldVersion: "LLD 18.1.8" }));
  assert.notEqual(newer.identity, tc.identity, "a new lld must change the identity (and so every link key)");
});

test("clang without lld or without the RISC-V target is a user error with the install hint", async () => {
  const choice = chooseToolchain({ KEEL_TOOLCHAIN: "clang" });
  await assert.rejects(probeToolchain(choice, fakeClang({ lldVersion: null })), /install lld/);
  await assert.rejects(
    probeToolchain(choice, fakeClang({ targets: "  Registered Targets:\n    x86-64 - 64-bit X86\n" })),
    /without the RISC-V target/,
  );
  const none: ProbeRun = async () => ({ code: 127, stdout: "", stderr: "" });
  await assert.rejects(probeToolchain(choice, none), /apt-get install clang lld/);
});

// ---- real clang builds and boots ----

const CLANG_ENV = { ...process.env, KEEL_TOOLCHAIN: "clang", SOURCE_DATE_EPOCH: "1700000000" };

/** Why the real clang tests cannot run here, or undefined when clang and ld.lld work. */
async function clangMissing(): Promise<string | undefined> {
  try {
    await probeToolchain(chooseToolchain(CLANG_ENV), probeRun);
    return undefined;
  } catch (e) {
    return `clang + ld.lld not usable (${(e as Error).message}); skipping real clang builds`;
  }
}
const skip = await clangMissing();
if (skip !== undefined) process.stderr.write(`${skip}\n`);

interface ClangBoot {
  image: string;
  /** Each must match a console line, in this order. */
  expect: readonly RegExp[];
  exit: number;
}

const BOOTS: readonly ClangBoot[] = [
  {
    image: "hello",
    expect: [
      /^\[keel\] Keel \d+\.\d+\.\d+ /,
      /^\[hello\] hello: hello from vCPU 0$/,
      /^\[hello\] hello: all 20 checks passed$/,
      /^\[keel\] capsule hello: shut down/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    exit: 0,
  },
  {
    image: "timer",
    expect: [
      /^\[timer\] timer: sbi ticks 5$/,
      /^\[timer\] timer: sstc ticks 5$/,
      /^\[timer\] timer: PASS$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    exit: 0,
  },
];

for (const c of BOOTS) {
  test(`clang build of ${c.image} boots`, { skip: skip ?? false, timeout: 300_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), "keel-clang-"));
    try {
      const built = await buildImage({
        root: ROOT,
        outDir,
        image: c.image,
        env: CLANG_ENV,
        status: new CollectStream(),
      });
      // Really built by clang: the compile database shows the clang lines.
      const compdb = readFileSync(join(outDir, "compile_commands.json"), "utf8");
      assert.match(compdb, /"--target=riscv64-unknown-elf"/);
      assert.doesNotMatch(compdb, /zicsr|-Wa,--debug-prefix-map/);
      const run = await runCaptured(qemuArgv(hostQemu(built.port), built.port, built.elf), {
        timeoutMs: 60_000,
      });
      const transcript = `--- console ---\n${run.output}\n---------------`;
      assert.equal(run.timedOut, false, `QEMU timed out\n${transcript}`);
      const lines = run.output.split(/\r?\n/);
      let at = 0;
      for (const re of c.expect) {
        const found = lines.findIndex((l, i) => i >= at && re.test(l));
        assert.ok(found >= 0, `no line matching ${re} (after line ${at})\n${transcript}`);
        at = found + 1;
      }
      assert.ok(!lines.some((l) => /FAIL/.test(l)), `a FAIL line\n${transcript}`);
      assert.equal(run.code, c.exit, `exit status\n${transcript}`);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
}

test(
  "two clang builds in two different directories are byte-identical",
  { skip: skip ?? false, timeout: 300_000 },
  async () => {
    const a = copyCheckout("keel-clang-repro-a-");
    const b = copyCheckout("keel-clang-repro-bb-");
    try {
      const one = await buildImage({
        root: a.root,
        outDir: join(a.root, "out"),
        image: "hello",
        env: CLANG_ENV,
        status: new CollectStream(),
      });
      const two = await buildImage({
        root: b.root,
        outDir: join(b.root, "build-elsewhere"),
        image: "hello",
        env: CLANG_ENV,
        status: new CollectStream(),
      });
      const x = readFileSync(one.elf);
      assert.ok(x.length > 4096);
      assert.ok(x.equals(readFileSync(two.elf)), "clang images differ");
      assert.ok(!x.includes(a.root) && !x.includes(b.root), "an absolute checkout path in the image");
    } finally {
      a.dispose();
      b.dispose();
    }
  },
);
