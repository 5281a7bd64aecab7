// The step list `keel build` plans for one image, re-created from the plan modules (buildImage runs its steps
// and does not hand them out). Mirrors src/cli/build.ts; bench/build.ts checks the two agree on every run.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compdbStep, type Step } from "../src/graph/index.ts";
import { keelVersion, probeRun } from "../src/cli/host.ts";
import { listGuests } from "../src/manifest/guest.ts";
import { loadImage } from "../src/manifest/image.ts";
import { emitPortHeader } from "../src/port/emit-header.ts";
import { loadPortByName } from "../src/port/registry.ts";
import { planGuests } from "../src/plan/guest.ts";
import { planHypervisor } from "../src/plan/hypervisor.ts";
import { planImage, type CapsuleSpec } from "../src/plan/image.ts";
import { captureMetadata, type OptimizeMode } from "../src/plan/metadata.ts";
import { chooseToolchain, probeToolchain } from "../src/toolchain/toolchain.ts";

export interface PlannedBuild {
  steps: Step[];
  /** The image ELF (what `keel build` prints). */
  elf: string;
  port: string;
  image: string;
  /** The capsules of the BUNDLE step, for a peer that has to run that step outside Keel. */
  capsules: readonly CapsuleSpec[];
  /** The id of the BUNDLE step. */
  bundleStepId: string;
}

/** Same selection as buildImage's sourcesIn: *.c and *.S (not *.ld.S) directly in the folder, sorted. */
function sourcesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => (n.endsWith(".c") || n.endsWith(".S")) && !n.endsWith(".ld.S"))
    .sort()
    .map((n) => join(dir, n));
}

/** Plans the default image of the default port (or the ones named), exactly as buildImage would. */
export async function planBuild(
  root: string,
  outDir: string,
  opts: { system?: string; image?: string; optimize?: OptimizeMode } = {},
): Promise<PlannedBuild> {
  const env = process.env;
  const optimize = opts.optimize ?? "Debug";
  const port = await loadPortByName(root, opts.system);
  const imageName = opts.image ?? port.defaultImage;
  if (imageName === undefined) throw new Error(`port ${port.name} names no default image`);
  const image = await loadImage(root, imageName);
  const toolchain = await probeToolchain(chooseToolchain(env), probeRun);
  const metadata = await captureMetadata(probeRun, root, env, {
    version: keelVersion(root),
    port: port.name,
    optimize,
  });
  const buildDir = join(outDir, `${port.name}-${optimize}`);

  const hv = planHypervisor({
    root,
    buildDir,
    outDir,
    optimize,
    toolchain,
    metadata,
    spec: {
      arch: port.hypervisor.arch,
      cflags: port.hypervisor.cflags,
      asflags: port.hypervisor.asflags,
      portHeader: emitPortHeader(port),
    },
    sources: port.hypervisor.sourceDirs.flatMap((d) => sourcesIn(join(root, d))),
  });
  const known = await listGuests(root);
  const used = [...new Set(image.capsules.map((c) => c.guest))].filter((g) => known.includes(g));
  const guests = planGuests({
    root,
    buildDir,
    outDir,
    toolchain,
    libSources: sourcesIn(join(root, "guests", "lib")),
    guests: used.map((name) => ({ name, sources: sourcesIn(join(root, "guests", name)) })),
  });
  const capsules: CapsuleSpec[] = image.capsules.map((c) => {
    const guestElf = guests.elves.get(c.guest);
    if (guestElf === undefined) throw new Error(`image ${image.name}: guest ${c.guest} was not planned`);
    return { name: c.name, guestElf, ramSize: c.ram, vcpus: c.vcpus, hart: c.hart, bootargs: c.bootargs };
  });
  const img = planImage({
    root,
    buildDir,
    outDir,
    image: image.name,
    toolchain,
    hypervisor: hv,
    capsules,
  });
  const steps: Step[] = [...hv.steps, ...guests.steps, ...img.steps];
  steps.push(compdbStep(steps, outDir, join(outDir, "compile_commands.json")));
  const bundle = img.steps.find((s) => s.kind === "BUNDLE");
  if (bundle === undefined) throw new Error("planImage planned no BUNDLE step");
  return { steps, elf: img.elf, port: port.name, image: image.name, capsules, bundleStepId: bundle.id };
}
