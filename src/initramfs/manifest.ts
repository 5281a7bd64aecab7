// Initramfs manifests (guests/<name>/initramfs.yaml): what goes into a root VM's initramfs, checked with every
// problem at file:line:col, and assembled into newc cpio entries. Format: docs/design/initramfs.md.
//
//   entries:
//     - dir: bin                      # mode defaults to 0755
//     - file: init                    # from: relative to the manifest's folder; a host path outside the checkout
//                                     # and the build outputs only when listed under host_paths: [/abs/dir]
//       from: init
//       mode: "0755"
//     - file: bin/busybox             # build: an output of the guest's build (busybox, keelctl...)
//       build: busybox
//     - symlink: [bin/sh, bin/ls]     # one name or a list; the target may be absolute
//       target: busybox
//     - device: dev/console
//       type: char                    # char | block
//       major: 5
//       minor: 1
//       mode: "0600"
//
// Names are relative to the initramfs root; `..`, `.`, empty components and absolute names are errors, and so
// is an entry below a symlink, file or device (the kernel would unpack it through that entry). Missing parent
// directories are added with mode 0755.
import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { SourceLocation } from "../util/errors.ts";
import { UserError } from "../util/errors.ts";
import { parseYaml, problemsError, type Problem, type YamlPath, type YamlSource } from "../yamlfile/yaml.ts";
import type { CpioEntry } from "./cpio.ts";

/** Where a file entry's content comes from. */
export type FileSource = { kind: "path"; path: string } | { kind: "build"; name: string };

export type ManifestEntry =
  | { type: "dir"; name: string; mode: number; loc: SourceLocation; implicit?: boolean }
  | { type: "file"; name: string; mode: number; loc: SourceLocation; source: FileSource }
  | { type: "symlink"; name: string; mode: number; loc: SourceLocation; target: string }
  | {
      type: "char" | "block";
      name: string;
      mode: number;
      loc: SourceLocation;
      major: number;
      minor: number;
    };

export interface InitramfsManifest {
  file: string;
  /** Where from: may read (the allowed roots and the manifest's host_paths), for the check after symlinks. */
  allowed: readonly string[];
  /** Every entry, implicit parent directories included, sorted by name. */
  entries: ManifestEntry[];
}

export interface ParseOptions {
  /** Relative `from:` paths are resolved against this folder (default: the manifest's folder). */
  baseDir?: string;
  /** Names a `build:` may use; any name when absent. */
  builds?: readonly string[];
  /**
   * Folders `from:` may read without the manifest's say (the checkout and the build outputs; default: the
   * manifest's folder). A host path elsewhere must be listed under the manifest's `host_paths:`.
   */
  allowedRoots?: readonly string[];
}

/** Is `file` `dir` or inside it? (Both absolute.) */
function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

const KINDS = ["dir", "file", "symlink", "device"] as const;
const ALLOWED: Record<(typeof KINDS)[number], readonly string[]> = {
  dir: ["dir", "mode"],
  file: ["file", "from", "build", "mode"],
  symlink: ["symlink", "target"],
  device: ["device", "type", "major", "minor", "mode"],
};
const DEFAULT_MODE = { dir: 0o755, fileFrom: 0o644, fileBuild: 0o755, symlink: 0o777, device: 0o600 };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Why `name` is not an acceptable entry name, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "empty name";
  if (name.startsWith("/")) {
    return `"${name}": names are relative to the initramfs root (write "${name.replace(/^\/+/, "") || "."}")`;
  }
  if (/[\0\n]/.test(name)) return `"${JSON.stringify(name)}": names may not contain NUL or newline`;
  if (Buffer.byteLength(name) > 4095) return `"${name.slice(0, 40)}...": name longer than 4095 bytes`;
  for (const part of name.split("/")) {
    if (part === "..") return `"${name}": ".." would leave the initramfs root`;
    if (part === ".") return `"${name}": "." components are not allowed`;
    if (part === "") return `"${name}": empty path component (a doubled or trailing "/")`;
  }
  return undefined;
}

