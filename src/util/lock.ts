// Lock files that know their holder: the out-dir lock (one build per out dir) and the kernel work-tree lock.
// A lock file holds the holder's pid, the boot id and the holder's start time (from /proc), so a lock left by
// a process that died, by a previous boot, or naming a pid since reused by another program is recognised as
// stale and taken over. A lock is created complete (written to a temp file, then hard-linked into place), so a
// reader never sees half of one. Waiting is told at once and then every `reportEveryMs`.
import { readFileSync } from "node:fs";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "./errors.ts";
import { fileSystemError } from "./fserror.ts";

/** Who holds a lock. `start` is the process's start time in clock ticks since boot ("" when unknown). */
export interface LockHolder {
  pid: number;
  boot: string;
  start: string;
  /** What the holder is doing, for the waiting message. */
  what: string;
  /** When it took the lock (ISO time), for the waiting message. */
  since: string;
}

/** What a lock needs to know about processes; the real one reads /proc, tests use a fake. */
export interface ProcessProbe {
  pid: number;
  bootId(): string;
  /** The start time of a running process, "" when it runs but the start time is unknown; undefined when gone. */
  startOf(pid: number): string | undefined;
}

/** Linux's /proc (with fallbacks elsewhere: boot "" and liveness via kill(pid, 0)). */
export const procProbe: ProcessProbe = {
  pid: process.pid,
  bootId() {
    try {
      return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      return "";
    }
  },
  startOf(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return fields[19] ?? "";
    } catch {
      try {
        process.kill(pid, 0);
        return "";
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM" ? "" : undefined;
      }
    }
  },
};

/** True when the holder is certainly gone: another boot, no such process, or the pid now names another one. */
export function isStale(holder: LockHolder, probe: ProcessProbe): boolean {
  if (holder.boot !== "" && probe.bootId() !== "" && holder.boot !== probe.bootId()) return true;
  const start = probe.startOf(holder.pid);
  if (start === undefined) return true;
  return holder.start !== "" && start !== "" && start !== holder.start;
}

export function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof v.pid === "number" &&
      Number.isInteger(v.pid) &&
      v.pid > 0 &&
      typeof v.boot === "string" &&
      typeof v.start === "string"
    ) {
      return {
        pid: v.pid,
        boot: v.boot,
        start: v.start,
        what: typeof v.what === "string" ? v.what : "",
        since: typeof v.since === "string" ? v.since : "",
      };
    }
  } catch {
    // not a lock this version wrote
  }
  return undefined;
}

export interface LockOptions {
  /** What the holder does ("keel build"), stored in the lock and shown to waiters. */
  what: string;
  /** Called at once when the lock is held by a live process, then every `reportEveryMs` while waiting. */
  waiting?: (holder: LockHolder, waitedMs: number) => void;
  signal?: AbortSignal | undefined;
  probe?: ProcessProbe;
  pollMs?: number;
  reportEveryMs?: number;
}

export interface HeldLock {
  file: string;
  release(): Promise<void>;
}

/**
 * Takes the lock `file`, waiting while a live process holds it (aborting the signal stops the wait with
 * "build interrupted"). File-system errors (a file where a folder is expected, a read-only or full disk)
 * are user errors naming the path.
 */
export async function acquireLock(file: string, opts: LockOptions): Promise<HeldLock> {
  const probe = opts.probe ?? procProbe;
  const pollMs = opts.pollMs ?? 200;
  const reportEveryMs = opts.reportEveryMs ?? 5000;
  const me: LockHolder = {
    pid: probe.pid,
    boot: probe.bootId(),
    start: probe.startOf(probe.pid) ?? "",
    what: opts.what,
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(me)}\n`;
  const mine = `${file}.${probe.pid}.new`;
  const began = Date.now();
  let lastTold: number | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(mine, text);
    for (;;) {
      if (opts.signal?.aborted) throw new UserError("build interrupted");
      try {
        await link(mine, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const seen = await readFile(file, "utf8").catch(() => undefined);
      if (seen === undefined) continue; // released this instant
      const holder = parseHolder(seen);
      if (holder === undefined || isStale(holder, probe)) {
        await breakStale(file, seen, probe.pid);
        continue;
      }
      const now = Date.now();
      if (lastTold === undefined || now - lastTold >= reportEveryMs) {
        opts.waiting?.(holder, now - began);
        lastTold = now;
      }
      await sleep(pollMs);
    }
  } catch (e) {
    throw fileSystemError(e) ?? e;
  } finally {
    await rm(mine, { force: true }).catch(() => undefined);
  }
  return {
    file,
    async release() {
      // Only our own lock: a lock someone took over as stale is theirs now.
      const now = await readFile(file, "utf8").catch(() => undefined);
      if (now === text) await rm(file, { force: true });
    },
  };
}

/**
 * Removes a stale lock without removing a fresh one another process put there meanwhile: the lock is moved
 * aside atomically, and put back if what was moved is not the stale lock that was seen.
 */
async function breakStale(file: string, seen: string, pid: number): Promise<void> {
  const aside = `${file}.${pid}.stale`;
  try {
    await rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const moved = await readFile(aside, "utf8").catch(() => undefined);
  if (moved !== seen && moved !== undefined) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/** A one-line description of a holder for waiting messages. */
export function describeHolder(h: LockHolder): string {
  const what = h.what ? `${h.what}, ` : "";
  const since = h.since ? `, since ${h.since.replace("T", " ").replace(/\.\d+Z$/, " UTC")}` : "";
  return `${what}process ${h.pid}${since}`;
}
