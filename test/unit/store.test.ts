// The recipe cache: keys, atomic entries, verification on reuse, the cache folder's location.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { cacheDir, cacheKey, canonicalJson, ContentCache, ENTRY_RECORD } from "../../src/store/store.ts";

const dirs: string[] = [];
function fresh(): ContentCache {
  const d = mkdtempSync(join(tmpdir(), "keel-cache-test-"));
  dirs.push(d);
  return new ContentCache(d);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("cacheDir: KEEL_CACHE_DIR, else XDG_CACHE_HOME/keel, else ~/.cache/keel", () => {
  assert.equal(cacheDir({ KEEL_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" }), "/c");
  assert.equal(cacheDir({ XDG_CACHE_HOME: "/x" }), "/x/keel");
  assert.match(cacheDir({}), /\/\.cache\/keel$/);
});

test("keys: canonical (key order does not matter), and every change to the material changes the key", () => {
  const base = {
    recipe: "linux recipe v1",
    package: "linux-source-6.1 6.1.1",
    fragment: "CONFIG_X=y\n",
    tc: "gcc 12",
  };
  assert.equal(
    cacheKey(base),
    cacheKey({
      tc: "gcc 12",
      fragment: "CONFIG_X=y\n",
      package: "linux-source-6.1 6.1.1",
      recipe: "linux recipe v1",
    }),
  );
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3n } }), '{"a":{"c":"3","d":2},"b":1}');
  const keys = new Set([
    cacheKey(base),
    cacheKey({ ...base, recipe: "linux recipe v2" }),
    cacheKey({ ...base, package: "linux-source-6.1 6.1.2" }),
    cacheKey({ ...base, fragment: "CONFIG_X=n\n" }),
    cacheKey({ ...base, tc: "gcc 13" }),
  ]);
  assert.equal(keys.size, 5);
  assert.match(cacheKey(base), /^[0-9a-f]{64}$/);
});

test("put writes an entry with a record; lookup finds and verifies it", async () => {
  const cache = fresh();
  const key = cacheKey({ n: 1 });
  assert.deepEqual(await cache.lookup(key), { reason: undefined });
  const made = await cache.put(
    key,
    "test entry",
    async (dir) => {
      await writeFile(join(dir, "Image"), "kernel bytes");
      await mkdir(join(dir, "sub"));
      await writeFile(join(dir, "sub", "config"), "CONFIG_X=y\n");
    },
    { n: 1 },
  );
  assert.equal(made.dir, cache.entryDir(key));
  const found = await cache.lookup(key);
  assert.ok("dir" in found);
  assert.deepEqual(Object.keys(found.files), ["Image", "sub/config"]);
  assert.equal(readFileSync(join(found.dir, "Image"), "utf8"), "kernel bytes");
  const record = JSON.parse(readFileSync(join(found.dir, ENTRY_RECORD), "utf8"));
  assert.equal(record.key, key);
  assert.deepEqual(record.material, { n: 1 });
  assert.deepEqual(readdirSync(join(cache.root, "tmp")), [], "no temporary folder left");
});

test("a fill that fails leaves no entry and no temporary folder (atomic)", async () => {
  const cache = fresh();
  const key = cacheKey({ n: 2 });
  await assert.rejects(
    cache.put(key, "failing", async (dir) => {
      await writeFile(join(dir, "half"), "half written");
      throw new Error("make failed");
    }),
    /make failed/,
  );
  assert.equal(existsSync(cache.entryDir(key)), false);
  assert.deepEqual(readdirSync(join(cache.root, "tmp")), []);
  assert.deepEqual(await cache.lookup(key), { reason: undefined });
});

test("the entry appears only complete: during fill nothing is under the key", async () => {
  const cache = fresh();
  const key = cacheKey({ n: 3 });
  await cache.put(key, "x", async (dir) => {
    await writeFile(join(dir, "a"), "1");
    assert.equal(existsSync(cache.entryDir(key)), false);
    assert.ok(dir.startsWith(join(cache.root, "tmp")));
  });
  assert.ok(existsSync(join(cache.entryDir(key), ENTRY_RECORD)));
});

