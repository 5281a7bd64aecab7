// The content-addressed recipe cache: results of long external builds (a Linux Image, BusyBox) kept outside the
// out dir, so `keel clean` does not cost a kernel rebuild. Layout and rules: docs/design/recipes.md.
//
//   <cache>/entries/<k0k1>/<key>/            one entry: the files a recipe produced
//   <cache>/entries/<k0k1>/<key>/.keel-entry.json   { version, key, what, files: { rel: { sha256, size } } }
//   <cache>/tmp/<key:12>-<pid>-<random>/     an entry being written; renamed into entries/ when complete
//   <cache>/build/<key:12>-<pid>/            a recipe's scratch; both collected when their build died
//
// An entry is found by its key (a hash of everything that affects it), written atomically (temp dir + rename,
// so a half-written entry is never seen under its key) and verified by hash every time it is reused: an
// entry whose files do not match its record is removed and rebuilt.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, relative } from "node:path";

/** `$KEEL_CACHE_DIR`, else `$XDG_CACHE_HOME/keel`, else `~/.cache/keel`. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const own = env["KEEL_CACHE_DIR"];
  if (own) return own;
  return join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "keel");
}

export const ENTRY_RECORD = ".keel-entry.json";
const ENTRY_VERSION = 1;

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** The cache key of some key material: sha256 of its canonical JSON. */
export function cacheKey(material: unknown): string {
  return createHash("sha256").update(canonicalJson(material)).digest("hex");
}

/** sha256 of a file, streamed (cache entries and source tarballs can be large). */
export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

export interface EntryFile {
  sha256: string;
  size: number;
}

/** A verified cache entry. */
export interface CacheEntry {
  key: string;
  /** The entry's folder; its files are `join(dir, rel)`. */
  dir: string;
  /** What produced it, for people (`linux 6.1 Image`). */
  what: string;
  files: Readonly<Record<string, EntryFile>>;
}

interface EntryRecord {
  version: number;
  key: string;
  what: string;
  /** The key material, kept so a person can see what an entry was built from. */
  material?: unknown;
  files: Record<string, EntryFile>;
}

/** Why a lookup found nothing usable; `undefined` reason = there was no entry. */
export interface Miss {
  reason: string | undefined;
}

export class ContentCache {
  constructor(readonly root: string) {}

  entryDir(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    return join(this.root, "entries", key.slice(0, 2), key);
  }

