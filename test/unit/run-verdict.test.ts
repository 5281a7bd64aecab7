// keel run's exit status and reason line from what was seen of QEMU (src/run/verdict.ts), and the line
// watch that finds the hypervisor's last line across chunks and colour escapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXIT_LEFT, LineWatch, runVerdict, type RunObservation } from "../../src/run/verdict.ts";

const base: RunObservation = {
  code: 0,
  signal: null,
  sawEnd: false,
  forwarded: null,
  qemuTerminatedBy: null,
  leftByUser: false,
};

test("the hypervisor ended the machine: QEMU's status, no reason", () => {
  assert.deepEqual(runVerdict({ ...base, sawEnd: true }), { exitCode: 0, reason: undefined });
  assert.deepEqual(runVerdict({ ...base, sawEnd: true, code: 1 }), { exitCode: 1, reason: undefined });
});

test("Ctrl-A x (or QEMU exiting 0 by itself) before the end: exit 3 and a reason", () => {
  for (const o of [{ ...base, leftByUser: true }, base]) {
    const v = runVerdict(o);
    assert.equal(v.exitCode, EXIT_LEFT);
    assert.equal(v.reason, "QEMU was left (Ctrl-A x) before every capsule ended");
  }
});

test("signals: forwarded by keel, killing QEMU, or QEMU terminating on one", () => {
  assert.deepEqual(runVerdict({ ...base, forwarded: "SIGTERM", qemuTerminatedBy: 15 }), {
    exitCode: 143,
    reason: "keel run got SIGTERM and stopped QEMU before every capsule ended",
  });
  assert.equal(runVerdict({ ...base, forwarded: "SIGHUP" }).exitCode, 129);
  assert.deepEqual(runVerdict({ ...base, code: null, signal: "SIGKILL" }), {
    exitCode: 137,
    reason: "QEMU was killed by SIGKILL before every capsule ended",
  });
  assert.deepEqual(runVerdict({ ...base, qemuTerminatedBy: 2 }), {
    exitCode: 130,
    reason: "QEMU was stopped by SIGINT before every capsule ended",
  });
});

test("QEMU failing by itself before the end keeps its status and says so", () => {
  assert.deepEqual(runVerdict({ ...base, code: 1 }), {
    exitCode: 1,
    reason: "QEMU exited with status 1 before every capsule ended",
  });
});

test("LineWatch: a match split over chunks and wrapped in colour escapes is seen", () => {
  const w = new LineWatch(/all capsules ended: \d+ clean/);
  w.feed("[\x1b[36mkeel\x1b[0m] all capsu");
  assert.equal(w.seen, false);
  w.feed(Buffer.from("les ended: 2 clean, 0 failed\n"));
  assert.equal(w.seen, true);
  const t = new LineWatch(/terminating on signal (\d+)/);
  t.feed("qemu: terminating on sig");
  t.feed("nal 15 from pid 7\n");
  assert.equal(t.match[0]?.[1], "15");
});
