// The build engine's entry point: `build(steps, options)` plus re-exports of the pieces a planner uses.
import { availableParallelism } from "node:os";
import * as path from "node:path";
import type { StepRecord } from "./db.ts";
import { dbPath, journalLine, journalPath, loadDb, saveDb } from "./db.ts";
import type { Runner } from "./exec.ts";
import type { Fs } from "./fs.ts";
import type { Step } from "./graph.ts";
import { buildGraph } from "./graph.ts";
import { FileHasher } from "./hash.ts";
import type { BuildResult } from "./scheduler.ts";
import { schedule } from "./scheduler.ts";
import type { StatusStream } from "./status.ts";
import { Status } from "./status.ts";
import { fileSystemError } from "../util/fserror.ts";

export type { BuildDb, KeyMaterial, StepRecord } from "./db.ts";
export { DB_VERSION, MISSING, dbPath, emptyDb, journalPath, loadDb, saveDb, stepKey } from "./db.ts";
export type { CompdbEntry } from "./compdb.ts";
export { compdbStep, compdbText, compileCommands } from "./compdb.ts";
export type { DepRule } from "./depfile.ts";
export { depfileDeps, parseDepfile } from "./depfile.ts";
export type { ConfigDeps } from "./fixdep.ts";
export { configSymbols, fixdep } from "./fixdep.ts";
export type { FakeHandler, RunOptions, RunResult, Runner } from "./exec.ts";
export { FakeRunner, ProcessRunner, formatCommand } from "./exec.ts";
export type { CurrentState } from "./explain.ts";
export { describeListChange, displayPath, explainStep } from "./explain.ts";
export type { FileStat, Fs } from "./fs.ts";
export { FsError, MemoryFs, NodeFs, isNotFound } from "./fs.ts";
export type { Action, ActionContext, ActionStep, CommandStep, Graph, Step } from "./graph.ts";
export { buildGraph, tmp } from "./graph.ts";
export type { FileEntry } from "./hash.ts";
export { FileHasher, sha256 } from "./hash.ts";
export type { BuildResult } from "./scheduler.ts";
export type { StatusOptions, StatusStream, StepView } from "./status.ts";
export { Status, elide, formatElapsed } from "./status.ts";

export interface BuildOptions {
  fs: Fs;
  runner: Runner;
  /** Holds the build database (.keel/build.db.json) and is the default working directory of commands. */
  outDir: string;
  /** Steps run at once; default: the number of cores. */
  jobs?: number;
  /** Print why each step runs. */
  explain?: boolean;
  /** Print full commands. */
  verbose?: boolean;
  /** A Status, or a stream to make one on; default process.stdout. */
  status?: Status | StatusStream;
  /** Paths in messages are shown relative to this (the repository root). */
  root?: string;
  /** Abort to stop: running commands are killed, the build throws "build interrupted". */
  signal?: AbortSignal;
}

/**
 * Builds every step that is not up to date and records the results in `<outDir>/.keel/build.db.json`.
 * Throws a UserError for an invalid graph, a missing input or a failed step (the database is saved first, so
 * the steps that did succeed stay built).
 */
export async function build(steps: readonly Step[], opts: BuildOptions): Promise<BuildResult> {
  const graph = buildGraph(steps);
  const status =
    opts.status instanceof Status
      ? opts.status
      : new Status(opts.status ?? process.stdout, {
          ...(opts.explain !== undefined ? { explain: opts.explain } : {}),
          ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
        });
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const file = dbPath(opts.outDir);
  const { db, warning, replayed } = await loadDb(opts.fs, file);
  if (warning) status.warning(warning);
  // With a step log to compact, the database is written even when nothing runs.
  const loaded = replayed > 0 ? undefined : JSON.stringify(db);
  const journal = journalPath(file);
  let appending: Promise<void> = Promise.resolve();
  let dirMade = false;
  const recorded = (id: string, record: StepRecord): Promise<void> => {
    appending = appending.then(async () => {
      if (!dirMade) await opts.fs.mkdir(path.dirname(journal));
      dirMade = true;
      await opts.fs.appendFile(journal, journalLine(id, record));
    });
    return appending;
  };
  const hasher = new FileHasher(opts.fs, db.files);
  const env = {
    fs: opts.fs,
    runner: opts.runner,
    hasher,
    outDir: opts.outDir,
    root: opts.root,
    signal: opts.signal,
    recorded,
    progress: (step: Step, text: string) => status.progress(step, text),
  };

  let result: BuildResult | undefined;
  let failure: { error: unknown } | undefined;
  try {
    result = await schedule(graph, db, env, status, jobs);
  } catch (err) {
    failure = { error: err };
  }
  status.end();
  const known = Object.values(db.steps).flatMap((r) => [...Object.keys(r.manifest), ...r.outputs]);
  db.files = hasher.persistent(known);
  try {
    await saveDb(opts.fs, file, db, loaded);
  } catch (err) {
    // The step's own error is the news; a database that cannot be saved (a full disk) only costs a rebuild.
    if (failure === undefined) throw fileSystemError(err) ?? err;
    status.warning(`could not save the build database: ${(fileSystemError(err) ?? (err as Error)).message}`);
  }
  if (failure !== undefined) throw fileSystemError(failure.error) ?? failure.error;
  if (result === undefined) throw new Error("schedule returned nothing");
  if (result.ran.length === 0) status.noWork();
  return result;
}