/** Parses and checks manifest text as if read from `file`; throws one UserError listing every problem. */
export function parseInitramfs(text: string, file: string, opts: ParseOptions = {}): InitramfsManifest {
  const source = parseYaml(text, file);
  const baseDir = opts.baseDir ?? path.dirname(path.resolve(file));
  const problems: Problem[] = [];
  const bad = (p: YamlPath, message: string, at?: "key"): void => {
    problems.push(at ? { path: p, message, at } : { path: p, message });
  };
  const explicit: ManifestEntry[] = [];
  const doc = source.value;
  if (!isRecord(doc)) {
    throw problemsError(source, [{ path: [], message: "expected a mapping with an entries: list" }]);
  }
  for (const k of Object.keys(doc))
    if (k !== "entries" && k !== "host_paths")
      bad([k], `unknown key "${k}" (expected entries, host_paths)`, "key");
  // host_paths: absolute host paths outside the checkout and the build outputs that from: may read.
  const hostPaths: string[] = [];
  const hp = doc["host_paths"];
  if (hp !== undefined) {
    if (!Array.isArray(hp)) bad(["host_paths"], "host_paths: expected a list of absolute paths");
    else
      hp.forEach((v: unknown, i: number) => {
        if (typeof v !== "string" || !path.isAbsolute(v))
          bad(["host_paths", i], `host_paths: expected an absolute path, got ${JSON.stringify(v)}`);
        else hostPaths.push(path.resolve(v));
      });
  }
  const allowed = [...(opts.allowedRoots ?? [baseDir]), ...hostPaths];
  const list = doc["entries"];
  if (!Array.isArray(list)) {
    bad(["entries"], "entries: expected a list of entries");
    throw problemsError(source, problems);
  }

  list.forEach((raw: unknown, i: number) => {
    const at = (...rest: (string | number)[]): YamlPath => ["entries", i, ...rest];
    if (!isRecord(raw)) return bad(at(), "expected a mapping such as {dir: bin}");
    const kinds = KINDS.filter((k) => k in raw);
    if (kinds.length !== 1) {
      return bad(
        at(),
        kinds.length === 0
          ? "an entry needs one of dir:, file:, symlink:, device:"
          : `an entry is one of dir:, file:, symlink:, device: (this one has ${kinds.join(" and ")})`,
      );
    }
    const kind = kinds[0]!;
    for (const k of Object.keys(raw)) {
      if (!ALLOWED[kind].includes(k)) bad(at(k), `unknown key "${k}" for a ${kind} entry`, "key");
    }
    const loc = source.locate(at(kind));
    const mode = (fallback: number): number | undefined => {
      const m = raw["mode"];
      if (m === undefined) return fallback;
      if (typeof m !== "string" || !/^[0-7]{3,4}$/.test(m)) {
        bad(at("mode"), `mode: expected a quoted octal string such as "0755"; got ${String(m)}`);
        return undefined;
      }
      return parseInt(m, 8);
    };
    const names: { name: string; p: YamlPath }[] = [];
    const named = raw[kind];
    if (kind === "symlink" && Array.isArray(named)) {
      if (named.length === 0) bad(at(kind), "symlink: expected a name or a non-empty list of names");
      named.forEach((n: unknown, j: number) => names.push({ name: String(n), p: at(kind, j) }));
    } else if (typeof named === "string") {
      names.push({ name: named, p: at(kind) });
    } else {
      return bad(at(kind), `${kind}: expected a name such as "bin"`);
    }
    const good = names.filter(({ name, p }) => {
      const why = nameProblem(name);
      if (why) bad(p, why);
      return !why;
    });

    switch (kind) {
      case "dir": {
        const m = mode(DEFAULT_MODE.dir);
        for (const { name } of good) if (m !== undefined) explicit.push({ type: "dir", name, mode: m, loc });
        return;
      }
      case "file": {
        const from = raw["from"];
        const build = raw["build"];
        let src: FileSource | undefined;
        if ((from === undefined) === (build === undefined)) {
          bad(at(kind), "a file entry needs exactly one of from: (a file) and build: (a build output)");
        } else if (from !== undefined) {
          if (typeof from !== "string" || from === "") bad(at("from"), "from: expected a file path");
          else {
            const file = path.resolve(baseDir, from);
            if (allowed.some((d) => inside(file, d))) src = { kind: "path", path: file };
            else
              bad(
                at("from"),
                `from: ${file} is outside the checkout and the build outputs; list it (or a folder holding it) under host_paths: to pack it`,
              );
          }
        } else if (typeof build !== "string" || build === "") {
          bad(at("build"), "build: expected the name of a build output");
        } else if (opts.builds && !opts.builds.includes(build)) {
          bad(
            at("build"),
            `build: no build output "${build}" (outputs: ${opts.builds.join(", ") || "none"})`,
          );
        } else {
          src = { kind: "build", name: build };
        }
        const m = mode(src?.kind === "build" ? DEFAULT_MODE.fileBuild : DEFAULT_MODE.fileFrom);
        for (const { name } of good) {
          if (src && m !== undefined) explicit.push({ type: "file", name, mode: m, loc, source: src });
        }
        return;
      }
      case "symlink": {
        const target = raw["target"];
        if (typeof target !== "string" || target === "" || target.includes("\0")) {
          return bad(target === undefined ? at(kind) : at("target"), "a symlink needs target: (a path)");
        }
        for (const { name, p } of good) {
          explicit.push({ type: "symlink", name, mode: DEFAULT_MODE.symlink, loc: source.locate(p), target });
        }
        return;
      }
      case "device": {
        const type = raw["type"];
        if (type !== "char" && type !== "block")
          bad(type === undefined ? at(kind) : at("type"), "type: expected char or block");
        const num = (k: "major" | "minor", max: number): number | undefined => {
          const v = raw[k];
          if (typeof v !== "bigint" || v < 0n || v > BigInt(max)) {
            bad(v === undefined ? at(kind) : at(k), `${k}: expected a number from 0 to ${max}`);
            return undefined;
          }
          return Number(v);
        };
        const major = num("major", 4095);
        const minor = num("minor", 1048575);
        const m = mode(DEFAULT_MODE.device);
        if (
          (type === "char" || type === "block") &&
          major !== undefined &&
          minor !== undefined &&
          m !== undefined
        ) {
          for (const { name } of good) explicit.push({ type, name, mode: m, loc, major, minor });
        }
        return;
      }
    }
  });

  // Duplicates, and entries below something that is not a directory.
  const byName = new Map<string, ManifestEntry>();
  for (const e of explicit) {
    const first = byName.get(e.name);
    if (first)
      problems.push(locatedProblem(e, `duplicate entry "${e.name}" (first on line ${first.loc.line})`));
    else byName.set(e.name, e);
  }
  const entries = [...byName.values()];
  for (const e of [...entries]) {
    const parts = e.name.split("/");
    for (let n = 1; n < parts.length; n++) {
      const parent = parts.slice(0, n).join("/");
      const p = byName.get(parent);
      if (p === undefined) {
        const dir: ManifestEntry = {
          type: "dir",
          name: parent,
          mode: DEFAULT_MODE.dir,
          loc: e.loc,
          implicit: true,
        };
        byName.set(parent, dir);
        entries.push(dir);
      } else if (p.type !== "dir") {
        const what = p.type === "file" ? "a file" : p.type === "symlink" ? "a symlink" : "a device";
        problems.push(
          locatedProblem(
            e,
            `"${e.name}": its parent "${parent}" is ${what} (line ${p.loc.line}); the entry would be unpacked through it`,
          ),
        );
        break;
      }
    }
  }
  if (problems.length > 0) throw placed(source, problems);
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return { file, allowed, entries };
}

