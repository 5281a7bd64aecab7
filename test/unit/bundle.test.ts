import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBundle, encodeBundle, sha256, type BundleCapsule } from "../../src/bundle/codec.ts";
import { describeImage } from "../../src/bundle/describe.ts";

const capsules: BundleCapsule[] = [
  {
    name: "hello",
    payload: Buffer.from("payload-one"),
    ramSize: 16n << 20n,
    vcpus: 1,
    hart: undefined,
    bootargs: "a=b",
  },
  { name: "second", payload: Buffer.alloc(5000, 7), ramSize: 32n << 20n, vcpus: 2, hart: 1, bootargs: "" },
  {
    name: "third",
    payload: Buffer.alloc(100, 1),
    ramSize: 16n << 20n,
    vcpus: 4,
    hart: undefined,
    affinity: [0, 2, 63],
    priority: "high",
    restart: "on-crash",
    restartLimit: 100,
    bootargs: "",
  },
];

test("bundle round trip keeps every field", () => {
  const bytes = encodeBundle(capsules);
  const back = decodeBundle(bytes);
  assert.equal(back.version, 1);
  assert.equal(back.totalSize, bytes.length);
  assert.equal(back.capsules.length, 3);
  for (const [i, c] of capsules.entries()) {
    const d = back.capsules[i]!;
    assert.equal(d.name, c.name);
    assert.deepEqual(Buffer.from(d.payload), Buffer.from(c.payload));
    assert.equal(d.ramSize, c.ramSize);
    assert.equal(d.vcpus, c.vcpus);
    assert.equal(d.hart, c.hart);
    assert.deepEqual(d.affinity, c.affinity);
    assert.equal(d.priority, c.priority ?? "normal");
    assert.equal(d.restart, c.restart ?? "never");
    assert.equal(d.restartLimit, c.restart ? c.restartLimit : 0);
    assert.equal(d.bootargs, c.bootargs);
    assert.equal(d.sha256, sha256(c.payload).toString("hex"));
    assert.equal(d.hashOk, true);
    assert.equal(d.payloadOffset % 4096, 0);
  }
});

test("bundle layout matches bundle.h byte offsets", () => {
  const b = encodeBundle(capsules);
  assert.equal(b.readUInt8(64 + 2 * 128 + 124), 1); // third capsule: restart on-crash
  assert.equal(b.readUInt16LE(64 + 2 * 128 + 126), 100); // its restart_limit
  assert.equal(b.readUInt32LE(64 + 124), 0); // first capsule: never, nothing written
  assert.equal(b.toString("ascii", 0, 8), "KEELBNDL");
  assert.equal(b.readUInt32LE(12), 64);
  assert.equal(b.readUInt32LE(16), 128);
  assert.equal(b.readUInt32LE(20), 3);
  assert.equal(b.readUInt32LE(32), 64 + 3 * 128); // strings follow the records
  assert.equal(b.toString("ascii", 64, 69), "hello");
  assert.equal(b.readUInt32LE(64 + 128 + 96), 1); // second capsule's hart
  assert.equal(b.readUInt32LE(64 + 96), 0xffffffff); // first capsule: any hart
  assert.equal(b.toString("utf8", b.readUInt32LE(64 + 104), b.readUInt32LE(64 + 104) + 3), "a=b");
  // Scheduling fields in what was reserved space: 0 = none given / normal, so old bundles read the same.
  assert.equal(b.readBigUInt64LE(64 + 112), 0n);
  assert.equal(b.readUInt32LE(64 + 120), 0);
  assert.equal(b.readBigUInt64LE(64 + 2 * 128 + 112), (1n << 63n) | 0b101n); // third: harts 0, 2, 63
  assert.equal(b.readUInt32LE(64 + 2 * 128 + 120), 1); // third: high
  assert.equal(b.readUInt8(64 + 2 * 128 + 125), 0); // still reserved
});

test("bundle encoding is deterministic", () => {
  assert.deepEqual(encodeBundle(capsules), encodeBundle(capsules));
});

test("a corrupted payload is reported, a truncated bundle rejected", () => {
  const b = encodeBundle(capsules);
  const off = b.readUInt32LE(64 + 32);
  b[off] = b[off]! ^ 0xff;
  const d = decodeBundle(b);
  assert.equal(d.capsules[0]!.hashOk, false);
  assert.match(describeImage(b, "x.bin"), /hello .* MISMATCH/);
  assert.throws(() => decodeBundle(b.subarray(0, b.length - 1)), /claims \d+ bytes/);
  assert.throws(() => decodeBundle(Buffer.from("NOTABUNDLE".padEnd(64, "\0"))), /bad bundle magic/);
});

test("names must fit and be unique", () => {
  const long = { ...capsules[0]!, name: "x".repeat(32) };
  assert.throws(() => encodeBundle([long]), /too long/);
  assert.throws(() => encodeBundle([capsules[0]!, capsules[0]!]), /duplicate/);
});

test("describe prints one row per capsule", () => {
  const text = describeImage(encodeBundle(capsules), "b.bin");
  assert.match(text, /^b\.bin: Keel bundle$/m);
  assert.match(text, /format: version 1, 3 capsule\(s\)/);
  assert.match(text, /hello\s+16 MiB\s+1\s+any\s+ELF 11 B\s+[0-9a-f]{16} ok\s+"a=b"/);
  assert.match(text, /second\s+32 MiB\s+2\s+1\s+ELF 5000 B/);
  assert.match(text, /third\s+16 MiB\s+4\s+0,2,63!\s+ELF 100 B/);
});

test("capsule flags: devices: [uart] is bit 3 and reads back", () => {
  const b = encodeBundle([{ ...capsules[0]!, devUart: true }, capsules[1]!]);
  assert.equal(b.readUInt32LE(64 + 92), 0b1000); // KEEL_CAPSULE_DEV_UART
  assert.equal(b.readUInt32LE(64 + 128 + 92), 0);
  assert.deepEqual(
    decodeBundle(b).capsules.map((c) => c.devUart),
    [true, false],
  );
});

test("capsule flags: owns_machine, console focus and colour in the record's flags word", () => {
  const flagged: BundleCapsule[] = [
    { ...capsules[0]!, ownsMachine: true, colour: true },
    { ...capsules[1]!, consoleFocus: true, colour: true },
    capsules[2]!,
  ];
  const b = encodeBundle(flagged);
  assert.equal(b.readUInt32LE(64 + 92), 0b101); // KEEL_CAPSULE_OWNS_MACHINE | KEEL_CAPSULE_COLOUR
  assert.equal(b.readUInt32LE(64 + 128 + 92), 0b110); // KEEL_CAPSULE_CONSOLE_FOCUS | KEEL_CAPSULE_COLOUR
  assert.equal(b.readUInt32LE(64 + 2 * 128 + 92), 0);
  const d = decodeBundle(b).capsules;
  assert.deepEqual(
    d.map((c) => [c.ownsMachine, c.consoleFocus, c.colour]),
    [
      [true, false, true],
      [false, true, true],
      [false, false, false],
    ],
  );
});
