// ResolvedPort -> the QEMU command line that boots a Keel ELF on that port.

import { formatSize } from "../yamlfile/scalars.ts";
import type { ResolvedPort } from "./resolve.ts";

/**
 * `[binary, -M, machine, -cpu, cpu, -smp, n, -m, mem, ...port args, -kernel, elf, ...extra]`.
 * `extra` is the user's own arguments (e.g. `-s -S` to wait for gdb), last so they can override.
 */
export function qemuArgv(port: ResolvedPort, elf: string, extra: readonly string[] = []): string[] {
  const { qemu } = port;
  return [
    qemu.binary,
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
