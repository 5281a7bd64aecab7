// One step's work: decide whether it is up to date, run it with atomic outputs, and record what went into it.
// The states and the atomic-output protocol are described in docs/design/build-steps.md.
import * as path from "node:path";
import { UserError } from "../util/errors.ts";
import type { KeyMaterial, StepRecord } from "./db.ts";
import { MISSING, stepKey } from "./db.ts";
import { depfileDeps, parseDepfile } from "./depfile.ts";
import { fixdep } from "./fixdep.ts";
import type { Runner } from "./exec.ts";
import type { CurrentState } from "./explain.ts";
import { displayPath } from "./explain.ts";
import type { Fs } from "./fs.ts";
import type { ActionContext, Step } from "./graph.ts";
import { tmp } from "./graph.ts";
import type { FileHasher } from "./hash.ts";

/** What every step's work shares during one build. */
export interface WorkEnv {
  fs: Fs;
  runner: Runner;
  hasher: FileHasher;
  /** Default working directory of commands. */
  outDir: string;
  /** Paths in messages are shown relative to this. */
  root?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Called when a step finished, before its dependents are checked (the engine appends it to the step log). */
  recorded?: ((id: string, record: StepRecord) => Promise<void>) | undefined;
  /** Where an action's progress goes (the status line). */
  progress?: ((step: Step, text: string) => void) | undefined;
}

export interface Checked {
  clean: boolean;
  key: string;
  /** The step now; feeds explainStep when it is dirty. */
  current: CurrentState;
}

export type Outcome =
  | { ok: true; record: StepRecord; output: string }
  | { ok: false; code: number; output: string; error: UserError };

function materialOf(step: Step, outDir: string, manifest: Record<string, string>): KeyMaterial {
  return {
    command: step.command ?? [],
    cwd: step.cwd ?? outDir,
    env: step.env ?? {},
    identity: step.identity,
    outputs: step.outputs,
    manifest,
  };
}

/**
 * Hashes the step's inputs (declared ones, plus the deps its last depfile named) and outputs, and compares
 * the key with the record. Throws a UserError when a declared input is missing: its producer, if any, has
 * already finished, so nothing else will create it.
 */
export async function checkStep(step: Step, record: StepRecord | undefined, env: WorkEnv): Promise<Checked> {
  const manifest: Record<string, string> = {};
  for (const input of step.inputs) {
    const h = await env.hasher.hash(input);
    if (h === undefined) {
      throw new UserError(`${displayPath(input, env.root)}, needed by ${step.label}, is missing`);
    }
    manifest[input] = h;
  }
  for (const dep of record?.discovered ?? []) {
    if (!(dep in manifest)) manifest[dep] = (await env.hasher.hash(dep)) ?? MISSING;
  }
  const outputHashes: Record<string, string | undefined> = {};
  if (record) for (const out of step.outputs) outputHashes[out] = await env.hasher.hash(out);

  const current: CurrentState = { ...materialOf(step, env.outDir, manifest), outputHashes };
  const key = stepKey(current);
  const clean =
    record !== undefined &&
    record.key === key &&
    step.outputs.every((o) => outputHashes[o] !== undefined && outputHashes[o] === record.outputHashes[o]);
  return { clean, key, current };
}

/**
 * Runs a dirty step. Outputs are written as `tmp(output)` and renamed into place only on success (an output
 * whose content did not change is left untouched). On failure the `.tmp` files and the final outputs are
 * removed, so nothing stale is left that looks like a result of this build.
 */
