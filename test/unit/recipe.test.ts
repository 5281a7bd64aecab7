// Recipe helpers: host packages (checked with dpkg-query, installed as root, else the exact command), the
// deb-src entry Keel adds, Kconfig fragments and whether they survived olddefconfig, BusyBox config checks.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { configSettings } from "../../src/recipe/busybox.ts";
import {
  debSrcState,
  ensureDebSrc,
  ensurePackages,
  missingPackages,
  type HostEnv,
} from "../../src/recipe/host.ts";
import { parseFragment, unmetFragmentLines } from "../../src/recipe/linux.ts";
import type { ProbeRun } from "../../src/toolchain/toolchain.ts";
import { UserError } from "../../src/util/errors.ts";

const tmp = mkdtempSync(join(tmpdir(), "keel-recipe-test-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake host: dpkg-query knows `installed`; apt-get install adds to it; every argv is recorded. */
function fakeHost(installed: string[], uid = 0): HostEnv & { ran: string[][]; said: string[] } {
  const have = new Set(installed);
  const ran: string[][] = [];
  const said: string[] = [];
  const run: ProbeRun = async (argv) => {
    ran.push(argv);
    if (argv[0] === "dpkg-query") {
      const pkgs = argv.slice(4);
      const stdout = pkgs
        .filter((p) => have.has(p))
        .map((p) => `${p} ii \n`)
        .join("");
      return { code: pkgs.every((p) => have.has(p)) ? 0 : 1, stdout, stderr: "" };
    }
    if (argv[0] === "apt-get" && argv[1] === "install") {
      for (const p of argv.slice(4)) have.add(p);
      return { code: 0, stdout: "", stderr: "" };
    }
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, say: (l) => said.push(l), uid, debian: true, ran, said };
}

test("missingPackages: what dpkg-query does not list as installed", async () => {
  const host = fakeHost(["flex", "bc"]);
  assert.deepEqual(await missingPackages(host.run, ["flex", "bison", "bc", "cpio"]), ["bison", "cpio"]);
});

test("ensurePackages: nothing to do; as root apt-get install (said aloud); otherwise the exact command", async () => {
  const done = fakeHost(["a", "b"]);
  await ensurePackages(done, ["a", "b"], "building guest rootvm");
  assert.deepEqual(done.said, []);

  const root = fakeHost(["a"]);
  await ensurePackages(root, ["a", "c", "b"], "building guest rootvm");
  assert.deepEqual(root.said, [
    "keel: building guest rootvm needs b c; installing: apt-get install -y --no-install-recommends b c",
  ]);
  assert.ok(root.ran.some((a) => a.join(" ") === "apt-get install -y --no-install-recommends b c"));

  const user = fakeHost(["a"], 1000);
  await assert.rejects(ensurePackages(user, ["a", "c", "b"], "building guest rootvm"), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.deepEqual(
      [e.headline, ...e.details],
      [
        "building guest rootvm needs host packages that are not installed: b, c",
        "install them with: sudo apt-get install -y --no-install-recommends b c",
      ],
    );
    return true;
  });
  assert.ok(!user.ran.some((a) => a[0] === "apt-get"));
});

test("deb-src: derived from the deb822 and one-line deb entries; written in Keel's own file as root", async () => {
  const apt = join(tmp, "apt");
  mkdirSync(join(apt, "sources.list.d"), { recursive: true });
  writeFileSync(
    join(apt, "sources.list.d", "debian.sources"),
    [
      "Types: deb",
      "URIs: http://deb.debian.org/debian",
      "Suites: bookworm bookworm-updates",
      "Components: main",
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(apt, "sources.list"),
    "deb http://security.debian.org/debian-security bookworm-security main\n",
  );
  const state = debSrcState(apt);
  assert.equal(state.has, false);
  assert.match(
    state.proposal ?? "",
    /Types: deb-src\nURIs: http:\/\/deb.debian.org\/debian\nSuites: bookworm bookworm-updates/,
  );
  assert.match(
    state.proposal ?? "",
    /URIs: http:\/\/security.debian.org\/debian-security\nSuites: bookworm-security/,
  );

  const user = { ...fakeHost([], 1000), aptDir: apt };
  await assert.rejects(ensureDebSrc(user), /needs a deb-src entry, and apt has none/);

  const root = { ...fakeHost([]), aptDir: apt };
  await ensureDebSrc(root);
  const written = readFileSync(join(apt, "sources.list.d", "keel-deb-src.sources"), "utf8");
  assert.equal(written, state.proposal);
  assert.match(root.said[0] ?? "", /added deb-src entries in .*keel-deb-src.sources/);
  assert.ok(root.ran.some((a) => a.join(" ") === "apt-get update"));
  assert.equal(debSrcState(apt).has, true);
  root.ran.length = 0;
  await ensureDebSrc(root); // now a no-op
  assert.deepEqual(root.ran, []);
});

test("fragments: settings and 'is not set' lines; bad lines at file:line", () => {
  assert.deepEqual(parseFragment("# c\nCONFIG_A=y\n\n# CONFIG_B is not set\nCONFIG_N=8\n", "f"), [
    { symbol: "CONFIG_A", value: "y", line: 2 },
    { symbol: "CONFIG_B", value: "n", line: 4 },
    { symbol: "CONFIG_N", value: "8", line: 5 },
  ]);
  assert.throws(
    () => parseFragment("CONFIG_A=y\nFPU=y\n", "guests/rootvm/linux.fragment"),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(
        e.headline,
        'guests/rootvm/linux.fragment:2:1: expected CONFIG_NAME=value or "# CONFIG_NAME is not set"',
      );
      return true;
    },
  );
});

test("fragments: lines olddefconfig dropped or changed are found", () => {
  const frag = parseFragment("CONFIG_A=y\nCONFIG_B=n\nCONFIG_C=y\nCONFIG_D=8\n# CONFIG_E is not set\n", "f");
  const dot = "CONFIG_A=y\n# CONFIG_B is not set\n# CONFIG_C is not set\nCONFIG_D=4\n";
  assert.deepEqual(unmetFragmentLines(frag, dot), [
    { line: 3, message: "CONFIG_C=y did not survive olddefconfig (the .config leaves it unset)" },
    { line: 4, message: "CONFIG_D=8 did not survive olddefconfig (the .config has CONFIG_D=4)" },
  ]);
});

test("the repo's fragment and BusyBox config are well-formed", () => {
  const frag = parseFragment(
    readFileSync("guests/rootvm/linux.fragment", "utf8"),
    "guests/rootvm/linux.fragment",
  );
  const set = new Map(frag.map((f) => [f.symbol, f.value]));
  for (const must of [
    "CONFIG_FPU",
    "CONFIG_RISCV_SBI_V01",
    "CONFIG_HVC_RISCV_SBI",
    "CONFIG_BLK_DEV_INITRD",
    "CONFIG_RD_GZIP",
  ])
    assert.equal(set.get(must), "y", must);
  assert.equal(set.get("CONFIG_MODULES"), "n");
  const bb = configSettings(readFileSync("guests/rootvm/busybox.config", "utf8"));
  assert.ok(bb.includes("CONFIG_STATIC=y"));
  assert.ok(bb.includes("CONFIG_SH_IS_ASH=y") || bb.includes("CONFIG_ASH=y"));
});
