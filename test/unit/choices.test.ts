// Help that lists the choices (src/cli/choices.ts, usage.ts): rendering, and the usage text names every -D key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFINE_KEYS, parseArgs } from "../../src/cli/args.ts";
import { gatherChoices, renderChoices } from "../../src/cli/choices.ts";
import { usage } from "../../src/cli/usage.ts";
import { ROOT } from "../e2e/helpers.ts";

test("build and run help name every -D key the parser accepts", () => {
  for (const cmd of ["build", "run"] as const)
    for (const k of DEFINE_KEYS) assert.match(usage(cmd), new RegExp(`^  -D${k}=<`, "m"), `${cmd}: -D${k}`);
});

test("renderChoices: the default port marked, names aligned, modes and configurations listed", () => {
  const text = renderChoices({
    ports: [
      { name: "a", description: "port A" },
      { name: "bbb", description: "port B" },
    ],
    defaultPort: "bbb",
    images: [{ name: "hello", description: "hi" }],
    optimize: ["Debug", "ReleaseFast"],
    configs: ["default", "tiny"],
  });
  assert.deepEqual(text.split("\n"), [
    "Ports (-Dsystem=; * is the default, ports/default.yaml):",
    "    a    port A",
    "  * bbb  port B",
    "",
    "Images (-Dimage=; the default is the port's default_image):",
    "  hello  hi",
    "",
    "Optimize modes (-Doptimize=): Debug, ReleaseFast",
    "Configurations (-Dconfig=): default, tiny",
  ]);
});

test("gatherChoices reads the checkout's registries", async () => {
  const c = await gatherChoices(ROOT);
  assert.equal(c.defaultPort, "qemu-virt");
  assert.ok(c.images.some((i) => i.name === "rootvm" && i.description.startsWith("Linux root VM")));
  assert.ok(c.configs.includes("tiny"));
  assert.equal(parseArgs(["--version"], {}).version, true);
});
