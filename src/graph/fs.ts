// The file system as the build engine sees it: an interface, the real node implementation, and an in-memory fake.
// Everything in src/graph touches files only through `Fs`, so tests run on `MemoryFs` with a fake clock.
import { promises as nodeFs } from "node:fs";
import * as path from "node:path";

/** What the engine needs from `stat`: enough to tell whether a file's cached content hash still holds. */
export interface FileStat {
  mtimeMs: number;
  size: number;
  ino: number;
}

export interface Fs {
  /** Throws (code ENOENT) when the file does not exist. */
  readFile(file: string): Promise<Uint8Array>;
  readText(file: string): Promise<string>;
  /** Replaces the file; the parent directory must exist. */
  writeFile(file: string, data: string | Uint8Array): Promise<void>;
  /** Appends to the file (creating it); the parent directory must exist. */
  appendFile(file: string, data: string): Promise<void>;
  /** Atomic replace of `to` (same file system). */
  rename(from: string, to: string): Promise<void>;
  /** `undefined` when nothing is there. */
  stat(file: string): Promise<FileStat | undefined>;
  /** Like `mkdir -p`. */
  mkdir(dir: string): Promise<void>;
  /** Like `rm -rf`: no error when missing. */
  rm(target: string): Promise<void>;
  /** Entry names, sorted. Throws when the directory does not exist. */
  readdir(dir: string): Promise<string[]>;
  /** The clock file mtimes are compared against, in ms since the epoch. */
  now(): number;
}

/** An Error that looks like node's (code + path), so callers can test `code` on either implementation. */
export class FsError extends Error {
  constructor(
    readonly code: "ENOENT" | "EISDIR" | "ENOTDIR" | "EEXIST",
    syscall: string,
    readonly path: string,
  ) {
    super(`${code}: ${syscall} '${path}'`);
    this.name = "FsError";
  }
}

/** True for "no such file" errors from either implementation. */
export function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: unknown }).code === "ENOENT";
}

/** A failed write(2) (ENOSPC) carries no path; the error message must name the file. */
async function namingPath(file: string, op: Promise<void>): Promise<void> {
  try {
    await op;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.path === undefined) e.path = file;
    throw e;
  }
}

/** The real file system. */
export class NodeFs implements Fs {
  async readFile(file: string): Promise<Uint8Array> {
    return nodeFs.readFile(file);
  }

  async readText(file: string): Promise<string> {
    return nodeFs.readFile(file, "utf8");
  }

  async writeFile(file: string, data: string | Uint8Array): Promise<void> {
    await namingPath(file, nodeFs.writeFile(file, data));
  }

  async appendFile(file: string, data: string): Promise<void> {
    await namingPath(file, nodeFs.appendFile(file, data));
  }

  async rename(from: string, to: string): Promise<void> {
    await nodeFs.rename(from, to);
  }

  async stat(file: string): Promise<FileStat | undefined> {
    try {
      const st = await nodeFs.stat(file);
      return { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
    } catch (err) {
      if (isNotFound(err) || (err as { code?: unknown }).code === "ENOTDIR") return undefined;
      throw err;
    }
  }

  async mkdir(dir: string): Promise<void> {
    await nodeFs.mkdir(dir, { recursive: true });
  }

  async rm(target: string): Promise<void> {
    await nodeFs.rm(target, { recursive: true, force: true });
  }

  async readdir(dir: string): Promise<string[]> {
    return (await nodeFs.readdir(dir)).sort();
  }

  now(): number {
    return Date.now();
  }
}

interface MemFile {
  data: Uint8Array;
  mtimeMs: number;
  ino: number;
}

/**
 * An in-memory file system for tests. Paths are normalised absolute paths; directories must exist before a file
 * is written in them (as on disk), except through `put`, the test's own setup helper. The clock only moves
 * when the test moves it (`clock`, `tick`), so same-timestamp edits can be staged on purpose.
 */
export class MemoryFs implements Fs {
  clock: number;
  private readonly files = new Map<string, MemFile>();
  private readonly dirs = new Set<string>(["/"]);
  private nextIno = 1;
  /** Every path read with readFile/readText, in order (tests use it to prove the stat cache works). */
  readonly reads: string[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.clock = startMs;
  }

