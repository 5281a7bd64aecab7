// The in-memory Fs, the hasher's stat cache (and its racy-file rule), and the build database file.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BuildDb } from "../../src/graph/index.ts";
import { FileHasher, MemoryFs, dbPath, emptyDb, loadDb, saveDb, sha256 } from "../../src/graph/index.ts";

describe("MemoryFs", () => {
  it("behaves like a disk: parents must exist, rename keeps the inode, rm is -rf", async () => {
    const fs = new MemoryFs();
    await assert.rejects(fs.writeFile("/d/x", "1"), { code: "ENOENT" });
    await fs.mkdir("/d/e");
    await fs.writeFile("/d/e/x.tmp", "1");
    const st = await fs.stat("/d/e/x.tmp");
    await fs.rename("/d/e/x.tmp", "/d/e/x");
    assert.deepEqual(await fs.stat("/d/e/x"), st);
    assert.equal(await fs.stat("/d/e/x.tmp"), undefined);
    assert.deepEqual(await fs.readdir("/d"), ["e"]);
    await assert.rejects(fs.readFile("/nope"), { code: "ENOENT" });
    await fs.rm("/d");
    assert.deepEqual(fs.list(), []);
    await fs.rm("/d"); // again: no error
  });

  it("stamps mtimes from the fake clock", async () => {
    const fs = new MemoryFs(5000);
    fs.put("/a", "x"); // put ticks after writing
    assert.equal((await fs.stat("/a"))?.mtimeMs, 5000);
    assert.equal(fs.now(), 6000);
  });
});

describe("FileHasher", () => {
  it("hashes content and reads a file again only when its stat changes", async () => {
    const fs = new MemoryFs();
    fs.put("/a", "hello");
    fs.tick(10_000);
    const h = new FileHasher(fs);
    assert.equal(await h.hash("/a"), sha256("hello"));
    assert.equal(await h.hash("/a"), sha256("hello"));
    assert.deepEqual(fs.reads, ["/a"]);
    fs.put("/a", "HELLO");
    assert.equal(await h.hash("/a"), sha256("HELLO"));
    assert.equal(fs.reads.length, 2);
    assert.equal(await h.hash("/missing"), undefined);
  });

  it("persists only entries for files that were old enough when hashed", async () => {
    const fs = new MemoryFs();
    fs.put("/old", "o");
    fs.tick(5000);
    fs.put("/young", "y");
    const h = new FileHasher(fs, {}, 2000);
    await h.hash("/old");
    await h.hash("/young");
    assert.deepEqual(Object.keys(h.persistent(["/old", "/young", "/other"])), ["/old"]);

    // Next build: the persisted entry is trusted without reading; the young file is read again.
    const next = new FileHasher(fs, h.persistent(["/old", "/young"]), 2000);
    fs.reads.length = 0;
    await next.hash("/old");
    await next.hash("/young");
    assert.deepEqual(fs.reads, ["/young"]);
  });

  it("a same-size rewrite within one clock tick is not missed across builds", async () => {
    const fs = new MemoryFs();
    fs.put("/f", "aaaa");
    fs.clock -= 1000; // hash in the same tick the file was written
    const h = new FileHasher(fs);
    assert.equal(await h.hash("/f"), sha256("aaaa"));
    const persisted = h.persistent(["/f"]);
    await fs.writeFile("/f", "bbbb"); // same size, same mtime, same inode
    assert.equal(await new FileHasher(fs, persisted).hash("/f"), sha256("bbbb"));
  });

  it("moves an entry with a rename", async () => {
    const fs = new MemoryFs();
    fs.put("/x.tmp", "data");
    fs.tick(10_000);
    const h = new FileHasher(fs);
    await h.hash("/x.tmp");
    await fs.rename("/x.tmp", "/x");
    h.renamed("/x.tmp", "/x");
    fs.reads.length = 0;
    assert.equal(await h.hash("/x"), sha256("data"));
    assert.deepEqual(fs.reads, []);
  });
});

describe("build database", () => {
  it("round-trips, and is written through a .tmp file", async () => {
    const fs = new MemoryFs();
    const file = dbPath("/out");
    assert.equal(file, "/out/.keel/build.db.json");
    assert.deepEqual(await loadDb(fs, file), { db: emptyDb(), replayed: 0 });
    const db: BuildDb = {
      version: 1,
      steps: {
        s: {
          key: "k",
          command: ["cc"],
          cwd: "/out",
          env: {},
          identity: ["gcc"],
          outputs: ["/out/a.o"],
          manifest: { "/a.c": "h" },
          discovered: [],
          outputHashes: { "/out/a.o": "o" },
        },
      },
      files: { "/a.c": { mtimeMs: 1, size: 2, ino: 3, hash: "h" } },
    };
    await saveDb(fs, file, db);
    assert.deepEqual(fs.list(), [file]);
    assert.deepEqual((await loadDb(fs, file)).db, db);
  });

  it("treats a corrupt or foreign file as empty, with a warning", async () => {
    const fs = new MemoryFs();
    const file = dbPath("/out");
    fs.put(file, "{");
    assert.match((await loadDb(fs, file)).warning ?? "", /corrupt/);
    fs.put(file, JSON.stringify({ version: 99, steps: {}, files: {} }));
    assert.match((await loadDb(fs, file)).warning ?? "", /unknown format/);
    fs.put(file, JSON.stringify({ version: 1, steps: { s: { key: 1 } }, files: {} }));
    const r = await loadDb(fs, file);
    assert.deepEqual(r.db.steps, {});
  });
});
