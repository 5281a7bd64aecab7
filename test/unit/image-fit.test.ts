// Build-time checks of an image against the port and the hypervisor configuration (src/plan/fit.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseImage } from "../../src/manifest/image.ts";
import { imageFit, type FitFacts } from "../../src/build/fit.ts";
import { formatPath } from "../../src/yamlfile/yaml.ts";

const CONFIG: Record<string, string> = { MAX_CAPSULES: "16", MAX_VCPUS: "8", MAX_HARTS: "2" };
const ALL_SBI = ["base", "time", "ipi", "rfence", "hsm", "srst", "dbcn", "legacy_putchar", "legacy_shutdown"];
const facts = (over: Partial<FitFacts> = {}): FitFacts => ({
  port: "qemu-virt",
  harts: 2,
  dramSize: 256n << 20n,
  value: (s) => CONFIG[s],
  sbiExts: ALL_SBI,
  ...over,
});
const image = (capsules: string): ReturnType<typeof parseImage> =>
  parseImage(`description: t\ncapsules:\n${capsules}`, "images/t.yaml", { guests: ["hello", "timer"] });
const where = (r: ReturnType<typeof imageFit>["errors"]): string[] =>
  r.map((p) => `${formatPath(p.path)} | ${p.message}`);

test("an image that fits: nothing to say", () => {
  const r = imageFit(image("  - { name: a, guest: hello, vcpus: 2, hart: 1 }\n"), facts());
  assert.deepEqual(r, { errors: [], warnings: [] });
});

test("vCPUs over CONFIG_MAX_VCPUS, a hart or affinity the port lacks, RAM over DRAM: errors at their fields", () => {
  const r = imageFit(
    image(
      "  - { name: a, guest: hello, vcpus: 20 }\n" +
        "  - { name: b, guest: hello, hart: 5 }\n" +
        "  - { name: c, guest: hello, affinity: [0, 3] }\n" +
        "  - { name: d, guest: hello, ram: 250M }\n",
    ),
    facts(),
  );
  assert.deepEqual(where(r.errors), [
    "capsules[0].vcpus | capsules[0].vcpus: 20 vCPUs, the hypervisor configuration allows at most 8 (CONFIG_MAX_VCPUS)",
    "capsules[1].hart | capsules[1].hart: hart 5, but qemu-virt runs capsules on harts 0-1",
    "capsules[2].affinity[1] | capsules[2].affinity[1]: hart 3, but qemu-virt runs capsules on harts 0-1",
    "capsules[3].ram | capsules[3].ram: the capsules' RAM reaches 298M here, more than qemu-virt's 256M of DRAM",
  ]);
});

test("MAX_HARTS below the port's harts and MAX_CAPSULES are the configuration's limits", () => {
  const one: Record<string, string> = { ...CONFIG, MAX_HARTS: "1", MAX_CAPSULES: "1" };
  const r = imageFit(
    image("  - { name: a, guest: hello, hart: 1 }\n  - { name: b, guest: hello }\n"),
    facts({ value: (s) => one[s] }),
  );
  assert.deepEqual(where(r.errors), [
    "capsules | capsules: 2 capsules, the hypervisor configuration allows at most 1 (CONFIG_MAX_CAPSULES)",
    "capsules[0].hart | capsules[0].hart: hart 1, but qemu-virt runs capsules on hart 0",
  ]);
});

test("a configuration without HSM refuses several vCPUs; without console or shutdown extensions it warns", () => {
  const r = imageFit(
    image("  - { name: a, guest: hello, vcpus: 2 }\n"),
    facts({ sbiExts: ["base", "time"] }),
  );
  assert.deepEqual(where(r.errors), [
    "capsules[0].vcpus | capsules[0].vcpus: 2 vCPUs need SBI HSM, which the hypervisor configuration leaves out (CONFIG_SBI_HSM)",
  ]);
  assert.equal(r.warnings.length, 2);
  assert.match(
    r.warnings[0]!.message,
    /neither SBI DBCN nor the legacy console .*: its capsules cannot print$/,
  );
  assert.match(
    r.warnings[1]!.message,
    /neither SBI SRST nor the legacy shutdown .*QEMU never exits by itself$/,
  );
});
