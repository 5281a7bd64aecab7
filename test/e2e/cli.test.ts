// End to end: the bundled CLI (`node dist/keel.mjs`, built from the current sources) run as a user runs it,
// with KEEL_ROOT at a throwaway copy of the checkout; real cross compiler, real QEMU. Exit codes and the
// lines users read are checked exactly.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { COMMANDS } from "../../src/cli/args.ts";
import { KCONFIG_COMMANDS } from "../../src/cli/kconfig-names.ts";
import { usage } from "../../src/cli/usage.ts";
import { account, bundleCli, keel, lines, type CliResult } from "./cli-helpers.ts";
import { copyCheckout } from "./helpers.ts";

/** Fresh temp dirs, removed when the file's tests end. */
const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
/** A throwaway checkout, removed when the file's tests end. */
function checkout(prefix: string): string {
  const c = copyCheckout(prefix);
  temps.push(c.root);
  return c.root;
}

before(bundleCli);
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Exit status as expected, else fail showing everything the run printed. */
function exits(r: CliResult, code: number): void {
  assert.equal(r.timedOut, false, `timed out: ${account(r)}`);
  assert.equal(r.code, code, account(r));
}

/** A user error: exit 2, nothing on stdout, the given first stderr line, and no stack trace. */
function userError(r: CliResult, firstLine: string | RegExp): string[] {
  exits(r, 2);
  assert.equal(r.stdout, "");
  const err = lines(r.stderr);
  if (typeof firstLine === "string") assert.equal(err[0], firstLine);
  else assert.match(err[0] ?? "", firstLine);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "a user error printed a stack trace");
  assert.doesNotMatch(r.stderr, /internal error/);
  return err;
}

const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("help and argument errors", () => {
  let root = "";
  before(() => {
    root = checkout("keel-cli-args-");
  });

  test("keel -h prints the overview and exits 0", async () => {
    const r = await keel(["-h"], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stdout, `${usage("help")}\n`);
    assert.equal(r.stderr, "");
    const out = lines(r.stdout);
    assert.equal(out[0], "keel - build, bundle, boot and test the Keel RISC-V hypervisor");
    assert.ok(out.includes("Usage: keel <command> [options]"));
    for (const c of COMMANDS.filter((c) => c !== "help")) {
      assert.ok(
        out.some((l) => new RegExp(`^  ${c} +\\S`).test(l)),
        `no row for ${c}`,
      );
    }
  });

  test("keel with no arguments prints the same overview and exits 0", async () => {
    const r = await keel([], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stdout, `${usage("help")}\n`);
    assert.equal(r.stderr, "");
  });

  test("keel build -h prints build's usage and options and exits 0", async () => {
    const r = await keel(["build", "-h"], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stdout, `${usage("build")}\n`);
    assert.equal(r.stderr, "");
    const out = lines(r.stdout);
    assert.equal(out[0], "Usage: keel build [options]");
    for (const opt of ["-Dsystem=<port>", "-Doptimize=<mode>", "-Dimage=<image>", "--out DIR, O=DIR", "-v"]) {
      assert.ok(
        out.some((l) => l.trimStart().startsWith(opt)),
        `no option ${opt}`,
      );
    }
  });

  test("an unknown command exits 2 with one line listing the commands", async () => {
    const r = await keel(["x"], { root, cwd: root });
    const err = userError(
      r,
      `keel: unknown command "x"; commands: ${COMMANDS.join(", ")}; configuration targets (keel kconfig ...): ${KCONFIG_COMMANDS.join(", ")}`,
    );
    assert.equal(err.length, 1);
    assert.match(
      err[0]!,
      /^keel: unknown command "x"; commands: build, run, test, ports, inspect, clean, doctor, kconfig, help; configuration targets \(keel kconfig \.\.\.\): config, oldconfig, .*, menuconfig$/,
    );
  });

  test("an unknown -D key exits 2 with one line", async () => {
    const r = await keel(["build", "-Dfoo=1"], { root, cwd: root });
    const err = userError(
      r,
      'keel: -D expects one of system=..., optimize=..., image=..., config=...; got "-Dfoo=1"',
    );
    assert.equal(err.length, 1);
  });

  test("a bad -Doptimize value exits 2 with one line", async () => {
    const r = await keel(["build", "-Doptimize=Fast"], { root, cwd: root });
    const err = userError(
      r,
      'keel: -Doptimize must be one of Debug, ReleaseSafe, ReleaseFast, ReleaseSmall; got "Fast"',
    );
    assert.equal(err.length, 1);
    assert.equal(existsSync(join(root, "out")), false, "a rejected build wrote out/");
  });
});

