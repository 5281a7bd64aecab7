// The build plan of one image: a pure function from everything gathered (build/inputs.ts) to the steps the
// graph engine runs. The hypervisor's compiles, each guest kind's steps (src/guest/), the bundle and the link,
// and compile_commands.json. No I/O: the golden test calls it with inputs it makes itself.
import { join } from "node:path";
import { compdbStep, type Step } from "../graph/index.ts";
import { planForeignGuests } from "../guest/foreign.ts";
import { planGuests } from "../guest/source.ts";
import type { ImageManifest } from "../manifest/image.ts";
import { emitPortHeader } from "../port/emit-header.ts";
import type { ResolvedPort } from "../port/resolve.ts";
import { renderSbiTable } from "./sbi-table.ts";
import { planHypervisor } from "./hypervisor.ts";
import { capsuleSpec, planImage, type CapsuleSpec } from "./image.ts";
import type { BuildInputs } from "./inputs.ts";

/** Everything a build will run, before it runs: the steps and what they produce. */
export interface PlannedBuild {
  steps: Step[];
  /** The image ELF the last step links. */
  elf: string;
  port: ResolvedPort;
  image: ImageManifest;
  /** The port + optimize (+ config) build dir. */
  buildDir: string;
  /** The capsules of the BUNDLE step (for a peer that runs that step outside Keel, e.g. bench/). */
  capsules: readonly CapsuleSpec[];
}

/** Plans every step of one image. Pure: inputs in, steps out. */
export function planBuild(inputs: BuildInputs): PlannedBuild {
  const { root, outDir, buildDir, port, image, toolchain, config } = inputs;
  const hv = planHypervisor({
    root,
    buildDir,
    outDir,
    optimize: inputs.optimize,
    toolchain,
    metadata: inputs.metadata,
    spec: {
      arch: port.hypervisor.arch,
      cflags: port.hypervisor.cflags,
      asflags: port.hypervisor.asflags,
      portHeader: emitPortHeader(port),
      config: {
        autoconfH: config.autoconfH,
        autoConf: config.autoConf,
        stamps: config.stamps,
        sbiTable: renderSbiTable(inputs.hypervisor.sbiExts),
      },
    },
    sources: inputs.hypervisor.sources,
  });
  const guests = planGuests({
    root,
    buildDir,
    outDir,
    toolchain,
    libSources: inputs.guests.libSources,
    guests: inputs.guests.source,
  });
  const foreign = planForeignGuests({ root, buildDir, outDir, guests: inputs.guests.foreign });
  const img = planImage({
    root,
    buildDir,
    outDir,
    image: image.name,
    toolchain,
    hypervisor: hv,
    capsules: image.capsules.map((c) =>
      capsuleSpec(c, image, (guests.elves.get(c.guest) ?? foreign.elves.get(c.guest))!),
    ),
  });
  const steps: Step[] = [...hv.steps, ...guests.steps, ...foreign.steps, ...img.steps];
  steps.push(compdbStep(steps, outDir, join(outDir, "compile_commands.json")));
  return { steps, elf: img.elf, port, image, buildDir, capsules: img.capsules };
}
