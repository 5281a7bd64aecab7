// The persistent tree cache (an I/O edge, like node.ts): a loaded tree's snapshot in one file per tree and
// options, trusted only while every file the load read has the same identity and the environment and the
// $(shell,...) probes answer as recorded (snapshot.ts). Writes are atomic (temp file + rename); a cache
// that cannot be read or written only costs time.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KconfigCache } from "./kconfig.ts";
import { decodeSnapshot, encodeSnapshot, recordHolds } from "./snapshot.ts";

export interface TreeCacheStats {
  hit: boolean;
  stored: boolean;
  /** Why the stored tree was not used (absent, other version, a file changed, ...). */
  miss: string;
}

/** Stored trees kept per cache directory (each is ~10 MB for Linux); older ones are removed on store. */
export const TREES_KEPT = 8;

/**
 * A KconfigCache kept in `dir/<key>.tree`. `key` names the tree and the options that are not recorded
 * (the tree, the top file, the object tree, the engine's version); `fileId` gives a file's identity as the
 * tree's reader resolves it (node.ts treeFileId).
 */
export function fileTreeCache(
  dir: string,
  key: string,
  fileId: (name: string) => string,
): KconfigCache & { stats: TreeCacheStats } {
  const path = join(dir, `${key}.tree`);
  const stats: TreeCacheStats = { hit: false, stored: false, miss: "" };
  return {
    stats,
    load(opts) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        stats.miss = "no stored tree";
        return undefined;
      }
      // The file is the length of a JSON head, the head (the files read and their identities: checked
      // before the snapshot is decoded), then the snapshot.
      const headLen = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
      const head = headLen >= 0 ? parseHead(bytes.toString("utf8", 4, 4 + headLen)) : null;
      const files = Array.isArray(head?.files) ? (head.files as string[]) : null;
      const ids = Array.isArray(head?.ids) ? (head.ids as string[]) : null;
      if (!files || !ids || files.length !== ids.length) {
        stats.miss = "unreadable";
        return undefined;
      }
      const changed = files.findIndex((f, i) => fileId(f) !== ids[i]);
      if (changed >= 0) {
        stats.miss = `${files[changed]} changed`;
        return undefined;
      }
      const snap = safeDecode(bytes.subarray(4 + headLen));
      if (!snap || snap.record.files.join("\n") !== files.join("\n")) {
        stats.miss = "unreadable or from another version";
        return undefined;
      }
      if (!recordHolds(snap.record, opts)) {
        stats.miss = "the environment or a probe's output changed";
        return undefined;
      }
      stats.hit = true;
      return snap;
    },
    store(kconfig, record) {
      try {
        const ids = record.files.map(fileId);
        // Padded with spaces (JSON allows them) so that the snapshot starts 4-byte aligned: its Int32
        // part is then read in place instead of copied.
        const json = Buffer.from(JSON.stringify({ files: record.files, ids }), "utf8");
        const head = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, " ")]);
        const len = Buffer.alloc(4);
        len.writeUInt32LE(head.length, 0);
        const text = Buffer.concat([len, head, encodeSnapshot(kconfig, record)]);
        mkdirSync(dir, { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, text);
        renameSync(tmp, path);
        stats.stored = true;
        prune(dir, path);
      } catch {
        // Only costs a parse next time.
      }
    },
  };
}

function parseHead(text: string): { files?: unknown; ids?: unknown } | null {
  try {
    return JSON.parse(text) as { files?: unknown; ids?: unknown };
  } catch {
    return null;
  }
}

function safeDecode(bytes: Uint8Array): ReturnType<typeof decodeSnapshot> {
  try {
    return decodeSnapshot(bytes);
  } catch {
    return null;
  }
}

/** Removes all but the TREES_KEPT most recently written trees in `dir` (never `keep`). */
function prune(dir: string, keep: string): void {
  const trees = readdirSync(dir)
    .filter((f) => f.endsWith(".tree"))
    .map((f) => {
      const p = join(dir, f);
      try {
        return { p, t: statSync(p).mtimeMs };
      } catch {
        return { p, t: 0 };
      }
    })
    .sort((a, b) => b.t - a.t);
  for (const { p } of trees.slice(TREES_KEPT)) if (p !== keep) rmSync(p, { force: true });
}
