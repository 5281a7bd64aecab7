// Shared helpers for end-to-end tests: a throwaway copy of the checkout (so tests may edit sources),
// and a quiet status stream.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StatusStream } from "../../src/graph/index.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Copies what a build reads (not out/, node_modules/, .git) into a fresh temp dir. */
export function copyCheckout(prefix = "keel-e2e-"): { root: string; dispose: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const part of ["package.json", "hypervisor", "configs", "guests", "ports", "images"]) {
    cpSync(join(ROOT, part), join(root, part), { recursive: true });
  }
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** Collects status output instead of printing it. */
export class CollectStream implements StatusStream {
  text = "";
  isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}
