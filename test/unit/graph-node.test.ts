// The real Fs and Runner on a temp dir: a two-step build with `node -e` as the tool, run twice.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Step } from "../../src/graph/index.ts";
import { NodeFs, ProcessRunner, build, tmp } from "../../src/graph/index.ts";
import { UserError } from "../../src/util/errors.ts";

/** A tool that copies argv[2] to argv[3] upper-cased, writes a depfile naming argv[4], and fails on "FAIL". */
const TOOL = `
const fs = require("node:fs");
const [src, out, dep, extra] = process.argv.slice(1);
const text = fs.readFileSync(src, "utf8") + fs.readFileSync(extra, "utf8");
if (text.includes("FAIL")) { process.stderr.write("tool: failing on purpose\\n"); process.exit(3); }
fs.writeFileSync(out, text.toUpperCase());
fs.writeFileSync(dep, out + ": " + src + " " + extra.replace(/ /g, "\\\\ ") + "\\n");
`;

describe("build on the real file system", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "keel-graph-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs, skips, reruns on a discovered dep, and fails cleanly", async () => {
    const src = path.join(dir, "in.txt");
    const extra = path.join(dir, "extra file.txt");
    const outDir = path.join(dir, "out");
    const mid = path.join(outDir, "mid.txt");
    const fin = path.join(outDir, "final.txt");
    await writeFile(src, "hello ");
    await writeFile(extra, "world");
    const steps: Step[] = [
      {
        id: "up",
        kind: "GEN",
        label: "out/mid.txt",
        inputs: [src],
        outputs: [mid],
        depfile: path.join(outDir, "mid.d"),
        identity: [],
        command: [process.execPath, "-e", TOOL, src, tmp(mid), path.join(outDir, "mid.d"), extra],
      },
      {
        id: "cp",
        kind: "CP",
        label: "out/final.txt",
        inputs: [mid],
        outputs: [fin],
        identity: [],
        command: [
          process.execPath,
          "-e",
          "require('fs').copyFileSync(process.argv[1], process.argv[2])",
          mid,
          tmp(fin),
        ],
      },
    ];
    const opts = {
      fs: new NodeFs(),
      runner: new ProcessRunner(),
      outDir,
      jobs: 2,
      status: { write: () => true },
    };

    assert.deepEqual((await build(steps, opts)).ran, ["up", "cp"]);
    assert.equal(await readFile(fin, "utf8"), "HELLO WORLD");
    assert.deepEqual((await build(steps, opts)).ran, []);

    await writeFile(extra, "there"); // only known through the depfile, whose path has a space
    assert.deepEqual((await build(steps, opts)).ran, ["up", "cp"]);
    assert.equal(await readFile(fin, "utf8"), "HELLO THERE");

    await writeFile(src, "FAIL ");
    await assert.rejects(build(steps, opts), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.message, "GEN out/mid.txt failed (exit code 3)");
      assert.deepEqual(err.details, ["tool: failing on purpose"]);
      return true;
    });
    await assert.rejects(readFile(mid), { code: "ENOENT" });
    await assert.rejects(readFile(`${mid}.tmp`), { code: "ENOENT" });
  });

  it("a program that does not exist is a failed step, not a crash", async () => {
    const res = await new ProcessRunner().run(["/nonexistent/keel-tool"], { cwd: dir });
    assert.equal(res.code, 127);
    assert.match(res.stderr, /cannot run \/nonexistent\/keel-tool: ENOENT/);
  });

  it("passes env and cwd, and no shell", async () => {
    const res = await new ProcessRunner().run(
      [
        process.execPath,
        "-e",
        "process.stdout.write(process.cwd() + ' ' + process.env.KEEL_X + ' ' + process.argv[1])",
        "$HOME",
      ],
      { cwd: dir, env: { KEEL_X: "yes" } },
    );
    assert.deepEqual(res, { code: 0, stdout: `${dir} yes $HOME`, stderr: "" });
  });

  it("aborting kills the command's whole process group, grandchildren included", async () => {
    const pidFile = path.join(dir, "grandchild.pid");
    const ac = new AbortController();
    const running = new ProcessRunner().run(["sh", "-c", `sleep 60 & echo $! > ${pidFile}; wait`], {
      cwd: dir,
      signal: ac.signal,
    });
    let grandchild = 0;
    for (let i = 0; i < 200 && grandchild === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      grandchild = Number.parseInt(await readFile(pidFile, "utf8").catch(() => "0"), 10) || 0;
    }
    assert.ok(grandchild > 0, "the command never started its child");
    ac.abort();
    // The sleep holds the output pipe: the run only ends once the whole group is gone (or sleep's 60 s pass).
    const res = await Promise.race([
      running,
      new Promise<"hung">((r) => setTimeout(() => r("hung"), 20_000).unref()),
    ]);
    assert.notEqual(res, "hung", "the run did not end within 20 s of the abort: the grandchild outlived it");
    assert.equal(res !== "hung" && res.code, 128 + 15, "not ended by SIGTERM");
    let alive = true;
    for (let i = 0; i < 80 && alive; i++) {
      try {
        process.kill(grandchild, 0);
        await new Promise((r) => setTimeout(r, 25));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, `the grandchild ${grandchild} (sleep 60) outlived the abort`);
  });
});
