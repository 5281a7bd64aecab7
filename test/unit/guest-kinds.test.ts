// Guest kinds: guest.yaml for host-file and recipe guests (schema and messages), the host-file guest's
// missing-package and checksum errors, and its payload step; the repo's own uboot and rootvm guests.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { build, NodeFs, ProcessRunner, type StatusStream } from "../../src/graph/index.ts";
import { parseElf } from "../../src/elf/read.ts";
import { loadGuest, parseGuest } from "../../src/manifest/guest.ts";
import { locateHostFile, planHostFile, type HostFileGuest } from "../../src/guest/host-file.ts";
import { UserError } from "../../src/util/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "keel-guest-kinds-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError");
}

async function rejection(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError");
}

const hostFile = (over: Partial<HostFileGuest> = {}): HostFileGuest => ({
  name: "uboot",
  file: "guests/uboot/guest.yaml",
  description: "U-Boot",
  dir: "guests/uboot",
  kind: "host-file",
  package: "u-boot-qemu",
  path: join(dir, "u-boot.bin"),
  sha256: undefined,
  load: 0x80200000n,
  ...over,
});

test("guest.yaml: host-file and recipe kinds parse; load defaults to 0x80200000", () => {
  const g = parseGuest(
    "u",
    "description: U\nkind: host-file\npackage: u-boot-qemu\npath: /usr/lib/u-boot/x/u-boot.bin\n",
    "guests/u/guest.yaml",
  );
  assert.equal(g.kind, "host-file");
  assert.equal(g.kind === "host-file" && g.load, 0x80200000n);
  const r = parseGuest(
    "r",
    [
      "description: R",
      "kind: recipe",
      "linux: {package: linux-source-6.1, tarball: /usr/src/l.tar.xz, fragment: f}",
      "initramfs: i.yaml",
    ].join("\n"),
    "guests/r/guest.yaml",
  );
  assert.deepEqual(r.kind === "recipe" && [r.busybox, r.programs, r.initramfs], [undefined, [], "i.yaml"]);
});

test("guest.yaml: unknown kinds and wrong fields are reported at their position", () => {
  assert.deepEqual(
    messages(() => parseGuest("x", "description: X\nkind: binary\n", "g.yaml")),
    ['g.yaml:2:7: kind: expected one of "source", "host-file", "recipe", got a string ("binary")'],
  );
  assert.deepEqual(
    messages(() =>
      parseGuest(
        "x",
        "description: X\nkind: host-file\npackage: u-boot-qemu\npath: rel/u-boot.bin\nsha: 1\n",
        "g.yaml",
      ),
    ),
    ["g.yaml:4:7: path: expected an absolute path", 'g.yaml:5:1: unknown key "sha"'],
  );
});

test("host-file: a missing file names the Debian package and the apt-get command", async () => {
  assert.deepEqual(await rejection(locateHostFile(hostFile({ path: join(dir, "absent.bin") }))), [
    `guest uboot needs ${join(dir, "absent.bin")}, which is missing: it comes from the Debian package u-boot-qemu`,
    "install it with: apt-get install u-boot-qemu   (as root, or with sudo)",
  ]);
});

test("host-file: checksummed; a sha256 in guest.yaml that differs is an error", async () => {
  const bin = join(dir, "u-boot.bin");
  writeFileSync(bin, "u-boot bytes");
  const sha = createHash("sha256").update("u-boot bytes").digest("hex");
  assert.deepEqual(await locateHostFile(hostFile()), { path: bin, sha256: sha });
  assert.deepEqual(await locateHostFile(hostFile({ sha256: sha })), { path: bin, sha256: sha });
  const wrong = "0".repeat(64);
  assert.deepEqual(await rejection(locateHostFile(hostFile({ sha256: wrong }))), [
    `guest uboot: ${bin} has SHA-256 ${sha}, but guests/uboot/guest.yaml expects ${wrong}`,
    "if the u-boot-qemu package was updated on purpose, update sha256: in guests/uboot/guest.yaml",
  ]);
});

test("host-file: the step wraps the binary in an ELF at the load address; a changed file fails the check", async () => {
  const bin = join(dir, "u-boot.bin");
  writeFileSync(bin, "u-boot bytes");
  const sha = createHash("sha256").update("u-boot bytes").digest("hex");
  const outDir = join(dir, "out");
  const plan = planHostFile({
    buildDir: join(outDir, "b"),
    outDir,
    guest: hostFile({ sha256: sha }),
    sha256: sha,
  });
  const quiet: StatusStream = { write: () => true };
  const opts = { fs: new NodeFs(), runner: new ProcessRunner(), outDir, status: quiet };
  await build(plan.steps, opts);
  const elf = parseElf(readFileSync(plan.elf));
  assert.equal(elf.entry, 0x80200000n);
  assert.deepEqual(
    elf.segments.map((s) => [s.paddr, s.filesz]),
    [[0x80200000n, 12]],
  );
  writeFileSync(bin, "other bytes!");
  await assert.rejects(build(plan.steps, opts), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match([e.headline, ...e.details].join("\n"), /WRAP b\/guests\/uboot.elf failed[\s\S]*has SHA-256/);
    return true;
  });
});

test("the repo's guests: uboot is a host-file guest of u-boot-qemu, rootvm a recipe", async () => {
  const uboot = await loadGuest(".", "uboot");
  assert.equal(uboot.kind, "host-file");
  assert.equal(uboot.kind === "host-file" && uboot.package, "u-boot-qemu");
  assert.equal(uboot.kind === "host-file" && uboot.path, "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin");
  const rootvm = await loadGuest(".", "rootvm");
  assert.equal(rootvm.kind, "recipe");
  assert.deepEqual(rootvm.kind === "recipe" && rootvm.programs, ["keelctl.c", "sigdfl.c"]);
});
