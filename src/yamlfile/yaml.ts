// YAML with positions: parse a file once, keep its node tree, and map a value path back to file:line:col.
//
// Every integer is read as a bigint (`intAsBigInt`) so 64-bit addresses such as 0xffffffff80000000 stay
// exact; schemas turn small counts back into numbers. Syntax errors become one UserError listing all of
// them; later stages report their own problems as `Problem`s (a path plus a message) and let `problemsError`
// place them.

import { readFile } from "node:fs/promises";
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document } from "yaml";
import { UserError, formatDiagnostic, type SourceLocation } from "../util/errors.ts";

/** A path into a YAML value: mapping keys and sequence indexes, e.g. `["capsules", 2, "ram"]`. */
export type YamlPath = readonly (string | number)[];

/** What a path points at: the value (wrong type, bad number) or the key (unknown key, duplicate). */
export type PathTarget = "value" | "key";

/** One problem in a YAML file, not yet placed. */
export interface Problem {
  path: YamlPath;
  message: string;
  /** Defaults to "value". A path that does not exist falls back to its nearest existing parent key. */
  at?: PathTarget;
}

/** A parsed YAML file: its plain value and a way back from paths to positions. */
export interface YamlSource {
  /** The file name used in diagnostics, as the caller gave it. */
  readonly file: string;
  /** The document as plain data: mappings are objects, integers are bigints, an empty file is null. */
  readonly value: unknown;
  /** Where `path` is written in the file (see `Problem.at`). */
  locate(path: YamlPath, at?: PathTarget): SourceLocation;
}

/** Parses YAML text; throws a UserError listing every syntax error as `file:line:col: message`. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, intAsBigInt: true, prettyErrors: false });
  const at = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });

  // Warnings (unknown tags, ...) are treated as errors: a port file that half-parses is not a port file.
  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({
    location: at(e.pos[0]),
    message: e.message,
  }));
  // The parser accepts `*name` without an anchor; converting it would fail without a position.
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc) && alias.range) {
        syntax.push({
          location: at(alias.range[0]),
          message: `alias *${alias.source} has no anchor &${alias.source} before it`,
        });
      }
    },
  });
  if (syntax.length > 0) throw locatedError(syntax);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new UserError(`cannot read YAML: ${(e as Error).message}`, { location: { file, line: 1, col: 1 } });
  }
  return {
    file,
    value: value ?? null,
    locate: (path, target = "value") => locatePath(doc, path, target, at),
  };
}

/** Reads and parses a YAML file; a missing or unreadable file is a UserError. */
export async function readYaml(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${code ?? e})`);
  }
  return parseYaml(text, file);
}

/** A problem placed in its file. */
export interface LocatedProblem {
  location: SourceLocation;
  message: string;
}

/**
 * One UserError for several problems, in file order. The first problem is the headline, the rest are the
 * details, so `[err.headline, ...err.details]` lists every problem exactly once.
 */
export function locatedError(problems: readonly LocatedProblem[]): UserError {
  const sorted = [...problems].sort(
    (a, b) => a.location.line - b.location.line || a.location.col - b.location.col,
  );
  const [first, ...rest] = sorted;
  if (!first) throw new Error("locatedError: no problems");
  return new UserError(first.message, {
    location: first.location,
    details: rest.map((p) => formatDiagnostic(p.location, p.message)),
  });
}

/** Places `problems` in `source` and wraps them in one UserError (see `locatedError`). */
export function problemsError(source: YamlSource, problems: readonly Problem[]): UserError {
  return locatedError(problems.map((p) => ({ location: source.locate(p.path, p.at), message: p.message })));
}

/** `devices.uart.base`, `capsules[2].ram`; empty for the document itself. */
export function formatPath(path: YamlPath): string {
  return path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join("");
}

function locatePath(
  doc: Document,
  path: YamlPath,
  target: PathTarget,
  at: (offset: number) => SourceLocation,
): SourceLocation {
  let node: unknown = doc.contents;
  // The key whose value is `node`; absent for the root and for sequence items.
  let key: unknown;
  let missing = false;

  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) {
        missing = true;
        break;
      }
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      key = undefined;
      node = node.items[seg];
    } else {
      missing = true;
      break;
    }
  }

  // A missing path is reported where its parent is named (`uart:`), or at the parent itself.
  const preferKey = missing || target === "key";
  const pick = preferKey ? [key, node] : [node, key];
  for (const candidate of pick) {
    const offset = startOf(candidate);
    if (offset !== undefined) return at(offset);
  }
  return { file: at(0).file, line: 1, col: 1 };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function startOf(node: unknown): number | undefined {
  if (node === null || typeof node !== "object" || !("range" in node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  // An empty value (`base:` with nothing after it) has an empty range; point at its key instead.
  if (!range || (range[0] === range[1] && isScalar(node) && node.value === null)) return undefined;
  return range[0];
}
