// keel doctor: what the host has for each feature (build and run; each guest that needs host packages, as
// its manifest says; the tests that need more), what is missing, and the command that installs it.
import { chooseToolchain, probeToolchain } from "../toolchain/toolchain.ts";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import type { GuestManifest } from "../manifest/guest.ts";
import { installCommand, missingPackages, RECIPE_PACKAGES } from "../recipe/host.ts";

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

/** A feature beyond build-and-run, and the Debian packages it needs (from the guest manifests and tests). */
export interface Feature {
  what: string;
  packages: readonly string[];
}

/** What the guests in guests/ need (their manifests say), and what some tests need. */
export function featuresOf(guests: readonly GuestManifest[]): Feature[] {
  const features: Feature[] = [];
  for (const g of guests) {
    if (g.kind === "host-file")
      features.push({ what: `guest ${g.name} (images using it)`, packages: [g.package] });
    else if (g.kind === "recipe")
      features.push({
        what: `guest ${g.name} (built from Debian sources)`,
        packages: [...RECIPE_PACKAGES, g.linux.package].sort(),
      });
  }
  features.push({ what: "tests: menuconfig in a terminal", packages: ["tmux"] });
  features.push({
    what: "tests/bench: the root VM under QEMU's OpenSBI (-bios default)",
    packages: ["qemu-system-data"],
  });
  return features;
}

/** Runs every check and returns the report lines and whether all passed. */
export async function doctor(
  run: ProbeRun,
  env: Readonly<Record<string, string | undefined>>,
  features: readonly Feature[] = [],
  debian = true,
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
  const lines = ["build and run (keel build, keel run, keel test --static/--unit):"];
  lines.push(...checks.map((c) => `  ${c.ok ? "ok     " : "MISSING"} ${c.what.padEnd(width)}  ${c.detail}`));
  const ok = checks.every((c) => c.ok);
  if (!ok)
    lines.push(
      "  install on Debian/Ubuntu: apt-get install qemu-system-misc gcc-riscv64-unknown-elf device-tree-compiler",
    );
  // The other features: their Debian packages, installed or not (keel build installs them as root).
  for (const f of features) {
    if (!debian) {
      lines.push(`${f.what}: needs the Debian packages ${f.packages.join(" ")} (not a Debian host)`);
      continue;
    }
    const missing = await missingPackages(run, f.packages);
    lines.push(
      missing.length === 0
        ? `${f.what}: ok`
        : `${f.what}: MISSING ${missing.join(" ")}; install: ${installCommand(missing)}`,
    );
  }
  return { ok, lines };
}
