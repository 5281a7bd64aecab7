// Content hashes (sha256) of files, with a stat cache in front so an unchanged file is not read again.
import { createHash } from "node:crypto";
import type { FileStat, Fs } from "./fs.ts";

/** One stat cache entry: the file had this content hash while it had this stat. */
export interface FileEntry extends FileStat {
  hash: string;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function sameStat(a: FileStat, b: FileStat): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

/**
 * Hashes files, trusting a cached hash while (mtime, size, inode) are unchanged.
 *
 * Racy files: a file written in the same timestamp tick as it was hashed could be rewritten later in that tick
 * without its stat changing. So an entry is only kept across builds (`persistent()`) if the file was at least
 * `racyMs` old when hashed; younger files are hashed again next build. Within one build every entry is used.
 */
export class FileHasher {
  private readonly entries = new Map<string, FileEntry & { hashedAt: number }>();

  constructor(
    private readonly fs: Fs,
    previous: Readonly<Record<string, FileEntry>> = {},
    private readonly racyMs = 2000,
  ) {
    // Entries that were persisted were old enough then; they stay trustworthy while the stat matches.
    for (const [file, e] of Object.entries(previous)) this.entries.set(file, { ...e, hashedAt: Infinity });
  }

  /** The file's content hash, or undefined when it does not exist. */
  async hash(file: string): Promise<string | undefined> {
    const st = await this.fs.stat(file);
    if (!st) {
      this.entries.delete(file);
      return undefined;
    }
    const cached = this.entries.get(file);
    if (cached && sameStat(cached, st)) return cached.hash;
    const hash = sha256(await this.fs.readFile(file));
    // Stat again: if the file changed while being read, do not cache a hash for a stat it never had.
    const after = await this.fs.stat(file);
    if (after && sameStat(after, st)) this.entries.set(file, { ...st, hash, hashedAt: this.fs.now() });
    else this.entries.delete(file);
    return hash;
  }

  /** After `fs.rename(from, to)`: the entry moves with the file (rename keeps inode, size and mtime). */
  renamed(from: string, to: string): void {
    const e = this.entries.get(from);
    this.entries.delete(from);
    if (e) this.entries.set(to, e);
    else this.entries.delete(to);
  }

  forget(file: string): void {
    this.entries.delete(file);
  }

  /** The entries worth keeping for the next build (see the class comment), for the given files only. */
  persistent(files: Iterable<string>): Record<string, FileEntry> {
    const out: Record<string, FileEntry> = {};
    for (const f of [...new Set(files)].sort()) {
      const e = this.entries.get(f);
      if (e && e.mtimeMs + this.racyMs <= e.hashedAt) {
        out[f] = { mtimeMs: e.mtimeMs, size: e.size, ino: e.ino, hash: e.hash };
      }
    }
    return out;
  }
}
