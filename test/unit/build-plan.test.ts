// The pure build planner (src/build/plan.ts) and the one capsule mapping (capsuleSpec): plans made from data
// alone (no compiler, no host packages, nothing read for the guest), a host-file guest's payload flowing into
// the bundle, and the BUNDLE step's capsule settings keyed only by what an image sets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { capsuleSpec } from "../../src/build/image.ts";
import type { BuildInputs } from "../../src/build/inputs.ts";
import { planBuild } from "../../src/build/plan.ts";
import { parseGuest } from "../../src/manifest/guest.ts";
import { parseImage } from "../../src/manifest/image.ts";
import { loadPortByName } from "../../src/port/registry.ts";
import type { Toolchain } from "../../src/toolchain/toolchain.ts";

const ROOT = process.cwd();
const TOOLCHAIN: Toolchain = {
  kind: "gcc",
  cc: "cc-that-never-runs",
  baseFlags: [],
  linkFlags: [],
  libs: [],
  identity: "test",
};

/** The uboot image's inputs, with a host-file guest whose file was "found" with this hash: data only. */
async function ubootInputs(): Promise<BuildInputs> {
  const image = parseImage(readFileSync("images/uboot.yaml", "utf8"), "images/uboot.yaml", {
    guests: ["uboot"],
  });
  const guest = parseGuest(
    "uboot",
    readFileSync("guests/uboot/guest.yaml", "utf8"),
    "guests/uboot/guest.yaml",
  );
  assert.equal(guest.kind, "host-file");
  if (guest.kind !== "host-file") throw new Error("unreachable");
  return {
    root: "/src",
    outDir: "/out",
    buildDir: "/out/qemu-virt-Debug",
    optimize: "Debug",
    port: await loadPortByName(ROOT, "qemu-virt"),
    image,
    toolchain: TOOLCHAIN,
    metadata: { version: "0", commit: "c", dirty: false, epoch: 0, port: "qemu-virt", optimize: "Debug" },
    config: { autoconfH: "", autoConf: "", stamps: new Map() },
    hypervisor: { sources: ["/src/hypervisor/core/main.c"], sbiExts: ["base"] },
    guests: { libSources: [], source: [], foreign: [{ kind: "host-file", guest, sha256: "ab".repeat(32) }] },
  };
}

test("planBuild: a host-file guest's WRAP step feeds the bundle; the link is the ELF; compile_commands.json last", async () => {
  const plan = planBuild(await ubootInputs());
  const wrapped = "/out/qemu-virt-Debug/guests/uboot.elf";
  const wrap = plan.steps.find((s) => s.id === `hostfile:${wrapped}`);
  assert.ok(wrap, "no WRAP step for the host-file guest");
  assert.deepEqual(wrap.inputs, ["/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"]);
  const bundle = plan.steps.find((s) => s.kind === "BUNDLE");
  assert.deepEqual(bundle?.inputs, [wrapped]);
  assert.equal(plan.elf, "/out/qemu-virt-Debug/keel-uboot.elf");
  assert.ok(plan.steps.some((s) => s.id === `ld:${plan.elf}`));
  assert.ok(plan.steps.at(-1)!.outputs.includes("/out/compile_commands.json"));
  assert.deepEqual(
    plan.capsules.map((c) => [c.name, c.guestElf, c.ramSize, c.devUart, c.consoleFocus]),
    [["uboot", wrapped, 128n << 20n, true, true]],
  );
});

test("planBuild is a function of its inputs: the same inputs plan the same steps", async () => {
  const inputs = await ubootInputs();
  const describe = (p: ReturnType<typeof planBuild>): string =>
    JSON.stringify(p.steps.map((s) => [s.id, s.command ?? null, s.identity, s.inputs, s.outputs]));
  assert.equal(describe(planBuild(inputs)), describe(planBuild(inputs)));
});

test("capsuleSpec: settings at their default are left out of the BUNDLE step's key; set ones are in", () => {
  const text = (extra: string): string =>
    `description: x\ncapsules:\n  - { name: a, guest: g, ram: 2M${extra} }\n`;
  const spec = (extra: string, colour = false) => {
    const image = parseImage(text(extra) + (colour ? "colour: true\n" : ""), "images/x.yaml", {
      guests: ["g"],
    });
    return capsuleSpec(image.capsules[0]!, image, "/out/g.elf");
  };
  const plain = spec("");
  assert.deepEqual(Object.keys(plain), [
    "name",
    "guestElf",
    "ramSize",
    "vcpus",
    "hart",
    "affinity",
    "priority",
    "ownsMachine",
    "consoleFocus",
    "colour",
    "devUart",
    "bootargs",
  ]);
  // undefined values vanish from the step's JSON identity (ramSize goes in as a decimal string)
  assert.equal(
    JSON.stringify({ ...plain, ramSize: plain.ramSize.toString() }),
    '{"name":"a","guestElf":"/out/g.elf","ramSize":"2097152","vcpus":1,"priority":"normal","bootargs":""}',
  );
  const set = spec(", restart: always, owns_machine: true, devices: [uart], console: focus", true);
  assert.equal(set.restart, "always");
  assert.equal(set.restartLimit, 3);
  assert.equal(set.ownsMachine, true);
  assert.equal(set.devUart, true);
  assert.equal(set.consoleFocus, true);
  assert.equal(set.colour, true);
});
