// Loading a Kconfig tree: parse, finalize and check it, giving the Kconfig object every command works on.

import { DepChecker } from "./depcheck.ts";
import { Evaluator } from "./eval.ts";
import { Finalizer } from "./finalize.ts";
import { Macros, type ShellRunner } from "./macro.ts";
import { formatWarning, type MenuNode, type Sym, SymbolTable } from "./model.ts";
import { Parser } from "./parser.ts";
import type { LoadRecord } from "./snapshot.ts";
import { TokenStream, type KconfigFs } from "./stream.ts";
import { UserError } from "../util/errors.ts";

export interface LoadOptions {
  /** The top-level Kconfig file, as the tree names it (e.g. "Kconfig"). */
  file?: string;
  fs: KconfigFs;
  /** Environment visible to $(VAR) references (ARCH, SRCARCH, CC, srctree, ...). */
  env?: Readonly<Record<string, string | undefined>>;
  shell?: ShellRunner;
  /** Receives $(info,...) lines. */
  info?: (line: string) => void;
  /** A speculative parse whose $(shell,...) answers may be made up: $(error-if,...) is ignored. */
  speculative?: boolean;
  /** Where loaded trees are kept across runs (see snapshot.ts); without it every load parses. */
  cache?: KconfigCache;
}

/**
 * A store of loaded trees. `load` returns a tree stored for the same options when everything its record
 * lists still reads the same (the caller's check: files, environment, probe outputs); `store` is offered
 * each tree loaded from source, before anything evaluates it.
 */
export interface KconfigCache {
  load(opts: LoadOptions): { kconfig: Kconfig; record: LoadRecord } | undefined;
  store(kconfig: Kconfig, record: LoadRecord): void;
}

/** A parsed, finalized Kconfig tree with its current symbol values. */
export class Kconfig {
  /** Linux's conf_changed: whether values may differ from the last written .config. */
  changed = true;
  /** Warnings so far (parse, finalize, unmet dependencies, .config reading), in Linux's wording. */
  readonly warnings: string[];

  constructor(
    readonly symbols: SymbolTable,
    readonly root: MenuNode,
    readonly modules: Sym,
    readonly ev: Evaluator,
    /** Every Kconfig file read, first read first. */
    readonly files: readonly string[],
    /** Environment variables the tree read, with their values (auto.conf.cmd's dependencies). */
    readonly envUsed: ReadonlyMap<string, string>,
    warnings: string[],
  ) {
    this.warnings = warnings;
  }

  /** The title written at the top of every output (mainmenu, or "Main menu"). */
  get title(): string {
    return this.root.prompt?.text ?? "Main menu";
  }

  /** sym_clear_all_valid: every value is recomputed on next use. */
  clearAllValid(): void {
    this.changed = true;
    this.ev.clearAllValid();
  }

  /** The named, non-choice symbol, if the tree has it. */
  symbol(name: string): Sym | undefined {
    return this.symbols.find(name);
  }

  /** All warnings including unmet-dependency reports from evaluation. */
  allWarnings(): string[] {
    return [...this.warnings, ...this.ev.warnings];
  }
}

/**
 * What the probe pre-pass needs, cheaper than a parse: the macro language evaluated in order across the
 * `source`d files, with no symbols or menus built. Every token is still read (so every word and string is
 * expanded, as the parser would), assignments are made and `source` statements followed; help texts are
 * skipped. Errors end the scan: the real load reports them.
 */
export function scanMacros(opts: LoadOptions): void {
  const at: { ts?: TokenStream } = {};
  const macros = new Macros({
    env: opts.env ?? {},
    shell: opts.shell ?? (() => ""),
    info: opts.info ?? (() => {}),
    warn: () => {},
    file: () => at.ts?.current?.file ?? "",
    line: () => at.ts?.current?.line ?? 0,
    speculative: opts.speculative ?? false,
  });
  const ts = (at.ts = new TokenStream(opts.fs, macros, () => {}));
  if (!ts.push(opts.file ?? "Kconfig")) return;
  try {
    let lineStart = true;
    for (;;) {
      const t = ts.next();
      if (t.t === "eof") return;
      if (t.t === "eol") {
        lineStart = true;
        continue;
      }
      if (!lineStart) continue;
      lineStart = false;
      if (t.t === "word") {
        const op = ts.peek().t;
        if (op !== "=" && op !== ":=" && op !== "+=") continue;
        ts.next();
        const value = ts.peek().t === "assignval" ? ts.next().s : "";
        macros.assign(t.s, op, value);
      } else if (t.t === "source" || t.t === "rsource" || t.t === "osource" || t.t === "orsource") {
        const name = ts.next();
        if (name.t !== "quote") continue;
        const path = t.t === "rsource" || t.t === "orsource" ? t.file.replace(/[^/]*$/, "") + name.s : name.s;
        if (ts.peek().t === "eol") ts.next();
        lineStart = true;
        if (!ts.chain.some((l) => l.file === path)) ts.push(path);
      } else if (t.t === "help" && ts.peek().t === "eol") {
        ts.next();
        ts.readHelp();
        lineStart = true;
      }
    }
  } catch {
    // A macro error (or a made-up answer that makes one): the real load reports real errors.
  }
}

