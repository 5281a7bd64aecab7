// The build engine end to end on the fakes: which commands run after which edits, and what is left on disk.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { CommandStep, RunOptions, RunResult, Step } from "../../src/graph/index.ts";
import { FakeRunner, MemoryFs, build, sha256, tmp } from "../../src/graph/index.ts";
import { UserError } from "../../src/util/errors.ts";

const ROOT = "/repo";
const OUT = "/repo/out";
const GEN = `${OUT}/gen`;

/** A pretend gcc/ld: objects depend on source, included headers and code-generating flags (-O, -D, -m), not -W. */
async function fakeTool(
  fs: MemoryFs,
  argv: readonly string[],
  opts: RunOptions,
): Promise<Partial<RunResult>> {
  const after = (flag: string): string => {
    const v = argv[argv.indexOf(flag) + 1];
    assert.ok(v !== undefined, `${flag} missing in ${argv.join(" ")}`);
    return path.resolve(opts.cwd, v);
  };
  const out = after("-o");
  if (argv[0] === "ld") {
    const objs = argv.slice(3).map((o) => path.resolve(opts.cwd, o));
    const parts = await Promise.all(objs.map((o) => fs.readText(o)));
    await fs.writeFile(out, `elf[${parts.join("|")}]`);
    return {};
  }
  const srcArg = argv[argv.indexOf("-c") + 1] ?? "";
  const src = path.resolve(opts.cwd, srcArg);
  const text = await fs.readText(src);
  if (text.includes("#error")) {
    await fs.writeFile(out, "half-written object"); // a crashing compiler can leave a partial file
    return { code: 1, stderr: `${srcArg}:1:1: error: #error\n1 error generated.\n` };
  }
  const dirs = [path.dirname(srcArg), ...argv.filter((a) => a.startsWith("-I")).map((a) => a.slice(2))];
  const headers: string[] = [];
  let contents = text;
  for (const m of text.matchAll(/#include "([^"]+)"/g)) {
    let found: string | undefined;
    for (const d of dirs) {
      const candidate = path.join(d, m[1] ?? "");
      if (await fs.stat(path.resolve(opts.cwd, candidate))) {
        found = candidate;
        break;
      }
    }
    if (!found) return { code: 1, stderr: `${srcArg}: fatal error: ${m[1]}: No such file or directory\n` };
    headers.push(found);
    contents += await fs.readText(path.resolve(opts.cwd, found));
  }
  const codegen = argv.filter((a) => /^-[ODm]/.test(a)).join(" ");
  await fs.writeFile(out, `obj(${codegen}) ${sha256(contents).slice(0, 12)}`);
  const esc = (p: string): string => p.replace(/ /g, "\\ ");
  const depTarget = argv[argv.indexOf("-o") + 1] ?? "";
  await fs.writeFile(after("-MF"), `${esc(depTarget)}: ${[srcArg, ...headers].map(esc).join(" \\\n  ")}\n`);
  return text.includes("#warning") ? { stderr: `${srcArg}:1:1: warning: careful\n` } : {};
}

interface PlanOptions {
  flags?: Partial<Record<string, string[]>>;
  identity?: string;
  sources?: string[];
  configVersion?: string;
}

function compile(name: string, opts: PlanOptions): CommandStep {
  const src = `${ROOT}/src/${name}.c`;
  const obj = `${OUT}/obj/${name}.o`;
  const dep = `${OUT}/obj/${name}.d`;
  const flags = opts.flags?.[name] ?? ["-O2", "-Wall"];
  // c.c runs from the repo root with relative paths, so its depfile names files relative to cwd.
  const relative = name === "c";
  return {
    id: `cc:${name}`,
    kind: "CC",
    label: `src/${name}.c`,
    inputs: [src, ...(name === "c" ? [`${GEN}/config.h`] : [])],
    outputs: [obj],
    depfile: dep,
    identity: [opts.identity ?? "gcc 13"],
    source: src,
    ...(relative ? { cwd: ROOT } : {}),
    command: [
      "gcc",
      ...flags,
      `-I${ROOT}/include`,
      `-I${GEN}`,
      "-MD",
      "-MF",
      dep,
      "-c",
      relative ? `src/${name}.c` : src,
      "-o",
      tmp(obj),
    ],
  };
}

/** The planner under test: a generated header, three compiles, one link. */
function plan(opts: PlanOptions = {}): Step[] {
  const sources = opts.sources ?? ["a", "b", "c"];
  const compiles = sources.map((s) => compile(s, opts));
  const objs = compiles.flatMap((s) => s.outputs);
  const elf = `${OUT}/app.elf`;
  const config = `${GEN}/config.h`;
  const version = opts.configVersion ?? "v1";
  return [
    {
      id: "gen:config.h",
      kind: "GEN",
      label: "out/gen/config.h",
      inputs: [`${ROOT}/keel.cfg`],
      outputs: [config],
      identity: [`gen-config ${version}`],
      action: async (ctx) => {
        const value = (await ctx.fs.readText(`${ROOT}/keel.cfg`)).trim();
        await ctx.writeOutput(config, `#define CONFIG ${value}\n`);
      },
    },
    ...compiles,
    {
      id: "ld:app.elf",
      kind: "LD",
      label: "out/app.elf",
      inputs: objs,
      outputs: [elf],
      identity: [opts.identity ?? "gcc 13"],
      command: ["ld", "-o", tmp(elf), ...objs],
    },
  ];
}

function workspace(): MemoryFs {
  const fs = new MemoryFs();
  fs.put(`${ROOT}/keel.cfg`, "42\n");
  fs.put(`${ROOT}/src/a.c`, '#include "a.h"\nint a;\n');
  fs.put(`${ROOT}/src/a.h`, "#define A 1\n");
  fs.put(`${ROOT}/src/b.c`, '#include "my dir/b.h"\nint b;\n');
  fs.put(`${ROOT}/include/my dir/b.h`, "#define B 1\n");
  fs.put(`${ROOT}/src/c.c`, '#include "config.h"\nint c;\n');
  fs.put(`${ROOT}/src/unused.h`, "#define UNUSED 1\n");
  return fs;
}

/** For assert.rejects: a UserError whose message or details match. */
function failsWith(re: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof UserError && re.test([err.message, ...err.details].join("\n"));
}

class Sink {
  text = "";
  write(s: string): void {
    this.text += s;
  }
}

/** A workspace plus a `run` that builds once and reports what ran, by a short name per command. */
function setup() {
  const fs = workspace();
  const runner = new FakeRunner((argv, opts) => fakeTool(fs, argv, opts));
  let sink = new Sink();
  const run = async (steps: Step[] = plan(), extra: { jobs?: number; explain?: boolean } = {}) => {
    runner.reset();
    sink = new Sink();
    fs.tick();
    const result = await build(steps, {
      fs,
      runner,
      outDir: OUT,
      root: ROOT,
      jobs: 1,
      status: sink,
      ...extra,
    });
    return { result, ran: commandNames(runner.ran), out: sink.text };
  };
  return { fs, runner, run, output: () => sink.text };
}

function commandNames(ran: readonly string[][]): string[] {
  return ran
    .map((argv) => {
      if (argv[0] === "ld") return "ld";
      const src = argv[argv.indexOf("-c") + 1] ?? "?";
      return `cc ${path.basename(src)}`;
    })
    .sort();
}

describe("build", () => {
  it("a clean build runs every step, the second runs none and says so", async () => {
    const { fs, run } = setup();
    const first = await run();
    assert.deepEqual(first.ran, ["cc a.c", "cc b.c", "cc c.c", "ld"]);
    assert.deepEqual(first.result.ran, ["gen:config.h", "cc:a", "cc:b", "cc:c", "ld:app.elf"]);
    assert.deepEqual([first.result.upToDate, first.result.total], [0, 5]);
    assert.equal(fs.get(`${GEN}/config.h`), "#define CONFIG 42\n");
    assert.match(fs.get(`${OUT}/app.elf`) ?? "", /^elf\[obj\(-O2\) \w+\|obj\(-O2\) \w+\|obj\(-O2\) \w+\]$/);
    assert.deepEqual(
      fs.list().filter((f) => f.endsWith(".tmp")),
      [],
    );
    assert.ok(fs.get(`${OUT}/.keel/build.db.json`));

    const second = await run();
    assert.deepEqual(second.ran, []);
    assert.deepEqual(second.result.ran, []);
    assert.deepEqual([second.result.upToDate, second.result.total], [5, 5]);
    assert.equal(second.out, "keel: no work to do.\n");

    // Once every file is old enough for the stat cache, a no-op build does not rewrite the database.
    await run();
    const db = `${OUT}/.keel/build.db.json`;
    const before = await fs.stat(db);
    const fourth = await run();
    assert.deepEqual(fourth.ran, []);
    assert.deepEqual(await fs.stat(db), before, "the database was rewritten by a no-op build");
  });

  it("the clean build prints [n/N] lines", async () => {
    const { run } = setup();
    const { out } = await run();
    assert.equal(
      out,
      [
        "[1/5] GEN out/gen/config.h",
        "[2/5] CC src/a.c",
        "[3/5] CC src/b.c",
        "[4/5] CC src/c.c",
        "[5/5] LD out/app.elf",
        "",
      ].join("\n"),
    );
  });

  it("editing a header one file includes reruns that compile and the link", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/a.h`, "#define A 2\n");
    assert.deepEqual((await run()).ran, ["cc a.c", "ld"]);
    fs.put(`${ROOT}/include/my dir/b.h`, "#define B 2\n"); // found through an escaped space in the depfile
    assert.deepEqual((await run()).ran, ["cc b.c", "ld"]);
    fs.put(`${ROOT}/src/unused.h`, "#define UNUSED 2\n");
    assert.deepEqual((await run()).ran, []);
  });

  it("touching a file without changing it reruns nothing (content keys, not mtimes)", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/a.h`, "#define A 1\n");
    fs.put(`${ROOT}/src/b.c`, '#include "my dir/b.h"\nint b;\n');
    assert.deepEqual((await run()).ran, []);
  });

  it("a flag change reruns that step, and the link only if the object changed", async () => {
    const { fs, run } = setup();
    await run();
    const elfBefore = fs.get(`${OUT}/app.elf`);
    // -Wextra does not change the object: the link stays clean.
    assert.deepEqual((await run(plan({ flags: { b: ["-O2", "-Wall", "-Wextra"] } }))).ran, ["cc b.c"]);
    assert.equal(fs.get(`${OUT}/app.elf`), elfBefore);
    // -Og does.
    const r = await run(plan({ flags: { b: ["-Og", "-Wall", "-Wextra"] } }));
    assert.deepEqual(r.ran, ["cc b.c", "ld"]);
    assert.notEqual(fs.get(`${OUT}/app.elf`), elfBefore);
  });

  it("a new toolchain identity reruns every compile and the link", async () => {
    const { run } = setup();
    await run();
    const r = await run(plan({ identity: "gcc 14" }));
    assert.deepEqual(r.ran, ["cc a.c", "cc b.c", "cc c.c", "ld"]);
    assert.deepEqual(r.result.ran.includes("gen:config.h"), false);
  });

  it("a deleted output reruns its step only (the object comes out identical)", async () => {
    const { fs, run } = setup();
    await run();
    await fs.rm(`${OUT}/obj/a.o`);
    assert.deepEqual((await run()).ran, ["cc a.c"]);
    assert.ok(fs.get(`${OUT}/obj/a.o`));
  });

  it("a modified output reruns its step", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${OUT}/obj/c.o`, "tampered");
    assert.deepEqual((await run()).ran, ["cc c.c"]);
    assert.match(fs.get(`${OUT}/obj/c.o`) ?? "", /^obj/);
  });

  it("a failed step leaves no output, stops the build and reruns next time", async () => {
    const { fs, run, output } = setup();
    fs.put(`${ROOT}/src/b.c`, "#error\n");
    await assert.rejects(run(), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, "CC src/b.c failed (exit code 1)");
      assert.deepEqual(err.details, ["/repo/src/b.c:1:1: error: #error", "1 error generated."]);
      // The status stream showed the compiler's output: the CLI prints only the headline (issue 12).
      assert.equal(err.detailsShown, 2);
      return true;
    });
    assert.match(
      output(),
      /^FAILED: CC src\/b.c \(exit code 1\)\ngcc -O2 .* -o \/repo\/out\/obj\/b.o.tmp\n/m,
    );
    assert.equal(output().split("error: #error").length, 2, "the compiler's error is on the status once");
    assert.equal(fs.get(`${OUT}/obj/b.o`), undefined);
    assert.equal(fs.get(`${OUT}/obj/b.o.tmp`), undefined);
    assert.equal(fs.get(`${OUT}/obj/b.d`), undefined);
    assert.equal(fs.get(`${OUT}/app.elf`), undefined);

    // Still broken: it runs (and fails) again; the steps that succeeded stay built.
    await assert.rejects(run(), UserError);
    fs.put(`${ROOT}/src/b.c`, "int b;\n");
    assert.deepEqual((await run()).ran, ["cc b.c", "cc c.c", "ld"]);
    assert.deepEqual((await run()).ran, []);
  });

  it("a full disk is a user error naming the path, and never masks the step's own error", async () => {
    const { fs, run, output } = setup();
    await run();
    const full = (prefix: string): void => {
      const write = fs.writeFile.bind(fs);
      fs.writeFile = async (file, data) => {
        if (file.startsWith(prefix)) {
          const err = new Error(`ENOSPC: no space left on device, open '${file}'`);
          throw Object.assign(err, { code: "ENOSPC", syscall: "open", path: file });
        }
        return write(file, data);
      };
    };
    // The database cannot be saved and a compile fails: the compile's error is the one reported.
    full(`${OUT}/.keel/`);
    fs.put(`${ROOT}/src/b.c`, "#error\n");
    await assert.rejects(run(), failsWith(/^CC src\/b.c failed \(exit code 1\)/));
    assert.match(
      output(),
      /could not save the build database: .*build\.db\.json\.tmp: no space left on device/,
    );
    // A step's own write fails: one line naming the file and the cause.
    full(`${OUT}/`);
    fs.put(`${ROOT}/src/b.c`, "int b2;\n");
    await assert.rejects(run(), (err: unknown) => {
      assert.ok(err instanceof UserError, String(err));
      assert.equal(err.message, `${OUT}/obj/b.o.tmp: no space left on device (ENOSPC, open)`);
      return true;
    });
  });

  it("finished steps survive a build that never saves its database (the step log), compacted after", async () => {
    const { fs, run } = setup();
    const db = `${OUT}/.keel/build.db.json`;
    const log = `${OUT}/.keel/build.db.log`;
    const rename = fs.rename.bind(fs);
    // The process "dies" before the database is saved: the rename of the new database never happens.
    fs.rename = async (from, to) => {
      if (to === db) throw Object.assign(new Error("EIO"), { code: "EIO", syscall: "rename", path: from });
      return rename(from, to);
    };
    fs.put(`${ROOT}/src/b.c`, "#error\n");
    await assert.rejects(run(), failsWith(/^CC src\/b.c failed/));
    assert.equal(fs.get(db), undefined);
    assert.equal((fs.get(log) ?? "").trim().split("\n").length, 2, "gen, cc a (one job: cc c never started)");
    // A kill in the middle of an append leaves a torn last line: ignored.
    await fs.appendFile(log, '[1,"cc:b",{"key":');
    fs.rename = rename;
    fs.put(`${ROOT}/src/b.c`, "int b;\n");
    // cc a is not redone (without the log it would be: the database never recorded it).
    assert.deepEqual((await run()).ran, ["cc b.c", "cc c.c", "ld"]);
    assert.equal(fs.get(log), undefined, "the step log was not compacted into the database");
    assert.ok(fs.get(db));
    assert.deepEqual((await run()).ran, []);
  });

  it("a step that fails on rebuild loses its old output too", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/a.c`, "#error\n");
    await assert.rejects(run(), UserError);
    assert.equal(fs.get(`${OUT}/obj/a.o`), undefined);
    fs.put(`${ROOT}/src/a.c`, '#include "a.h"\nint a;\n');
    assert.deepEqual((await run()).ran, ["cc a.c"]); // same object as before the failure: link clean
  });

  it("a header that disappears from the source stops mattering", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/a.c`, "int a;\n");
    assert.deepEqual((await run()).ran, ["cc a.c", "ld"]);
    fs.put(`${ROOT}/src/a.h`, "#define A 3\n");
    assert.deepEqual((await run()).ran, []);
  });

  it("a deleted header still included reruns the compile, which fails", async () => {
    const { fs, run } = setup();
    await run();
    await fs.rm(`${ROOT}/src/a.h`);
    await assert.rejects(run(), /CC src\/a.c failed/);
  });

  it("a missing source is reported, naming the step", async () => {
    const { fs, run } = setup();
    await fs.rm(`${ROOT}/src/c.c`);
    await assert.rejects(run(), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, "src/c.c, needed by src/c.c, is missing");
      return true;
    });
  });

  it("a generator reruns when its input changes but rewrites nothing if its output is the same", async () => {
    const { fs, run } = setup();
    await run();
    const before = await fs.stat(`${GEN}/config.h`);
    fs.put(`${ROOT}/keel.cfg`, "42   \n"); // same value once trimmed
    const r = await run();
    assert.deepEqual(r.result.ran, ["gen:config.h"]);
    assert.deepEqual(r.ran, []);
    assert.deepEqual(await fs.stat(`${GEN}/config.h`), before);

    fs.put(`${ROOT}/keel.cfg`, "43\n");
    const r2 = await run();
    assert.deepEqual(r2.result.ran, ["gen:config.h", "cc:c", "ld:app.elf"]);
    assert.equal(fs.get(`${GEN}/config.h`), "#define CONFIG 43\n");
  });

  it("a generator version change reruns it", async () => {
    const { run } = setup();
    await run();
    const r = await run(plan({ configVersion: "v2" }));
    assert.deepEqual(r.result.ran, ["gen:config.h"]);
  });

  it("adding and removing sources reruns the link", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/d.c`, "int d;\n");
    assert.deepEqual((await run(plan({ sources: ["a", "b", "c", "d"] }))).ran, ["cc d.c", "ld"]);
    assert.deepEqual((await run(plan({ sources: ["a", "b", "c"] }))).ran, ["ld"]);
  });

  it("tool warnings are shown even when the step succeeds", async () => {
    const { fs, run } = setup();
    fs.put(`${ROOT}/src/a.c`, "#warning\n");
    const { out } = await run();
    assert.match(out, /\[2\/5\] CC src\/a.c\n\/repo\/src\/a.c:1:1: warning: careful\n\[3\/5\]/);
  });

  it("a corrupt database rebuilds everything with a warning", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${OUT}/.keel/build.db.json`, "{not json");
    const r = await run();
    assert.deepEqual(r.ran, ["cc a.c", "cc b.c", "cc c.c", "ld"]);
    assert.match(
      r.out,
      /^keel: warning: \/repo\/out\/.keel\/build.db.json: corrupt, rebuilding everything\n/,
    );
    assert.deepEqual((await run()).ran, []);
  });

  it("a command that does not write its .tmp output fails clearly", async () => {
    const fs = workspace();
    const runner = new FakeRunner(() => ({}));
    const step: Step = {
      id: "x",
      kind: "GEN",
      label: "out/x",
      inputs: [],
      outputs: [`${OUT}/x`],
      identity: [],
      command: ["true", tmp(`${OUT}/x`)],
    };
    await assert.rejects(
      build([step], { fs, runner, outDir: OUT, root: ROOT, status: new Sink() }),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.equal(err.message, "GEN out/x failed");
        assert.deepEqual(err.details, ["out/x.tmp was not written (outputs must be written to tmp(output))"]);
        return true;
      },
    );
  });

  it("a stale .tmp or depfile from an interrupted run is never taken as this run's result", async () => {
    const fs = workspace();
    const out = `${OUT}/x`;
    const dep = `${OUT}/x.d`;
    fs.put(tmp(out), "stale output");
    fs.put(dep, `${tmp(out)}: ${ROOT}/src/a.h\n`);
    const runner = new FakeRunner(() => ({})); // writes nothing
    const step: Step = {
      id: "x",
      kind: "GEN",
      label: "out/x",
      inputs: [],
      outputs: [out],
      depfile: dep,
      identity: [],
      command: ["true", tmp(out)],
    };
    await assert.rejects(
      build([step], { fs, runner, outDir: OUT, root: ROOT, status: new Sink() }),
      failsWith(/was not written/),
    );
    assert.equal(fs.get(out), undefined);

    const writesOutputOnly = new FakeRunner(() => fs.writeFile(tmp(out), "fresh"));
    fs.put(dep, `${tmp(out)}: ${ROOT}/src/a.h\n`);
    await assert.rejects(
      build([step], { fs, runner: writesOutputOnly, outDir: OUT, root: ROOT, status: new Sink() }),
      failsWith(/out\/x: the command did not write its depfile/),
    );
    assert.equal(fs.get(out), undefined);
  });

  it("an action may only write its own outputs", async () => {
    const fs = workspace();
    const step: Step = {
      id: "x",
      kind: "GEN",
      label: "out/x",
      inputs: [],
      outputs: [`${OUT}/x`],
      identity: [],
      action: (ctx) => ctx.writeOutput(`${OUT}/y`, "nope"),
    };
    const runner = new FakeRunner(() => ({}));
    await assert.rejects(
      build([step], { fs, runner, outDir: OUT, status: new Sink() }),
      /not one of its outputs/,
    );
    assert.equal(fs.get(`${OUT}/y`), undefined);
  });
});

describe("build --explain", () => {
  const explainLines = (out: string): string[] =>
    out.split("\n").filter((l) => l.startsWith("keel: explain:"));

  it("says why each step runs", async () => {
    const { fs, run } = setup();
    const clean = await run(plan(), { explain: true });
    assert.deepEqual(explainLines(clean.out), [
      "keel: explain: out/gen/config.h: new step",
      "keel: explain: src/a.c: new step",
      "keel: explain: src/b.c: new step",
      "keel: explain: src/c.c: new step",
      "keel: explain: out/app.elf: new step",
    ]);

    fs.put(`${ROOT}/src/a.h`, "#define A 2\n");
    assert.deepEqual(explainLines((await run(plan(), { explain: true })).out), [
      "keel: explain: src/a.c: input src/a.h changed",
      "keel: explain: out/app.elf: input out/obj/a.o changed",
    ]);

    const ogb = plan({ flags: { b: ["-Og", "-Wall"] } });
    assert.deepEqual(explainLines((await run(ogb, { explain: true })).out), [
      "keel: explain: src/b.c: command changed: -O2 -> -Og",
      "keel: explain: out/app.elf: input out/obj/b.o changed",
    ]);

    const extra = plan({ flags: { b: ["-Og", "-Wall", "-DEXTRA=1"] } });
    assert.deepEqual(explainLines((await run(extra, { explain: true })).out), [
      "keel: explain: src/b.c: command changed: added -DEXTRA=1",
      "keel: explain: out/app.elf: input out/obj/b.o changed",
    ]);

    const gcc14 = plan({ identity: "gcc 14", flags: { b: ["-Og", "-Wall", "-DEXTRA=1"] } });
    const lines = explainLines((await run(gcc14, { explain: true })).out);
    assert.deepEqual(lines, [
      "keel: explain: src/a.c: identity changed: gcc 13 -> gcc 14",
      "keel: explain: src/b.c: identity changed: gcc 13 -> gcc 14",
      "keel: explain: src/c.c: identity changed: gcc 13 -> gcc 14",
      "keel: explain: out/app.elf: identity changed: gcc 13 -> gcc 14",
    ]);

    await fs.rm(`${OUT}/obj/c.o`);
    fs.put(`${OUT}/obj/a.o`, "tampered");
    assert.deepEqual(explainLines((await run(gcc14, { explain: true })).out), [
      "keel: explain: src/a.c: output out/obj/a.o modified",
      "keel: explain: src/c.c: output out/obj/c.o missing",
    ]);
  });

  it("names added, removed and deleted inputs", async () => {
    const { fs, run, output } = setup();
    await run();
    fs.put(`${ROOT}/src/d.c`, "int d;\n");
    assert.deepEqual(
      explainLines((await run(plan({ sources: ["a", "b", "c", "d"] }), { explain: true })).out),
      [
        "keel: explain: src/d.c: new step",
        "keel: explain: out/app.elf: command changed: added /repo/out/obj/d.o",
        "keel: explain: out/app.elf: input out/obj/d.o added",
      ],
    );
    assert.deepEqual(explainLines((await run(plan(), { explain: true })).out), [
      "keel: explain: out/app.elf: command changed: removed /repo/out/obj/d.o",
      "keel: explain: out/app.elf: input out/obj/d.o removed",
    ]);
    await fs.rm(`${ROOT}/src/a.h`);
    await assert.rejects(run(plan(), { explain: true }), /CC src\/a.c failed/);
    assert.deepEqual(explainLines(output()), ["keel: explain: src/a.c: input src/a.h deleted"]);
    // The failed run removed a.o, so next time that is a reason too.
    await assert.rejects(run(plan(), { explain: true }));
    assert.deepEqual(explainLines(output()), [
      "keel: explain: src/a.c: input src/a.h deleted",
      "keel: explain: src/a.c: output out/obj/a.o missing",
    ]);
  });

  it("explain lines stay silent without --explain", async () => {
    const { fs, run } = setup();
    await run();
    fs.put(`${ROOT}/src/a.h`, "#define A 2\n");
    assert.deepEqual(explainLines((await run()).out), []);
  });
});
