// End to end: the hypervisor's configuration in the build graph, with the real cross compiler in a
// throwaway copy of the checkout. A symbol changed through `keel kconfig menuconfig` (the bundled CLI in a
// real pseudo-terminal, tmux) recompiles exactly the units that mention it and --explain names it; a
// defconfig edit remakes .config and drops an SBI extension's file; -Dconfig=tiny builds its own dir.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { account, bundleCli, keel, KEEL_BUNDLE } from "./cli-helpers.ts";
import { hasTmux, inTmux } from "./tmux.ts";
import { CollectStream, copyCheckout } from "./helpers.ts";

const ENV = { ...process.env, SOURCE_DATE_EPOCH: "1700000000" };
const checkout = copyCheckout("keel-e2e-config-");
before(bundleCli);
after(checkout.dispose);

/** The compile steps that ran, as object paths relative to the build dir. */
const compiled = (ran: readonly string[], buildDir: string): string[] =>
  ran
    .filter((id) => id.startsWith("cc:"))
    .map((id) => id.slice(3).slice(buildDir.length + 1))
    .sort();

/** Runs the bundled CLI's `keel kconfig menuconfig` in tmux on the copy and drives it with `drive`. */
async function menuconfig(
  root: string,
  drive: (keys: (...k: string[]) => void, waitFor: (re: RegExp) => Promise<string>) => Promise<void>,
): Promise<void> {
  const cmd = `cd '${root}' && KEEL_ROOT='${root}' '${process.execPath}' '${KEEL_BUNDLE}' kconfig menuconfig; echo "menuconfig exited $?"; sleep 60`;
  await inTmux(`keel-hvconfig-${process.pid}`, cmd, 30_000, (pane) => drive(pane.keys, pane.waitFor));
}

test(
  "menuconfig changes the time slice: exactly sched.c recompiles, --explain names the symbol; a defconfig edit drops sbi_ipi.c",
  hasTmux() ? { timeout: 240_000 } : { skip: "tmux is not installed (apt-get install tmux)" },
  async () => {
    const { root } = checkout;
    const outDir = join(root, "out");
    const buildDir = join(outDir, "qemu-virt-Debug");
    const req = { root, outDir, image: "hello", env: ENV };
    await buildImage({ ...req, status: new CollectStream() });
    assert.match(readFileSync(join(buildDir, ".config"), "utf8"), /^CONFIG_SLICE_US=5000$/m);
    assert.deepEqual((await buildImage({ ...req, status: new CollectStream() })).result.ran, []);

    await menuconfig(root, async (keys, waitFor) => {
      let s = await waitFor(/Capsules and scheduling {2}--->/);
      assert.match(s, /^Keel hypervisor configuration for port qemu-virt$/m);
      keys("Down", "Enter");
      s = await waitFor(/\(5000\) Scheduler time slice \(microseconds\)/);
      keys(
        "Down",
        "Down",
        "Down",
        "Enter",
        "BSpace",
        "BSpace",
        "BSpace",
        "BSpace",
        "2",
        "0",
        "0",
        "0",
        "Enter",
      );
      await waitFor(/\(2000\) Scheduler time slice \(microseconds\)/);
      keys("Escape", "Escape", "Escape", "Q");
      await waitFor(/Save your new configuration\? \(y\)es/);
      keys("y");
      s = await waitFor(/menuconfig exited 0/);
    });
    assert.match(readFileSync(join(buildDir, ".config"), "utf8"), /^CONFIG_SLICE_US=2000$/m);

    const status = new CollectStream();
    const slice = await buildImage({ ...req, explain: true, status });
    assert.deepEqual(compiled(slice.result.ran, buildDir), ["obj/hypervisor/core/sched.c.o"]);
    assert.match(
      status.text,
      /^keel: explain: hypervisor\/core\/sched\.c: input out\/qemu-virt-Debug\/gen\/config\/SLICE_US changed$/m,
    );
    assert.equal(readFileSync(join(buildDir, "gen", "config", "SLICE_US"), "utf8"), "2000\n");
    assert.match(
      readFileSync(join(buildDir, "gen", "autoconf.h"), "utf8"),
      /^#define CONFIG_SLICE_US 2000$/m,
    );

    // A defconfig edit: .config is made from it again (SLICE_US back to 5000, IPI off).
    appendFileSync(join(root, "configs", "default_defconfig"), "# CONFIG_SBI_IPI is not set\n");
    const noIpi = new CollectStream();
    const third = await buildImage({ ...req, explain: true, status: noIpi });
    assert.match(
      noIpi.text,
      /^keel: configs\/default_defconfig changed: qemu-virt-Debug\/\.config is made from it again$/m,
    );
    assert.deepEqual(compiled(third.result.ran, buildDir), [
      "obj/gen/sbi_table.c.o",
      "obj/hypervisor/core/sched.c.o",
    ]);
    const table = readFileSync(join(buildDir, "gen", "sbi_table.c"), "utf8");
    assert.doesNotMatch(table, /sbi_ext_ipi/);
    assert.match(table, /sbi_ext_hsm/);
    const nm = execFileSync("riscv64-unknown-elf-nm", [third.elf], { encoding: "utf8" });
    assert.doesNotMatch(nm, / sbi_ext_ipi$/m);
    assert.match(nm, / sbi_ext_rfence$/m);
  },
);

