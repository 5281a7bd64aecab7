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

test("Kbuild habits: V=0|1|2 and VERBOSE=0|1|y|n anywhere on the line", () => {
  assert.equal(parseArgs(["build", "V=1"], {}).verbose, true);
  assert.equal(parseArgs(["V=0", "build"], { VERBOSE: "1" }).verbose, false);
  const v2 = parseArgs(["build", "V=2"], {});
  assert.equal(v2.explain, true);
  assert.equal(v2.verbose, false);
  assert.equal(parseArgs(["build", "VERBOSE=y"], {}).verbose, true);
  assert.equal(parseArgs(["run", "VERBOSE=1"], {}).verbose, true);
  assert.equal(parseArgs(["build", "VERBOSE=n"], { VERBOSE: "1" }).verbose, false);
  assert.throws(() => parseArgs(["build", "V=3"], {}), /^UserError: V= expects 0, 1 or 2/);
  assert.throws(() => parseArgs(["build", "VERBOSE=yes"], {}), /VERBOSE= expects 0, 1, y or n/);
  assert.equal(parseArgs(["build", "-Dimage=demo", "O=/tmp/o"], {}).outDir, "/tmp/o");
});

test("unknown VAR=value and stray words are errors naming what is accepted", () => {
  assert.throws(
    () => parseArgs(["build", "ARCH=riscv"], {}),
    /unknown variable ARCH=riscv; keel accepts O=DIR, V=0\|1\|2, VERBOSE=0\|1\|y\|n and the -D options/,
  );
  assert.throws(
    () => parseArgs(["build", "foo", "bar"], {}),
    /keel build takes no arguments; got "foo" \(an image is chosen with -Dimage=foo, a port with -Dsystem=foo/,
  );
  assert.throws(
    () => parseArgs(["build", "hello"], {}),
    /keel build takes no arguments; got "hello" \(an image is chosen with -Dimage=hello/,
  );
  assert.throws(
    () => parseArgs(["build", "menuconfig"], {}),
    /keel build takes no arguments; got "menuconfig" \(did you mean keel kconfig menuconfig\?\)/,
  );
  assert.throws(
    () => parseArgs(["test", "hello"], {}),
    /a test name pattern goes after --: keel test -- hello/,
  );
  assert.throws(() => parseArgs(["ports", "x"], {}), /keel ports takes no arguments/);
  assert.deepEqual(parseArgs(["inspect", "a.elf"], {}).positional, ["a.elf"]);
});

test("configuration targets are shorthands for keel kconfig, with the options given before them", () => {
  const a = parseArgs(["menuconfig"], {});
  assert.equal(a.command, "kconfig");
  assert.deepEqual(a.positional, ["menuconfig"]);
  const b = parseArgs(["-Dconfig=tiny", "--out", "o", "defconfig", "my_defconfig", "O=x"], {});
  assert.equal(b.command, "kconfig");
  assert.deepEqual(b.positional, ["-Dconfig=tiny", "O=o", "defconfig", "my_defconfig", "O=x"]);
  for (const t of ["oldconfig", "olddefconfig", "savedefconfig", "allnoconfig", "tinyconfig"])
    assert.equal(parseArgs([t], {}).command, "kconfig");
  assert.throws(
    () => parseArgs(["frob"], {}),
    /configuration targets \(keel kconfig \.\.\.\): config, oldconfig/,
  );
});

test("keel help <command> is keel <command> -h", () => {
  const a = parseArgs(["help", "build"], {});
  assert.equal(a.command, "build");
  assert.equal(a.help, true);
  assert.throws(() => parseArgs(["help", "nope"], {}), /keel help takes one command/);
});

test("a setting given twice is refused, naming both spellings; empty values are refused", () => {
  assert.throws(
    () => parseArgs(["build", "--out", "A", "O=B"], {}),
    /^UserError: the output directory given twice: --out A and O=B \(give it once\)$/,
  );
  assert.throws(
    () => parseArgs(["build", "-Dimage=a", "-Dimage=b"], {}),
    /-Dimage given twice: -Dimage=a and -Dimage=b/,
  );
  assert.throws(() => parseArgs(["build", "-j2", "-j", "3"], {}), /-j given twice: -j2 and -j/);
  assert.throws(() => parseArgs(["build", "V=1", "V=0"], {}), /V given twice/);
  assert.throws(() => parseArgs(["build", "--out="], {}), /--out= expects a directory, got nothing/);
  assert.throws(() => parseArgs(["build", "O="], {}), /O= expects a directory, got nothing/);
  assert.throws(() => parseArgs(["build", "-Dimage="], {}), /-Dimage= expects a value, got nothing/);
  // the environment's O is a default, not a second setting
  assert.equal(parseArgs(["build", "O=b"], { O: "a" }).outDir, "b");
});