  /**
   * The entry for `key` after checking every file against its record, or a Miss. A damaged entry (a file
   * missing, changed, or an unreadable record) is removed, and the Miss says what was wrong.
   */
  async lookup(key: string): Promise<CacheEntry | Miss> {
    const dir = this.entryDir(key);
    let record: EntryRecord;
    try {
      record = JSON.parse(await readFile(join(dir, ENTRY_RECORD), "utf8")) as EntryRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        // A folder without a record is not an entry (never created by put); clear it away.
        await rm(dir, { recursive: true, force: true });
        return { reason: undefined };
      }
      await rm(dir, { recursive: true, force: true });
      return { reason: `cache entry ${key.slice(0, 12)} had an unreadable record; removed` };
    }
    const problem = await verifyEntry(dir, key, record);
    if (problem !== undefined) {
      await rm(dir, { recursive: true, force: true });
      return { reason: `cache entry ${key.slice(0, 12)} ${problem}; removed` };
    }
    return { key, dir, what: record.what, files: record.files };
  }

  /**
   * Creates the entry for `key`: `fill` writes the files into a fresh temporary folder, which gets its record
   * and is then renamed into place. If another build completed the same entry meanwhile, that one is kept.
   * A `fill` that throws leaves nothing behind.
   */
  async put(
    key: string,
    what: string,
    fill: (dir: string) => Promise<void>,
    material?: unknown,
  ): Promise<CacheEntry> {
    const final = this.entryDir(key);
    const tmpRoot = join(this.root, "tmp");
    await mkdir(tmpRoot, { recursive: true });
    const work = join(tmpRoot, `${key.slice(0, 12)}-${process.pid}-${randomBytes(4).toString("hex")}`);
    await mkdir(work);
    try {
      await fill(work);
      const files: Record<string, EntryFile> = {};
      for (const rel of await listFiles(work)) {
        const abs = join(work, rel);
        files[rel] = { sha256: await hashFile(abs), size: (await stat(abs)).size };
      }
      const record: EntryRecord = { version: ENTRY_VERSION, key, what, files };
      if (material !== undefined) record.material = material;
      await writeFile(join(work, ENTRY_RECORD), `${JSON.stringify(record, null, 2)}\n`);
      await mkdir(join(final, ".."), { recursive: true });
      try {
        await rename(work, final);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
        // Someone else finished this entry first: use theirs if it is sound, else replace it.
        const theirs = await this.lookup(key);
        if ("dir" in theirs) return theirs;
        await rename(work, final);
      }
      return { key, dir: final, what, files };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Removes the scratch folders (`tmp/<key>-<pid>-<random>`, `build/<key>-<pid>`) of builds that died
   * without cleaning up (SIGKILL, power loss): those whose pid no longer runs and that were not modified
   * for `minAgeMs` (default 1 hour; a build in another pid namespace sharing the cache looks dead from
   * here, so a recently touched folder is left alone). Returns the paths removed.
   */
  async collectScratch(
    running: (pid: number) => boolean,
    opts: { now?: number; minAgeMs?: number } = {},
  ): Promise<string[]> {
    const now = opts.now ?? Date.now();
    const minAgeMs = opts.minAgeMs ?? 3_600_000;
    const removed: string[] = [];
    for (const area of ["tmp", "build"]) {
      for (const name of await readdir(join(this.root, area)).catch(() => [] as string[])) {
        const m = /^[0-9a-f]{12}-(\d+)(-[0-9a-f]{8})?$/.exec(name);
        if (!m) continue;
        const dir = join(this.root, area, name);
        const st = await stat(dir).catch(() => undefined);
        if (st === undefined || now - st.mtimeMs < minAgeMs || running(Number(m[1]))) continue;
        await rm(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    }
    return removed;
  }

  /**
   * Removes every entry whose recorded key material `match` accepts (e.g. to make the next build of one
   * input run again); entries with an unreadable record are left alone. Returns how many were removed.
   */
  async removeWhere(match: (material: unknown) => boolean): Promise<number> {
    const entries = join(this.root, "entries");
    let removed = 0;
    for (const shard of await readdir(entries).catch(() => [])) {
      for (const key of await readdir(join(entries, shard))) {
        const dir = join(entries, shard, key);
        let record: EntryRecord;
        try {
          record = JSON.parse(await readFile(join(dir, ENTRY_RECORD), "utf8")) as EntryRecord;
        } catch {
          continue;
        }
        if (!match(record.material)) continue;
        await rm(dir, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /** The entry for `key`, made by `fill` when missing or damaged; `hit` says whether it was reused. */
  async getOrCreate(
    key: string,
    what: string,
    fill: (dir: string) => Promise<void>,
    material?: unknown,
  ): Promise<{ entry: CacheEntry; hit: boolean; miss?: string | undefined }> {
    const found = await this.lookup(key);
    if ("dir" in found) return { entry: found, hit: true };
    return { entry: await this.put(key, what, fill, material), hit: false, miss: found.reason };
  }
}

async function verifyEntry(dir: string, key: string, record: EntryRecord): Promise<string | undefined> {
  if (record.version !== ENTRY_VERSION || record.key !== key || typeof record.files !== "object") {
    return "has a record of another format";
  }
  const present = await listFiles(dir);
  const expected = Object.keys(record.files).sort();
  const extra = present.filter((f) => !(f in record.files));
  if (extra.length > 0) return `has a file its record does not list (${extra[0]})`;
  for (const rel of expected) {
    const want = record.files[rel]!;
    const abs = join(dir, rel);
    let size: number;
    try {
      size = (await stat(abs)).size;
    } catch {
      return `is missing ${rel}`;
    }
    if (size !== want.size || (await hashFile(abs)) !== want.sha256) return `has a modified ${rel}`;
  }
  return undefined;
}

/** Regular files under `dir` (recursively), relative and sorted, without the entry record. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(relative(dir, abs));
      else throw new Error(`cache entries hold regular files only: ${abs}`);
    }
  };
  await walk(dir);
  return out.filter((f) => f !== ENTRY_RECORD).sort();
}
