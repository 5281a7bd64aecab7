// Build steps and the graph they form: validation (absolute paths, one producer per file, no cycles) and order.
// The step life cycle is written up in docs/design/build-steps.md.
import * as path from "node:path";
import { UserError } from "../util/errors.ts";
import type { ConfigDeps } from "./fixdep.ts";
import type { Fs } from "./fs.ts";

/** What an in-process generator gets. Outputs go through `writeOutput`, which writes `tmp(output)`. */
export interface ActionContext {
  readonly fs: Fs;
  /** Writes one of the step's declared outputs (to its `.tmp` name; the engine commits it on success). */
  writeOutput(output: string, data: string | Uint8Array): Promise<void>;
  // The three below are optional so hand-made contexts (tests, benchmarks) need not provide them.
  /** For long steps (an external build): shows `text` (e.g. the sub-build's last line) with the elapsed time. */
  progress?(text: string): void;
  /** A line for the build log, printed when the step has finished (as a tool's warnings are). */
  log?(text: string): void;
  /** Aborted when the build is interrupted: stop any process the action started. */
  readonly signal?: AbortSignal | undefined;
}

export type Action = (ctx: ActionContext) => Promise<void>;

interface StepCommon {
  /** Stable across builds: the build database is keyed by it. */
  id: string;
  /** Short word shown in the status line: CC, AS, LD, GEN, BUNDLE... */
  kind: string;
  /** What the user sees, usually a path relative to the repository. */
  label: string;
  /** Absolute paths of the files the step reads (generated headers included: they order the build). */
  inputs: readonly string[];
  /** Absolute paths of the files the step writes; at least one (use a stamp file if need be). */
  outputs: readonly string[];
  /**
   * Order-only inputs (absolute): their producers finish before this step is checked, but their contents are
   * not part of the key (a dependency found through the depfile, e.g. a configuration stamp, decides).
   */
  orderOnly?: readonly string[];
  /** gcc -MD output (absolute), read after a successful run: the headers the compiler actually opened. */
  depfile?: string;
  /** With a depfile: replace the configuration header by per-symbol stamps (fixdep.ts). */
  configDeps?: ConfigDeps;
  /** Extra cache-key material: the toolchain's identity, a generator's version or content. */
  identity: readonly string[];
  /** For compile_commands.json: the source file this step compiles. */
  source?: string;
}

export interface CommandStep extends StepCommon {
  /** argv; every output appears in it as `tmp(output)`. */
  command: readonly string[];
  /** Working directory; defaults to the build's out dir. Part of the key. */
  cwd?: string;
  /** Extra environment variables. Part of the key. */
  env?: Readonly<Record<string, string>>;
  action?: undefined;
}

export interface ActionStep extends StepCommon {
  action: Action;
  command?: undefined;
  cwd?: undefined;
  env?: undefined;
}

export type Step = CommandStep | ActionStep;

/** Where a step writes an output before the engine renames it into place on success. */
export function tmp(output: string): string {
  return `${output}.tmp`;
}

/** A validated graph: steps in a dependency order, with edges both ways (by index into `steps`). */
export interface Graph {
  readonly steps: readonly Step[];
  /** output path -> index of the step that writes it */
  readonly producer: ReadonlyMap<string, number>;
  /** deps[i]: indices of the steps that must finish before step i (its inputs' producers). */
  readonly deps: readonly (readonly number[])[];
  /** dependents[i]: indices of the steps that read one of step i's outputs. */
  readonly dependents: readonly (readonly number[])[];
  /** Step indices, producers before consumers. */
  readonly order: readonly number[];
}

/** Checks the steps and links them; every problem found is listed in one UserError. */
export function buildGraph(steps: readonly Step[]): Graph {
  const problems: string[] = [];
  const ids = new Set<string>();
  const producer = new Map<string, number>();

  steps.forEach((step, i) => {
    const where = `step ${step.id} (${step.label})`;
    if (ids.has(step.id)) problems.push(`duplicate step id ${step.id}`);
    ids.add(step.id);
    if (step.outputs.length === 0) problems.push(`${where} has no outputs`);
    if ((step.command === undefined) === (step.action === undefined)) {
      problems.push(`${where} needs exactly one of command and action`);
    }
    if (step.command !== undefined && step.command.length === 0)
      problems.push(`${where} has an empty command`);
    const files = [
      ...step.inputs,
      ...(step.orderOnly ?? []),
      ...step.outputs,
      ...(step.depfile ? [step.depfile] : []),
    ];
    for (const f of files) {
      if (!path.isAbsolute(f)) problems.push(`${where}: path is not absolute: ${f}`);
    }
    for (const out of step.outputs) {
      const other = producer.get(out);
      if (other !== undefined) {
        const o = steps[other];
        problems.push(`${out} is an output of both ${o?.id} (${o?.label}) and ${step.id} (${step.label})`);
      } else {
        producer.set(out, i);
      }
      if (step.command !== undefined && !step.command.some((a) => a.includes(tmp(out)))) {
        problems.push(`${where}: command must write ${out} as ${tmp(out)} (use tmp())`);
      }
    }
  });
  if (problems.length > 0) throw graphError(problems);

  const deps = steps.map((step) => {
    const set = new Set<number>();
    for (const input of [...step.inputs, ...(step.orderOnly ?? [])]) {
      const p = producer.get(input);
      if (p !== undefined) set.add(p);
    }
    return [...set].sort((a, b) => a - b);
  });
  const dependents: number[][] = steps.map(() => []);
  deps.forEach((ds, i) => ds.forEach((d) => dependents[d]?.push(i)));

  return { steps, producer, deps, dependents, order: topoOrder(steps, deps) };
}

/** Depth-first order; a back edge is a cycle, reported as the chain of step labels that forms it. */
function topoOrder(steps: readonly Step[], deps: readonly (readonly number[])[]): number[] {
  const state = new Uint8Array(steps.length); // 0 unvisited, 1 on the stack, 2 done
  const order: number[] = [];
  const stack: number[] = [];
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) {
      const cycle = [...stack.slice(stack.indexOf(i)), i].map((j) => steps[j]?.label ?? String(j));
      throw new UserError(`dependency cycle: ${cycle.join(" -> ")}`);
    }
    state[i] = 1;
    stack.push(i);
    for (const d of deps[i] ?? []) visit(d);
    stack.pop();
    state[i] = 2;
    order.push(i);
  };
  for (let i = 0; i < steps.length; i++) visit(i);
  return order;
}

function graphError(problems: string[]): UserError {
  const [first, ...rest] = problems;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : "";
  return new UserError(`invalid build graph: ${first}${more}`, { details: rest });
}