/** A problem already placed at a location (duplicate and parent checks know the entry, not its path). */
type Placed = Problem & { loc?: SourceLocation };
function locatedProblem(e: ManifestEntry, message: string): Placed {
  return { path: [], message, loc: e.loc };
}
function placed(source: YamlSource, problems: readonly Placed[]): UserError {
  const located = problems.filter((p) => p.loc);
  const plain = problems.filter((p) => !p.loc);
  if (located.length === 0) return problemsError(source, plain);
  // Both kinds in one list, in file order.
  const all = [
    ...plain.map((p) => ({ location: source.locate(p.path, p.at), message: p.message })),
    ...located.map((p) => ({ location: p.loc!, message: p.message })),
  ].sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
  const [first, ...rest] = all;
  return new UserError(first!.message, {
    location: first!.location,
    details: rest.map((p) => `${p.location.file}:${p.location.line}:${p.location.col}: ${p.message}`),
  });
}

/** Reads and checks a manifest; every `from:` file must exist (problems placed at the entry). */
export async function loadInitramfs(file: string, opts: ParseOptions = {}): Promise<InitramfsManifest> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const manifest = parseInitramfs(text, file, opts);
  const missing: UserError[] = [];
  for (const e of manifest.entries) {
    if (e.type === "file" && e.source.kind === "path") {
      const st = await stat(e.source.path).catch(() => undefined);
      if (!st?.isFile()) {
        missing.push(new UserError(`"${e.name}": from: ${e.source.path} is not a file`, { location: e.loc }));
        continue;
      }
      // The same rule after symlinks: a link in the checkout may not lead out of it unasked.
      const real = await realpath(e.source.path);
      const roots = await Promise.all(manifest.allowed.map((d) => realpath(d).catch(() => d)));
      if (!roots.some((d) => inside(real, d)))
        missing.push(
          new UserError(
            `"${e.name}": from: ${e.source.path} leads to ${real}, outside the checkout and the build outputs; list it (or a folder holding it) under host_paths: to pack it`,
            { location: e.loc },
          ),
        );
    }
  }
  const [first, ...rest] = missing;
  if (first)
    throw new UserError(first.message, { location: first.location!, details: rest.map((r) => r.headline) });
  return manifest;
}

/** The files an assembly reads: every `from:` path (absolute), sorted. */
export function manifestInputs(m: InitramfsManifest): string[] {
  const files = m.entries.flatMap((e) =>
    e.type === "file" && e.source.kind === "path" ? [e.source.path] : [],
  );
  return [...new Set(files)].sort();
}

/** The cpio entries, with file contents read through `read` (build outputs resolved by `buildPath`). */
export async function assembleEntries(
  m: InitramfsManifest,
  buildPath: (name: string) => string,
  read: (file: string) => Promise<Uint8Array>,
): Promise<CpioEntry[]> {
  const out: CpioEntry[] = [];
  for (const e of m.entries) {
    switch (e.type) {
      case "dir":
        out.push({ type: "dir", name: e.name, mode: e.mode });
        break;
      case "file": {
        const file = e.source.kind === "path" ? e.source.path : buildPath(e.source.name);
        out.push({ type: "file", name: e.name, mode: e.mode, data: await read(file) });
        break;
      }
      case "symlink":
        out.push({ type: "symlink", name: e.name, mode: e.mode, target: e.target });
        break;
      case "char":
      case "block":
        out.push({ type: e.type, name: e.name, mode: e.mode, major: e.major, minor: e.minor });
        break;
    }
  }
  return out;
}
