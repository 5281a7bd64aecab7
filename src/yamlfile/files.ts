// Finding YAML description files in the repo: names of `<dir>/*.yaml` (images among them) and paths as the user
// should see them.

import { readdir } from "node:fs/promises";
import path from "node:path";

/** Base names of the `*.yaml` files in `dir`, sorted; an absent folder has none. */
export async function yamlNames(dir: string, exclude: readonly string[] = []): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return entries
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .filter((n) => !exclude.includes(n))
    .sort();
}

/** Names of the images in `<root>/images/`, sorted (listed here, below both port and image files: a port's
 * `default_image` must name one, and manifest/image.ts loads them). */
export function listImages(root: string): Promise<string[]> {
  return yamlNames(path.join(root, "images"));
}

/** `file` relative to the working directory when it lies below it (clickable in a terminal), else as is. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** `a, b, c`, or `none` for an empty list: the tail of "unknown X" messages. */
export function nameList(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}