describe("keel ports", () => {
  let root = "";
  let virt = "";
  before(() => {
    root = checkout("keel-cli-ports-");
    // One port in this copy, so every line can be asserted exactly.
    for (const f of readdirSync(join(root, "ports"))) {
      if (f.endsWith(".yaml") && f !== "qemu-virt.yaml" && f !== "default.yaml")
        rmSync(join(root, "ports", f));
    }
    const desc = /^description: (.*)$/m.exec(readFileSync(join(root, "ports", "qemu-virt.yaml"), "utf8"));
    assert.ok(desc, "qemu-virt.yaml has no one-line description");
    virt = `* qemu-virt  ${desc[1]}`;
  });

  test("lists the one port, marked as the default", async () => {
    const r = await keel(["ports"], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stderr, "");
    assert.deepEqual(lines(r.stdout), [virt]);
  });

  test("a port file dropped into ports/ is listed, without the star", async () => {
    const text = readFileSync(join(root, "ports", "qemu-virt.yaml"), "utf8")
      .replace(/^name: qemu-virt$/m, "name: spare")
      .replace(/^description: .*$/m, "description: A second board, added by dropping in a file");
    writeFileSync(join(root, "ports", "spare.yaml"), text);
    const r = await keel(["ports"], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stderr, "");
    assert.deepEqual(lines(r.stdout), [virt, "  spare      A second board, added by dropping in a file"]);
  });

  test("a port file that does not load is marked and reported; the others are still listed; exit 2", async () => {
    writeFileSync(join(root, "ports", "broken.yaml"), "name: broken\ndescription: x\nharts: many\n");
    try {
      const r = await keel(["ports"], { root, cwd: root });
      exits(r, 2);
      // (spare.yaml, from the test before, may be listed too.)
      assert.deepEqual(
        lines(r.stdout).filter((l) => !l.includes("spare")),
        ["! broken     (does not load: ports/broken.yaml, see below)", virt],
      );
      assert.match(r.stderr, /^keel: ports\/broken\.yaml:\d+:\d+: /);
    } finally {
      rmSync(join(root, "ports", "broken.yaml"));
    }
  });
});

describe("broken port and image files are reported at file:line:col", () => {
  let root = "";
  before(() => {
    root = checkout("keel-cli-broken-");
  });

  test("a port with an unknown key and a bad size: exit 2, both problems at their positions", async () => {
    // Derived from the real port so only the two planted problems are wrong.
    const src = readFileSync(join(root, "ports", "qemu-virt.yaml"), "utf8").split("\n");
    const nameIdx = src.findIndex((l) => l === "name: qemu-virt");
    assert.ok(nameIdx >= 0, "qemu-virt.yaml has no `name: qemu-virt` line");
    src[nameIdx] = "name: broken";
    src.splice(nameIdx + 1, 0, "colour: blue");
    const dramIdx = src.findIndex((l) => /^\s+dram:.*size: 256M/.test(l));
    assert.ok(dramIdx >= 0, "qemu-virt.yaml has no `dram: { ..., size: 256M }` line");
    src[dramIdx] = src[dramIdx]!.replace("size: 256M", "size: 256Q");
    const sizeCol = src[dramIdx]!.indexOf("256Q") + 1;
    writeFileSync(join(root, "ports", "broken.yaml"), src.join("\n"));

    const r = await keel(["build", "-Dsystem=broken"], { root, cwd: root });
    const err = userError(
      r,
      new RegExp(
        `^keel: ports/broken\\.yaml:${nameIdx + 2}:1: unknown key "colour" \\(allowed: name, .*\\)$`,
      ),
    );
    assert.equal(err.length, 2, r.stderr);
    assert.match(
      err[1]!,
      new RegExp(`^ports/broken\\.yaml:${dramIdx + 1}:${sizeCol}: memory\\.dram\\.size: bad size "256Q": `),
    );
    assert.equal(existsSync(join(root, "out")), false, "a rejected build wrote out/");
  });

  test("an image naming an unknown guest: exit 2, at the guest's line and column", async () => {
    writeFileSync(
      join(root, "images", "broken.yaml"),
      [
        "description: broken on purpose",
        "capsules:",
        "  - name: one",
        "    guest: hello",
        "  - name: two",
        "    guest: nosuch",
        "",
      ].join("\n"),
    );
    const r = await keel(["build", "-Dimage=broken"], { root, cwd: root });
    const err = userError(
      r,
      /^keel: images\/broken\.yaml:6:12: capsules\[1\]\.guest: no guest "nosuch" \(guests: (.*, )?hello(, .*)?\)$/,
    );
    assert.equal(err.length, 1, r.stderr);
  });

  test("a file path is shown as given relative to the working directory", async () => {
    const r = await keel(["build", "-Dimage=broken"], { root, cwd: dirname(root) });
    userError(r, new RegExp(`^keel: ${re(basename(root))}/images/broken\\.yaml:6:12: `));
  });
});

