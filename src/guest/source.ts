// Plans the build of "source" guests: every C/asm file of guests/lib and guests/<name>, linked at GPA
// 0x80000000 with guests/lib/guest.ld. Pure: data in, steps out. Contract: docs/design/build-inputs.md.
import { relative } from "node:path";
import type { Step } from "../graph/graph.ts";
import { tmp } from "../graph/graph.ts";
import { ccCommand, type Toolchain } from "../toolchain/toolchain.ts";
import { compileTail, FREESTANDING, GUEST_ARCH, prefixMaps } from "../build/flags.ts";

export interface GuestPlanInput {
  root: string;
  buildDir: string;
  outDir: string;
  toolchain: Toolchain;
  /** Sources of guests/lib, absolute and sorted. */
  libSources: readonly string[];
  /** Each guest to build with its own sources, absolute and sorted. */
  guests: readonly { name: string; sources: readonly string[] }[];
}

export interface GuestPlan {
  steps: Step[];
  /** guest name -> ELF path */
  elves: Map<string, string>;
}

export function planGuests(p: GuestPlanInput): GuestPlan {
  const { root, buildDir, toolchain: tc } = p;
  const lib = `${root}/guests/lib`;
  const ldScript = `${lib}/guest.ld`;
  const flags = [
    ...tc.baseFlags,
    ...GUEST_ARCH,
    ...FREESTANDING,
    "-O2",
    ...prefixMaps(root, p.outDir),
    `-I${lib}/include`,
  ];
  const steps: Step[] = [];
  const objectOf = (src: string): string => `${buildDir}/obj/${relative(root, src)}.o`;
  const compile = (src: string): string => {
    const obj = objectOf(src);
    const isAsm = src.endsWith(".S");
    steps.push({
      id: `cc:${obj}`,
      kind: isAsm ? "AS" : "CC",
      label: relative(root, src),
      inputs: [src],
      outputs: [obj],
      depfile: `${obj}.d`,
      identity: [tc.identity],
      source: src,
      cwd: root,
      command: ccCommand(tc, [
        ...flags,
        ...(isAsm ? ["-D__ASSEMBLY__"] : []),
        ...compileTail(relative(root, src), obj),
      ]),
    });
    return obj;
  };
  const libObjects = p.libSources.map(compile);
  const elves = new Map<string, string>();
  for (const g of p.guests) {
    const objects = [...g.sources.map(compile), ...libObjects];
    const elf = `${buildDir}/guests/${g.name}.elf`;
    elves.set(g.name, elf);
    steps.push({
      id: `ld:${elf}`,
      kind: "LD",
      label: relative(p.outDir, elf),
      inputs: [...objects, ldScript],
      outputs: [elf],
      identity: [tc.identity],
      cwd: root,
      command: ccCommand(tc, [
        ...tc.baseFlags,
        ...tc.linkFlags,
        ...GUEST_ARCH,
        "-nostdlib",
        "-static",
        "-Wl,--build-id=none",
        `-Wl,-T,${relative(root, ldScript)}`,
        "-o",
        tmp(elf),
        ...objects,
        ...tc.libs,
      ]),
    });
  }
  return { steps, elves };
}
