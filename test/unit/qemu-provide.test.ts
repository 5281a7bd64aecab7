// Where a port's QEMU comes from (src/qemu/provide.ts): the backports entry Keel adds to apt, the Depends
// fields of the unpacked packages and which of them the host does not satisfy, absolute symlinks made
// relative inside the unpacked tree, the version check, and the port fields that select all this.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { hostQemu } from "../../src/port/emit-qemu.ts";
import { parsePort } from "../../src/port/load.ts";
import { resolvePort } from "../../src/port/resolve.ts";
import {
  BACKPORTS_SOURCES_TEXT,
  ensureBackportsEntry,
  hasBackportsEntry,
  parseDepends,
  parseQemuVersion,
  provideQemu,
  relinkInto,
  unmetDependencies,
  versionMatches,
} from "../../src/qemu/provide.ts";
import type { HostEnv } from "../../src/recipe/host.ts";
import type { ProbeRun } from "../../src/toolchain/toolchain.ts";
import { UserError } from "../../src/util/errors.ts";

const tmp = mkdtempSync(join(tmpdir(), "keel-qemu-provide-test-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function aptDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "sources.list.d"), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

test("hasBackportsEntry: a deb line or an enabled deb822 stanza naming bookworm-backports", () => {
  const none = aptDir("none", {
    "sources.list.d/debian.sources":
      "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n",
  });
  assert.equal(hasBackportsEntry(none), false);
  const line = aptDir("line", {
    "sources.list": "deb http://deb.debian.org/debian bookworm-backports main\n",
  });
  assert.equal(hasBackportsEntry(line), true);
  const stanza = aptDir("stanza", { "sources.list.d/bp.sources": BACKPORTS_SOURCES_TEXT });
  assert.equal(hasBackportsEntry(stanza), true);
  const off = aptDir("off", { "sources.list.d/bp.sources": `${BACKPORTS_SOURCES_TEXT}Enabled: no\n` });
  assert.equal(hasBackportsEntry(off), false);
  const src = aptDir("src", {
    "sources.list.d/bp.sources": BACKPORTS_SOURCES_TEXT.replace("Types: deb", "Types: deb-src"),
  });
  assert.equal(hasBackportsEntry(src), false, "a deb-src entry does not give binary packages");
});

function fakeHost(installed: Record<string, string>, uid = 0): HostEnv & { ran: string[][]; said: string[] } {
  const ran: string[][] = [];
  const said: string[] = [];
  const run: ProbeRun = async (argv) => {
    ran.push(argv);
    if (argv[0] === "dpkg-query") {
      const v = installed[argv.at(-1)!];
      return v ? { code: 0, stdout: v, stderr: "" } : { code: 1, stdout: "", stderr: "" };
    }
    if (argv[0] === "dpkg" && argv[1] === "--compare-versions") {
      // Plain dotted numbers are enough here.
      const [a, op, b] = [argv[2]!, argv[3]!, argv[4]!];
      const cmp = a.localeCompare(b, "en", { numeric: true });
      const ok = { lt: cmp < 0, le: cmp <= 0, eq: cmp === 0, ge: cmp >= 0, gt: cmp > 0 }[op];
      return { code: ok ? 0 : 1, stdout: "", stderr: "" };
    }
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, say: (l) => said.push(l), uid, debian: true, ran, said };
}

test("ensureBackportsEntry: as root writes Keel's file, says so and runs apt-get update; else the text to add", async () => {
  const dir = aptDir("ensure", {});
  const root = { ...fakeHost({}), aptDir: dir };
  await ensureBackportsEntry(root);
  assert.equal(
    readFileSync(join(dir, "sources.list.d", "keel-backports.sources"), "utf8"),
    BACKPORTS_SOURCES_TEXT,
  );
  assert.match(root.said[0]!, /^keel: added a bookworm-backports entry in .*keel-backports\.sources/);
  assert.deepEqual(root.ran, [["apt-get", "update"]]);
  await ensureBackportsEntry(root);
  assert.equal(root.ran.length, 1, "nothing more once the entry exists");

  const user = { ...fakeHost({}, 1000), aptDir: aptDir("ensure-user", {}) };
  await assert.rejects(ensureBackportsEntry(user), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /needs a backports entry/);
    assert.ok(e.details.includes("Suites: bookworm-backports"));
    return true;
  });
  assert.equal(existsSync(join(user.aptDir, "sources.list.d", "keel-backports.sources")), false);
});