function parseTree(opts: LoadOptions, warnings: string[]) {
  const warn = (file: string, line: number, msg: string): void => {
    warnings.push(formatWarning(file, line, msg));
  };
  const symbols = new SymbolTable();
  // The macro host asks the parser where expansion happens; the parser needs the macros: a late binding.
  const at: { parser?: Parser } = {};
  const macros = new Macros({
    env: opts.env ?? {},
    shell:
      opts.shell ??
      (() => {
        throw new Error("kconfig: $(shell,...) used but no shell runner was given");
      }),
    info: opts.info ?? (() => {}),
    warn: (text) => warnings.push(text),
    file: () => at.parser?.ts.current?.file ?? "",
    line: () => at.parser?.ts.current?.line ?? 0,
    speculative: opts.speculative ?? false,
  });
  at.parser = new Parser(opts.fs, symbols, macros, warn);
  const parsed = at.parser.parse(opts.file ?? "Kconfig");
  return { parsed, symbols, macros, warn };
}

/**
 * Parses a whole tree; throws a UserError listing every `file:line: error: ...`. With `opts.cache`, a tree
 * stored earlier is used when the cache vouches for it (its $(info,...) lines are replayed), and a tree
 * parsed here is offered to the cache.
 */
export function loadKconfig(opts: LoadOptions): Kconfig {
  const cache = opts.speculative ? undefined : opts.cache;
  if (!cache) return parseAndCheck(opts);
  const hit = cache.load(opts);
  if (hit) {
    for (const l of hit.record.info) opts.info?.(l);
    return hit.kconfig;
  }
  const record: LoadRecord = { files: [], env: [], shell: [], info: [] };
  const kc = parseAndCheck(recording(opts, record));
  cache.store(kc, record);
  return kc;
}

/** `opts` with every file, environment variable, probe and $(info,...) line the load uses noted in `record`. */
function recording(opts: LoadOptions, record: LoadRecord): LoadOptions {
  const files = new Set<string>();
  const envSeen = new Set<string>();
  const env = opts.env ?? {};
  const shell = opts.shell;
  return {
    ...opts,
    fs: {
      read(name) {
        if (!files.has(name)) {
          files.add(name);
          record.files.push(name);
        }
        return opts.fs.read(name);
      },
    },
    env: new Proxy(env, {
      get(target, name) {
        const value = target[name as string];
        if (typeof name === "string" && !envSeen.has(name)) {
          envSeen.add(name);
          record.env.push([name, value ?? null]);
        }
        return value;
      },
    }),
    ...(shell && {
      shell: (cmd: string): string => {
        const out = shell(cmd);
        record.shell.push([cmd, out]);
        return out;
      },
    }),
    info: (line) => {
      record.info.push(line);
      opts.info?.(line);
    },
  };
}

function parseAndCheck(opts: LoadOptions): Kconfig {
  const warnings: string[] = [];
  const { parsed, symbols, macros, warn } = parseTree(opts, warnings);
  if (parsed.errors.length) throw kconfigError(parsed.errors);

  const modules = parsed.modulesSym ?? symbols.no;
  const root = parsed.root;
  if (!root.prompt) {
    root.prompt = {
      type: "menu",
      expr: null,
      range: null,
      visible: null,
      visibleTri: 0,
      text: "Main menu",
      menu: root,
      file: root.file,
      line: 0,
    };
  }
  new Finalizer(symbols, modules, warn).finalize(root);
  const checker = new DepChecker();
  for (const s of symbols.all()) checker.check(s);
  if (checker.errors.length) {
    const first = checker.errors[0]!;
    throw new UserError(first.message, {
      details: [...first.details, ...checker.errors.slice(1).flatMap((e) => [e.message, ...e.details])],
    });
  }
  return new Kconfig(
    symbols,
    root,
    modules,
    new Evaluator(symbols, modules),
    parsed.files,
    macros.envUsed,
    warnings,
  );
}

/** One UserError for a list of `file:line: error: ...` lines: the first is the message, the rest details. */
export function kconfigError(errors: readonly string[]): UserError {
  return new UserError(errors[0]!, { details: errors.slice(1) });
}
