// Host-file guests: a binary installed by a Debian package (U-Boot's u-boot.bin), located and checksummed at
// build time and wrapped in an ELF loaded and entered at the guest's `load` address (default 0x80200000).
import { relative } from "node:path";
import { hashFile } from "../store/store.ts";
import type { Step } from "../graph/graph.ts";
import type { GuestManifest } from "../manifest/guest.ts";
import { rawPayload } from "../payload/linux.ts";
import { UserError } from "../util/errors.ts";
import { stat } from "node:fs/promises";
import { createHash } from "node:crypto";

export type HostFileGuest = Extract<GuestManifest, { kind: "host-file" }>;

export const HOST_FILE_VERSION = "host-file payload v1";

/** The UserError for a host file that is not there: names the package and the command that installs it. */
export function missingHostFile(g: HostFileGuest): UserError {
  return new UserError(
    `guest ${g.name} needs ${g.path}, which is missing: it comes from the Debian package ${g.package}`,
    {
      details: [`install it with: apt-get install ${g.package}   (as root, or with sudo)`],
    },
  );
}

function checksumError(g: HostFileGuest, actual: string): UserError {
  return new UserError(
    `guest ${g.name}: ${g.path} has SHA-256 ${actual}, but ${g.file} expects ${g.sha256}`,
    {
      details: [`if the ${g.package} package was updated on purpose, update sha256: in ${g.file}`],
    },
  );
}

/** Finds the file and checks its SHA-256 (against guest.yaml's, when it gives one). */
export async function locateHostFile(g: HostFileGuest): Promise<{ path: string; sha256: string }> {
  const st = await stat(g.path).catch(() => undefined);
  if (!st?.isFile()) throw missingHostFile(g);
  const sha256 = await hashFile(g.path);
  if (g.sha256 !== undefined && sha256 !== g.sha256) throw checksumError(g, sha256);
  return { path: g.path, sha256 };
}

/** One step: host file -> `<buildDir>/guests/<name>.elf`, checked again when it runs. */
export function planHostFile(p: { buildDir: string; outDir: string; guest: HostFileGuest; sha256: string }): {
  steps: Step[];
  elf: string;
} {
  const g = p.guest;
  const elf = `${p.buildDir}/guests/${g.name}.elf`;
  const step: Step = {
    id: `hostfile:${elf}`,
    kind: "WRAP",
    label: relative(p.outDir, elf),
    inputs: [g.path],
    outputs: [elf],
    identity: [
      HOST_FILE_VERSION,
      `${g.package} ${g.path}`,
      `load 0x${g.load.toString(16)}`,
      `sha256 ${g.sha256 ?? "any"}`,
    ],
    action: async (ctx) => {
      const bin = await ctx.fs.readFile(g.path);
      const actual = createHash("sha256").update(bin).digest("hex");
      if (g.sha256 !== undefined && actual !== g.sha256) throw checksumError(g, actual);
      await ctx.writeOutput(elf, rawPayload(bin, g.load, ".image"));
    },
  };
  return { steps: [step], elf };
}