test("parseDepends: names, constraints, the first of alternatives, architecture qualifiers dropped", () => {
  assert.deepEqual(
    parseDepends(
      "libc6 (>= 2.34), libjack-jackd2-0 (>= 1.9) | libjack-0.125, zlib1g:amd64, opensbi (>> 1.5.1-1~)",
    ),
    [
      { name: "libc6", op: ">=", version: "2.34" },
      { name: "libjack-jackd2-0", op: ">=", version: "1.9" },
      { name: "zlib1g", op: undefined, version: undefined },
      { name: "opensbi", op: ">>", version: "1.5.1-1~" },
    ],
  );
  assert.deepEqual(parseDepends(""), []);
});

test("unmetDependencies: missing or too old on the host, except what was unpacked or is provided", async () => {
  const host = fakeHost({ libc6: "2.36", libold: "1.0", libnew: "3.0" });
  const unmet = await unmetDependencies(
    host.run,
    [
      "libc6 (>= 2.34), libold (>= 2.0), libnew (>= 2.0), libmissing1, qemu-system-common (= 1:10.0.2)",
      "qemu-system-any (= 1:10.0.2)",
    ],
    ["qemu-system-common", "qemu-system-any"],
  );
  assert.deepEqual(
    unmet.map((d) => d.name),
    ["libold", "libmissing1"],
  );
});

test("relinkInto: absolute links whose target is in the unpacked tree become relative; others stay", async () => {
  const root = join(tmp, "tree");
  mkdirSync(join(root, "usr/lib/riscv64-linux-gnu/opensbi/generic"), { recursive: true });
  mkdirSync(join(root, "usr/share/qemu"), { recursive: true });
  writeFileSync(join(root, "usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"), "sbi");
  const fw = join(root, "usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin");
  symlinkSync("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin", fw);
  const elsewhere = join(root, "usr/share/qemu/other");
  symlinkSync("/nonexistent/keel/file", elsewhere);
  assert.equal(await relinkInto(root, join(root, "usr/share/qemu")), 1);
  assert.equal(readlinkSync(fw), "../../lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin");
  assert.equal(readFileSync(fw, "utf8"), "sbi");
  assert.equal(readlinkSync(elsewhere), "/nonexistent/keel/file");
});

test("QEMU versions: read from --version, a port's major.minor matches its patch releases only", () => {
  assert.equal(
    parseQemuVersion("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\n"),
    "10.0.2",
  );
  assert.equal(parseQemuVersion("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18)"), "7.2.22");
  assert.equal(parseQemuVersion("gcc (Debian 12.2.0-14) 12.2.0"), undefined);
  assert.equal(versionMatches("10.0.2", "10.0"), true);
  assert.equal(versionMatches("10.0", "10.0"), true);
  assert.equal(versionMatches("10.1.0", "10.0"), false);
  assert.equal(versionMatches("10.00.1", "10.0"), false);
});

const PORT = readFileSync("ports/qemu10-virt.yaml", "utf8");

test("port qemu.from/version: backports needs a version; the host QEMU's version is checked when given", async () => {
  const port = resolvePort(parsePort(PORT, "qemu10-virt.yaml"));
  assert.equal(port.qemu.from, "debian-backports");
  assert.equal(port.qemu.version, "10.0");
  assert.throws(() => hostQemu(port), /runs QEMU from debian-backports/);
  assert.throws(
    () => parsePort(PORT.replace('  version: "10.0"\n', ""), "qemu10-virt.yaml"),
    (e: unknown) => e instanceof UserError && /needs version/.test(`${e.message} ${e.details.join(" ")}`),
  );
  const host = resolvePort(
    parsePort(PORT.replace("  from: debian-backports\n", "").replace('"10.0"', '"7.2"'), "qemu10-virt.yaml"),
  );
  assert.equal(host.qemu.from, "host");
  const say = fakeHost({});
  const sayVersion = (v: string): HostEnv => ({
    ...say,
    run: async (argv) =>
      argv.includes("--version")
        ? { code: 0, stdout: `QEMU emulator version ${v} (Debian)\n`, stderr: "" }
        : { code: 1, stdout: "", stderr: "" },
  });
  const named = { ...host, name: "q72-ok" };
  const program = await provideQemu(named, sayVersion("7.2.22"), tmp);
  assert.equal(program.binary, "qemu-system-riscv64");
  assert.deepEqual(program.args, []);
  await assert.rejects(
    provideQemu({ ...host, name: "q72-wrong" }, sayVersion("8.2.2"), tmp),
    /needs QEMU 7\.2, qemu-system-riscv64 is QEMU 8\.2\.2/,
  );
});
