// The Kconfig fixture suite: every case in test/fixtures/kconfig is a small tree with a command and the
// exact outputs Linux 6.1's conf gave for it (test/kconfig-compat/gen-fixtures.sh), or, for `err-*` cases,
// the exact error text Keel must give. Each command case runs twice more through a tree cache holding
// encoded snapshots (src/kconfig/snapshot.ts): once parsing and storing, once decoding the stored tree.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  alldefconfig,
  allmodconfig,
  allnoconfig,
  allyesconfig,
  autoconf,
  defconfig,
  loadKconfig,
  olddefconfig,
  savedefconfig,
  shellRunner,
  treeFs,
  type CommandResult,
  type KconfigCache,
  type LoadOptions,
} from "../../src/kconfig/index.ts";
import { decodeSnapshot, encodeSnapshot, recordHolds } from "../../src/kconfig/snapshot.ts";
import { UserError } from "../../src/util/errors.ts";

const ROOT = join(import.meta.dirname, "../fixtures/kconfig");

function read(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

/** A KconfigCache in memory that counts its hits; what it stores goes through encode and decode. */
function memoryCache(): KconfigCache & { hits: number; stores: number } {
  let stored: Uint8Array | undefined;
  const c = {
    hits: 0,
    stores: 0,
    load(opts: LoadOptions) {
      const snap = stored && decodeSnapshot(stored);
      if (!snap || !recordHolds(snap.record, opts)) return undefined;
      c.hits++;
      return snap;
    },
    store(...[kc, record]: Parameters<KconfigCache["store"]>) {
      stored = encodeSnapshot(kc, record);
      c.stores++;
    },
  };
  return c;
}

function tree(dir: string, cache?: KconfigCache): LoadOptions {
  const env: Record<string, string> = {};
  for (const line of (read(dir, "env") ?? "").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return {
    file: "Kconfig",
    fs: treeFs(dir),
    env,
    shell: shellRunner(dir, { ...process.env, ...env }),
    ...(cache && { cache }),
  };
}

function run(dir: string, command: string, cache?: KconfigCache): CommandResult {
  const t = tree(dir, cache);
  const input = (name: string): { name: string; text: string } => ({ name, text: read(dir, name)! });
  switch (command) {
    case "olddefconfig":
      return olddefconfig(t, input("config.in"));
    case "savedefconfig":
      return savedefconfig(t, input("config.in"));
    case "defconfig":
      return defconfig(t, input("defconfig.in"));
    case "allnoconfig":
      return allnoconfig(t);
    case "allyesconfig":
      return allyesconfig(t);
    case "allmodconfig":
      return allmodconfig(t);
    case "alldefconfig":
      return alldefconfig(t);
    default:
      throw new Error(`unknown command ${command}`);
  }
}

for (const name of readdirSync(ROOT).sort()) {
  const dir = join(ROOT, name);
  const command = read(dir, "command")?.trim();
  if (command) {
    const check = (r: CommandResult): void => {
      if (command === "savedefconfig") {
        assert.equal(r.defconfig, read(dir, "expected.defconfig"));
        return;
      }
      assert.equal(r.config, read(dir, "expected.config"));
      const a = autoconf(r.kconfig);
      assert.equal(a.autoConf, read(dir, "expected.auto.conf"));
      assert.equal(a.autoconfH, read(dir, "expected.autoconf.h"));
      const warnings = read(dir, "expected.warnings");
      if (warnings !== undefined) assert.equal(r.warnings.join("\n") + "\n", warnings);
    };
    test(`kconfig fixture ${name}: ${command}`, () => check(run(dir, command)));
    test(`kconfig fixture ${name}: ${command}, parsed once, then from the stored snapshot`, () => {
      const cache = memoryCache();
      check(run(dir, command, cache));
      assert.deepEqual([cache.stores, cache.hits], [1, 0]);
      check(run(dir, command, cache));
      assert.deepEqual([cache.stores, cache.hits], [1, 1]);
    });
  } else if (name.startsWith("err-")) {
    test(`kconfig fixture ${name}: error`, () => {
      const expected = read(dir, "expected.errors");
      assert.throws(
        () => loadKconfig(tree(dir)),
        (e: unknown) => {
          assert.ok(e instanceof UserError, String(e));
          assert.equal([e.message, ...e.details].join("\n") + "\n", expected);
          return true;
        },
      );
    });
  }
}
