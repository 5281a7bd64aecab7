// Small file helpers every writer of generated files shares: read-if-there, and write-only-if-changed
// (atomically, so a reader never sees half a file and an unchanged file keeps its mtime).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The file's text, or undefined when it cannot be read (absent, say). */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to `path` through a temp file + rename, only when the content differs; true when written.
 * Creates the folder when needed. With `backup`, the replaced content is kept as `<path>.old` (as conf does).
 */
export function writeIfChanged(path: string, text: string, opts: { backup?: boolean } = {}): boolean {
  const old = readIfExists(path);
  if (old === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  if (opts.backup && old !== undefined) {
    writeFileSync(tmp, old);
    renameSync(tmp, `${path}.old`);
  }
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return true;
}
