// Why a step is dirty, in words: a field-by-field comparison of the last record with the step now.
// Kept apart from the key on purpose (as in n2): the key decides, this explains, and a test checks they agree.
import * as path from "node:path";
import type { KeyMaterial, StepRecord } from "./db.ts";
import { MISSING } from "./db.ts";

/** The step as it is now: its key material and the current hash of each output (undefined = missing). */
export interface CurrentState extends KeyMaterial {
  outputHashes: Readonly<Record<string, string | undefined>>;
}

/** Paths under `root` are shown relative to it. */
export function displayPath(file: string, root: string | undefined): string {
  if (root === undefined) return file;
  const rel = path.relative(root, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/**
 * The reasons a step must run, most fundamental first; empty when nothing differs. Input and output reasons
 * are listed per file, in path order.
 */
export function explainStep(now: CurrentState, record: StepRecord | undefined, root?: string): string[] {
  if (!record) return ["new step"];
  const show = (f: string): string => displayPath(f, root);
  const reasons: string[] = [];

  const cmd = describeListChange(record.command, now.command);
  if (cmd) reasons.push(`command changed: ${cmd}`);
  if (record.cwd !== now.cwd) reasons.push(`working directory changed: ${record.cwd} -> ${now.cwd}`);
  const envNames = [...new Set([...Object.keys(record.env), ...Object.keys(now.env)])].sort();
  for (const name of envNames) {
    if (record.env[name] !== now.env[name]) reasons.push(`environment ${name} changed`);
  }
  const ident = describeListChange(record.identity, now.identity);
  if (ident) reasons.push(`identity changed: ${ident}`);
  const outs = describeListChange([...record.outputs].sort().map(show), [...now.outputs].sort().map(show));
  if (outs) reasons.push(`outputs changed: ${outs}`);

  const files = [...new Set([...Object.keys(record.manifest), ...Object.keys(now.manifest)])].sort();
  for (const f of files) {
    const was = record.manifest[f];
    const is = now.manifest[f];
    if (was === undefined) reasons.push(`input ${show(f)} added`);
    else if (is === undefined) reasons.push(`input ${show(f)} removed`);
    else if (is === MISSING && was !== MISSING) reasons.push(`input ${show(f)} deleted`);
    else if (was !== is) reasons.push(`input ${show(f)} changed`);
  }

  for (const f of [...now.outputs].sort()) {
    const is = now.outputHashes[f];
    if (is === undefined) reasons.push(`output ${show(f)} missing`);
    else if (is !== record.outputHashes[f]) reasons.push(`output ${show(f)} modified`);
  }
  return reasons;
}

/**
 * The first difference between two argument lists, as a short phrase: `-O2 -> -Og`, `added -DX`,
 * `removed -g`. Common leading and trailing arguments are dropped; long sides are cut to a few arguments.
 */
export function describeListChange(before: readonly string[], after: readonly string[]): string | undefined {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  if (start === before.length && start === after.length) return undefined;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  if (endB - start === 1 && endA - start === 1) {
    const text = textChange(before[start]!, after[start]!);
    if (text !== undefined) return text;
  }
  const was = clip(before.slice(start, endB));
  const is = clip(after.slice(start, endA));
  if (was === "") return `added ${is}`;
  if (is === "") return `removed ${was}`;
  return `${was} -> ${is}`;
}

/** Two versions of a generated text (an argument of several lines): its first changed line, once each. */
function textChange(was: string, is: string): string | undefined {
  if (!was.includes("\n") && !is.includes("\n")) return undefined;
  const a = was.split("\n");
  const b = is.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = (l: string | undefined): string => (l === undefined ? "(none)" : brief(l.trim()).slice(0, 80));
  return `text line ${i + 1}: ${line(a[i])} -> ${line(b[i])}`;
}

function clip(args: readonly string[]): string {
  const shown = args.slice(0, 4).map(brief).join(" ");
  return args.length > 4 ? `${shown} ...` : shown;
}

/** An argument as a phrase shows it: a generated text (several lines, e.g. a whole C file) by its size. */
function brief(arg: string): string {
  const lines = arg.split("\n").length;
  if (lines > 1) return `<text of ${lines} lines>`;
  return arg.length > 120 ? `${arg.slice(0, 100)}...(${arg.length} chars)` : arg;
}
