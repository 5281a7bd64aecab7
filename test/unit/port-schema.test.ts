// The committed JSON Schemas (ports/schema, images/schema) must match the zod schemas they come from.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { REGENERATE, renderSchemas } from "../../scripts/gen-schema.ts";

test("committed JSON Schemas are in sync with src/port/schema.ts and src/manifest/schema.ts", async () => {
  for (const [file, expected] of await renderSchemas(process.cwd())) {
    const committed = await readFile(file, "utf8").catch(() => "(missing)");
    assert.ok(
      committed === expected,
      `${file} is out of date with its zod schema; regenerate it: ${REGENERATE}`,
    );
  }
});

test("port and image files point editors at their schema", async () => {
  const files = ["ports/qemu-virt.yaml", "ports/TEMPLATE.yaml.example"];
  for (const file of files) {
    const first = (await readFile(file, "utf8")).split("\n")[0];
    assert.equal(first, "# yaml-language-server: $schema=./schema/port.schema.json", file);
  }
  for (const image of ["demo", "hello", "isolation", "timer", "pair", "reboot", "fail"]) {
    const first = (await readFile(`images/${image}.yaml`, "utf8")).split("\n")[0];
    assert.equal(first, "# yaml-language-server: $schema=./schema/image.schema.json", image);
  }
});

test("the port schema documents every field for editors", async () => {
  const schema = JSON.parse(await readFile("ports/schema/port.schema.json", "utf8")) as unknown;
  const undocumented: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== "object" || node === null) return;
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    for (const [key, child] of Object.entries(properties ?? {})) {
      const description = (child as { description?: unknown }).description;
      if (typeof description !== "string" || description === "") undocumented.push(`${where}${key}`);
      walk(child, `${where}${key}.`);
    }
    const additional = (node as { additionalProperties?: unknown }).additionalProperties;
    if (typeof additional === "object") walk(additional, where);
  };
  walk(schema, "");
  assert.deepEqual(undocumented, []);
});
