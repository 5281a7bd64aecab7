// Writes the JSON Schemas editors use for port and image files, generated from the zod schemas:
//   ports/schema/port.schema.json   <- src/port/schema.ts
//   images/schema/image.schema.json <- src/manifest/schema.ts
// Run: node --import tsx scripts/gen-schema.ts   (test/unit/port-schema.test.ts fails when they are stale)

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { z } from "zod";
import { ImageSchema } from "../src/manifest/schema.ts";
import { PortSchema } from "../src/port/schema.ts";

/** The command that regenerates the schema files, for messages. */
export const REGENERATE = "node --import tsx scripts/gen-schema.ts";

const SCHEMAS: readonly { file: string; schema: z.ZodType }[] = [
  { file: "ports/schema/port.schema.json", schema: PortSchema },
  { file: "images/schema/image.schema.json", schema: ImageSchema },
];

/** Repo-relative path -> the JSON text it should contain. */
export async function renderSchemas(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { file, schema } of SCHEMAS) {
    // Input side: what the author may write (`256M`, `"0x..."`), not the bigints it becomes.
    // Draft 7: the newest draft every YAML language server understands.
    const json = z.toJSONSchema(schema, { target: "draft-7", io: "input" });
    const options = (await prettier.resolveConfig(path.join(root, file))) ?? {};
    out.set(file, await prettier.format(JSON.stringify(json), { ...options, parser: "json" }));
  }
  return out;
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  for (const [file, text] of await renderSchemas(root)) {
    const target = path.join(root, file);
    const old = await readFile(target, "utf8").catch(() => undefined);
    // Written only when the content changes, so file times mean something.
    if (old === text) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
