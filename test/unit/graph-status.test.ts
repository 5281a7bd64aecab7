// The status printer (TTY and plain, verbose, explain) and compile_commands.json.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../../src/graph/index.ts";
import {
  FakeRunner,
  MemoryFs,
  Status,
  build,
  compdbStep,
  compileCommands,
  elide,
  formatCommand,
  tmp,
} from "../../src/graph/index.ts";

function collector(tty = false, columns?: number) {
  const s = { text: "", isTTY: tty, columns, write: (t: string) => (s.text += t) };
  return s;
}

const cc = {
  kind: "CC",
  label: "hypervisor/core/init.c",
  command: ["gcc", "-c", "init.c", "-o", "init.o.tmp"],
};

describe("Status", () => {
  it("prints plain lines when not on a terminal", () => {
    const out = collector();
    const st = new Status(out);
    st.started(cc, 1, 12);
    st.output("warning: x\n");
    st.end();
    assert.equal(out.text, "[1/12] CC hypervisor/core/init.c\nwarning: x\n");
  });

  it("rewrites one line in place on a terminal, elided to its width", () => {
    const out = collector(true, 24);
    const st = new Status(out);
    st.started(cc, 1, 2);
    st.started({ ...cc, label: "b.c" }, 2, 2);
    st.end();
    assert.equal(out.text, "\r[1/2] CC hy...ore/init.c\x1b[K\r[2/2] CC b.c\x1b[K\n");
  });

  it("clears the in-place line before printing a full line", () => {
    const out = collector(true);
    const st = new Status(out, { explain: true });
    st.started(cc, 1, 2);
    st.explain("b.c", ["new step"]);
    st.end();
    assert.equal(out.text, "\r[1/2] CC hypervisor/core/init.c\x1b[K\r\x1b[Kkeel: explain: b.c: new step\n");
  });

  it("prints full commands in verbose mode, quoted for a shell", () => {
    const out = collector(true);
    const st = new Status(out, { verbose: true });
    st.started({ ...cc, command: ["gcc", '-DNAME="a b"', "it's"] }, 1, 1);
    assert.equal(out.text, `[1/1] gcc '-DNAME="a b"' 'it'\\''s'\n`);
  });

  it("prints explain lines only in explain mode, and the no-op message", () => {
    const out = collector();
    new Status(out).explain("x", ["new step"]);
    const st = new Status(out, { explain: true });
    st.explain("x", ["a", "b"]);
    st.noWork();
    assert.equal(out.text, "keel: explain: x: a\nkeel: explain: x: b\nkeel: no work to do.\n");
  });

  it("elides the middle of long lines", () => {
    assert.equal(elide("0123456789", 10), "0123456789");
    assert.equal(elide("0123456789abcdef", 10), "0123...def");
  });

  it("formatCommand leaves plain words alone", () => {
    assert.equal(formatCommand(["gcc", "-O2", "-I/a/b", "x.c"]), "gcc -O2 -I/a/b x.c");
    assert.equal(formatCommand(["echo", ""]), "echo ''");
  });
});

describe("compile_commands.json", () => {
  const steps: Step[] = [
    {
      id: "cc:a",
      kind: "CC",
      label: "src/a.c",
      inputs: ["/r/src/a.c"],
      outputs: ["/r/out/a.o"],
      depfile: "/r/out/a.d",
      identity: ["gcc"],
      source: "/r/src/a.c",
      command: ["gcc", "-MD", "-MF", "/r/out/a.d", "-c", "/r/src/a.c", "-o", tmp("/r/out/a.o")],
    },
    {
      id: "ld",
      kind: "LD",
      label: "out/app",
      inputs: ["/r/out/a.o"],
      outputs: ["/r/out/app", "/r/out/app.map"],
      identity: ["gcc"],
      cwd: "/r",
      command: ["gcc", `-Wl,-Map=${tmp("/r/out/app.map")}`, "-o", tmp("/r/out/app"), "/r/out/a.o"],
    },
  ];

  it("lists steps with a source, with final output names", () => {
    assert.deepEqual(compileCommands(steps, "/r/out"), [
      {
        directory: "/r/out",
        file: "/r/src/a.c",
        arguments: ["gcc", "-MD", "-MF", "/r/out/a.d", "-c", "/r/src/a.c", "-o", "/r/out/a.o"],
        output: "/r/out/a.o",
      },
    ]);
    const withSource = { ...steps[1], source: "/r/x.c" } as Step;
    assert.deepEqual(compileCommands([withSource], "/o")[0]?.arguments, [
      "gcc",
      "-Wl,-Map=/r/out/app.map",
      "-o",
      "/r/out/app",
      "/r/out/a.o",
    ]);
  });

  it("is written by a GEN step that reruns only when the content changes", async () => {
    const fs = new MemoryFs();
    const runner = new FakeRunner(() => ({}));
    const file = "/r/out/compile_commands.json";
    const status = collector();
    const r1 = await build([compdbStep(steps, "/r/out", file)], { fs, runner, outDir: "/r/out", status });
    assert.deepEqual(r1.ran, [`compdb:${file}`]);
    assert.equal(JSON.parse(fs.get(file) ?? "")[0].output, "/r/out/a.o");
    const r2 = await build([compdbStep(steps, "/r/out", file)], { fs, runner, outDir: "/r/out", status });
    assert.deepEqual(r2.ran, []);
    const r3 = await build([compdbStep(steps.slice(1), "/r/out", file)], {
      fs,
      runner,
      outDir: "/r/out",
      status,
    });
    assert.deepEqual(r3.ran, [`compdb:${file}`]);
    assert.equal(fs.get(file), "[]\n");
  });
});
