// ResolvedPort -> the QEMU command line that boots a Keel ELF on that port.

import { formatSize } from "../yamlfile/scalars.ts";
import type { ResolvedPort } from "./resolve.ts";

/** The program that runs a port's QEMU (src/qemu/provide.ts finds it): binary and its own first arguments. */
export interface QemuStart {
  binary: string;
  args: readonly string[];
}

/** A port whose QEMU is the binary its file names, on PATH (qemu.from: host). */
export function hostQemu(port: ResolvedPort): QemuStart {
  if (port.qemu.from !== "host")
    throw new Error(`hostQemu: port ${port.name} runs QEMU from ${port.qemu.from} (src/qemu/provide.ts)`);
  return { binary: port.qemu.binary, args: [] };
}

/**
 * `[binary, ...program args, -M, machine, -cpu, cpu, -smp, n, -m, mem, ...port args, -kernel, elf, ...extra]`.
 * `extra` is the user's own arguments (e.g. `-s -S` to wait for gdb), last so they can override.
 */
export function qemuArgv(
  program: QemuStart,
  port: ResolvedPort,
  elf: string,
  extra: readonly string[] = [],
): string[] {
  const { qemu } = port;
  return [
    program.binary,
    ...program.args,
    "-M",
    qemu.machine,
    "-cpu",
    qemu.cpu,
    "-smp",
    String(qemu.smp),
    "-m",
    formatSize(qemu.memory),
    ...qemu.args,
    "-kernel",
    elf,
    ...extra,
  ];
}
