// fixdep (src/graph/fixdep.ts) and the graph's use of it: a compile's dependency on the configuration
// header becomes dependencies on the stamps of the symbols its source and headers mention, so a changed
// symbol reruns exactly the compiles that name it. On the fake file system and a fake compiler.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { ActionStep, CommandStep, RunOptions, Step } from "../../src/graph/index.ts";
import {
  FakeRunner,
  MemoryFs,
  build,
  buildGraph,
  configSymbols,
  fixdep,
  tmp,
} from "../../src/graph/index.ts";

const ROOT = "/repo";
const OUT = "/repo/out";
const GEN = `${OUT}/gen`;
const HEADER = `${GEN}/autoconf.h`;
const STAMPS = `${GEN}/config`;

describe("configSymbols", () => {
  it("finds CONFIG_ identifiers once each, sorted, not inside longer names", () => {
    const text = [
      "#if CONFIG_B && IS_ENABLED(CONFIG_A)",
      "x = CONFIG_SLICE_US * 2; /* CONFIG_A again */",
      "#define KEEL_CONFIG_H 1",
      "MYCONFIG_X; CONFIG_",
    ].join("\n");
    assert.deepEqual(configSymbols(text), ["A", "B", "SLICE_US"]);
  });
});

describe("fixdep", () => {
  const fs = new MemoryFs();
  fs.put("/src/a.c", "int x = CONFIG_SLICE_US;\n");
  fs.put("/src/a.h", "#if IS_ENABLED(CONFIG_SBI_HSM)\n#endif\n");
  fs.put("/src/plain.h", "int y;\n");
  fs.put(HEADER, "#define CONFIG_SLICE_US 5000\n#define CONFIG_OTHER 1\n");
  const read = (f: string) => fs.readText(f);
  const cfg = { header: HEADER, stampDir: STAMPS };

  it("replaces the header by the stamps of the symbols the opened files mention", async () => {
    const deps = ["/src/a.h", "/src/plain.h", HEADER];
    const files = ["/src/a.c", ...deps];
    assert.deepEqual(await fixdep(deps, files, cfg, read), [
      `${STAMPS}/SBI_HSM`,
      `${STAMPS}/SLICE_US`,
      "/src/a.h",
      "/src/plain.h",
    ]);
  });

  it("does not read the header itself (it names every symbol)", async () => {
    const out = await fixdep([HEADER], [HEADER], cfg, read);
    assert.deepEqual(out, []);
  });

  it("leaves deps alone when the unit never saw the header", async () => {
    assert.deepEqual(await fixdep(["/src/a.h"], ["/src/a.c", "/src/a.h"], cfg, read), ["/src/a.h"]);
  });

  it("skips a file it cannot read (it stays a dependency, hashed as missing)", async () => {
    const out = await fixdep(["/src/gone.h", HEADER], ["/src/gone.h", "/src/a.c", HEADER], cfg, read);
    assert.deepEqual(out, [`${STAMPS}/SLICE_US`, "/src/gone.h"]);
  });
});

