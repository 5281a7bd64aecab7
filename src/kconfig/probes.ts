// $(shell,...) probes without waiting for them one at a time: a persistent cache keyed by the command, its
// working directory and the identity of every program and file it names, and a speculative pre-pass that
// finds the probes a tree will run and starts them all at once.
//
// The pre-pass scans the macro language (kconfig.ts scanMacros) with every unknown probe answering ""
// and starts each probe in a worker thread as the scan reaches it. The real load then starts at once:
// an answer still running is waited for (Prober.answer blocks on it), one never started (its command
// text depended on a made-up answer) runs on the spot. Outputs are therefore exactly what running each
// command would give, in the same order.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { scanMacros, type LoadOptions } from "./kconfig.ts";
import type { ShellRunner } from "./macro.ts";
import type { KconfigFs } from "./stream.ts";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** The probe runner thread: runs `/bin/sh -c cmd` for each message, `jobs` at a time, posts the stdout. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { port, signal } = workerData;
const { spawn } = require("node:child_process");
const queue = [];
let inflight = 0;
function start(cmd) {
  inflight++;
  const chunks = [];
  let done = false;
  const finish = (out) => {
    if (done) return;
    done = true;
    // On the result port, then a bump of the signal word, so the main thread can also take results
    // while it is blocked in a synchronous load (receiveMessageOnPort + Atomics.wait).
    port.postMessage({ cmd, out });
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
    inflight--;
    if (queue.length) start(queue.shift());
  };
  const child = spawn("/bin/sh", ["-c", cmd], { cwd: workerData.cwd, env: workerData.env, stdio: ["ignore", "pipe", "ignore"] });
  child.stdout.on("data", (d) => chunks.push(d));
  child.on("error", () => finish(""));
  child.on("close", () => finish(Buffer.concat(chunks).toString("utf8")));
}
parentPort.on("message", (cmd) => {
  if (inflight < workerData.jobs) start(cmd);
  else queue.push(cmd);
});
`;

export interface ProberOptions {
  /** Where commands run (the object tree). */
  cwd: string;
  /** The commands' environment. */
  env: NodeJS.ProcessEnv;
  /** Directory of the persistent cache, or null for none. */
  cacheDir: string | null;
  /** Commands run at once (default: twice the CPUs, at least 4). */
  jobs?: number;
}

export interface ProbeStats {
  /** Commands run (not found in memory or the cache). */
  ran: number;
  /** Answers found in the persistent cache. */
  cached: number;
  /** Pre-pass rounds (parses with unknown answers). */
  rounds: number;
}

const CACHE_VERSION = 2;

/** Runs and remembers $(shell,...) commands; `runner` is the ShellRunner to load a tree with. */
export class Prober {
  private readonly memo = new Map<string, string>();
  private readonly which = new Map<string, string | null>();
  private readonly idCache = new Map<string, string>();
  readonly stats: ProbeStats = { ran: 0, cached: 0, rounds: 0 };

  constructor(private readonly opts: ProberOptions) {}

  /** Whether the command's output is known (in memory, or in the persistent cache, which loads it). */
  known(cmd: string): boolean {
    if (this.memo.has(cmd)) return true;
    const hit = this.readCache(cmd);
    if (hit === undefined) return false;
    this.stats.cached++;
    this.memo.set(cmd, hit);
    return true;
  }

  /** Every command `runner` answered, in first-use order. */
  readonly used = new Set<string>();

  /** The synchronous ShellRunner: memory, then the cache, then the command itself. */
  readonly runner: ShellRunner = (cmd) => {
    this.used.add(cmd);
    return this.answer(cmd);
  };

  /**
   * The command's output: from memory or the cache; when it is running in the background, waits for it
   * (blocking this thread: a load is synchronous); otherwise runs it now.
   */
  answer(cmd: string): string {
    if (this.known(cmd)) return this.memo.get(cmd)!;
    if (this.pending.has(cmd) && this.results && this.signal) {
      const port = this.results;
      const signal = this.signal;
      for (;;) {
        const seen = Atomics.load(signal, 0);
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port))
          this.finished(m.message as { cmd: string; out: string });
        if (this.memo.has(cmd)) return this.memo.get(cmd)!;
        // The worker bumps the word after each result: no result can slip in between unseen.
        Atomics.wait(signal, 0, seen, 1000);
      }
    }
    const r = spawnSync("/bin/sh", ["-c", cmd], {
      cwd: this.opts.cwd,
      env: this.opts.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const out = r.stdout ?? "";
    this.store(cmd, out);
    return out;
  }

  private readonly pending = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, () => void>();
  private worker: Worker | null = null;
  private results: MessagePort | null = null;
  private signal: Int32Array | null = null;

  private finished(m: { cmd: string; out: string }): void {
    if (!this.memo.has(m.cmd)) this.store(m.cmd, m.out);
    this.waiting.get(m.cmd)?.();
    this.waiting.delete(m.cmd);
  }

  /**
   * Starts the command in the background unless its output is known or it is already under way. Commands
   * run from a worker thread, so they start and finish while this thread is busy (a synchronous parse),
   * and forking never blocks this thread.
   */
  launch(cmd: string): void {
    if (this.pending.has(cmd) || this.known(cmd)) return;
    if (!this.worker) {
      const channel = new MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(4));
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          cwd: this.opts.cwd,
          env: this.opts.env,
          jobs: this.opts.jobs ?? Math.max(4, availableParallelism() * 2),
          port: channel.port2,
          signal,
        },
        transferList: [channel.port2],
      });
      this.results = channel.port1;
      this.signal = signal;
      channel.port1.on("message", (m: { cmd: string; out: string }) => this.finished(m));
    }
    this.pending.set(cmd, new Promise((res) => this.waiting.set(cmd, res)));
    this.worker.postMessage(cmd);
  }

  /** Waits until every launched command has finished (then lets the worker go). */
  async settle(): Promise<void> {
    await Promise.all(this.pending.values());
    this.pending.clear();
    if (this.worker) {
      await this.worker.terminate();
      this.worker = null;
      this.results?.close();
      this.results = null;
      this.signal = null;
    }
  }

  /** Runs the unknown commands concurrently and remembers their outputs. */
  async prefetch(cmds: readonly string[]): Promise<void> {
    for (const c of cmds) this.launch(c);
    await this.settle();
  }

  private store(cmd: string, out: string): void {
    this.stats.ran++;
    this.memo.set(cmd, out);
    const dir = this.opts.cacheDir;
    if (!dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, this.key(cmd));
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ v: CACHE_VERSION, cmd, out }));
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  private readCache(cmd: string): string | undefined {
    const dir = this.opts.cacheDir;
    if (!dir) return undefined;
    try {
      const v = JSON.parse(readFileSync(join(dir, this.key(cmd)), "utf8")) as {
        cmd?: unknown;
        out?: unknown;
      };
      return v.cmd === cmd && typeof v.out === "string" ? v.out : undefined;
    } catch {
      return undefined;
    }
  }

  /** Where a program name is found on PATH (null when it is not). */
  private lookup(name: string): string | null {
    let hit = this.which.get(name);
    if (hit !== undefined) return hit;
    hit = null;
    if (name.includes("/")) {
      const p = isAbsolute(name) ? name : resolve(this.opts.cwd, name);
      if (isFile(p)) hit = p;
    } else if (/^[A-Za-z0-9_.+-]+$/.test(name)) {
      for (const dir of new Set((this.opts.env["PATH"] ?? "").split(delimiter))) {
        if (!dir) continue;
        const p = join(dir, name);
        if (isFile(p)) {
          hit = p;
          break;
        }
      }
    }
    this.which.set(name, hit);
    return hit;
  }

  /** <prefix>/<triplet>/lib for a driver installed as <prefix>/bin/<triplet>-gcc. */
  private targetLibDir(driver: string, triplet: string): string {
    let real = driver;
    try {
      real = realpathSync(driver);
    } catch {
      // identity() will say it is missing
    }
    return join(dirname(dirname(real)), triplet, "lib");
  }

  /** A file's identity: its real path, size, modification time and inode. */
  private identity(path: string): string {
    let id = this.idCache.get(path);
    if (id === undefined) {
      try {
        const real = realpathSync(path);
        const st = statSync(real);
        id = `${real}:${st.size}:${st.mtimeMs}:${st.ino}`;
      } catch {
        id = `${path}:missing`;
      }
      this.idCache.set(path, id);
    }
    return id;
  }

  /**
   * The cache key: the command, its cwd, PATH, and the identity of every word of the command that names a
   * file or a program on PATH. For a compiler driver (`*gcc`, `*clang`) the assembler and linker beside it
   * (same prefix) count too, since the driver runs them.
   */
  key(cmd: string): string {
    const ids: string[] = [];
    for (const word of new Set(cmd.split(/[\s;|&<>()`'"=,]+/))) {
      if (!word || word === "/dev/null") continue;
      const p = this.lookup(word);
      if (!p) continue;
      ids.push(`${word}=${this.identity(p)}`);
      const m = /^(.*?)(gcc|clang)(-[0-9.]+)?$/.exec(word.slice(word.lastIndexOf("/") + 1));
      if (m) {
        const dir = word.includes("/") ? word.slice(0, word.lastIndexOf("/") + 1) : "";
        for (const tool of ["as", "ld", "cc1"]) {
          const q = this.lookup(`${dir}${m[1]}${tool}`);
          if (q) ids.push(`${tool}=${this.identity(q)}`);
        }
        // A cross driver `<triplet>-gcc` links against <prefix>/<triplet>/lib (Debian's libc6-dev-<arch>-cross):
        // probes that link (cc-can-link.sh) change when that C library is installed or removed.
        if (m[1]?.endsWith("-")) ids.push(`libdir=${this.identity(this.targetLibDir(p, m[1].slice(0, -1)))}`);
      }
    }
    const h = createHash("sha256");
    h.update(JSON.stringify([CACHE_VERSION, cmd, this.opts.cwd, this.opts.env["PATH"] ?? "", ids]));
    return h.digest("hex");
  }
}

