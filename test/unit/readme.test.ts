// The README says what the checkout has (issue 12): its image table lists exactly images/*.yaml, and its
// `unknown image` example is the line keel prints for it now.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadImage } from "../../src/manifest/image.ts";
import { listImages } from "../../src/yamlfile/files.ts";
import { ROOT } from "../e2e/helpers.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

test("the README's image table lists exactly images/*.yaml", async () => {
  const from = README.indexOf("## Images and guests");
  const section = README.slice(from, README.indexOf("\n### ", from));
  const rows = [...section.matchAll(/^\| `([a-z0-9-]+)`( \(default\))? \|/gm)].map((m) => m[1]!);
  assert.deepEqual([...rows].sort(), await listImages(ROOT));
});

test("the README's `unknown image` example is what keel says", async () => {
  const shown = /^keel: (unknown image "nosuch" .*)$/m.exec(README)?.[1];
  assert.ok(shown, "no unknown image example in the README");
  await assert.rejects(loadImage(ROOT, "nosuch"), (e: Error) => e.message === shown);
});
