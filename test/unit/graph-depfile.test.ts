// The make-style depfile parser, on what gcc and clang actually write and on the escapes around them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { depfileDeps, parseDepfile } from "../../src/graph/index.ts";
import { UserError } from "../../src/util/errors.ts";

describe("parseDepfile", () => {
  it("reads gcc -MD output with line continuations", () => {
    const text =
      "out/core/init.o.tmp: hypervisor/core/init.c \\\n hypervisor/include/keel/cpu.h \\\n  out/gen/keel_port.h\n";
    assert.deepEqual(parseDepfile(text), [
      {
        targets: ["out/core/init.o.tmp"],
        deps: ["hypervisor/core/init.c", "hypervisor/include/keel/cpu.h", "out/gen/keel_port.h"],
      },
    ]);
  });

  it("unescapes spaces, # and $$", () => {
    const text = "my\\ obj.o: dir\\ with\\ spaces/a.h cost$$.h hash\\#tag.h plain$x.h\n";
    assert.deepEqual(parseDepfile(text), [
      { targets: ["my obj.o"], deps: ["dir with spaces/a.h", "cost$.h", "hash#tag.h", "plain$x.h"] },
    ]);
  });

  it("handles runs of backslashes before a space as ninja does", () => {
    // 2N+1 backslashes + space: N backslashes and a space in the name; 2N: 2N backslashes, then the name ends.
    assert.deepEqual(parseDepfile("o: a\\\\\\ b c\\\\ d\n")[0]?.deps, ["a\\ b", "c\\\\", "d"]);
    assert.deepEqual(parseDepfile("o: back\\slash.h\n")[0]?.deps, ["back\\slash.h"]);
  });

  it("reads several targets and several rules (gcc -MP phony targets)", () => {
    const text = "a.o a.d: a.c a.h\n\na.h:\n\nb.h :\n";
    const rules = parseDepfile(text);
    assert.deepEqual(rules, [
      { targets: ["a.o", "a.d"], deps: ["a.c", "a.h"] },
      { targets: ["a.h"], deps: [] },
      { targets: ["b.h"], deps: [] },
    ]);
    assert.deepEqual(depfileDeps(rules), ["a.c", "a.h"]);
  });

  it("merges deps of repeated rules, each once, in first-mention order", () => {
    const rules = parseDepfile("x.o: b.h a.h\nx.o: a.h c.h\n");
    assert.deepEqual(depfileDeps(rules), ["b.h", "a.h", "c.h"]);
  });

  it("accepts CRLF, tabs, comments, blank lines and no final newline", () => {
    const text = "# generated\r\nx.o:\tx.c \\\r\n\ty.h # trailing comment\r\n\r\n";
    assert.deepEqual(parseDepfile(text), [{ targets: ["x.o"], deps: ["x.c", "y.h"] }]);
    assert.deepEqual(parseDepfile("x.o: x.c"), [{ targets: ["x.o"], deps: ["x.c"] }]);
    assert.deepEqual(parseDepfile(""), []);
    assert.deepEqual(parseDepfile("\n\n  \n"), []);
  });

  it("keeps colons that are part of a name", () => {
    assert.deepEqual(parseDepfile("x.o: dir/a:b.h c.h\n"), [
      { targets: ["x.o"], deps: ["dir/a:b.h", "c.h"] },
    ]);
  });

  it("rejects a rule without a colon, with file:line:col", () => {
    assert.throws(
      () => parseDepfile("x.o: a.h\nnot a rule\n", "out/x.d"),
      (err: unknown) =>
        err instanceof UserError && err.headline === "out/x.d:2:11: depfile: expected ':' after the targets",
    );
    assert.throws(() => parseDepfile(": a.h\n", "out/y.d"), /':' without a target/);
  });

  it("counts lines across continuations for errors", () => {
    assert.throws(
      () => parseDepfile("x.o: a \\\n b\nbad\n", "d"),
      (err: unknown) => err instanceof UserError && err.location?.line === 3,
    );
  });
});
