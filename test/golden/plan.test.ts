// Golden files for what the pipeline generates before any compiler runs: the planned steps of the
// default image (every command line, with the checkout as /src and the out dir as /out), the generated
// build_info.c, bundle.S, and the linker script after the real preprocessor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hypervisorSources } from "../../src/build/inputs.ts";
import { planBuild } from "../../src/build/plan.ts";
import type { Step } from "../../src/graph/index.ts";
import { defconfig } from "../../src/kconfig/index.ts";
import { configOutputs, hypervisorTree, portFacts } from "../../src/build/hvconfig.ts";
import { renderSbiTable } from "../../src/build/sbi-table.ts";
import { loadImage } from "../../src/manifest/image.ts";
import { emitPortHeader } from "../../src/port/emit-header.ts";
import { loadPortByName } from "../../src/port/registry.ts";
import { BUNDLE_ASM } from "../../src/build/image.ts";
import { renderBuildInfoC, type BuildMetadata } from "../../src/build/metadata.ts";
import type { Toolchain } from "../../src/toolchain/toolchain.ts";
import { matchesGolden } from "./golden.ts";

const ROOT = process.cwd();
const SRC = "/src";
const OUT = "/out";
const TOOLCHAIN: Toolchain = {
  kind: "gcc",
  cc: "riscv64-unknown-elf-gcc",
  baseFlags: [],
  linkFlags: [],
  libs: ["-lgcc"],
  identity: "gcc (golden)",
};
const META: BuildMetadata = {
  version: "0.1.0",
  commit: "0123456789ab",
  dirty: false,
  epoch: 1700000000,
  port: "qemu-virt",
  optimize: "Debug",
};

/** Sources of a repo folder, as they would sit under /src. */
const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir))
    .filter((n) => (n.endsWith(".c") || n.endsWith(".S")) && !n.endsWith(".ld.S"))
    .sort()
    .map((n) => `${SRC}/${dir}/${n}`);

/** The qemu-virt port's configuration from configs/<name>_defconfig (pure: nothing written). */
async function portConfig(name: string) {
  const port = await loadPortByName(ROOT, "qemu-virt");
  const facts = portFacts(port);
  const file = `configs/${name}_defconfig`;
  const r = defconfig(hypervisorTree(ROOT, facts, "Debug"), { name: file, text: readFileSync(file, "utf8") });
  const config = configOutputs(r.kconfig);
  const hv = hypervisorSources(ROOT, port.hypervisor.sourceDirs, (s) => config.value(s));
  return { port, config, hv, sources: hv.sources.map((p) => p.replace(ROOT, SRC)) };
}

/** The build planner (planBuild, the one the CLI runs) on the demo image, with /src and /out paths. */
async function plannedSteps(): Promise<Step[]> {
  const { port, config, hv, sources: hvSources } = await portConfig("default");
  const image = await loadImage(ROOT, "demo");
  const plan = planBuild({
    root: SRC,
    outDir: OUT,
    buildDir: `${OUT}/qemu-virt-Debug`,
    optimize: "Debug",
    port,
    image,
    toolchain: TOOLCHAIN,
    metadata: META,
    config,
    hypervisor: { sources: hvSources, sbiExts: hv.sbiExts },
    guests: {
      libSources: sources("guests/lib"),
      source: [...new Set(image.capsules.map((c) => c.guest))].map((name) => ({
        name,
        sources: sources(`guests/${name}`),
      })),
      foreign: [],
    },
  });
  // compile_commands.json is the graph's own (test/unit/graph-status.test.ts); the golden file is the image's steps.
  const compdb = `${OUT}/compile_commands.json`;
  return plan.steps.filter((s) => !s.outputs.includes(compdb));
}

function describeStep(s: Step): string {
  const lines = [`${s.kind} ${s.label}`, `  id: ${s.id}`];
  lines.push(`  inputs: ${s.inputs.join(" ") || "-"}`, `  outputs: ${s.outputs.join(" ")}`);
  if (s.orderOnly) lines.push(`  order-only: ${s.orderOnly.join(" ")}`);
  if (s.depfile) lines.push(`  depfile: ${s.depfile}`);
  if (s.configDeps) lines.push(`  config deps: ${s.configDeps.header} -> ${s.configDeps.stampDir}/<SYMBOL>`);
  if (s.command) lines.push(`  cwd: ${s.cwd ?? OUT}`, `  argv: ${s.command.join(" ")}`);
  else lines.push(`  action, identity sha: ${s.identity.length} item(s)`);
  return lines.join("\n");
}

test("golden: the planned steps of the demo image", async () => {
  const steps = await plannedSteps();
  await matchesGolden("test/golden/plan/qemu-virt-demo.steps", `${steps.map(describeStep).join("\n\n")}\n`);
});

test("every compile step writes its object as .tmp and has a depfile; every path is absolute", async () => {
  for (const s of await plannedSteps()) {
    for (const p of [...s.inputs, ...s.outputs]) assert.ok(p.startsWith("/"), `${s.id}: ${p}`);
    if (s.kind === "CC") {
      assert.ok(s.depfile, `${s.id} has no depfile`);
      assert.ok(s.command?.includes(`${s.outputs[0]}.tmp`), `${s.id} must write ${s.outputs[0]}.tmp`);
      assert.ok(s.command?.includes("-Werror"), `${s.id} must build with -Werror`);
    }
  }
});

test("golden: the default and tiny configurations' autoconf.h and SBI tables", async () => {
  const def = await portConfig("default");
  await matchesGolden("test/golden/plan/default.autoconf.h", def.config.autoconfH);
  await matchesGolden("test/golden/plan/default.sbi_table.c", renderSbiTable(def.hv.sbiExts));
  const tiny = await portConfig("tiny");
  await matchesGolden("test/golden/plan/tiny.autoconf.h", tiny.config.autoconfH);
  await matchesGolden("test/golden/plan/tiny.sbi_table.c", renderSbiTable(tiny.hv.sbiExts));
  // tiny compiles none of the optional extensions' files
  const names = tiny.sources.map((p) => p.slice(p.lastIndexOf("/") + 1));
  for (const f of ["sbi_time.c", "sbi_ipi.c", "sbi_rfence.c", "sbi_hsm.c", "sbi_legacy.c", "sbi_keel.c"])
    assert.ok(!names.includes(f), `${f} compiled in tiny`);
  for (const f of ["sbi.c", "sbi_base.c", "sbi_srst.c", "sbi_dbcn.c"]) assert.ok(names.includes(f), `${f} missing`);
});

test("golden: generated build_info.c and bundle.S", async () => {
  await matchesGolden("test/golden/plan/build_info.c", renderBuildInfoC(META));
  await matchesGolden("test/golden/plan/bundle.S", BUNDLE_ASM);
});

test("golden: keel.ld after the real preprocessor", async (t) => {
  const cc = process.env["CROSS_COMPILE"] ? `${process.env["CROSS_COMPILE"]}gcc` : "riscv64-unknown-elf-gcc";
  try {
    execFileSync(cc, ["--version"], { stdio: "ignore" });
  } catch {
    t.skip(`${cc} not installed`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "keel-ld-"));
  try {
    const port = await loadPortByName(ROOT, "qemu-virt");
    writeFileSync(join(dir, "keel_port.h"), emitPortHeader(port));
    const ld = execFileSync(
      cc,
      ["-E", "-P", "-x", "c", "-D__ASSEMBLY__", "-include", join(dir, "keel_port.h"), "hypervisor/arch/riscv/keel.ld.S"],
      { encoding: "utf8" },
    );
    await matchesGolden("test/golden/plan/qemu-virt.keel.ld", ld);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
