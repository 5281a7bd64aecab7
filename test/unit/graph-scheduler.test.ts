// The scheduler on the fakes: the jobs limit, dependency order, and what happens around a failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Step } from "../../src/graph/index.ts";
import { FakeRunner, MemoryFs, Status, build, tmp } from "../../src/graph/index.ts";
import { UserError } from "../../src/util/errors.ts";

const OUT = "/out";

/** A step `name` that reads the outputs of `after` and writes /out/<name>. Its argv is [tool, name, -o, tmp]. */
function step(name: string, after: string[] = []): Step {
  const out = `${OUT}/${name}`;
  return {
    id: name,
    kind: "RUN",
    label: name,
    inputs: after.map((a) => `${OUT}/${a}`),
    outputs: [out],
    identity: [],
    command: ["tool", name, "-o", tmp(out)],
  };
}

interface Rig {
  fs: MemoryFs;
  runner: FakeRunner;
  events: string[];
}

/** Every command sleeps `delays[name]` ms (default 5), logs start/end, then writes its output (or fails). */
function rig(delays: Record<string, number> = {}, failing: string[] = []): Rig {
  const fs = new MemoryFs();
  const events: string[] = [];
  const runner = new FakeRunner(async (argv) => {
    const name = argv[1] ?? "";
    events.push(`start ${name}`);
    await sleep(delays[name] ?? 5);
    events.push(`end ${name}`);
    if (failing.includes(name)) return { code: 2, stderr: `${name}: broken\nsecond line\n` };
    await fs.writeFile(argv[3] ?? "", `made by ${name}`);
    return {};
  });
  return { fs, runner, events };
}

const quiet = (): Status => new Status({ write: () => true });

describe("scheduler", () => {
  it("never runs more than `jobs` commands at once, and does use them all", async () => {
    for (const jobs of [1, 2, 3]) {
      const { fs, runner } = rig();
      const steps = ["a", "b", "c", "d", "e", "f", "g"].map((n) => step(n));
      const result = await build(steps, { fs, runner, outDir: OUT, jobs, status: quiet() });
      assert.equal(result.ran.length, 7);
      assert.equal(runner.maxRunning, jobs, `jobs=${jobs}`);
    }
  });

  it("starts a step only after all of its producers ended", async () => {
    const { fs, runner, events } = rig({ a: 30, b: 1, c: 10 });
    // d reads a, b, c; e reads d; f is independent.
    const steps = [step("e", ["d"]), step("d", ["a", "b", "c"]), step("a"), step("b"), step("c"), step("f")];
    const result = await build(steps, { fs, runner, outDir: OUT, jobs: 4, status: quiet() });
    const at = (ev: string): number => events.indexOf(ev);
    for (const p of ["a", "b", "c"]) assert.ok(at(`end ${p}`) < at("start d"), `${p} before d: ${events}`);
    assert.ok(at("end d") < at("start e"));
    assert.deepEqual(result.ran.slice(-2), ["d", "e"]);
    assert.deepEqual(result.ran.slice(0, 4).sort(), ["a", "b", "c", "f"]);
    assert.equal(result.ran.indexOf("b") < result.ran.indexOf("a"), true, "order of completion");
  });

  it("on failure starts nothing new, lets running steps finish and keeps their results", async () => {
    const { fs, runner, events } = rig({ bad: 1, slow: 40 }, ["bad"]);
    const steps = [step("bad"), step("slow"), step("later1"), step("later2"), step("needsbad", ["bad"])];
    const lines: string[] = [];
    const status = new Status({ write: (s: string) => lines.push(s) });
    await assert.rejects(build(steps, { fs, runner, outDir: OUT, jobs: 2, status }), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, "RUN bad failed (exit code 2)");
      assert.deepEqual(err.details, ["bad: broken", "second line"]);
      return true;
    });
    assert.deepEqual(events, ["start bad", "start slow", "end bad", "end slow"]);
    assert.equal(fs.get(`${OUT}/slow`), "made by slow");
    assert.equal(fs.get(`${OUT}/bad`), undefined);
    assert.match(
      lines.join(""),
      /FAILED: RUN bad \(exit code 2\)\ntool bad -o \/out\/bad.tmp\nbad: broken\n/,
    );

    // slow was recorded although the build failed: next time it is up to date.
    const again = new FakeRunner(async (argv) => {
      await fs.writeFile(argv[3] ?? "", `made by ${argv[1]}`);
      return {};
    });
    const result = await build(steps, { fs, runner: again, outDir: OUT, jobs: 2, status: quiet() });
    assert.deepEqual(result.ran.sort(), ["bad", "later1", "later2", "needsbad"]);
    assert.equal(result.upToDate, 1);
  });

  it("reports when several steps failed", async () => {
    const { fs, runner } = rig({ x: 5, y: 5 }, ["x", "y"]);
    await assert.rejects(
      build([step("x"), step("y")], { fs, runner, outDir: OUT, jobs: 2, status: quiet() }),
      (err: unknown) => err instanceof UserError && err.details.at(-1) === "(1 other step(s) failed too)",
    );
  });

  it("stops when aborted and says the build was interrupted", async () => {
    const { fs, runner, events } = rig({ a: 20 });
    const ctl = new AbortController();
    const steps = [step("a"), step("b", ["a"])];
    const p = build(steps, { fs, runner, outDir: OUT, jobs: 1, status: quiet(), signal: ctl.signal });
    await sleep(5);
    ctl.abort();
    await assert.rejects(p, /build interrupted/);
    assert.deepEqual(events, ["start a", "end a"]);
  });

  /** Builds `steps`, changes the outputs named by hand, builds again: what the second build printed. */
  async function rebuildAfterChanging(steps: Step[], changed: readonly string[]): Promise<string> {
    const { fs, runner } = rig();
    await build(steps, { fs, runner, outDir: OUT, jobs: 1, status: quiet() });
    for (const name of changed) fs.put(`${OUT}/${name}`, "changed by hand");
    let text = "";
    const status = new Status({ write: (s: string) => (text += s) });
    await build(steps, { fs, runner, outDir: OUT, jobs: 1, status });
    return text;
  }

  it("counts [n/N] over the steps that turn out to need running", async () => {
    const text = await rebuildAfterChanging([step("a"), step("b"), step("c", ["a", "b"])], ["a"]);
    // b is found clean before a starts; a reruns and comes out as before, so c is clean too.
    assert.equal(text, "[1/2] RUN a\n");
  });

  it("every step that can be checked is checked before one starts: the total does not go down", async () => {
    const steps = ["a", "b", "c", "d", "e"].map((n) => step(n));
    assert.equal(await rebuildAfterChanging(steps, ["a", "d"]), "[1/2] RUN a\n[2/2] RUN d\n");
  });
});
