// Checked port file -> `ResolvedPort`: normalise once (bigints, camelCase, source folders), then run small
// named rules over the result. Pure: the file-system question "does this folder exist" is injected.

import { formatPath, problemsError, type Problem, type YamlPath } from "../yamlfile/yaml.ts";
import type { LoadedPort } from "./load.ts";
import { hex } from "../yamlfile/scalars.ts";

/** A window of the physical address space, `[base, base + size)`. */
export interface MemoryRegion {
  readonly base: bigint;
  readonly size: bigint;
}

/** One extra `#define` for keel_port.h, in the order the port file lists them. */
export interface PortDefine {
  readonly name: string;
  readonly value: bigint | string;
}

/** The one model of a port every emitter reads (docs/ports.md describes each field). */
export interface ResolvedPort {
  readonly name: string;
  readonly description: string;
  /** The port file, as the path it was read from. */
  readonly file: string;
  readonly isa: { readonly base: "rv32" | "rv64"; readonly extensions: readonly string[] };
  readonly harts: number;
  readonly dram: MemoryRegion;
  readonly devices: {
    readonly uart: MemoryRegion & { readonly compatible: string; readonly irq: number };
    readonly clint: MemoryRegion;
    readonly plic: MemoryRegion;
    readonly poweroff: MemoryRegion & { readonly compatible: string };
  };
  readonly loadAddress: bigint;
  readonly defaultImage: string | undefined;
  readonly qemu: {
    readonly binary: string;
    readonly machine: string;
    readonly cpu: string;
    readonly smp: number;
    /** Bytes; a whole number of MiB. */
    readonly memory: bigint;
    readonly args: readonly string[];
  };
  readonly hypervisor: {
    readonly arch: string;
    readonly isolation: string;
    readonly timer: string;
    readonly drivers: readonly string[];
    readonly stackSize: bigint;
    readonly defines: readonly PortDefine[];
    readonly cflags: readonly string[];
    readonly asflags: readonly string[];
    /** Repo-relative folders whose `*.c`/`*.S` make the hypervisor, in build order (build-inputs.md). */
    readonly sourceDirs: readonly string[];
    /** Repo-relative include folders, after the generated one (build-inputs.md). */
    readonly includeDirs: readonly string[];
  };
}

/** What resolution may ask about the world; each question is skipped when not given. */
export interface ResolveContext {
  /** Does this repo-relative folder exist? (e.g. `hypervisor/arch/riscv/timer/sstc`) */
  exists?: (repoPath: string) => boolean;
  /** Names of the images in images/, for checking `default_image`. */
  images?: readonly string[];
}

/** Resolves a checked port; throws one UserError listing every broken rule at its line. */
export function resolvePort(loaded: LoadedPort, context: ResolveContext = {}): ResolvedPort {
  const port = normalise(loaded);
  const problems = RULES.flatMap((rule) => rule(port, context));
  if (problems.length > 0) throw problemsError(loaded.source, problems);
  return port;
}

function normalise({ source, port: p }: LoadedPort): ResolvedPort {
  const { arch, isolation, timer, drivers } = p.hypervisor;
  return {
    name: p.name,
    description: p.description,
    file: source.file,
    isa: { base: p.isa.base, extensions: [...new Set(p.isa.extensions)] },
    harts: p.harts,
    dram: p.memory.dram,
    devices: p.devices,
    loadAddress: p.load_address,
    defaultImage: p.default_image,
    qemu: p.qemu,
    hypervisor: {
      arch,
      isolation,
      timer,
      drivers,
      stackSize: p.hypervisor.link.stack_size,
      defines: Object.entries(p.hypervisor.defines).map(([name, value]) => ({ name, value })),
      cflags: p.hypervisor.cflags,
      asflags: p.hypervisor.asflags,
      sourceDirs: [
        "hypervisor/core",
        `hypervisor/arch/${arch}`,
        `hypervisor/arch/${arch}/isolation/${isolation}`,
        `hypervisor/arch/${arch}/timer/${timer}`,
        ...drivers.map((d) => `hypervisor/drivers/${d}`),
      ],
      includeDirs: ["hypervisor/include", `hypervisor/arch/${arch}/include`],
    },
  };
}

type Rule = (port: ResolvedPort, context: ResolveContext) => Problem[];

const problem = (path: YamlPath, message: string, at?: "key"): Problem => ({
  path,
  message: `${formatPath(path)}: ${message}`,
  ...(at ? { at } : {}),
});

const range = (r: MemoryRegion) => `${hex(r.base)}-${hex(r.base + r.size - 1n)}`;

/** Every address window the port names, with where it is written. */
function windows(port: ResolvedPort): { path: YamlPath; region: MemoryRegion }[] {
  return [
    { path: ["memory", "dram"], region: port.dram },
    ...(["uart", "clint", "plic", "poweroff"] as const).map((d) => ({
      path: ["devices", d],
      region: port.devices[d],
    })),
  ];
}

/** The hypervisor's limit (hypervisor/core/Kconfig MAX_HARTS, range 1 64: affinity masks are 64 bits). */
export const MAX_PORT_HARTS = 64;

const hartsAtLeastOne: Rule = (port) =>
  port.harts >= 1 ? [] : [problem(["harts"], "a port needs at least 1 hart")];

const hartsAtMostTheCap: Rule = (port) =>
  port.harts <= MAX_PORT_HARTS
    ? []
    : [
        problem(
          ["harts"],
          `${port.harts} harts, but Keel runs on at most ${MAX_PORT_HARTS} (MAX_HARTS in hypervisor/core/Kconfig: affinity masks are 64 bits)`,
        ),
      ];