function isFile(p: string): boolean {
  try {
    // Most names looked up are not programs: a missing file must not cost an exception.
    return statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** A KconfigFs that reads each file once (the pre-pass and the real load parse the same files). */
export function memoFs(fs: KconfigFs): KconfigFs {
  const seen = new Map<string, string | undefined>();
  return {
    read(name: string): string | undefined {
      if (seen.has(name)) return seen.get(name);
      const text = fs.read(name);
      seen.set(name, text);
      return text;
    },
  };
}

const SHELL_BUILTINS = new Set(["test", "[", "set", "echo", "printf", "true", "false", ":", "{", "}", "!"]);

/** Whether a command only runs shell built-ins (`set -- $(x) && echo $1`, `test ...`): cheap to run now. */
export function builtinOnly(cmd: string): boolean {
  for (const seg of cmd.split(/&&|\|\||[;|]/)) {
    const w =
      seg
        .trim()
        .replace(/^[{(]\s*/, "")
        .split(/\s+/)[0] ?? "";
    if (w && !SHELL_BUILTINS.has(w)) return false;
  }
  return true;
}

/**
 * The speculative pre-pass: one parse of `tree` in which every probe starts in the background the moment
 * the parse asks for it (answering "" for now), and probes that only run shell built-ins (the `set --` and
 * `test` commands that pick earlier outputs apart) run at once so their answers are real. Then it waits for
 * the background probes. The real load that follows answers from memory; a command whose text depended on
 * a made-up answer is simply run then, so the outputs stay exact.
 */
export async function prefetchProbes(tree: LoadOptions, prober: Prober, wait = true): Promise<void> {
  let launched = 0;
  const shell: ShellRunner = (cmd) => {
    if (prober.known(cmd) || builtinOnly(cmd)) return prober.answer(cmd);
    prober.launch(cmd);
    launched++;
    return "";
  };
  scanMacros({ ...tree, shell, info: () => {}, speculative: true });
  if (launched) prober.stats.rounds++;
  if (wait) await prober.settle();
}

/**
 * Warms `prober` for loading `tree`: when `manifest` (a file listing the commands the last load of the same
 * tree used) exists, its unknown commands run concurrently; otherwise the speculative pre-pass finds them.
 * With `wait` false it returns once they are started: the load then waits only for the answers it needs
 * (Prober.answer blocks on them), and the caller must `settle()` the prober at the end.
 */
export async function warmProbes(
  tree: LoadOptions,
  prober: Prober,
  manifest: string | null,
  wait = true,
): Promise<void> {
  let listed: string[] | null = null;
  if (manifest) {
    try {
      const v = JSON.parse(readFileSync(manifest, "utf8")) as unknown;
      if (Array.isArray(v) && v.every((c) => typeof c === "string")) listed = v as string[];
    } catch {
      listed = null;
    }
  }
  if (listed) {
    for (const c of listed) prober.launch(c);
    if (wait) await prober.settle();
  } else await prefetchProbes(tree, prober, wait);
}

/** Records the commands the load used, for the next `warmProbes`. */
export function saveProbeManifest(manifest: string | null, prober: Prober): void {
  if (!manifest) return;
  try {
    mkdirSync(dirname(manifest), { recursive: true });
    const tmp = `${manifest}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify([...prober.used]));
    renameSync(tmp, manifest);
  } catch {
    // Only costs time next run.
  }
}
