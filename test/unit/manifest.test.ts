// Image and guest files: schema, rules and defaults, every problem at its position; the repo's own images.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { listGuests, loadGuest, parseGuest } from "../../src/manifest/guest.ts";
import { loadImage, parseImage } from "../../src/manifest/image.ts";
import { listImages } from "../../src/yamlfile/files.ts";
import { UserError } from "../../src/util/errors.ts";

const FIXTURES = "test/fixtures/images";
const GUESTS = { guests: ["hello", "isolation", "timer"] };
const MiB = 1n << 20n;

async function problems(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return [e.headline, ...e.details];
  }
  return assert.fail("expected a UserError, nothing was thrown");
}

const image = async (name: string) => {
  const file = `${FIXTURES}/${name}.yaml`;
  return parseImage(await readFile(file, "utf8"), file, GUESTS);
};

test("a good image: defaults applied, fields kept", async () => {
  assert.deepEqual(await image("good"), {
    name: "good",
    file: "test/fixtures/images/good.yaml",
    description: "Good image",
    capsules: [
      {
        name: "hello",
        guest: "hello",
        ram: 16n * MiB,
        vcpus: 1,
        hart: undefined,
        affinity: undefined,
        priority: "normal",
        restart: "never",
        restartLimit: 3,
        bootargs: "",
        consoleFocus: false,
        ownsMachine: false,
        devUart: false,
      },
      {
        name: "Timer_2",
        guest: "timer",
        ram: 64n * MiB,
        vcpus: 2,
        hart: 1,
        affinity: undefined,
        priority: "normal",
        restart: "never",
        restartLimit: 3,
        bootargs: "a=1 b=2",
        consoleFocus: false,
        ownsMachine: false,
        devUart: false,
      },
    ],
    colour: false,
  });
});

const BAD: Record<string, string[]> = {
  "unknown-guest": [
    'test/fixtures/images/unknown-guest.yaml:6:12: capsules[0].guest: no guest "helo" (guests: hello, isolation, timer)',
  ],
  "duplicate-names": [
    'test/fixtures/images/duplicate-names.yaml:9:11: capsules[2].name: duplicate capsule name "hello" (first used on line 5)',
  ],
  "ram-not-2m": [
    "test/fixtures/images/ram-not-2m.yaml:7:10: capsules[0].ram: 3M is not a multiple of 2M",
    "test/fixtures/images/ram-not-2m.yaml:13:10: capsules[2].ram: 1M is not a multiple of 2M",
  ],
  "no-capsules": ["test/fixtures/images/no-capsules.yaml:4:11: capsules: needs at least 1 item"],
  "schema-errors": [
    "test/fixtures/images/schema-errors.yaml:5:11: capsules[0].name: must be at most 31 characters long",
    "test/fixtures/images/schema-errors.yaml:7:11: capsules[1].name: expected letters, digits, - or _, starting with a letter or _",
    "test/fixtures/images/schema-errors.yaml:9:12: capsules[1].vcpus: must be at least 1, got 0",
    'test/fixtures/images/schema-errors.yaml:12:11: capsules[2].hart: expected an integer, got a string ("any")',
    'test/fixtures/images/schema-errors.yaml:13:5: capsules[2]: unknown key "colour" (allowed: name, guest, ram, vcpus, hart, affinity, priority, bootargs, console, devices, restart, restart_limit, owns_machine)',
    'test/fixtures/images/schema-errors.yaml:14:5: capsules[3]: missing required field "guest"',
  ],
};

for (const [name, expected] of Object.entries(BAD)) {
  test(`bad image ${name}: every problem at its position`, async () => {
    assert.deepEqual(await problems(() => image(name)), expected);
  });
}

test("image rules are all reported together", async () => {
  const text = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: nope, ram: 5M }",
    "  - { name: a, guest: hello, hart: 4294967295 }",
    "",
  ].join("\n");
  assert.deepEqual(await problems(() => parseImage(text, "images/x.yaml", GUESTS)), [
    'images/x.yaml:3:23: capsules[0].guest: no guest "nope" (guests: hello, isolation, timer)',
    "images/x.yaml:3:34: capsules[0].ram: 5M is not a multiple of 2M",
    'images/x.yaml:4:13: capsules[1].name: duplicate capsule name "a" (first used on line 3)',
    "images/x.yaml:4:36: capsules[1].hart: hart 4294967295 is too large",
  ]);
});

