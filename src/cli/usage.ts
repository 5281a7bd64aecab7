// Help texts for keel and each of its commands (-h).
import type { Command } from "./args.ts";

const COMMON = `Options:
  -Dsystem=<port>       hardware port (default: ports/default.yaml; see keel ports)
  -Doptimize=<mode>     Debug | ReleaseSafe | ReleaseFast | ReleaseSmall (default Debug)
  -Dimage=<image>       which capsules go in (images/<image>.yaml; default: the port's default_image)
  --out DIR, O=DIR      output directory (default: out)
  -j N                  parallel jobs (default: number of cores)
  -v, VERBOSE=1         print every command
  --explain             say why each step ran
  -h, --help            this help`;

const TEXT: Record<Command, string> = {
  help: `keel - build, bundle, boot and test the Keel RISC-V hypervisor

Usage: keel <command> [options]

Commands:
  build     build the hypervisor and an image's capsules into one bootable ELF
  run       build, then boot the image in QEMU with the console on this terminal
  test      run every check: lint, format, types, unit, golden and boot tests
  ports     list the hardware ports (the default is marked)
  inspect   describe a built image (the bundle and its capsules)
  clean     remove the output directory
  doctor    check Node, QEMU, the cross compiler and the device-tree compiler

Run keel <command> -h for a command's options.`,
  build: `Usage: keel build [options]

Builds the hypervisor for a port, every guest of the image, bundles them into one ELF and
prints its path last. out/keel.elf links to the latest image. A second build does nothing.

${COMMON}`,
  run: `Usage: keel run [options] [-- <extra QEMU arguments>]

Builds like keel build, then boots the image in QEMU (-bios none) with the serial console on
this terminal. QEMU's exit status is keel's: 0 when every capsule shut down cleanly.
Leave QEMU with Ctrl-A x.

${COMMON}`,
  test: `Usage: keel test [--static] [--unit] [--boot] [-- <test name pattern>]

Runs the static checks (tsc, eslint, prettier), the unit and golden tests, and the boot tests
in real QEMU. With --static/--unit/--boot only those groups run. Ends with "N passed, N failed".

${COMMON}`,
  ports: `Usage: keel ports

Lists ports/*.yaml with their descriptions; the default (ports/default.yaml) is marked with *.`,
  inspect: `Usage: keel inspect <image.elf | bundle.bin>

Prints the bundle inside a Keel image: format version, and for each capsule its name, RAM,
vCPUs, hart, payload size, SHA-256 (checked) and bootargs.`,
  clean: `Usage: keel clean [--cache] [--out DIR]

Removes the output directory. --cache also empties the recipe cache ($XDG_CACHE_HOME/keel).`,
  doctor: `Usage: keel doctor

Checks the host: Node.js, qemu-system-riscv64, the cross compiler (CROSS_COMPILE or
KEEL_TOOLCHAIN=clang to choose another) and dtc, and prints what to install.`,
};

export function usage(command: Command): string {
  return TEXT[command];
}
