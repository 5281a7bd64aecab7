// The root VM kernel's configuration, Keel's engine against the kernel's own tools on the real tree: Debian's
// linux-source-6.1 extracted to a scratch folder, configured by the recipe's code (tinyconfig + the repo's
// fragment + olddefconfig, the files syncconfig writes) and, in the same tree, by `make tinyconfig`,
// scripts/kconfig/merge_config.sh and `make olddefconfig syncconfig` as the reference. Every file must be
// byte-identical, the per-symbol stamps in include/config/ the same set; then a changed fragment must touch
// exactly the stamps conf touches. (That Kbuild accepts the files and never runs conf is checked by every
// kernel build: src/recipe/linux.ts, and test/e2e/rootvm.test.ts.) About 1.5 minutes (most of it extracting
// the tarball). Debian only.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SYMBOL_STAMPS, SYNC_FILES, syncConfig, writeSyncConfig } from "../../src/recipe/kernel-config.ts";
import { configureTree, LINUX_CROSS, make } from "../../src/recipe/linux.ts";
import { ROOT } from "./helpers.ts";

const TARBALL = "/usr/src/linux-source-6.1.tar.xz";
const FRAGMENT = "guests/rootvm/linux.fragment";

function unavailable(): string | false {
  if (!existsSync(TARBALL)) return `no ${TARBALL} (Debian package linux-source-6.1)`;
  try {
    execFileSync(`${LINUX_CROSS}gcc`, ["--version"], { stdio: "ignore" });
  } catch {
    return `${LINUX_CROSS}gcc is not installed`;
  }
  return false;
}

/** The syncconfig outputs of an object tree: each file's text, and the stamp files with their mtimes. */
function snapshot(dir: string): { files: Record<string, string>; stamps: Map<string, number> } {
  const files: Record<string, string> = {};
  for (const rel of Object.values(SYNC_FILES)) files[rel] = readFileSync(join(dir, rel), "utf8");
  const stampDir = join(dir, SYMBOL_STAMPS);
  const stamps = new Map<string, number>();
  for (const name of readdirSync(stampDir).sort()) {
    if (name === "auto.conf" || name === "auto.conf.cmd") continue;
    const st = statSync(join(stampDir, name));
    assert.equal(st.size, 0, `${SYMBOL_STAMPS}/${name} is empty`);
    stamps.set(name, st.mtimeMs);
  }
  return { files, stamps };
}

/** Sets every stamp's mtime far in the past, so the next step's touches stand out. */
function ageStamps(dir: string): void {
  const old = new Date("2001-01-01T00:00:00Z");
  for (const name of readdirSync(join(dir, SYMBOL_STAMPS)))
    utimesSync(join(dir, SYMBOL_STAMPS, name), old, old);
}

const touched = (stamps: Map<string, number>): string[] =>
  [...stamps]
    .filter(([, t]) => t > Date.parse("2002-01-01T00:00:00Z"))
    .map(([n]) => n)
    .sort();

test(
  "kernel config: Keel's engine writes what make tinyconfig + merge + olddefconfig syncconfig writes",
  { skip: unavailable(), timeout: 10 * 60_000 },
  async (t) => {
    const scratch = mkdtempSync(join(tmpdir(), "keel-kernel-config-"));
    try {
      const tree = join(scratch, "linux");
      const ours = join(scratch, "ours");
      mkdirSync(tree);
      mkdirSync(ours);
      execFileSync("tar", ["-xf", TARBALL, "-C", tree, "--strip-components=1"]);
      const fragA = readFileSync(join(ROOT, FRAGMENT), "utf8");
      const fragB = `${fragA}CONFIG_PRINTK_TIME=y\n`;
      const probeCache = join(scratch, "probes");
      const run = (...args: string[]): void => {
        execFileSync(make(...args)[0]!, make(...args).slice(1), {
          cwd: tree,
          stdio: "ignore",
          env: { ...process.env, LC_ALL: "C" },
        });
      };
      /** The reference: the kernel's tools in `tree`, from `make tinyconfig` to syncconfig. */
      const reference = (fragment: string, fresh: boolean): void => {
        run("tinyconfig");
        writeFileSync(join(tree, "keel.fragment"), fragment);
        execFileSync("sh", ["scripts/kconfig/merge_config.sh", "-m", ".config", "keel.fragment"], {
          cwd: tree,
          stdio: "ignore",
        });
        // A fresh configuration, like the recipe's fresh tree: no earlier auto.conf to compare with.
        if (fresh)
          for (const d of ["include/config", "include/generated"])
            rmSync(join(tree, d), { recursive: true, force: true });
        run("olddefconfig", "syncconfig");
      };

      // 1. A fresh configuration of the repo's fragment.
      let t0 = performance.now();
      const a = await configureTree(tree, { file: FRAGMENT, text: fragA }, probeCache, null);
      const syncA = syncConfig(a.kernel, undefined);
      await writeSyncConfig(ours, syncA);
      const engineMs = performance.now() - t0;
      t0 = performance.now();
      reference(fragA, true);
      const confMs = performance.now() - t0;
      const refA = snapshot(tree);
      const oursA = snapshot(ours);
      for (const rel of Object.values(SYNC_FILES)) assert.equal(oursA.files[rel], refA.files[rel], rel);
      assert.deepEqual(
        [...oursA.stamps.keys()],
        [...refA.stamps.keys()],
        "the same stamps in include/config/",
      );
      assert.ok(oursA.stamps.size > 300, `${oursA.stamps.size} stamps`);
      assert.match(oursA.files[SYNC_FILES.config]!, /^CONFIG_HVC_RISCV_SBI=y$/m);

      // 2. The fragment changes: the same files again, and exactly conf's stamps touched.
      ageStamps(tree);
      ageStamps(ours);
      const b = await configureTree(tree, { file: FRAGMENT, text: fragB }, probeCache, null);
      const syncB = syncConfig(b.kernel, readFileSync(join(ours, SYNC_FILES.autoConf), "utf8"));
      const wrote = await writeSyncConfig(ours, syncB);
      reference(fragB, false);
      const refB = snapshot(tree);
      const oursB = snapshot(ours);
      for (const rel of Object.values(SYNC_FILES)) assert.equal(oursB.files[rel], refB.files[rel], rel);
      assert.notEqual(oursB.files[SYNC_FILES.autoConf], oursA.files[SYNC_FILES.autoConf]);
      assert.deepEqual(touched(oursB.stamps), touched(refB.stamps), "stamps touched");
      assert.ok(touched(oursB.stamps).includes("PRINTK_TIME"));
      assert.deepEqual([...wrote.touched].sort(), touched(oursB.stamps));

      // 3. Kbuild's rule `%/config/auto.conf ...: $(KCONFIG_CONFIG)`: nothing it makes is older than .config.
      const mtime = (rel: string): number => statSync(join(ours, rel)).mtimeMs;
      for (const rel of Object.values(SYNC_FILES)) assert.ok(mtime(rel) >= mtime(SYNC_FILES.config), rel);
      t.diagnostic(
        `engine (probes cold) ${engineMs.toFixed(0)} ms vs make tinyconfig + merge + olddefconfig syncconfig ${confMs.toFixed(0)} ms (conf built); touched on change: ${touched(oursB.stamps).join(" ")}`,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);
