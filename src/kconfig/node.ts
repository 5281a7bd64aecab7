// The I/O edge for real trees: reading Kconfig files from disk (cwd first, then $srctree, as Linux's
// zconf_fopen does) and running $(shell,...) commands with /bin/sh.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { ShellRunner } from "./macro.ts";
import type { KconfigFs } from "./stream.ts";

/** Reads `name` relative to `cwd`, falling back to `srctree` (both default to `srctree`). */
export function treeFs(srctree: string, cwd: string = srctree): KconfigFs {
  const tryRead = (p: string): string | undefined => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  };
  return {
    read(name: string): string | undefined {
      if (isAbsolute(name)) return tryRead(name);
      // The object tree rarely has the file: a stat is much cheaper than a failed read's exception.
      const local = resolve(cwd, name);
      if (local !== resolve(srctree, name) && existsSync(local)) {
        const text = tryRead(local);
        if (text !== undefined) return text;
      }
      return tryRead(resolve(srctree, name));
    },
  };
}

/** Runs commands with `/bin/sh -c` in `cwd` (like popen); stderr is discarded, the exit status ignored. */
export function shellRunner(cwd: string, env: NodeJS.ProcessEnv): ShellRunner {
  return (command: string): string => {
    const r = spawnSync("/bin/sh", ["-c", command], {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
    return r.stdout ?? "";
  };
}

/**
 * The identity of the file treeFs(srctree, cwd) reads for `name` (which path, its size, modification time
 * and inode), or "-" when there is none: a file that changes, appears or disappears changes it.
 */
export function treeFileId(srctree: string, cwd: string = srctree): (name: string) => string {
  const id = (p: string): string | undefined => {
    try {
      const st = statSync(p, { throwIfNoEntry: false });
      return st?.isFile() ? `${p}:${st.size}:${st.mtimeMs}:${st.ino}` : undefined;
    } catch {
      return undefined;
    }
  };
  // The object tree rarely has the tree's directories: one stat per directory instead of one per file
  // (remembered for the life of the returned function, i.e. one command).
  const dirs = new Map<string, boolean>();
  const dirExists = (d: string): boolean => {
    let e = dirs.get(d);
    if (e === undefined) dirs.set(d, (e = existsSync(d)));
    return e;
  };
  return (name: string): string => {
    if (isAbsolute(name)) return id(name) ?? "-";
    const local = resolve(cwd, name);
    const inTree = resolve(srctree, name);
    if (local !== inTree && dirExists(dirname(local))) {
      const l = id(local);
      if (l !== undefined) return l;
    }
    return id(inTree) ?? "-";
  };
}