test("restart policy: defaults, values and the u16 limit", async () => {
  const text = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, restart: on-crash, restart_limit: 100 }",
    "  - { name: b, guest: hello, restart: always }",
    "  - { name: c, guest: hello }",
    "",
  ].join("\n");
  const img = parseImage(text, "images/x.yaml", GUESTS);
  assert.deepEqual(
    img.capsules.map((c) => [c.restart, c.restartLimit]),
    [
      ["on-crash", 100],
      ["always", 3],
      ["never", 3],
    ],
  );
  const bad = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, restart: sometimes }",
    "  - { name: b, guest: hello, restart: always, restart_limit: 70000 }",
    "",
  ].join("\n");
  const found = await problems(() => parseImage(bad, "images/x.yaml", GUESTS));
  assert.ok(
    found.some((p) => p.includes("capsules[0].restart: expected one of")),
    found.join("\n"),
  );
});

test("devices: uart on request, none by default, nothing else", async () => {
  const text = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, devices: [uart] }",
    "  - { name: b, guest: hello, devices: [] }",
    "  - { name: c, guest: hello }",
    "",
  ].join("\n");
  const img = parseImage(text, "images/x.yaml", GUESTS);
  assert.deepEqual(
    img.capsules.map((c) => c.devUart),
    [true, false, false],
  );
  const bad = ["description: x", "capsules:", "  - { name: a, guest: hello, devices: [virtio] }", ""].join(
    "\n",
  );
  const found = await problems(() => parseImage(bad, "images/x.yaml", GUESTS));
  assert.ok(
    found.some((p) => p.includes(`capsules[0].devices[0]: expected "uart", got a string ("virtio")`)),
    found.join("\n"),
  );
});

test("affinity and priority: sorted harts, defaults, and their rules", async () => {
  const text = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, vcpus: 4, affinity: [1, 0], priority: high }",
    "  - { name: b, guest: hello }",
    "",
  ].join("\n");
  const img = parseImage(text, "images/x.yaml", GUESTS);
  assert.deepEqual(
    img.capsules.map((c) => [c.vcpus, c.affinity, c.priority]),
    [
      [4, [0, 1], "high"],
      [1, undefined, "normal"],
    ],
  );
  const bad = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, hart: 0, affinity: [0] }",
    "  - { name: b, guest: hello, affinity: [64, 1, 1] }",
    "  - { name: c, guest: hello, affinity: [] }",
    "  - { name: d, guest: hello, priority: urgent }",
    "",
  ].join("\n");
  assert.deepEqual(await problems(() => parseImage(bad, "images/x.yaml", GUESTS)), [
    "images/x.yaml:5:40: capsules[2].affinity: needs at least 1 item",
    'images/x.yaml:6:40: capsules[3].priority: expected one of "normal", "high", got a string ("urgent")',
  ]);
  const rules = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, hart: 0, affinity: [0] }",
    "  - { name: b, guest: hello, affinity: [64, 1, 1] }",
    "",
  ].join("\n");
  assert.deepEqual(await problems(() => parseImage(rules, "images/x.yaml", GUESTS)), [
    "images/x.yaml:3:49: capsules[0].affinity: give either hart or affinity, not both",
    "images/x.yaml:4:41: capsules[1].affinity[0]: hart 64 is too large (at most 63)",
    "images/x.yaml:4:48: capsules[1].affinity[2]: hart 1 is listed twice",
  ]);
});

test("owns_machine, console: focus and colour: defaults, values and at most one of each", async () => {
  const text = [
    "description: x",
    "colour: true",
    "capsules:",
    "  - { name: a, guest: hello, owns_machine: true }",
    "  - { name: b, guest: hello, console: focus }",
    "  - { name: c, guest: hello }",
    "",
  ].join("\n");
  const img = parseImage(text, "images/x.yaml", GUESTS);
  assert.equal(img.colour, true);
  assert.deepEqual(
    img.capsules.map((c) => [c.name, c.ownsMachine, c.consoleFocus]),
    [
      ["a", true, false],
      ["b", false, true],
      ["c", false, false],
    ],
  );
  const bad = [
    "description: x",
    "capsules:",
    "  - { name: a, guest: hello, owns_machine: true, console: focus }",
    "  - { name: b, guest: hello, owns_machine: true, console: focus }",
    "",
  ].join("\n");
  assert.deepEqual(await problems(() => parseImage(bad, "images/x.yaml", GUESTS)), [
    "images/x.yaml:4:44: capsules[1].owns_machine: only one capsule may own the machine (capsules[0] already does)",
    "images/x.yaml:4:59: capsules[1].console: only one capsule may have the console focus (capsules[0] already does)",
  ]);
});

