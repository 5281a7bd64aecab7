// Plans the hypervisor build of one port + optimize mode: generated inputs, one compile per source, no link
// (each image links these objects with its own bundle, see image.ts). Pure: data in, steps out.
import { relative } from "node:path";
import type { Step } from "../graph/graph.ts";
import { tmp } from "../graph/graph.ts";
import { sha256 } from "../graph/hash.ts";
import { ccCommand, type Toolchain } from "../toolchain/toolchain.ts";
import { compileTail, FREESTANDING, OPTIMIZE_FLAGS, prefixMaps } from "./flags.ts";
import type { BuildMetadata, OptimizeMode } from "./metadata.ts";
import { renderBuildInfoC } from "./metadata.ts";

/** What the hypervisor plan needs from a resolved port. */
export interface HypervisorSpec {
  arch: string;
  cflags: readonly string[];
  asflags: readonly string[];
  /** Text of gen/keel_port.h, emitted from the port. */
  portHeader: string;
  /** The resolved configuration (src/build/hvconfig.ts): what the graph writes under gen/. */
  config: HypervisorConfigFiles;
}

/** The generated configuration files (docs/design/hypervisor-config.md). */
export interface HypervisorConfigFiles {
  /** gen/autoconf.h: every unit gets it with -include. */
  autoconfH: string;
  /** gen/auto.conf */
  autoConf: string;
  /** symbol -> text of gen/config/<SYMBOL> */
  stamps: ReadonlyMap<string, string>;
  /** gen/sbi_table.c: the SBI extensions compiled in. */
  sbiTable: string;
}

export interface HypervisorPlanInput {
  root: string;
  /** The port + optimize build directory, e.g. out/qemu-virt-Debug. */
  buildDir: string;
  /** The top out dir (for path remapping). */
  outDir: string;
  spec: HypervisorSpec;
  optimize: OptimizeMode;
  toolchain: Toolchain;
  /** Absolute paths of the sources the port selects (see docs/design/build-inputs.md), sorted. */
  sources: readonly string[];
  metadata: BuildMetadata;
}

export interface HypervisorPlan {
  steps: Step[];
  /** Objects every image links. */
  objects: string[];
  /** The preprocessed linker script. */
  linkerScript: string;
  /** C flags for links of this hypervisor (arch flags, optimize). */
  linkFlags: string[];
}

/** The object path for a source under the build dir: obj/<path relative to root>.o */
export function objectPath(root: string, buildDir: string, source: string): string {
  return `${buildDir}/obj/${relative(root, source)}.o`;
}

export function planHypervisor(p: HypervisorPlanInput): HypervisorPlan {
  const { root, buildDir, spec, toolchain: tc } = p;
  const gen = `${buildDir}/gen`;
  const portHeader = `${gen}/keel_port.h`;
  const buildInfo = `${gen}/build_info.c`;
  const autoconfH = `${gen}/autoconf.h`;
  const autoConf = `${gen}/auto.conf`;
  const stampDir = `${gen}/config`;
  const sbiTable = `${gen}/sbi_table.c`;
  const ldScript = `${gen}/keel.ld`;
  const includes = [
    `-I${gen}`,
    `-I${root}/hypervisor/include`,
    `-I${root}/hypervisor/arch/${spec.arch}/include`,
  ];
  const common = [
    ...tc.baseFlags,
    ...FREESTANDING,
    ...OPTIMIZE_FLAGS[p.optimize],
    ...prefixMaps(root, p.outDir),
  ];
  const steps: Step[] = [];

  const generate = (out: string, text: string, label: string): void => {
    steps.push({
      id: `gen:${out}`,
      kind: "GEN",
      label,
      inputs: [],
      outputs: [out],
      identity: [text],
      action: (ctx) => ctx.writeOutput(out, text),
    });
  };
  generate(portHeader, p.spec.portHeader, relative(p.outDir, portHeader));
  const buildInfoText = renderBuildInfoC(p.metadata);
  generate(buildInfo, buildInfoText, relative(p.outDir, buildInfo));
  generate(sbiTable, spec.config.sbiTable, relative(p.outDir, sbiTable));

  // The configuration: autoconf.h, auto.conf and one stamp per symbol, each rewritten only when its content
  // changes (the engine keeps an output whose new content is the same), so a compile that depends on a stamp
  // through fixdep reruns only when that symbol's value does.
  const configFiles = new Map<string, string>([
    [autoconfH, spec.config.autoconfH],
    [autoConf, spec.config.autoConf],
    ...[...spec.config.stamps].map(([sym, text]): [string, string] => [`${stampDir}/${sym}`, text]),
  ]);
  steps.push({
    id: `gen:${autoconfH}`,
    kind: "GEN",
    label: relative(p.outDir, autoconfH),
    inputs: [],
    outputs: [...configFiles.keys()],
    // One item per symbol, so --explain says which changed ("SLICE_US=5000 ... -> SLICE_US=2000 ..."), then a
    // hash of everything written (the symbols decide it, but the key must cover the content itself).
    identity: [
      ...[...spec.config.stamps].map(([sym, text]) => `${sym}=${text.trimEnd()}`),
      `content ${sha256(JSON.stringify([...configFiles].map(([f, t]) => [relative(gen, f), t]))).slice(0, 16)}`,
    ],
    action: async (ctx) => {
      for (const [f, t] of configFiles) await ctx.writeOutput(f, t);
    },
  });

  const ldSource = `${root}/hypervisor/arch/${spec.arch}/keel.ld.S`;
  steps.push({
    id: `cpp:${ldScript}`,
    kind: "CPP",
    label: relative(root, ldSource),
    inputs: [ldSource, portHeader],
    outputs: [ldScript],
    depfile: `${ldScript}.d`,
    identity: [tc.identity],
    cwd: root,
    command: ccCommand(tc, [
      ...tc.baseFlags,
      "-E",
      "-P",
      "-x",
      "c",
      "-D__ASSEMBLY__",
      ...includes,
      "-include",
      portHeader,
      "-MD",
      "-MF",
      `${ldScript}.d`,
      "-MT",
      ldScript,
      relative(root, ldSource),
      "-o",
      tmp(ldScript),
    ]),
  });

  const objects: string[] = [];
  const compile = (source: string, cwd: string, isAsm: boolean, extraInputs: string[]): void => {
    const obj =
      cwd === root ? objectPath(root, buildDir, source) : `${buildDir}/obj/${relative(buildDir, source)}.o`;
    const flags = isAsm ? [...spec.asflags, "-D__ASSEMBLY__"] : [...spec.cflags];
    objects.push(obj);
    steps.push({
      id: `cc:${obj}`,
      kind: isAsm ? "AS" : "CC",
      label: cwd === root ? relative(root, source) : relative(p.outDir, source),
      inputs: [source, portHeader, ...extraInputs],
      orderOnly: [autoconfH],
      outputs: [obj],
      depfile: `${obj}.d`,
      configDeps: { header: autoconfH, stampDir },
      identity: [tc.identity],
      source,
      cwd,
      command: ccCommand(tc, [
        ...flags,
        ...common,
        ...includes,
        "-include",
        autoconfH,
        ...compileTail(relative(cwd, source), obj),
      ]),
    });
  };
  for (const src of p.sources) compile(src, root, src.endsWith(".S"), []);
  compile(buildInfo, buildDir, false, []);
  compile(sbiTable, buildDir, false, []);

  return {
    steps,
    objects,
    linkerScript: ldScript,
    linkFlags: [...spec.cflags, ...OPTIMIZE_FLAGS[p.optimize]],
  };
}