test("a damaged entry (modified, missing or extra file, bad record) is removed and reported", async () => {
  const cache = fresh();
  const cases: [string, (dir: string) => void, RegExp][] = [
    ["modified", (d) => writeFileSync(join(d, "Image"), "tampered!!!!"), /has a modified Image; removed/],
    ["same size", (d) => writeFileSync(join(d, "Image"), "KERNEL BYTES"), /has a modified Image; removed/],
    ["missing", (d) => rmSync(join(d, "Image")), /is missing Image; removed/],
    ["extra", (d) => writeFileSync(join(d, "stray"), "x"), /has a file its record does not list \(stray\)/],
    ["record", (d) => writeFileSync(join(d, ENTRY_RECORD), "{not json"), /unreadable record; removed/],
  ];
  for (const [what, damage, reason] of cases) {
    const key = cacheKey({ what });
    await cache.put(key, what, async (dir) => writeFile(join(dir, "Image"), "kernel bytes"));
    damage(cache.entryDir(key));
    const res = await cache.lookup(key);
    assert.ok(!("dir" in res) && reason.test(res.reason ?? ""), `${what}: ${JSON.stringify(res)}`);
    assert.equal(existsSync(cache.entryDir(key)), false, what);
  }
});

test("getOrCreate builds once, then hits; a racing put keeps the first complete entry", async () => {
  const cache = fresh();
  const key = cacheKey({ n: 4 });
  let builds = 0;
  const fill = async (dir: string): Promise<void> => {
    builds++;
    await writeFile(join(dir, "out"), "result");
  };
  const a = await cache.getOrCreate(key, "x", fill);
  const b = await cache.getOrCreate(key, "x", fill);
  assert.deepEqual([a.hit, b.hit, builds], [false, true, 1]);
  // Two builders of one key: the second rename finds the first entry and keeps it.
  const again = await cache.put(key, "x", fill);
  assert.equal(again.dir, cache.entryDir(key));
  assert.equal(readFileSync(join(again.dir, "out"), "utf8"), "result");
});

test("removeWhere: removes exactly the entries whose material matches; an empty cache is fine", async () => {
  const c = fresh();
  assert.equal(await c.removeWhere(() => true), 0);
  const make = (material: { fragment: string }) =>
    c.put(cacheKey(material), "k", (dir) => writeFile(join(dir, "Image"), material.fragment), material);
  const a = await make({ fragment: "A" });
  const b = await make({ fragment: "B" });
  const removed = await c.removeWhere((m) => (m as { fragment?: string } | undefined)?.fragment === "A");
  assert.equal(removed, 1);
  assert.equal(existsSync(a.dir), false);
  assert.ok("dir" in (await c.lookup(b.key)), "the other entry stays, still sound");
});

test("collectScratch: removes old scratch of dead builds only (not live ones, not recent ones, not other names)", async () => {
  const c = fresh();
  const hour = 3_600_000;
  const dirs = {
    deadTmp: join(c.root, "tmp", "0123456789ab-111-deadbeef"),
    deadBuild: join(c.root, "build", "0123456789ab-111"),
    live: join(c.root, "build", "0123456789ab-222"),
    recent: join(c.root, "tmp", "0123456789ab-333-cafef00d"),
    other: join(c.root, "tmp", "keep-me"),
  };
  for (const d of Object.values(dirs)) await mkdir(join(d, "sub"), { recursive: true });
  const old = (Date.now() - 2 * hour) / 1000;
  for (const d of [dirs.deadTmp, dirs.deadBuild, dirs.live, dirs.other]) utimesSync(d, old, old);
  const removed = await c.collectScratch((pid) => pid === 222);
  assert.deepEqual(removed.sort(), [dirs.deadBuild, dirs.deadTmp].sort());
  for (const d of [dirs.live, dirs.recent, dirs.other]) assert.ok(existsSync(d), d);
  assert.deepEqual(await fresh().collectScratch(() => false), [], "an empty cache is fine");
});