const smpMatchesHarts: Rule = (port) =>
  port.qemu.smp === port.harts
    ? []
    : [
        problem(
          ["qemu", "smp"],
          `QEMU would start ${port.qemu.smp} harts but the port has harts: ${port.harts}`,
        ),
      ];

const windowsFitIn64Bits: Rule = (port) =>
  windows(port)
    .filter((w) => w.region.base + w.region.size > 1n << 64n)
    .map((w) => problem([...w.path, "size"], `${hex(w.region.base)} + ${hex(w.region.size)} runs past 2^64`));

const loadAddressInDram: Rule = ({ loadAddress, dram }) =>
  loadAddress >= dram.base && loadAddress < dram.base + dram.size
    ? []
    : [problem(["load_address"], `${hex(loadAddress)} is outside DRAM (${range(dram)})`)];

const loadAddressPageAligned: Rule = ({ loadAddress }) =>
  loadAddress % 4096n === 0n ? [] : [problem(["load_address"], `${hex(loadAddress)} is not 4 KiB aligned`)];

const windowsDisjoint: Rule = (port) => {
  const all = windows(port);
  const problems: Problem[] = [];
  all.forEach((b, j) => {
    for (const a of all.slice(0, j)) {
      const overlap =
        a.region.base < b.region.base + b.region.size && b.region.base < a.region.base + a.region.size;
      if (overlap) {
        problems.push(
          problem(
            [...b.path, "base"],
            `${range(b.region)} overlaps ${formatPath(a.path)} (${range(a.region)})`,
          ),
        );
      }
    }
  });
  return problems;
};

const qemuMemoryCoversDram: Rule = ({ qemu, dram }) => {
  const at = ["qemu", "memory"];
  if (qemu.memory % (1n << 20n) !== 0n) return [problem(at, "QEMU takes memory in whole MiB")];
  if (qemu.memory < dram.size)
    return [problem(at, `${hex(qemu.memory)} is smaller than DRAM (${hex(dram.size)})`)];
  return [];
};

const stackSizeAligned: Rule = ({ hypervisor }) =>
  hypervisor.stackSize % 16n === 0n
    ? []
    : [
        problem(
          ["hypervisor", "link", "stack_size"],
          "must be a multiple of 16 (the RISC-V ABI stack alignment)",
        ),
      ];

/** Mechanisms that only work on harts with a given extension. */
const NEEDS_EXTENSION: Record<"isolation" | "timer", Record<string, string>> = {
  isolation: { gstage: "h" },
  timer: { sstc: "sstc" },
};

const isaHasMechanismExtensions: Rule = ({ isa, hypervisor }) =>
  (["isolation", "timer"] as const).flatMap((field) => {
    const needed = NEEDS_EXTENSION[field][hypervisor[field]];
    return needed && !isa.extensions.includes(needed)
      ? [
          problem(
            ["hypervisor", field],
            `${hypervisor[field]} needs the "${needed}" extension in isa.extensions`,
          ),
        ]
      : [];
  });

/** Names keel_port.h already defines; a port's `defines` may not redefine them. */
export const GENERATED_DEFINES = [
  "KEEL_PORT_NAME",
  "KEEL_PORT_HARTS",
  "KEEL_DRAM_BASE",
  "KEEL_DRAM_SIZE",
  "KEEL_LOAD_ADDR",
  "KEEL_UART_BASE",
  "KEEL_UART_IRQ",
  "KEEL_CLINT_BASE",
  "KEEL_PLIC_BASE",
  "KEEL_POWEROFF_BASE",
  "KEEL_STACK_SIZE",
] as const;

const definesDoNotShadow: Rule = ({ hypervisor }) =>
  hypervisor.defines
    .filter((d) => (GENERATED_DEFINES as readonly string[]).includes(d.name))
    .map((d) =>
      problem(
        ["hypervisor", "defines", d.name],
        "generated from the port's fields; it cannot be redefined here",
        "key",
      ),
    );

const driversUnique: Rule = ({ hypervisor }) =>
  hypervisor.drivers.flatMap((d, i) =>
    hypervisor.drivers.indexOf(d) < i
      ? [problem(["hypervisor", "drivers", i], `driver "${d}" is listed twice`)]
      : [],
  );

const sourceFoldersExist: Rule = ({ hypervisor: h }, { exists }) => {
  if (!exists) return [];
  const wanted: { path: YamlPath; dir: string }[] = [
    { path: ["hypervisor", "arch"], dir: `hypervisor/arch/${h.arch}` },
    { path: ["hypervisor", "isolation"], dir: `hypervisor/arch/${h.arch}/isolation/${h.isolation}` },
    { path: ["hypervisor", "timer"], dir: `hypervisor/arch/${h.arch}/timer/${h.timer}` },
    ...h.drivers.map((d, i) => ({ path: ["hypervisor", "drivers", i], dir: `hypervisor/drivers/${d}` })),
  ];
  return wanted.filter((w) => !exists(w.dir)).map((w) => problem(w.path, `no folder ${w.dir}/`));
};

const defaultImageExists: Rule = ({ defaultImage }, { images }) =>
  defaultImage === undefined || images === undefined || images.includes(defaultImage)
    ? []
    : [problem(["default_image"], `no image "${defaultImage}" (images: ${images.join(", ") || "none"})`)];

const RULES: readonly Rule[] = [
  hartsAtLeastOne,
  hartsAtMostTheCap,
  smpMatchesHarts,
  windowsFitIn64Bits,
  loadAddressInDram,
  loadAddressPageAligned,
  windowsDisjoint,
  qemuMemoryCoversDram,
  stackSizeAligned,
  isaHasMechanismExtensions,
  definesDoNotShadow,
  driversUnique,
  sourceFoldersExist,
  defaultImageExists,
];
