// Golden-file comparison shared by the golden tests. After an intended change, rerun the test with
// KEEL_UPDATE_GOLDEN=1 to rewrite the file, then review the diff like any other change.
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export async function matchesGolden(file: string, actual: string): Promise<void> {
  if (process.env["KEEL_UPDATE_GOLDEN"] === "1") {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, actual);
  }
  const expected = await readFile(file, "utf8");
  assert.equal(actual, expected, `${file} differs; if the change is intended, rerun with KEEL_UPDATE_GOLDEN=1`);
}
