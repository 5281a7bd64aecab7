// Schema check of a parsed YAML file: every zod issue becomes one `Problem` worded for the file's author.

import { z } from "zod";
import { formatPath, type Problem, type YamlPath, type YamlSource } from "./yaml.ts";
import { MISSING, describeValue } from "./scalars.ts";

/** Either the checked value or every problem found (never both). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Checks `source.value` against `schema`, collecting every problem rather than stopping at the first. */
export function checkSchema<S extends z.ZodType>(schema: S, source: YamlSource): Checked<z.output<S>> {
  const result = schema.safeParse(source.value, { error: wording });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap((issue) => toProblems(schema, issue)) };
}

const NOUNS: Record<string, string> = {
  string: "a string",
  object: "a mapping",
  array: "a list",
  boolean: "a boolean",
  bigint: "an integer",
  number: "a number",
  int: "an integer",
};

/** Zod error map: the messages a port or image author reads (zod's own are kept for rarer cases). */
function wording(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return MISSING;
      return `expected ${NOUNS[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      const expected = values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case "too_small":
      if (issue.origin === "array")
        return `needs at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}`;
      if (issue.origin === "string") return `must be at least ${issue.minimum} character(s) long`;
      return undefined;
    case "too_big":
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters long`;
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      return undefined;
    default:
      return undefined;
  }
}

function toProblems(schema: z.ZodType, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((seg): seg is string | number => typeof seg !== "symbol");
  const where = (p: YamlPath) => (p.length > 0 ? `${formatPath(p)}: ` : "");

  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(schema, path);
    return issue.keys.map((key) => ({
      path: [...path, key],
      at: "key" as const,
      message: `${where(path)}unknown key "${key}"${suggestion(key, allowed)}`,
    }));
  }
  if (issue.code === "invalid_key") {
    const why = issue.issues.map((i) => i.message).join("; ");
    return [{ path, at: "key", message: `${where(path)}${why}` }];
  }
  if (issue.message === MISSING && path.length > 0) {
    const parent = path.slice(0, -1);
    return [{ path, message: `${where(parent)}missing required field "${String(path[path.length - 1])}"` }];
  }
  return [{ path, message: `${where(path)}${issue.message}` }];
}

/** `(did you mean "size"?)` for a near miss, else the keys that are allowed there. */
function suggestion(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return "";
  const limit = Math.max(1, Math.floor(key.length / 3));
  const close = allowed.find((k) => editDistance(k, key.toLowerCase()) <= limit);
  return close ? ` (did you mean "${close}"?)` : ` (allowed: ${allowed.join(", ")})`;
}

/** The keys of the object schema found at `path` (through optionals, defaults, lists and records). */
function allowedKeys(schema: z.ZodType, path: YamlPath): string[] {
  let node: unknown = schema;
  for (let i = 0; i <= path.length; i++) {
    node = unwrap(node);
    if (i === path.length) break;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, unknown>)[String(path[i])];
    else if (node instanceof z.ZodArray) node = node.element;
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: unknown): unknown {
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodPrefault) {
      node = node.def.innerType;
    } else if (node instanceof z.ZodPipe) {
      node = node.def.in;
    } else {
      return node;
    }
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}