export async function runStep(step: Step, checked: Checked, env: WorkEnv): Promise<Outcome> {
  const { fs } = env;
  const cwd = checked.current.cwd;
  const scratch = [...step.outputs.map(tmp), ...(step.depfile ? [step.depfile] : [])];
  for (const f of [...step.outputs, ...scratch]) await fs.mkdir(path.dirname(f));
  for (const f of scratch) await fs.rm(f);

  let code = 0;
  let output = "";
  let failure: string | undefined;
  try {
    if (step.command !== undefined) {
      const res = await env.runner.run(step.command, {
        cwd,
        ...(step.env ? { env: step.env } : {}),
        ...(env.signal ? { signal: env.signal } : {}),
      });
      code = res.code;
      output = res.stdout + res.stderr;
      if (code !== 0) failure = firstLines(res.stderr || res.stdout);
    } else {
      const log: string[] = [];
      await step.action(actionContext(step, env, log));
      output = log.map((l) => `${l}\n`).join("");
    }
    if (failure === undefined) {
      for (const out of step.outputs) {
        if (!(await fs.stat(tmp(out)))) {
          failure = `${displayPath(tmp(out), env.root)} was not written (outputs must be written to tmp(output))`;
          break;
        }
      }
    }
    if (failure === undefined) {
      const discovered = step.depfile ? await readDeps(step, step.depfile, cwd, env) : [];
      const outputHashes = await commitOutputs(step, env);
      const manifest = pick(checked.current.manifest, step.inputs);
      for (const dep of discovered) manifest[dep] = (await env.hasher.hash(dep)) ?? MISSING;
      const material = materialOf(step, env.outDir, manifest);
      return { ok: true, output, record: { ...material, key: stepKey(material), discovered, outputHashes } };
    }
  } catch (err) {
    if (!(err instanceof UserError)) {
      await discard(step, env);
      throw err;
    }
    failure = err.headline;
    output ||= `${err.headline}\n`;
  }
  await discard(step, env);
  const error = new UserError(
    `${step.kind} ${step.label} failed${code !== 0 ? ` (exit code ${code})` : ""}`,
    {
      details: failure.split("\n"),
    },
  );
  return { ok: false, code, output, error };
}

function actionContext(step: Step, env: WorkEnv, log: string[]): ActionContext {
  const { fs } = env;
  return {
    fs,
    signal: env.signal,
    progress: (text) => env.progress?.(step, text),
    log: (text) => log.push(text),
    async writeOutput(output, data) {
      if (!step.outputs.includes(output)) {
        throw new Error(`step ${step.id} wrote ${output}, which is not one of its outputs`);
      }
      await fs.writeFile(tmp(output), data);
    },
  };
}

/** Renames each `.tmp` into place (or drops it when the content is what is already there); returns the hashes. */
async function commitOutputs(step: Step, env: WorkEnv): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const out of step.outputs) {
    const fresh = await env.hasher.hash(tmp(out));
    if (fresh === undefined) throw new Error(`${tmp(out)} vanished`);
    if ((await env.hasher.hash(out)) === fresh) {
      await env.fs.rm(tmp(out));
      env.hasher.forget(tmp(out));
    } else {
      await env.fs.rename(tmp(out), out);
      env.hasher.renamed(tmp(out), out);
    }
    hashes[out] = fresh;
  }
  return hashes;
}

/** The depfile's deps as absolute paths, minus declared inputs and the step's own files. */
async function readDeps(step: Step, depfile: string, cwd: string, env: WorkEnv): Promise<string[]> {
  let text: string;
  try {
    text = await env.fs.readText(depfile);
  } catch {
    throw new UserError(`${step.label}: the command did not write its depfile ${depfile}`);
  }
  const own = new Set([...step.inputs, ...step.outputs, ...step.outputs.map(tmp), depfile]);
  const all = [...new Set(depfileDeps(parseDepfile(text, depfile)).map((d) => path.resolve(cwd, d)))];
  const deps = all.filter((d) => !own.has(d)).sort();
  if (!step.configDeps) return deps;
  const opened = all.filter((d) => !step.outputs.includes(d) && d !== depfile);
  return fixdep(deps, opened, step.configDeps, (f) => env.fs.readText(f));
}

/** After a failure: no `.tmp`, no final output, no depfile. */
async function discard(step: Step, env: WorkEnv): Promise<void> {
  for (const f of [...step.outputs, ...step.outputs.map(tmp), ...(step.depfile ? [step.depfile] : [])]) {
    await env.fs.rm(f);
    env.hasher.forget(f);
  }
}

function pick(r: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = r[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The first lines of a tool's error output (the whole output is printed by the status printer). */
export function firstLines(text: string, max = 20): string {
  const lines = text.replace(/\n$/, "").split("\n");
  if (lines.length <= max) return lines.join("\n");
  return [...lines.slice(0, max), `... (${lines.length - max} more lines)`].join("\n");
}
