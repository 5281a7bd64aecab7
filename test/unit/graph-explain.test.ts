// explainStep and the key agree: a change to any field changes the key and yields a reason naming it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CurrentState, StepRecord } from "../../src/graph/index.ts";
import { MISSING, describeListChange, displayPath, explainStep, stepKey } from "../../src/graph/index.ts";

const base: CurrentState = {
  command: ["gcc", "-O2", "-c", "/r/a.c", "-o", "/r/out/a.o.tmp"],
  cwd: "/r/out",
  env: { LANG: "C" },
  identity: ["gcc 13.2"],
  outputs: ["/r/out/a.o"],
  manifest: { "/r/a.c": "h1", "/r/a.h": "h2" },
  outputHashes: { "/r/out/a.o": "o1" },
};

function recordOf(s: CurrentState): StepRecord {
  return { ...s, key: stepKey(s), discovered: [], outputHashes: { "/r/out/a.o": "o1" } };
}

describe("explainStep", () => {
  const rec = recordOf(base);

  it("finds nothing when nothing changed", () => {
    assert.deepEqual(explainStep(base, rec, "/r"), []);
  });

  it("says new step without a record", () => {
    assert.deepEqual(explainStep(base, undefined), ["new step"]);
  });

  const cases: [string, Partial<CurrentState>, string[]][] = [
    [
      "flag",
      { command: ["gcc", "-Og", "-c", "/r/a.c", "-o", "/r/out/a.o.tmp"] },
      ["command changed: -O2 -> -Og"],
    ],
    ["cwd", { cwd: "/r" }, ["working directory changed: /r/out -> /r"]],
    ["env", { env: { LANG: "C", TZ: "UTC" } }, ["environment TZ changed"]],
    ["identity", { identity: ["gcc 14.1"] }, ["identity changed: gcc 13.2 -> gcc 14.1"]],
    [
      "outputs",
      { outputs: ["/r/out/a.o", "/r/out/a.map"] },
      ["outputs changed: added out/a.map", "output out/a.map missing"],
    ],
    ["input changed", { manifest: { "/r/a.c": "h1", "/r/a.h": "h3" } }, ["input a.h changed"]],
    ["input deleted", { manifest: { "/r/a.c": "h1", "/r/a.h": MISSING } }, ["input a.h deleted"]],
    [
      "input added and removed",
      { manifest: { "/r/a.c": "h1", "/r/b.h": "h4" } },
      ["input a.h removed", "input b.h added"],
    ],
  ];
  for (const [name, change, reasons] of cases) {
    it(`${name}: changes the key and is explained`, () => {
      const now = { ...base, ...change };
      assert.notEqual(stepKey(now), rec.key);
      assert.deepEqual(explainStep(now, rec, "/r"), reasons);
    });
  }

  it("reports outputs missing or modified (these leave the key alone)", () => {
    const now = { ...base, outputHashes: { "/r/out/a.o": undefined } };
    assert.equal(stepKey(now), rec.key);
    assert.deepEqual(explainStep(now, rec, "/r"), ["output out/a.o missing"]);
    assert.deepEqual(explainStep({ ...base, outputHashes: { "/r/out/a.o": "zz" } }, rec, "/r"), [
      "output out/a.o modified",
    ]);
  });

  it("the key ignores the order of manifest entries, env and outputs", () => {
    const shuffled = {
      ...base,
      manifest: { "/r/a.h": "h2", "/r/a.c": "h1" },
      env: { LANG: "C" },
    };
    assert.equal(stepKey(shuffled), rec.key);
  });
});

describe("describeListChange", () => {
  it("names the first differing arguments", () => {
    assert.equal(describeListChange(["a", "b", "c"], ["a", "b", "c"]), undefined);
    assert.equal(describeListChange(["cc", "-O2", "x"], ["cc", "-Og", "x"]), "-O2 -> -Og");
    assert.equal(describeListChange(["cc", "x"], ["cc", "-g", "x"]), "added -g");
    assert.equal(describeListChange(["cc", "-g", "x"], ["cc", "x"]), "removed -g");
    assert.equal(describeListChange([], ["cc"]), "added cc");
    assert.equal(
      describeListChange(["cc", "1", "2", "3", "4", "5", "x"], ["cc", "x"]),
      "removed 1 2 3 4 ...",
    );
  });
});

describe("displayPath", () => {
  it("shows paths under the root relative to it, others as they are", () => {
    assert.equal(displayPath("/r/src/a.c", "/r"), "src/a.c");
    assert.equal(displayPath("/other/a.c", "/r"), "/other/a.c");
    assert.equal(displayPath("/r", "/r"), "/r");
    assert.equal(displayPath("/r/a.c", undefined), "/r/a.c");
  });
});

describe("describeListChange on generated texts (issue 12: --explain printed build_info.c twice)", () => {
  it("a changed multi-line argument is shown by its first changed line, once", () => {
    const c = (commit: string): string => `#include <x.h>\nconst char *commit = "${commit}";\nint y;\n`;
    assert.equal(
      describeListChange([c("abc")], [c("def")]),
      'text line 2: const char *commit = "abc"; -> const char *commit = "def";',
    );
    const long = "x".repeat(500);
    const shown = describeListChange(["cc", long], ["cc", "-g"]) ?? "";
    assert.ok(shown.length < 200, shown);
    assert.match(shown, /\(500 chars\) -> -g$/);
  });
});
