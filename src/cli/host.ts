// Process-level edges for the CLI: the repository root, a real command runner for probes.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";

/** The Keel checkout: $KEEL_ROOT (set by ./keel), else the nearest parent with Keel's package.json. */
export function repoRoot(): string {
  const env = process.env["KEEL_ROOT"];
  if (env) return resolve(env);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "keel")
      return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new UserError("cannot find the Keel checkout: run ./keel from it, or set KEEL_ROOT");
    dir = up;
  }
}

export function keelVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** Runs a short probe command (no shell) and collects its output. */
export const probeRun: ProbeRun = (argv) =>
  new Promise((res, rej) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      rej(new Error("probeRun: empty argv"));
      return;
    }
    execFile(cmd, args, { encoding: "utf8", maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        rej(err);
        return;
      }
      res({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
