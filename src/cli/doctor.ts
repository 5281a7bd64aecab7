// keel doctor: what the host has, what is missing, and the command that installs it.
import { chooseToolchain, probeToolchain } from "../toolchain/toolchain.ts";
import type { ProbeRun } from "../toolchain/toolchain.ts";

interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

async function version(run: ProbeRun, argv: string[]): Promise<string | undefined> {
  try {
    const r = await run(argv);
    return r.code === 0 ? (r.stdout || r.stderr).split("\n")[0]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Runs every check and returns the report lines and whether all passed. */
export async function doctor(
  run: ProbeRun,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: boolean; lines: string[] }> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split(".")[0]);
  checks.push({ what: "node", ok: major >= 20, detail: `v${process.versions.node} (need >= 20)` });
  const qemu = await version(run, ["qemu-system-riscv64", "--version"]);
  const qv = /version (\d+)\.(\d+)/.exec(qemu ?? "");
  const qemuOk = qv !== null && (Number(qv[1]) > 7 || (Number(qv[1]) === 7 && Number(qv[2]) >= 2));
  checks.push({
    what: "qemu-system-riscv64",
    ok: qemuOk,
    detail: qemu ?? "missing (Debian: qemu-system-misc)",
  });
  const choice = chooseToolchain(env);
  try {
    const tc = await probeToolchain(choice, run);
    checks.push({ what: `cross compiler (${tc.kind})`, ok: true, detail: tc.identity });
  } catch (e) {
    checks.push({ what: `cross compiler (${choice.kind})`, ok: false, detail: (e as Error).message });
  }
  const dtc = await version(run, ["dtc", "--version"]);
  checks.push({
    what: "dtc",
    ok: dtc !== undefined,
    detail: dtc ?? "missing (Debian: device-tree-compiler)",
  });
  const width = Math.max(...checks.map((c) => c.what.length));
  const lines = checks.map((c) => `${c.ok ? "ok     " : "MISSING"} ${c.what.padEnd(width)}  ${c.detail}`);
  const ok = checks.every((c) => c.ok);
  if (!ok)
    lines.push(
      "Install on Debian/Ubuntu: apt-get install qemu-system-misc gcc-riscv64-unknown-elf device-tree-compiler",
    );
  return { ok, lines };
}
