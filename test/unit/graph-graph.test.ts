// Graph validation: one producer per file, no cycles, absolute paths, `.tmp` outputs in commands.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../../src/graph/index.ts";
import { buildGraph, tmp } from "../../src/graph/index.ts";
import { UserError } from "../../src/util/errors.ts";

function cmd(id: string, inputs: string[], outputs: string[], extra: Partial<Step> = {}): Step {
  return {
    id,
    kind: "CC",
    label: `label-${id}`,
    inputs,
    outputs,
    identity: [],
    command: ["cc", ...inputs, ...outputs.flatMap((o) => ["-o", tmp(o)])],
    ...extra,
  } as Step;
}

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  assert.fail("expected a UserError");
}

describe("buildGraph", () => {
  it("links producers to consumers and orders them", () => {
    const g = buildGraph([
      cmd("link", ["/o/a.o", "/o/b.o"], ["/o/app"]),
      cmd("a", ["/s/a.c"], ["/o/a.o"]),
      cmd("b", ["/s/b.c"], ["/o/b.o"]),
    ]);
    assert.deepEqual(g.deps, [[1, 2], [], []]);
    assert.deepEqual(g.dependents, [[], [0], [0]]);
    assert.deepEqual(g.order, [1, 2, 0]);
    assert.equal(g.producer.get("/o/a.o"), 1);
  });

  it("rejects two steps writing one file, naming both", () => {
    const err = userError(() => buildGraph([cmd("a", [], ["/o/x"]), cmd("b", [], ["/o/x"])]));
    assert.equal(err.message, "invalid build graph: /o/x is an output of both a (label-a) and b (label-b)");
  });

  it("rejects cycles, showing the chain", () => {
    const err = userError(() =>
      buildGraph([cmd("a", ["/o/c"], ["/o/a"]), cmd("b", ["/o/a"], ["/o/b"]), cmd("c", ["/o/b"], ["/o/c"])]),
    );
    assert.equal(err.message, "dependency cycle: label-a -> label-c -> label-b -> label-a");
    const self = userError(() => buildGraph([cmd("s", ["/o/s"], ["/o/s"])]));
    assert.equal(self.message, "dependency cycle: label-s -> label-s");
  });

  it("lists every problem: relative paths, missing .tmp, duplicates ids, no outputs", () => {
    const steps: Step[] = [
      cmd("a", ["rel/a.c"], ["/o/a"]),
      { ...cmd("b", [], ["/o/b"]), command: ["cc", "-o", "/o/b"] } as Step,
      cmd("a", [], ["/o/a2"]),
      cmd("n", [], []),
    ];
    const err = userError(() => buildGraph(steps));
    assert.equal(
      err.message,
      "invalid build graph: step a (label-a): path is not absolute: rel/a.c (and 3 more)",
    );
    assert.deepEqual(err.details, [
      "step b (label-b): command must write /o/b as /o/b.tmp (use tmp())",
      "duplicate step id a",
      "step n (label-n) has no outputs",
    ]);
  });

  it("accepts a .tmp output inside a larger argument", () => {
    const s = { ...cmd("m", [], ["/o/x.map"]), command: ["ld", "-Wl,-Map=/o/x.map.tmp"] } as Step;
    assert.doesNotThrow(() => buildGraph([s]));
  });

  it("tmp() appends .tmp", () => {
    assert.equal(tmp("/o/a.o"), "/o/a.o.tmp");
  });
});
