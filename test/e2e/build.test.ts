// End to end: the real CLI library, real cross compiler, in a throwaway copy of the checkout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, readdirSync, existsSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { CollectStream, copyCheckout } from "./helpers.ts";

const ENV = { ...process.env, SOURCE_DATE_EPOCH: "1700000000" };

/** Objects whose depfile names `header`: exactly the units that include it. */
function usersOf(buildDir: string, header: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".o.d") && readFileSync(p, "utf8").includes(header))
        found.push(p.slice(0, -2));
    }
  };
  walk(buildDir);
  return found.sort();
}

test("no-op rebuild, header edit rebuilds exactly its users, build info only on metadata change", async () => {
  const { root, dispose } = copyCheckout();
  try {
    const outDir = join(root, "out");
    const req = { root, outDir, image: "hello", env: ENV };
    const first = await buildImage({ ...req, status: new CollectStream() });
    assert.ok(first.result.ran.length > 10, `clean build ran ${first.result.ran.length} steps`);
    assert.ok(existsSync(first.elf));
    assert.equal(realpathSync(join(outDir, "keel.elf")), realpathSync(first.elf));
    assert.ok(existsSync(join(outDir, "compile_commands.json")));

    const noop = new CollectStream();
    const second = await buildImage({ ...req, status: noop });
    assert.deepEqual(second.result.ran, []);
    assert.match(noop.text, /no work to do/);

    // Edit one hypervisor header: exactly its users recompile, then the link.
    const header = join(root, "hypervisor/include/keel/bundle.h");
    const buildDir = join(outDir, "qemu-virt-Debug");
    const users = usersOf(buildDir, header);
    assert.ok(
      users.length >= 1 && users.length < 10,
      `bundle.h users: ${users.map((u) => relative(buildDir, u))}`,
    );
    appendFileSync(header, "\n/* touched by the e2e test */\n");
    const third = await buildImage({ ...req, status: new CollectStream() });
    const compiled = third.result.ran
      .filter((id) => id.startsWith("cc:"))
      .map((id) => id.slice(3))
      .sort();
    assert.deepEqual(compiled, users);

    // A new SOURCE_DATE_EPOCH changes build metadata: build_info.c and the link only.
    const fourth = await buildImage({
      ...req,
      env: { ...ENV, SOURCE_DATE_EPOCH: "1700000001" },
      status: new CollectStream(),
    });
    const kinds = fourth.result.ran.map((id) => id.replace(buildDir, "B"));
    assert.deepEqual(
      kinds.filter((k) => k.startsWith("cc:")),
      ["cc:B/obj/gen/build_info.c.o"],
    );
    assert.ok(kinds.some((k) => k.startsWith("ld:B/keel-hello.elf")));
  } finally {
    dispose();
  }
});

test("two clean builds in two different directories are byte-identical", async () => {
  const a = copyCheckout("keel-repro-a-");
  const b = copyCheckout("keel-repro-bb-");
  try {
    const one = await buildImage({
      root: a.root,
      outDir: join(a.root, "out"),
      image: "demo",
      env: ENV,
      status: new CollectStream(),
    });
    const two = await buildImage({
      root: b.root,
      outDir: join(b.root, "build-elsewhere"),
      image: "demo",
      env: ENV,
      status: new CollectStream(),
    });
    const x = readFileSync(one.elf);
    const y = readFileSync(two.elf);
    assert.ok(x.length > 4096);
    assert.ok(x.equals(y), "images differ");
  } finally {
    a.dispose();
    b.dispose();
  }
});
