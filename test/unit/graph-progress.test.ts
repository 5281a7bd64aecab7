// Progress and log lines from long actions (recipe sub-builds): elapsed time on the status line, throttled
// plain lines off a terminal, and an action's log printed when it finishes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeRunner, MemoryFs, Status, build, formatElapsed } from "../../src/graph/index.ts";

function collector(tty = false, columns?: number) {
  const s = { text: "", isTTY: tty, columns, write: (t: string) => (s.text += t) };
  return s;
}

const linux = { kind: "LINUX", label: "qemu-virt-Debug/recipes/rootvm/linux/Image" };

describe("progress of long steps", () => {
  it("formats elapsed time", () => {
    assert.deepEqual([0, 999, 42_000, 60_000, 125_500].map(formatElapsed), [
      "0s",
      "0s",
      "42s",
      "1m00s",
      "2m05s",
    ]);
  });

  it("replaces the status line on a terminal with the elapsed time and the sub-build's last line", () => {
    let now = 1000;
    const out = collector(true, 200);
    const st = new Status(out, { now: () => now });
    st.started(linux, 3, 9);
    now += 65_000;
    st.progress(linux, "make -j2 Image:   CC   kernel/fork.o  ");
    st.end();
    assert.equal(
      out.text,
      "\r[3/9] LINUX qemu-virt-Debug/recipes/rootvm/linux/Image\x1b[K" +
        "\rLINUX qemu-virt-Debug/recipes/rootvm/linux/Image 1m05s: make -j2 Image: CC kernel/fork.o\x1b[K\n",
    );
  });

  it("off a terminal prints a progress line at most every progressEveryMs", () => {
    let now = 0;
    const out = collector();
    const st = new Status(out, { now: () => now, progressEveryMs: 30_000 });
    st.started(linux, 1, 1);
    for (const t of [1_000, 29_000, 31_000, 40_000, 62_000]) {
      now = t;
      st.progress(linux, `line at ${t}`);
    }
    assert.deepEqual(out.text.trim().split("\n"), [
      "[1/1] LINUX qemu-virt-Debug/recipes/rootvm/linux/Image",
      "keel: LINUX qemu-virt-Debug/recipes/rootvm/linux/Image 31s: line at 31000",
      "keel: LINUX qemu-virt-Debug/recipes/rootvm/linux/Image 1m02s: line at 62000",
    ]);
  });

  it("an action's log lines are printed after it finishes; its progress reaches the status", async () => {
    const fs = new MemoryFs();
    const out = collector();
    await build(
      [
        {
          id: "a",
          kind: "LINUX",
          label: "Image",
          inputs: [],
          outputs: ["/out/Image"],
          identity: [],
          action: async (ctx) => {
            ctx.progress?.("working");
            ctx.log?.("keel: linux: cache hit 0123456789ab, not rebuilt");
            await ctx.writeOutput("/out/Image", "kernel");
          },
        },
      ],
      {
        fs,
        runner: new FakeRunner(() => {}),
        outDir: "/out",
        status: new Status(out, { progressEveryMs: 0 }),
      },
    );
    assert.deepEqual(out.text.trim().split("\n"), [
      "[1/1] LINUX Image",
      "keel: LINUX Image 0s: working",
      "keel: linux: cache hit 0123456789ab, not rebuilt",
    ]);
    assert.equal(fs.get("/out/Image"), "kernel");
  });
});
