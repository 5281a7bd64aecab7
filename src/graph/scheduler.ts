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

  const task = async (i: number): Promise<void> => {
    const step = steps[i];
    if (!step) return;
    try {
      const record = db.steps[step.id];
      const checked = await checkStep(step, record, env);
      if (checked.clean) {
        upToDate++;
        finished(i);
        return;
      }
      if (status.explaining) {
        const reasons = explainStep(checked.current, record, env.root);
        status.explain(step.label, reasons.length > 0 ? reasons : ["key changed"]);
      }
      started++;
      // The total is an upper bound: steps found clean later drop out of it.
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
      }
    } catch (err) {
      if (err instanceof UserError) failures.push(err);
      else bug ??= { error: err };
    }
  };

  const inFlight = new Set<Promise<void>>();
  const stopping = (): boolean => failures.length > 0 || bug !== undefined || env.signal?.aborted === true;
  for (;;) {
    while (!stopping() && inFlight.size < jobs && ready.length > 0) {
      const i = ready.shift() as number;
      const p: Promise<void> = task(i).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }

  if (bug) throw bug.error;
  // A step killed by the interruption "fails" too; the interruption is the news.
  if (env.signal?.aborted) throw new UserError("build interrupted");
  const [first, ...others] = failures;
  if (first) {
    const more = others.length > 0 ? [`(${others.length} other step(s) failed too)`] : [];
    throw new UserError(first.message, {
      details: [...first.details, ...more],
      ...(first.location ? { location: first.location } : {}),
    });
  }
  return { ran, upToDate, total: steps.length };
}
