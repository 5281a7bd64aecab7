import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "../../src/cli/args.ts";
import { UserError } from "../../src/util/errors.ts";

test("parses -D defines, O=, -j, -v and passthrough", () => {
  const a = parseArgs(
    ["run", "-Dsystem=qemu-virt", "-D", "optimize=ReleaseFast", "O=/tmp/x", "-j3", "-v", "--", "-s", "-S"],
    {},
  );
  assert.equal(a.command, "run");
  assert.deepEqual(a.defines, { system: "qemu-virt", optimize: "ReleaseFast" });
  assert.equal(a.outDir, "/tmp/x");
  assert.equal(a.jobs, 3);
  assert.equal(a.verbose, true);
  assert.deepEqual(a.passthrough, ["-s", "-S"]);
});

test("environment O and VERBOSE are honoured, flags override", () => {
  const a = parseArgs(["build", "--out", "b", "--explain"], { O: "a", VERBOSE: "1" });
  assert.equal(a.outDir, "b");
  assert.equal(a.verbose, true);
  assert.equal(a.explain, true);
});

test("no command means help; -h works after a command", () => {
  assert.equal(parseArgs([], {}).help, true);
  const a = parseArgs(["inspect", "-h"], {});
  assert.equal(a.command, "inspect");
  assert.equal(a.help, true);
});

test("command-specific flags are accepted only for their command", () => {
  assert.ok(parseArgs(["clean", "--cache"], {}).flags.has("--cache"));
  assert.throws(() => parseArgs(["build", "--cache"], {}), /unknown option --cache/);
});

test("bad input is a UserError with a precise message", () => {
  assert.throws(
    () => parseArgs(["frobnicate"], {}),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /unknown command "frobnicate"; commands: build, run/);
      return true;
    },
  );
  assert.throws(() => parseArgs(["build", "-Dsytem=x"], {}), /-D expects one of system=\.\.\., optimize/);
  assert.throws(() => parseArgs(["build", "-j", "0"], {}), /-j expects a positive number, got "0"/);
  assert.throws(() => parseArgs(["build", "--out"], {}), /--out expects a directory/);
});
