// Bundles the TypeScript CLI into dist/keel.mjs with esbuild (bare `node` starts ~6x faster than tsx).
//   node scripts/bundle.mjs [--out FILE]   (default dist/keel.mjs; the chunks go to chunks/ beside it)
// The bundle is split: keel.mjs holds the entry point, and each command's modules (imported by main.ts when
// the command runs) are chunks in chunks/, content-hashed. `keel kconfig` then never reads or compiles the
// ~1 MB of schemas and YAML parser that the build commands need (~70 ms of a warm run).
// Atomic: the chunks are renamed into place first (a name is its content), then the entry point. Chunks
// that the new bundle does not use are removed once they are an hour old (a process started from an older
// entry point may still import them).
import { build } from "esbuild";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outIdx = process.argv.indexOf("--out");
const out = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, "dist", "keel.mjs");
const dir = dirname(out);
const tmp = join(dir, `.bundle-${process.pid}.tmp`);
const chunks = join(dir, "chunks");
mkdirSync(chunks, { recursive: true });
try {
  const result = await build({
    entryPoints: { keel: join(root, "src", "cli", "main.ts") },
    outdir: tmp,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: false, // an inline map triples the file and costs ~40 ms per start; the bundle is not minified
    metafile: true,
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __keelCreateRequire } from 'node:module'; const require = __keelCreateRequire(import.meta.url);",
    },
  });
  const used = new Set();
  for (const f of readdirSync(join(tmp, "chunks"))) {
    renameSync(join(tmp, "chunks", f), join(chunks, f));
    used.add(f);
  }
  renameSync(join(tmp, "keel.mjs"), out);
  if (Object.keys(result.metafile.outputs).length !== used.size + 1) throw new Error("unexpected outputs");
  const now = Date.now();
  for (const f of readdirSync(chunks)) {
    if (used.has(f)) continue;
    const p = join(chunks, f);
    try {
      if (now - statSync(p).mtimeMs > 3600_000) rmSync(p, { force: true });
    } catch {
      // Removed by a concurrent bundle.
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
