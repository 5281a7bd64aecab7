// keel clean keeps the recipe cache; keel clean --cache empties it (the real CLI, KEEL_CACHE_DIR pointed at a
// throwaway folder holding one entry).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ContentCache, cacheKey } from "../../src/store/store.ts";
import { account, bundleCli, keel, lines } from "./cli-helpers.ts";
import { ROOT } from "./helpers.ts";

const scratch = mkdtempSync(join(tmpdir(), "keel-cache-clean-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
before(bundleCli);

test("keel clean removes the out dir and keeps the cache; --cache empties it too", async () => {
  const cacheDir = join(scratch, "cache");
  const out = join(scratch, "out");
  const cache = new ContentCache(cacheDir);
  const key = cacheKey({ test: "clean" });
  await cache.put(key, "an entry", async (dir) => writeFileSync(join(dir, "Image"), "kernel"));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "x"), "built");
  const env = { KEEL_CACHE_DIR: cacheDir };

  const clean = await keel(["clean", "--out", out], { root: ROOT, cwd: scratch, env });
  assert.equal(clean.code, 0, account(clean));
  assert.deepEqual(lines(clean.stdout), [`removed ${out}`]);
  assert.equal(existsSync(out), false);
  assert.ok("dir" in (await cache.lookup(key)), "the cache entry survives keel clean");

  mkdirSync(out, { recursive: true });
  const all = await keel(["clean", "--cache", "--out", out], { root: ROOT, cwd: scratch, env });
  assert.equal(all.code, 0, account(all));
  assert.deepEqual(lines(all.stdout), [`removed ${out}`, `removed ${cacheDir}`]);
  assert.equal(existsSync(cacheDir), false);
  assert.equal(existsSync(out), false);
});
