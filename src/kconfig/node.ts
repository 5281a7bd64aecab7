// The I/O edge for real trees: reading Kconfig files from disk (cwd first, then $srctree, as Linux's
// zconf_fopen does) and running $(shell,...) commands with /bin/sh.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
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
      return tryRead(resolve(cwd, name)) ?? tryRead(resolve(srctree, name));
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
