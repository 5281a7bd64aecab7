// Input keel build used to accept and fail on only at boot (issue 12), refused by the bundled CLI with the
// file:line of the fault and exit 2, before anything is compiled: an image asking more than the port and the
// configuration give, and a port breaking the rules keel build applies, in keel ports too.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { account, bundleCli, keel, lines } from "./cli-helpers.ts";
import { copyCheckout } from "./helpers.ts";

describe("refusals", () => {
  let root = "";
  before(async () => {
    await bundleCli();
    root = copyCheckout("keel-refusals-").root;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("an image with more vCPUs than CONFIG_MAX_VCPUS and a hart the port lacks: exit 2 at their lines", async () => {
    writeFileSync(
      join(root, "images", "big.yaml"),
      "description: too big\ncapsules:\n  - name: tmr\n    guest: timer\n    vcpus: 20\n  - name: h\n    guest: hello\n    hart: 5\n",
    );
    const r = await keel(["build", "-Dimage=big", "--out", join(root, "out")], { root, cwd: root });
    assert.equal(r.code, 2, account(r));
    assert.deepEqual(lines(r.stderr), [
      "keel: images/big.yaml:5:12: capsules[0].vcpus: 20 vCPUs, the hypervisor configuration allows at most 8 (CONFIG_MAX_VCPUS)",
      "images/big.yaml:8:11: capsules[1].hart: hart 5, but qemu-virt runs capsules on harts 0-1",
    ]);
    assert.equal(
      existsSync(join(root, "out", "qemu-virt-Debug", "hypervisor")),
      false,
      "something was compiled",
    );
  });

  test("keel ports applies build's rules: harts: 0 is listed with ! and its problem, exit 2", async () => {
    const text = readFileSync(join(root, "ports", "qemu-virt.yaml"), "utf8")
      .replace(/^name: qemu-virt$/m, "name: zero")
      .replace(/^harts: 2$/m, "harts: 0");
    writeFileSync(join(root, "ports", "zero.yaml"), text);
    const r = await keel(["ports"], { root, cwd: root });
    assert.equal(r.code, 2, account(r));
    assert.ok(
      lines(r.stdout).some((l) => /^! zero +\(does not load: ports\/zero\.yaml, see below\)$/.test(l)),
      r.stdout,
    );
    assert.match(r.stderr, /^keel: ports\/zero\.yaml:\d+:8: harts: a port needs at least 1 hart$/m);
    rmSync(join(root, "ports", "zero.yaml"));
  });
});