  now(): number {
    return this.clock;
  }

  /** Moves the fake clock forward. */
  tick(ms = 1000): void {
    this.clock += ms;
  }

  /** Test setup: creates parent directories, writes the file, then advances the clock. */
  put(file: string, data: string | Uint8Array): void {
    const abs = norm(file);
    this.mkdirSync(path.dirname(abs));
    this.writeSync(abs, data);
    this.tick();
  }

  /** Test inspection: the file as text, or undefined. */
  get(file: string): string | undefined {
    const f = this.files.get(norm(file));
    return f ? new TextDecoder().decode(f.data) : undefined;
  }

  /** Every file path, sorted. */
  list(): string[] {
    return [...this.files.keys()].sort();
  }

  async readFile(file: string): Promise<Uint8Array> {
    const abs = norm(file);
    const f = this.files.get(abs);
    if (!f) throw new FsError(this.dirs.has(abs) ? "EISDIR" : "ENOENT", "open", abs);
    this.reads.push(abs);
    return f.data.slice();
  }

  async readText(file: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(file));
  }

  async writeFile(file: string, data: string | Uint8Array): Promise<void> {
    const abs = norm(file);
    if (!this.dirs.has(path.dirname(abs))) throw new FsError("ENOENT", "open", abs);
    if (this.dirs.has(abs)) throw new FsError("EISDIR", "open", abs);
    this.writeSync(abs, data);
  }

  async appendFile(file: string, data: string): Promise<void> {
    const abs = norm(file);
    const old = this.files.get(abs);
    const add = new TextEncoder().encode(data);
    if (!old) return this.writeFile(abs, add);
    const joined = new Uint8Array(old.data.length + add.length);
    joined.set(old.data);
    joined.set(add, old.data.length);
    this.writeSync(abs, joined);
  }

  async rename(from: string, to: string): Promise<void> {
    const src = norm(from);
    const dst = norm(to);
    const f = this.files.get(src);
    if (!f) throw new FsError("ENOENT", "rename", src);
    if (!this.dirs.has(path.dirname(dst))) throw new FsError("ENOENT", "rename", dst);
    this.files.delete(src);
    this.files.set(dst, f);
  }

  async stat(file: string): Promise<FileStat | undefined> {
    const abs = norm(file);
    const f = this.files.get(abs);
    if (f) return { mtimeMs: f.mtimeMs, size: f.data.length, ino: f.ino };
    if (this.dirs.has(abs)) return { mtimeMs: 0, size: 0, ino: 0 };
    return undefined;
  }

  async mkdir(dir: string): Promise<void> {
    this.mkdirSync(norm(dir));
  }

  async rm(target: string): Promise<void> {
    const abs = norm(target);
    this.files.delete(abs);
    const prefix = abs.endsWith("/") ? abs : `${abs}/`;
    for (const f of [...this.files.keys()]) if (f.startsWith(prefix)) this.files.delete(f);
    for (const d of [...this.dirs]) if (d !== "/" && (d === abs || d.startsWith(prefix))) this.dirs.delete(d);
  }

  async readdir(dir: string): Promise<string[]> {
    const abs = norm(dir);
    if (!this.dirs.has(abs)) throw new FsError("ENOENT", "scandir", abs);
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p !== abs && path.dirname(p) === abs) names.add(path.basename(p));
    }
    return [...names].sort();
  }

  private mkdirSync(abs: string): void {
    for (let d = abs; !this.dirs.has(d); d = path.dirname(d)) {
      if (this.files.has(d)) throw new FsError("ENOTDIR", "mkdir", d);
      this.dirs.add(d);
    }
  }

  private writeSync(abs: string, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    const old = this.files.get(abs);
    // Overwriting in place keeps the inode, as truncate+write does on disk.
    this.files.set(abs, { data: bytes, mtimeMs: this.clock, ino: old ? old.ino : this.nextIno++ });
  }
}

function norm(p: string): string {
  if (!path.isAbsolute(p)) throw new Error(`MemoryFs: path must be absolute: ${p}`);
  return path.normalize(p);
}
