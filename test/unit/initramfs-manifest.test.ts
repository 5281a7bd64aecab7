// Initramfs manifests: the entries they give (implicit parents, default modes, sources) and every problem at
// its exact file:line:col.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadInitramfs, nameProblem, parseInitramfs } from "../../src/initramfs/manifest.ts";
import { UserError } from "../../src/util/errors.ts";

const FILE = "guests/x/initramfs.yaml";

function problems(text: string, builds?: string[]): string[] {
  try {
    parseInitramfs(text, FILE, { baseDir: "/repo/guests/x", ...(builds ? { builds } : {}) });
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError");
}

test("entries: implicit parents, default modes, sources resolved, sorted by name", () => {
  const m = parseInitramfs(
    [
      "entries:",
      "  - file: usr/bin/tool",
      "    build: tool",
      "  - file: init",
      "    from: init.sh",
      "  - symlink: [bin/sh, bin/ls]",
      "    target: /bin/busybox",
      "  - device: dev/null",
      "    type: char",
      "    major: 1",
      "    minor: 3",
      '    mode: "0666"',
      "  - dir: bin",
      '    mode: "0700"',
    ].join("\n"),
    FILE,
    { baseDir: "/repo/guests/x" },
  );
  const view = m.entries.map((e) => [
    e.type,
    e.name,
    e.mode.toString(8),
    "implicit" in e && e.implicit === true,
  ]);
  assert.deepEqual(view, [
    ["dir", "bin", "700", false],
    ["symlink", "bin/ls", "777", false],
    ["symlink", "bin/sh", "777", false],
    ["dir", "dev", "755", true],
    ["char", "dev/null", "666", false],
    ["file", "init", "644", false],
    ["dir", "usr", "755", true],
    ["dir", "usr/bin", "755", true],
    ["file", "usr/bin/tool", "755", false],
  ]);
  const init = m.entries.find((e) => e.name === "init");
  assert.deepEqual(init?.type === "file" && init.source, { kind: "path", path: "/repo/guests/x/init.sh" });
  const sh = m.entries.find((e) => e.name === "bin/sh");
  assert.deepEqual(sh?.loc, { file: FILE, line: 6, col: 15 });
});

test("names that leave the root, absolute names and odd components are errors at their position", () => {
  assert.deepEqual(
    problems(
      [
        "entries:",
        "  - dir: /etc",
        "  - file: ../evil",
        "    from: x",
        "  - symlink: [bin/ok, bin/../../x, ./y]",
        "    target: /anywhere/is/fine",
        "  - dir: a//b",
        "  - dir: c/",
      ].join("\n"),
    ),
    [
      `${FILE}:2:10: "/etc": names are relative to the initramfs root (write "etc")`,
      `${FILE}:3:11: "../evil": ".." would leave the initramfs root`,
      `${FILE}:5:23: "bin/../../x": ".." would leave the initramfs root`,
      `${FILE}:5:36: "./y": "." components are not allowed`,
      `${FILE}:7:10: "a//b": empty path component (a doubled or trailing "/")`,
      `${FILE}:8:10: "c/": empty path component (a doubled or trailing "/")`,
    ],
  );
});

test("entries below a symlink, file or device, and duplicates, are errors", () => {
  assert.deepEqual(
    problems(
      [
        "entries:",
        "  - symlink: lib",
        "    target: /",
        "  - file: lib/passwd",
        "    from: x",
        "  - device: dev/null",
        "    type: char",
        "    major: 1",
        "    minor: 3",
        "  - dir: dev/null/sub",
        "  - dir: bin",
        "  - dir: bin",
      ].join("\n"),
    ),
    [
      `${FILE}:4:11: "lib/passwd": its parent "lib" is a symlink (line 2); the entry would be unpacked through it`,
      `${FILE}:10:10: "dev/null/sub": its parent "dev/null" is a device (line 6); the entry would be unpacked through it`,
      `${FILE}:12:10: duplicate entry "bin" (first on line 11)`,
    ],
  );
});

test("kinds, keys, modes, sources and device numbers are checked", () => {
  assert.deepEqual(
    problems(
      [
        "entries:",
        "  - dir: a",
        "    mode: 0755",
        "  - file: b",
        "  - file: c",
        "    from: x",
        "    build: y",
        "  - file: d",
        "    build: nope",
        "  - {}",
        "  - dir: e",
        "    file: f",
        "  - dir: g",
        "    colour: red",
        "  - device: h",
        "    type: pipe",
        "    major: 1",
        "    minor: -1",
        "  - symlink: i",
        "extra: 1",
      ].join("\n"),
      ["busybox"],
    ),
    [
      `${FILE}:3:11: mode: expected a quoted octal string such as "0755"; got 755`,
      `${FILE}:4:11: a file entry needs exactly one of from: (a file) and build: (a build output)`,
      `${FILE}:5:11: a file entry needs exactly one of from: (a file) and build: (a build output)`,
      `${FILE}:9:12: build: no build output "nope" (outputs: busybox)`,
      `${FILE}:10:5: an entry needs one of dir:, file:, symlink:, device:`,
      `${FILE}:11:5: an entry is one of dir:, file:, symlink:, device: (this one has dir and file)`,
      `${FILE}:14:5: unknown key "colour" for a dir entry`,
      `${FILE}:16:11: type: expected char or block`,
      `${FILE}:18:12: minor: expected a number from 0 to 1048575`,
      `${FILE}:19:14: a symlink needs target: (a path)`,
      `${FILE}:20:1: unknown key "extra" (expected entries, host_paths)`,
    ],
  );
});

test("nameProblem accepts ordinary relative names", () => {
  for (const ok of ["init", "bin/sh", "usr/lib/x.so.1", "a-b_c/.hidden"])
    assert.equal(nameProblem(ok), undefined, ok);
});

test("from: outside the checkout and the build outputs needs host_paths: (issue 12)", () => {
  const text = (extra: string) =>
    [
      ...(extra ? [extra] : []),
      "entries:",
      "  - file: etc/shadow",
      "    from: /etc/shadow",
      "  - file: etc/passwd",
      "    from: ../../../../etc/passwd",
      "  - file: env",
      "    from: /proc/self/environ",
      "  - file: init",
      "    from: init.sh",
    ].join("\n");
  const found = problems(text(""));
  assert.equal(found.length, 3, found.join("\n"));
  assert.equal(
    found[0],
    "guests/x/initramfs.yaml:3:11: from: /etc/shadow is outside the checkout and the build outputs; list it (or a folder holding it) under host_paths: to pack it",
  );
  assert.match(found[1]!, /:5:11: from: \/etc\/passwd is outside the checkout/);
  assert.match(found[2]!, /:7:11: from: \/proc\/self\/environ is outside/);
  // Listed: accepted. The allowed roots (checkout, build outputs) need no listing.
  const m = parseInitramfs(text("host_paths: [/etc, /proc/self/environ]"), FILE, {
    baseDir: "/repo/guests/x",
  });
  assert.equal(m.entries.filter((e) => e.type === "file").length, 4);
  const outs = parseInitramfs("entries:\n  - file: a\n    from: /repo/out/x/a\n", FILE, {
    baseDir: "/repo/guests/x",
    allowedRoots: ["/repo", "/repo/out"],
  });
  assert.equal(outs.entries.length, 1);
  assert.match(
    problems("host_paths: [etc]\nentries: []\n")[0]!,
    /host_paths: expected an absolute path, got "etc"/,
  );
});

test("a symlink in the manifest's folder that leads out of it needs host_paths: too", async () => {
  const d = mkdtempSync(join(tmpdir(), "keel-initramfs-"));
  try {
    symlinkSync("/etc/hostname", join(d, "name"));
    writeFileSync(join(d, "m.yaml"), "entries:\n  - file: etc/hostname\n    from: name\n");
    await assert.rejects(loadInitramfs(join(d, "m.yaml")), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(
        e.headline,
        /:2:11: "etc\/hostname": from: .*\/name leads to \/etc\/hostname, outside the checkout/,
      );
      return true;
    });
    writeFileSync(
      join(d, "m.yaml"),
      "host_paths: [/etc/hostname]\nentries:\n  - file: etc/hostname\n    from: name\n",
    );
    assert.equal((await loadInitramfs(join(d, "m.yaml"))).entries.length, 2);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
