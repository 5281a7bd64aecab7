// Process-level edge for the CLI: where the Keel checkout is.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../util/errors.ts";

/** The Keel checkout: $KEEL_ROOT (set by ./keel), else the nearest parent with Keel's package.json. */
export function repoRoot(): string {
  const env = process.env["KEEL_ROOT"];
  if (env) return resolve(env);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "keel")
      return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new UserError("cannot find the Keel checkout: run ./keel from it, or set KEEL_ROOT");
    dir = up;
  }
}
