// The build database (<out>/.keel/build.db.json, plus the step log build.db.log): per step, the key it was last built with and what went into it.
// A step's key hashes its command, identity and input manifest; see docs/design/build-steps.md.
import * as path from "node:path";
import type { Fs } from "./fs.ts";
import { isNotFound } from "./fs.ts";
import type { FileEntry } from "./hash.ts";
import { sha256 } from "./hash.ts";
import { tmp } from "./graph.ts";

export const DB_VERSION = 1;

/** The manifest value of a file that does not exist (a discovered header that was deleted). */
export const MISSING = "missing";

/** Everything a step's result depends on. Two runs with equal material must produce equal outputs. */
export interface KeyMaterial {
  /** argv, or [] for an action. */
  command: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  identity: readonly string[];
  outputs: readonly string[];
  /** path -> content hash (or MISSING) of declared inputs and discovered deps. */
  manifest: Readonly<Record<string, string>>;
}

export interface StepRecord extends KeyMaterial {
  key: string;
  /** Deps the depfile named that are not declared inputs, fed into the next build's manifest. */
  discovered: readonly string[];
  /** output path -> content hash right after the step ran. */
  outputHashes: Readonly<Record<string, string>>;
}

export interface BuildDb {
  version: typeof DB_VERSION;
  steps: Record<string, StepRecord>;
  /** The stat cache (see hash.ts). */
  files: Record<string, FileEntry>;
}

export function dbPath(outDir: string): string {
  return path.join(outDir, ".keel", "build.db.json");
}

export function emptyDb(): BuildDb {
  return { version: DB_VERSION, steps: {}, files: {} };
}

/** The key: a hash of the material in a canonical form (sorted manifest, env and outputs). */
export function stepKey(m: KeyMaterial): string {
  const sortedEntries = (r: Readonly<Record<string, string>>): [string, string][] =>
    Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(
    JSON.stringify([
      DB_VERSION,
      m.command,
      m.cwd,
      sortedEntries(m.env),
      m.identity,
      [...m.outputs].sort(),
      sortedEntries(m.manifest),
    ]),
  );
}

/**
 * The step log beside the database (`build.db.log`): one line `[DB_VERSION, step id, record]` appended as
 * each step finishes, so a build killed before it saves the database (SIGKILL, power loss, a full disk)
 * keeps its finished steps. Replayed on load; removed once the database has been saved (compaction).
 */
export function journalPath(dbFile: string): string {
  return dbFile.replace(/\.json$/, "") + ".log";
}

export function journalLine(id: string, record: StepRecord): string {
  return `${JSON.stringify([DB_VERSION, id, record])}\n`;
}

/**
 * Loads the database; a missing one is empty, an unreadable one is empty plus a warning (everything reruns).
 * Then replays the step log over it (`replayed` records); a torn last line (a kill mid-append) ends the replay.
 */
export async function loadDb(
  fs: Fs,
  file: string,
): Promise<{ db: BuildDb; warning?: string; replayed: number }> {
  const { db, warning } = await loadDbFile(fs, file);
  let replayed = 0;
  let log: string;
  try {
    log = await fs.readText(journalPath(file));
  } catch (err) {
    if (isNotFound(err)) return { db, replayed, ...(warning ? { warning } : {}) };
    throw err;
  }
  for (const line of log.split("\n")) {
    if (line === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      break;
    }
    if (!Array.isArray(entry) || entry[0] !== DB_VERSION || typeof entry[1] !== "string") break;
    if (!isStepRecord(entry[2])) break;
    db.steps[entry[1]] = entry[2];
    replayed++;
  }
  return { db, replayed, ...(warning ? { warning } : {}) };
}

async function loadDbFile(fs: Fs, file: string): Promise<{ db: BuildDb; warning?: string }> {
  let text: string;
  try {
    text = await fs.readText(file);
  } catch (err) {
    if (isNotFound(err)) return { db: emptyDb() };
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isDb(parsed)) return { db: parsed };
    return { db: emptyDb(), warning: `${file}: unknown format or version, rebuilding everything` };
  } catch {
    return { db: emptyDb(), warning: `${file}: corrupt, rebuilding everything` };
  }
}

/**
 * Writes the database atomically (a crash leaves the old one or the new one, never half of one), unless it
 * serializes to `loaded`, the text it had when it was read: a no-op build writes nothing.
 */
export async function saveDb(fs: Fs, file: string, db: BuildDb, loaded?: string): Promise<void> {
  const text = JSON.stringify(db);
  if (text !== loaded) {
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(tmp(file), `${text}\n`);
    await fs.rename(tmp(file), file);
  }
  await fs.rm(journalPath(file));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): boolean {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}

function isStringMap(v: unknown): boolean {
  return isRecord(v) && Object.values(v).every((s) => typeof s === "string");
}

/** A shallow shape check: enough that a hand-edited or older file cannot crash the build. */
function isDb(v: unknown): v is BuildDb {
  if (!isRecord(v) || v["version"] !== DB_VERSION || !isRecord(v["steps"]) || !isRecord(v["files"]))
    return false;
  const stepsOk = Object.values(v["steps"]).every(isStepRecord);
  const filesOk = Object.values(v["files"]).every(
    (e) =>
      isRecord(e) &&
      typeof e["hash"] === "string" &&
      typeof e["mtimeMs"] === "number" &&
      typeof e["size"] === "number" &&
      typeof e["ino"] === "number",
  );
  return stepsOk && filesOk;
}

function isStepRecord(r: unknown): r is StepRecord {
  return (
    isRecord(r) &&
    typeof r["key"] === "string" &&
    typeof r["cwd"] === "string" &&
    isStringArray(r["command"]) &&
    isStringArray(r["identity"]) &&
    isStringArray(r["outputs"]) &&
    isStringArray(r["discovered"]) &&
    isStringMap(r["env"]) &&
    isStringMap(r["manifest"]) &&
    isStringMap(r["outputHashes"])
  );
}