test("guest files: description and kind: source", async () => {
  const guest = parseGuest("hello", "description: Says hello\nkind: source\n", "guests/hello/guest.yaml");
  assert.deepEqual(guest, {
    name: "hello",
    file: "guests/hello/guest.yaml",
    description: "Says hello",
    kind: "source",
    dir: "guests/hello",
  });
  assert.deepEqual(
    await problems(() => parseGuest("x", "description: X\nkind: binary\n", "guests/x/guest.yaml")),
    [
      'guests/x/guest.yaml:2:7: kind: expected one of "source", "host-file", "recipe", got a string ("binary")',
    ],
  );
});

test("the repo's images all load against the repo's guests", async () => {
  const names = await listImages(".");
  for (const name of ["demo", "hello", "isolation", "timer", "pair", "reboot", "fail"])
    assert.ok(names.includes(name), name);
  for (const name of names) assert.equal((await loadImage(".", name)).name, name);
});

test("the repo's images say what the boot tests expect", async () => {
  const capsules = async (name: string) =>
    (await loadImage(".", name)).capsules.map((c) => [c.name, c.guest, c.hart, c.bootargs]);
  assert.deepEqual(await capsules("demo"), [
    ["hello", "hello", undefined, "greeting=demo"],
    ["timer", "timer", undefined, ""],
  ]);
  assert.deepEqual(await capsules("pair"), [
    ["hello-0", "hello", 0, "wait=300"],
    ["hello-1", "hello", 1, "wait=300"],
  ]);
  assert.deepEqual(await capsules("reboot"), [["hello", "hello", undefined, "reboot"]]);
  assert.deepEqual(await capsules("fail"), [["hello", "hello", undefined, "fail"]]);
  const devices = async (name: string) =>
    (await loadImage(".", name)).capsules.map((c) => [c.name, c.guest, c.devUart, c.consoleFocus]);
  assert.deepEqual(await devices("uart"), [
    ["uart", "uart", true, true],
    ["uart-storm", "uart", true, false],
    ["uart-bad", "uart", true, false],
  ]);
  assert.deepEqual(await devices("uboot"), [["uboot", "uboot", true, true]]);
  assert.ok(
    (await loadImage(".", "uboot")).capsules[0]!.ram >= 64n * MiB,
    "U-Boot relocates to the top of RAM with an 8 MiB malloc",
  );
  const attacks = ["read-beyond", "write-beyond", "read-hv", "mmio-clint", "mmio-plic", "mmio-uart", "m-csr"];
  assert.deepEqual(await capsules("isolation"), [
    ["beat", "beat", undefined, "run=3000"],
    ["hello", "hello", undefined, ""],
    ...attacks.map((a) => [`atk-${a}`, "isolation", undefined, `attack=${a}`]),
  ]);
  const sched = async (name: string) =>
    (await loadImage(".", name)).capsules.map((c) => [c.name, c.vcpus, c.affinity, c.priority]);
  assert.deepEqual(await sched("smp"), [["smp", 4, undefined, "normal"]]);
  assert.deepEqual(await sched("hostile"), [
    ["beat", 1, [0], "normal"],
    ["hostile", 1, [0], "normal"],
    ["hello", 1, [0], "normal"],
  ]);
  assert.deepEqual(await sched("priority"), [
    ["normal", 1, [1], "normal"],
    ["high", 1, [1], "high"],
  ]);
});

test("guests: listed from guests/*/guest.yaml, loaded by name, unknown ones listed", async () => {
  const guests = await listGuests(".");
  for (const name of ["hello", "isolation", "timer"]) assert.ok(guests.includes(name), name);
  assert.ok(!guests.includes("lib"));
  assert.equal((await loadGuest(".", "hello")).kind, "source");
  assert.deepEqual(await problems(() => loadGuest(".", "nope")), [
    `unknown guest "nope" (guests: ${guests.join(", ")})`,
  ]);
});

test("an unknown image lists the images", async () => {
  const images = await listImages(".");
  assert.deepEqual(await problems(() => loadImage(".", "nope")), [
    `unknown image "nope" (images: ${images.join(", ")})`,
  ]);
});