describe("build, inspect, run and clean, sharing one output directory", () => {
  let root = "";
  let out = "";
  let elf = "";
  before(() => {
    root = checkout("keel-cli-build-");
    out = join(tempDir("keel-cli-out-"), "out");
  });

  test("keel build --out DIR: exit 0, the image path last, keel.elf and compile_commands.json", async () => {
    const r = await keel(["build", "-Dimage=hello", "--out", out], { root, cwd: root });
    exits(r, 0);
    const o = lines(r.stdout);
    elf = o.at(-1)!;
    assert.equal(elf, join(out, "qemu-virt-Debug", "keel-hello.elf"));
    assert.ok(isAbsolute(elf) && existsSync(elf));
    assert.ok(!o.includes("keel: no work to do."));
    assert.ok(
      o.some((l) => /^\[\d+\/\d+\] CC hypervisor\/core\/init\.c$/.test(l)),
      "no CC line for init.c",
    );
    assert.ok(!r.stdout.includes("riscv64-unknown-elf-gcc"), "full commands printed without -v");

    const link = join(out, "keel.elf");
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.ok(!isAbsolute(readlinkSync(link)), "keel.elf should be a relative link");
    assert.equal(realpathSync(link), realpathSync(elf));

    const db = JSON.parse(readFileSync(join(out, "compile_commands.json"), "utf8")) as {
      directory: string;
      file: string;
    }[];
    assert.ok(Array.isArray(db));
    const files = db.map((e) => e.file);
    for (const f of ["hypervisor/core/init.c", "guests/hello/hello.c"])
      assert.ok(files.includes(join(root, f)), `compile_commands.json has no entry for ${f}`);
  });

  test("an identical second build prints `keel: no work to do.` and runs no step", async () => {
    const r = await keel(["build", "-Dimage=hello", "--out", out], { root, cwd: root });
    exits(r, 0);
    assert.deepEqual(lines(r.stdout), ["keel: no work to do.", elf]);
  });

  test("O=DIR, O in the environment and a relative --out name the same directory", async () => {
    for (const [args, env, cwd] of [
      [["build", "-Dimage=hello", `O=${out}`], {}, root],
      [["build", "-Dimage=hello"], { O: out }, root],
      [["build", "-Dimage=hello", "--out", basename(out)], {}, dirname(out)],
    ] as const) {
      const r = await keel(args, { root, cwd, env });
      exits(r, 0);
      assert.deepEqual(lines(r.stdout), ["keel: no work to do.", elf], `keel ${args.join(" ")}`);
    }
    assert.equal(existsSync(join(root, "out")), false, "O= was ignored: the build went to out/");
  });

  test("keel inspect describes the image: entry, bundle and the hello capsule", async () => {
    const r = await keel(["inspect", join(out, "keel.elf")], { root, cwd: root });
    exits(r, 0);
    assert.equal(r.stderr, "");
    const o = lines(r.stdout);
    assert.match(o[0]!, new RegExp(`^${re(join(out, "keel.elf"))}: Keel image, entry 0x80000000, loads 0x`));
    assert.match(o[1]!, /^bundle: at 0x[0-9a-f]+, \d+ bytes$/);
    assert.match(o[2]!, /^format: version 1, 1 capsule\(s\), \d+ bytes$/);
    assert.match(o[3]!, /^ {2}capsule +ram +vcpus +hart +payload +sha256 +bootargs$/);
    assert.equal(o.length, 5, r.stdout);
    // The payload is the guest ELF as built: its size and hash are checkable.
    const guest = readFileSync(join(out, "qemu-virt-Debug", "guests", "hello.elf"));
    const sha = createHash("sha256").update(guest).digest("hex").slice(0, 16);
    assert.match(o[4]!, new RegExp(`^ {2}hello +16 MiB +1 +any +ELF ${guest.length} B +${sha} ok +""$`));
  });

  test("keel inspect of a file that is not an ELF: exit 2, one line naming the file", async () => {
    const file = join(root, "package.json");
    const r = await keel(["inspect", file], { root, cwd: root });
    const err = userError(r, new RegExp(`^keel: ${re(file)}: .*not an ELF`));
    assert.equal(err.length, 1);
  });

  test("keel inspect of a missing file: exit 2, one line", async () => {
    const file = join(out, "no-such.elf");
    const r = await keel(["inspect", file], { root, cwd: root });
    const err = userError(r, `keel: cannot read ${file}: ENOENT`);
    assert.equal(err.length, 1);
  });

  test("--explain after editing a header names the header as the reason", async () => {
    appendFileSync(join(root, "hypervisor/include/keel/bundle.h"), "\n/* touched by the CLI e2e test */\n");
    const r = await keel(["build", "-Dimage=hello", "--out", out, "--explain"], { root, cwd: root });
    exits(r, 0);
    const explained = lines(r.stdout).filter((l) => l.startsWith("keel: explain: "));
    assert.ok(explained.length >= 1, r.stdout);
    for (const l of explained)
      assert.match(l, /^keel: explain: \S+: input hypervisor\/include\/keel\/bundle\.h changed$/);
    assert.ok(
      explained.includes(
        "keel: explain: hypervisor/core/bundle.c: input hypervisor/include/keel/bundle.h changed",
      ),
    );
    assert.equal(lines(r.stdout).at(-1), elf);
  });

  test("-v with another -Doptimize: its own directory, full compiler command lines", async () => {
    const r = await keel(["build", "-Dimage=hello", "--out", out, "-Doptimize=ReleaseFast", "-v"], {
      root,
      cwd: root,
    });
    exits(r, 0);
    const o = lines(r.stdout);
    const fast = o.at(-1)!;
    assert.equal(fast, join(out, "qemu-virt-ReleaseFast", "keel-hello.elf"));
    assert.notEqual(fast, elf);
    assert.ok(existsSync(fast) && existsSync(elf));
    assert.ok(
      o.some((l) => l.includes("riscv64-unknown-elf-gcc") && / -c( |$)/.test(l)),
      "no full compiler command line",
    );
    assert.ok(!o.some((l) => / CC hypervisor\//.test(l)), "-v still printed short CC lines");
  });

  test("keel run boots the image in QEMU: exit 0, every check passed", async () => {
    const r = await keel(["run", "-Dimage=hello", "--out", out], { root, cwd: root, timeoutMs: 90_000 });
    exits(r, 0);
    const o = lines(r.stdout);
    assert.ok(
      o.includes(`keel: booting ${relative(root, elf)} on qemu-virt (Ctrl-A x leaves QEMU)`),
      r.stdout,
    );
    assert.ok(o.includes("[hello] hello: all 20 checks passed"), r.stdout);
  });

  test("keel run -- ARGS passes ARGS to QEMU (shown with -v)", async () => {
    const log = join(dirname(out), "qemu.log");
    const extra = ["-no-reboot", "-d", "guest_errors", "-D", log];
    const r = await keel(["run", "-v", "-Dimage=hello", "--out", out, "--", ...extra], {
      root,
      cwd: root,
      timeoutMs: 90_000,
    });
    exits(r, 0);
    const qemuLine = lines(r.stdout).find((l) => l.startsWith("qemu-system-riscv64 "));
    assert.ok(qemuLine, r.stdout);
    assert.ok(qemuLine.endsWith(` -kernel ${elf} ${extra.join(" ")}`), qemuLine);
    assert.ok(existsSync(log), "QEMU did not write the -D log file it was given");
  });

  test("keel run of an image whose capsule fails exits 1 (QEMU's status)", async () => {
    const r = await keel(["run", "-Dimage=fail", "--out", out], { root, cwd: root, timeoutMs: 90_000 });
    exits(r, 1);
    assert.ok(lines(r.stdout).includes("[keel] all capsules ended: 0 clean, 1 failed"), r.stdout);
  });

  test("keel clean --out DIR removes the directory", async () => {
    const r = await keel(["clean", "--out", out], { root, cwd: root });
    exits(r, 0);
    assert.deepEqual(lines(r.stdout), [`removed ${out}`]);
    assert.equal(existsSync(out), false);
  });
});

describe("a bug, unlike a user error, exits 1 with a stack", () => {
  test("a corrupt package.json in the checkout (Keel's own file) is reported as an internal error", async () => {
    const root = checkout("keel-cli-bug-");
    writeFileSync(join(root, "package.json"), "{ not json\n");
    const r = await keel(["build", "-Dimage=hello", "--out", join(root, "out")], { root, cwd: root });
    exits(r, 1);
    const err = lines(r.stderr);
    assert.equal(err[0], "keel: internal error (a bug in Keel; please report it)");
    assert.match(err[1] ?? "", /^SyntaxError: /);
    assert.ok(
      err.slice(2).some((l) => /^\s+at /.test(l)),
      r.stderr,
    );
  });
});