/** A pretend gcc: the object is a hash-free copy of the source, the depfile names source, -include, headers. */
async function fakeCc(fs: MemoryFs, argv: readonly string[], opts: RunOptions): Promise<void> {
  const at = (flag: string): string => path.resolve(opts.cwd, argv[argv.indexOf(flag) + 1]!);
  const src = at("-c");
  const include = at("-include");
  const text = await fs.readText(src);
  const headers = [...text.matchAll(/#include "([^"]+)"/g)].map((m) => path.join(path.dirname(src), m[1]!));
  await fs.writeFile(at("-o"), `obj of ${text}`);
  await fs.writeFile(at("-MF"), `${argv[argv.indexOf("-o") + 1]}: ${[src, include, ...headers].join(" ")}\n`);
}

function plan(values: Record<string, string>): Step[] {
  const stamps = Object.keys(values).map((s) => `${STAMPS}/${s}`);
  const gen: ActionStep = {
    id: "gen:autoconf",
    kind: "GEN",
    label: "out/gen/autoconf.h",
    inputs: [],
    outputs: [HEADER, ...stamps],
    identity: [JSON.stringify(values)],
    action: async (ctx) => {
      const h = Object.entries(values).map(([k, v]) => `#define CONFIG_${k} ${v}\n`);
      await ctx.writeOutput(HEADER, h.join(""));
      for (const [k, v] of Object.entries(values)) await ctx.writeOutput(`${STAMPS}/${k}`, `${v}\n`);
    },
  };
  const cc = (name: string): CommandStep => {
    const obj = `${OUT}/obj/${name}.o`;
    return {
      id: `cc:${name}`,
      kind: "CC",
      label: `src/${name}.c`,
      inputs: [`${ROOT}/src/${name}.c`],
      orderOnly: [HEADER],
      outputs: [obj],
      depfile: `${obj}.d`,
      configDeps: { header: HEADER, stampDir: STAMPS },
      identity: ["gcc"],
      cwd: ROOT,
      command: ["cc", "-include", HEADER, "-MF", `${obj}.d`, "-c", `src/${name}.c`, "-o", tmp(obj)],
    };
  };
  return [gen, cc("sched"), cc("capsule"), cc("lib")];
}

describe("build with configuration stamps", () => {
  const setup = () => {
    const fs = new MemoryFs();
    fs.put(`${ROOT}/src/sched.c`, "int slice = CONFIG_SLICE_US;\n");
    fs.put(`${ROOT}/src/capsule.c`, '#include "capsule.h"\n');
    fs.put(`${ROOT}/src/capsule.h`, "struct vcpu v[CONFIG_MAX_VCPUS];\n");
    fs.put(`${ROOT}/src/lib.c`, "int lib;\n");
    const runner = new FakeRunner((argv, opts) => fakeCc(fs, argv, opts));
    let out = "";
    const run = async (values: Record<string, string>) => {
      fs.tick(5000);
      out = "";
      const r = await build(plan(values), {
        fs,
        runner,
        outDir: OUT,
        root: ROOT,
        jobs: 2,
        explain: true,
        status: { write: (s: string) => void (out += s) },
      });
      return { ran: r.ran.filter((id) => id.startsWith("cc:")).sort(), out: () => out };
    };
    return { fs, run };
  };
  const base = { SLICE_US: "5000", MAX_VCPUS: "8", SBI_HSM: "y" };

  it("compiles after the configuration step (order-only), every unit once", async () => {
    const graph = buildGraph(plan(base));
    for (const i of [1, 2, 3]) assert.deepEqual(graph.deps[i], [0]);
    const { run } = setup();
    assert.deepEqual((await run(base)).ran, ["cc:capsule", "cc:lib", "cc:sched"]);
    assert.deepEqual((await run(base)).ran, []);
  });

  it("a changed symbol recompiles exactly the units whose source or headers mention it, and explain names it", async () => {
    const { run } = setup();
    await run(base);
    const slice = await run({ ...base, SLICE_US: "2000" });
    assert.deepEqual(slice.ran, ["cc:sched"]);
    assert.match(slice.out(), /keel: explain: src\/sched\.c: input out\/gen\/config\/SLICE_US changed/);
    assert.deepEqual((await run({ ...base, SLICE_US: "2000", MAX_VCPUS: "1" })).ran, ["cc:capsule"]);
    // A symbol nobody mentions: autoconf.h changes, no unit recompiles.
    assert.deepEqual((await run({ ...base, SLICE_US: "2000", MAX_VCPUS: "1", SBI_HSM: "n" })).ran, []);
  });

  it("a header that starts mentioning a symbol is a header edit; afterwards the symbol counts", async () => {
    const { fs, run } = setup();
    await run(base);
    fs.put(`${ROOT}/src/capsule.h`, "struct vcpu v[CONFIG_MAX_VCPUS];\n#if CONFIG_SBI_HSM\n#endif\n");
    assert.deepEqual((await run(base)).ran, ["cc:capsule"]);
    assert.deepEqual((await run({ ...base, SBI_HSM: "n" })).ran, ["cc:capsule"]);
  });
});
