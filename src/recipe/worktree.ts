// A persistent build tree for a long recipe (the kernel), kept in the Keel cache between builds so a changed
// configuration rebuilds only what it affects. One build at a time uses a tree (a lock file naming the
// holder: pid, boot id, start time; a dead holder's lock is taken over, see src/util/lock.ts). A state file says whether the tree is sound: it is set
// to "building" before the tree is changed and to "ready" when a build completed, so a tree left by a failed
// or interrupted build is deleted and made again from scratch by the next one.
//
//   <cache>/work/<name>/tree/        the build tree
//   <cache>/work/<name>/state.json   { version, state: "ready" | "building", ... }
//   <cache>/work/<name>.lock         the build using it (pid, boot id, start time)

import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { acquireLock, type LockHolder } from "../util/lock.ts";

const STATE_VERSION = 1;

export interface WorkTreeState {
  version: number;
  state: "ready" | "building";
  /** What the tree was last configured with (free-form, for people and logs). */
  note?: string;
}

export class WorkTree {
  readonly dir: string;
  readonly tree: string;
  private readonly stateFile: string;
  private readonly lockFile: string;

  constructor(cacheRoot: string, name: string) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`not a work tree name: ${name}`);
    this.dir = join(cacheRoot, "work", name);
    this.tree = join(this.dir, "tree");
    this.stateFile = join(this.dir, "state.json");
    this.lockFile = join(cacheRoot, "work", `${name}.lock`);
  }

  /**
   * Runs `fn` holding the tree's lock (src/util/lock.ts). Waits while another live process holds it
   * (`waiting` told at once and every few seconds); takes over a lock whose holder is gone, even when its pid
   * was reused by another process. The lock is released when `fn` ends, also when it throws or is aborted.
   */
  async locked<T>(
    fn: () => Promise<T>,
    opts: { signal?: AbortSignal | undefined; waiting?: (holder: LockHolder) => void } = {},
  ): Promise<T> {
    const lock = await acquireLock(this.lockFile, {
      what: `building ${this.dir}`,
      signal: opts.signal,
      ...(opts.waiting ? { waiting: opts.waiting } : {}),
    });
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /** The tree's state, or undefined when there is no sound record (no tree, or an older format). */
  async state(): Promise<WorkTreeState | undefined> {
    try {
      const s = JSON.parse(await readFile(this.stateFile, "utf8")) as WorkTreeState;
      return s.version === STATE_VERSION ? s : undefined;
    } catch {
      return undefined;
    }
  }

  async setState(state: WorkTreeState["state"], note?: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const s: WorkTreeState = { version: STATE_VERSION, state, ...(note === undefined ? {} : { note }) };
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(s)}\n`);
    await rename(tmp, this.stateFile);
  }

  /** Deletes the tree and its state (the lock stays with its holder). */
  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
