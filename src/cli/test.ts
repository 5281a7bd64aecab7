// keel test: static checks (types, lint, format), then the node:test suites (unit + golden, the Kconfig
// compatibility suite, end-to-end and boot),
// counted together into one closing line "keel: N passed, N failed".
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export interface TestSelection {
  static: boolean;
  unit: boolean;
  boot: boolean;
  namePattern: string | undefined;
  verbose: boolean;
}

interface Outcome {
  passed: number;
  failed: number;
}

function bin(root: string, name: string): string {
  return join(root, "node_modules", ".bin", name);
}

/** Runs a command with output streamed through `onLine`; resolves to its exit status. */
function stream(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onLine: (l: string) => void,
): Promise<number> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    const feed = (d: Buffer): void => {
      buf += d.toString("utf8");
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("error", reject);
    child.on("close", (code) => {
      if (buf) onLine(buf);
      resolve(code ?? 1);
    });
  });
}

async function staticChecks(root: string, out: (l: string) => void): Promise<Outcome> {
  const checks: [string, string[]][] = [
    ["types (tsc --noEmit)", [bin(root, "tsc"), "--noEmit", "-p", "."]],
    ["lint (eslint)", [bin(root, "eslint"), "."]],
    ["format (prettier --check)", [bin(root, "prettier"), "--check", "--log-level=warn", "."]],
  ];
  const result: Outcome = { passed: 0, failed: 0 };
  for (const [name, argv] of checks) {
    const lines: string[] = [];
    const code = await stream(argv, root, process.env, (l) => lines.push(l));
    if (code === 0) {
      result.passed++;
      out(`ok   ${name}`);
    } else {
      result.failed++;
      out(`FAIL ${name}`);
      for (const l of lines) out(`     ${l}`);
    }
  }
  return result;
}

function testFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".test.ts"))
    .sort()
    .map((n) => join(dir, n));
}

async function nodeTests(
  root: string,
  files: string[],
  sel: TestSelection,
  out: (l: string) => void,
): Promise<Outcome> {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const argv = [
    process.execPath,
    "--import",
    "tsx",
    "--test",
    "--test-reporter=spec",
    "--test-concurrency=1",
  ];
  if (sel.namePattern) argv.push(`--test-name-pattern=${sel.namePattern}`);
  argv.push(...files);
  const result: Outcome = { passed: 0, failed: 0 };
  let counted = false;
  const code = await stream(argv, root, { ...process.env, FORCE_COLOR: "0" }, (l) => {
    const m = /^ℹ (pass|fail) (\d+)$/.exec(l);
    if (m) {
      counted = true;
      if (m[1] === "pass") result.passed += Number(m[2]);
      else result.failed += Number(m[2]);
    }
    out(l);
  });
  if (code !== 0 && result.failed === 0) result.failed = 1; // the runner itself broke
  if (!counted && code === 0) out("warning: the test runner reported no counts");
  return result;
}

/** Runs the selected groups; returns the exit status for keel. */
export async function runTests(root: string, sel: TestSelection, out: (l: string) => void): Promise<number> {
  const total: Outcome = { passed: 0, failed: 0 };
  const add = (o: Outcome): void => {
    total.passed += o.passed;
    total.failed += o.failed;
  };
  if (sel.static) {
    out("== static checks");
    add(await staticChecks(root, out));
  }
  if (sel.unit) {
    out("== unit and golden tests");
    add(
      await nodeTests(root, [...testFiles(root, "test/unit"), ...testFiles(root, "test/golden")], sel, out),
    );
  }
  if (sel.boot) {
    // Before the end-to-end tests: it prepares the Linux tree that test/e2e/kconfig-cli.test.ts also uses.
    out("== Kconfig compatibility suite (Linux 6.1 ARCH=riscv, against the kernel's own conf)");
    add(await nodeTests(root, testFiles(root, "test/kconfig-compat"), sel, out));
    out("== end-to-end build and boot tests (real cross compiler, real QEMU)");
    add(await nodeTests(root, [...testFiles(root, "test/e2e"), ...testFiles(root, "test/boot")], sel, out));
  }
  out(`keel: ${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}
