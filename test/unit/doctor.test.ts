// keel doctor: each feature's tools and packages, what is missing and the install command (a fake host).
import { test } from "node:test";
import assert from "node:assert/strict";
import { doctor, featuresOf } from "../../src/cli/doctor.ts";
import { listGuests, loadGuest } from "../../src/manifest/guest.ts";
import type { ProbeRun } from "../../src/toolchain/toolchain.ts";
import { ROOT } from "../e2e/helpers.ts";

/** A host with the base tools; dpkg lists `installed` as installed. */
function host(installed: readonly string[]): ProbeRun {
  return async (argv) => {
    const [cmd] = argv;
    if (cmd === "qemu-system-riscv64")
      return { code: 0, stdout: "QEMU emulator version 7.2.0\n", stderr: "" };
    if (cmd === "dtc") return { code: 0, stdout: "Version: DTC 1.6.1\n", stderr: "" };
    if (cmd === "dpkg-query") {
      const pkgs = argv.slice(4);
      return {
        code: 0,
        stdout: pkgs
          .filter((p) => installed.includes(p))
          .map((p) => `${p} ii \n`)
          .join(""),
        stderr: "",
      };
    }
    if (cmd?.endsWith("gcc")) {
      if (argv.includes("-print-prog-name=cc1")) return { code: 0, stdout: "/usr/lib/cc1\n", stderr: "" };
      return { code: 0, stdout: "riscv64-unknown-elf-gcc 12.2.0\n", stderr: "" };
    }
    return { code: 127, stdout: "", stderr: "not found" };
  };
}

test("the features come from the guest manifests: the root VM's recipe packages, U-Boot's package", async () => {
  const guests = await Promise.all((await listGuests(ROOT)).map((g) => loadGuest(ROOT, g)));
  const f = featuresOf(guests);
  const rootvm = f.find((x) => x.what.startsWith("guest rootvm"));
  assert.ok(rootvm?.packages.includes("linux-source-6.1") && rootvm.packages.includes("flex"));
  assert.deepEqual(f.find((x) => x.what.startsWith("guest uboot"))?.packages, ["u-boot-qemu"]);
});

test("a feature lacking packages says which and the install command; the base decides the exit", async () => {
  const features = [
    { what: "guest a", packages: ["flex", "bison"] },
    { what: "tests: t", packages: ["tmux"] },
  ];
  const r = await doctor(host(["tmux"]), {}, features, true);
  assert.ok(r.ok, r.lines.join("\n"));
  assert.ok(
    r.lines.includes(
      "guest a: MISSING bison flex; install: apt-get install -y --no-install-recommends bison flex",
    ),
    r.lines.join("\n"),
  );
  assert.ok(r.lines.includes("tests: t: ok"));
  const off = await doctor(host([]), {}, features, false);
  assert.ok(off.lines.includes("guest a: needs the Debian packages flex bison (not a Debian host)"));
});