test("-Dconfig=tiny builds in its own build dir; an unknown -Dconfig and a bad defconfig are clear errors", async () => {
  const { root } = checkout;
  const outDir = join(root, "out");
  const req = { root, outDir, image: "hello", env: ENV, status: new CollectStream() };
  const tiny = await buildImage({ ...req, config: "tiny" });
  const dir = join(outDir, "qemu-virt-Debug-tiny");
  assert.equal(tiny.elf, join(dir, "keel-hello.elf"));
  assert.match(readFileSync(join(dir, ".config"), "utf8"), /^# CONFIG_SBI_HSM is not set$/m);
  assert.ok(!existsSync(join(dir, "obj", "hypervisor", "core", "sbi_hsm.c.o")), "sbi_hsm.c compiled in tiny");
  await assert.rejects(
    buildImage({ ...req, config: "nosuch" }),
    /unknown configuration "nosuch" \(configs: default, tiny\)/,
  );
  appendFileSync(join(root, "configs", "tiny_defconfig"), "CONFIG_SLICE_US=ten\n");
  await assert.rejects(
    buildImage({ ...req, config: "tiny" }),
    /^UserError: configs\/tiny_defconfig:\d+: CONFIG_SLICE_US=ten: int symbol, expected a decimal number$/,
  );
});

test("keel kconfig allnoconfig (ReleaseSmall) and allyesconfig (ReleaseFast) build -Werror clean", async () => {
  const { root } = checkout;
  const outDir = join(root, "out");
  for (const [command, optimize, sbi] of [
    ["allnoconfig", "ReleaseSmall", ["base"]],
    ["allyesconfig", "ReleaseFast", ["base", "time", "ipi", "rfence", "hsm", "srst", "dbcn", "keel"]],
  ] as const) {
    const r = await keel(["kconfig", `-Doptimize=${optimize}`, command], { root, cwd: root });
    assert.equal(r.code, 0, account(r));
    const dir = join(outDir, `qemu-virt-${optimize}`);
    const config = readFileSync(join(dir, ".config"), "utf8");
    assert.match(
      config,
      command === "allnoconfig" ? /^# CONFIG_SBI_SRST is not set$/m : /^CONFIG_SBI_SRST=y$/m,
    );
    const built = await buildImage({
      root,
      outDir,
      optimize,
      image: "hello",
      env: ENV,
      status: new CollectStream(),
    });
    const table = readFileSync(join(dir, "gen", "sbi_table.c"), "utf8");
    const names = [...table.matchAll(/^\t&sbi_ext_(\w+),$/gm)].map((m) => m[1]);
    assert.deepEqual(
      names.filter((n) => !n!.startsWith("legacy_")),
      [...sbi],
    );
    assert.ok(existsSync(built.elf));
  }
});
