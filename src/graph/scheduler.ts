// Runs a graph: each step is checked once its producers are done, and dirty ones run, up to `jobs` at a time.
// A step is only checked after its producers finish, because with content keys a rebuilt input that came out
// byte-identical leaves its consumers clean (early cutoff). See docs/design/build-steps.md.
import { UserError } from "../util/errors.ts";
import type { BuildDb } from "./db.ts";
import { explainStep } from "./explain.ts";
import type { Graph } from "./graph.ts";
import type { Status } from "./status.ts";
import type { WorkEnv } from "./work.ts";
import { checkStep, runStep } from "./work.ts";

export interface BuildResult {
  /** Ids of the steps that ran, in order of completion. */
  ran: string[];
  /** Steps found up to date. */
  upToDate: number;
  total: number;
}

/** Steps checked at once (each hashes its inputs). */
const MAX_CHECKS = 16;

/**
 * Runs the graph's dirty steps, updating `db.steps` as each one succeeds. On the first failure no new step
 * starts, running ones finish, then the failure is thrown as a UserError (label + first lines of stderr).
 */
export async function schedule(
  graph: Graph,
  db: BuildDb,
  env: WorkEnv,
  status: Status,
  jobs: number,
): Promise<BuildResult> {
  const { steps } = graph;
  const waitingOn = graph.deps.map((d) => d.length);
  const ready: number[] = graph.order.filter((i) => waitingOn[i] === 0);
  const ran: string[] = [];
  const failures: UserError[] = [];
  let bug: { error: unknown } | undefined;
  let upToDate = 0;
  let started = 0;

  const finished = (i: number): void => {
    for (const d of graph.dependents[i] ?? []) {
      const left = (waitingOn[d] ?? 0) - 1;
      waitingOn[d] = left;
      if (left === 0) ready.push(d);
    }
  };

  // Checking is cheap and running is not: every step that can be checked is checked before the next one
  // starts, so the [n/N] total counts the steps known to need running (it only shrinks when a rebuilt input
  // comes out byte-identical and leaves its consumers clean).
  const runnable: { i: number; checked: Awaited<ReturnType<typeof checkStep>> }[] = [];
  /** Failures whose output status.failed has printed. */
  const shown = new Set<UserError>();
  const fail = (err: unknown): void => {
    if (err instanceof UserError) failures.push(err);
    else bug ??= { error: err };
  };
  const check = async (i: number): Promise<void> => {
    const step = steps[i];
    if (!step) return;
    try {
      const checked = await checkStep(step, db.steps[step.id], env);
      if (checked.clean) {
        upToDate++;
        finished(i);
      } else runnable.push({ i, checked });
    } catch (err) {
      fail(err);
    }
  };
  const run = async (i: number, checked: Awaited<ReturnType<typeof checkStep>>): Promise<void> => {
    const step = steps[i];
    if (!step) return;
    try {
      if (status.explaining) {
        const reasons = explainStep(checked.current, db.steps[step.id], env.root);
        status.explain(step.label, reasons.length > 0 ? reasons : ["key changed"]);
      }
      started++;
      status.started(step, started, steps.length - upToDate);
      const outcome = await runStep(step, checked, env);
      if (outcome.ok) {
        db.steps[step.id] = outcome.record;
        await env.recorded?.(step.id, outcome.record);
        ran.push(step.id);
        status.output(outcome.output);
        finished(i);
      } else {
        status.failed(step, outcome.code, outcome.output);
        failures.push(outcome.error);
        shown.add(outcome.error);
      }
    } catch (err) {
      fail(err);
    }
  };

  const checks = new Set<Promise<void>>();
  const runs = new Set<Promise<void>>();
  const stopping = (): boolean => failures.length > 0 || bug !== undefined || env.signal?.aborted === true;
  for (;;) {
    while (!stopping() && checks.size < MAX_CHECKS && ready.length > 0) {
      const i = ready.shift() as number;
      const p: Promise<void> = check(i).finally(() => checks.delete(p));
      checks.add(p);
    }
    while (!stopping() && checks.size === 0 && runs.size < jobs && runnable.length > 0) {
      const next = runnable.shift()!;
      const p: Promise<void> = run(next.i, next.checked).finally(() => runs.delete(p));
      runs.add(p);
    }
    if (checks.size === 0 && runs.size === 0) break;
    await Promise.race([...checks, ...runs]);
  }

  if (bug) throw bug.error;
  // A step killed by the interruption "fails" too; the interruption is the news.
  if (env.signal?.aborted) throw new UserError("build interrupted");
  const [first, ...others] = failures;
  if (first) {
    const more = others.length > 0 ? [`(${others.length} other step(s) failed too)`] : [];
    // The failed step's output is on the status stream already (status.failed): not printed again.
    throw new UserError(first.message, {
      details: [...first.details, ...more],
      detailsShown: shown.has(first) ? first.details.length : 0,
      ...(first.location ? { location: first.location } : {}),
    });
  }
  return { ran, upToDate, total: steps.length };
}
