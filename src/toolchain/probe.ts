// The real runner for short probe commands (`gcc --version`, git, dpkg-query): no shell, output collected.
// Code that probes takes a `ProbeRun` so that tests can answer instead.
import { execFile } from "node:child_process";
import type { ProbeRun } from "./toolchain.ts";

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
