// Help texts for keel and each of its commands (-h).
import type { Command } from "./args.ts";

const COMMON = `Options:
  -Dsystem=<port>       hardware port (default: ports/default.yaml; see keel ports)
  -Doptimize=<mode>     Debug | ReleaseSafe | ReleaseFast | ReleaseSmall (default Debug)
  -Dimage=<image>       which capsules go in (images/<image>.yaml; default: the port's default_image)
  -Dconfig=<name>       hypervisor configuration configs/<name>_defconfig (default: default); its .config
                        lives in the build dir, edit it with keel kconfig menuconfig
  --out DIR, O=DIR      output directory (default: out)
  -j N                  parallel jobs (default: number of cores)
  -v, V=1, VERBOSE=1|y  print every command
  --explain, V=2        say why each step ran
                        (O=, V=, VERBOSE= go anywhere on the line, as Kbuild's; a setting given
                        twice is refused)
  -h, --help            this help`;

const TEXT: Record<Command, string> = {
  help: `keel - build, bundle, boot and test the Keel RISC-V hypervisor

Usage: keel <command> [options]

Commands:
  build     build the hypervisor and an image's capsules into one bootable ELF
  run       build, then boot the image in QEMU with the console on this terminal
  test      run every check: lint, format, types, unit, golden and boot tests
  ports     list the hardware ports (the default is marked)
  inspect   describe a built image (the bundle and its capsules), an initramfs or a payload
  clean     remove the output directory
  doctor    check Node, QEMU, the cross compiler and the device-tree compiler
  kconfig   configure any Kconfig tree (defconfig, oldconfig, menuconfig, ...)
            (keel menuconfig, keel defconfig, ... are short for keel kconfig menuconfig, ...)

Run keel <command> -h for a command's options.`,
  build: `Usage: keel build [options]

Builds the hypervisor for a port, every guest of the image, bundles them into one ELF and
prints its path last. out/keel.elf links to the latest image. A second build does nothing.

${COMMON}`,
  run: `Usage: keel run [options] [-- <extra QEMU arguments>]

Builds like keel build, then boots the image in QEMU (-bios none) with the serial console on
this terminal (Ctrl-C goes to the guest). Leave QEMU with Ctrl-A x.
Exit status: QEMU's when the hypervisor ended the machine (0 when every capsule shut down
cleanly, 1 when one failed); 3 when QEMU was left with Ctrl-A x, 128+N when it was stopped by
signal N (SIGINT, SIGTERM and SIGHUP sent to keel are passed on to QEMU) before every capsule
ended, with a line saying so. QEMU never outlives keel run.

${COMMON}`,
  test: `Usage: keel test [--static] [--unit] [--boot] [-- <test name pattern>]

Runs the static checks (tsc, eslint, prettier), the unit and golden tests, and the boot tests
in real QEMU. With --static/--unit/--boot only those groups run. Ends with "N passed, N failed".

${COMMON}`,
  ports: `Usage: keel ports

Lists ports/*.yaml with their descriptions; the default (ports/default.yaml) is marked with *.`,
  inspect: `Usage: keel inspect <image.elf | bundle.bin | initramfs.cpio[.gz] | payload.elf>

Prints the bundle inside a Keel image: format version, and for each capsule its name, RAM,
vCPUs, hart, payload size, SHA-256 (checked) and bootargs. For an initramfs, lists its
contents like cpio -tv (mode, links, uid, gid, size or device, date, name -> target); for a
Linux payload (out/.../guests/rootvm.elf), its segments, initrd location and initramfs.`,
  clean: `Usage: keel clean [--cache] [--out DIR]

Removes the output directory. --cache also empties the recipe cache ($XDG_CACHE_HOME/keel).`,
  kconfig: `Usage: keel kconfig [--tree DIR] [--autoconf DIR] [O=DIR] [VAR=value ...] <command> [args]
       keel kconfig [-Dsystem=P] [-Doptimize=M] [-Dconfig=C] [--out DIR] <command> [args]

The second form (no --tree, run where there is no Kconfig file, e.g. in the Keel checkout)
configures the hypervisor: hypervisor/Kconfig with the port's facts, editing the .config of
the build dir keel build uses with the same -D options (out/<port>-<optimize>[-<config>]/);
defconfig without FILE means configs/<config>_defconfig. The next keel build recompiles only
the units that mention a changed symbol.

Linux's configuration targets on any Kconfig tree (default: the current directory), with
outputs byte-identical to Linux 6.1's conf. VAR=value sets the environment the Kconfig files
read (e.g. ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-); on a Linux tree the variables the
kernel Makefile exports (SRCARCH, CC, LD, KERNELVERSION, srctree, ...) are derived as make does.
Files are written atomically, and only when their content changes.

Commands:
  config            ask about every symbol, line by line (conf --oldaskconfig)
  oldconfig         ask only about symbols new to .config
  olddefconfig      .config with every new symbol at its default
  defconfig [FILE]  .config from a defconfig (default arch/$SRCARCH/configs/defconfig or
                    ./defconfig; FILE may also name configs/FILE in the tree)
  savedefconfig [FILE]  the minimal defconfig for .config (default: defconfig)
  allnoconfig, allyesconfig, allmodconfig, alldefconfig
  tinyconfig        make tinyconfig: allnoconfig with kernel/configs/tiny-base.config, then
                    kernel/configs/tiny.config and arch/$SRCARCH/configs/tiny.config merged in,
                    then olddefconfig
  menuconfig        full-screen menus: toggle, edit values, help (?), search (/), save

Options:
  --tree DIR        the Kconfig tree (default: the current directory)
  --file NAME       the top Kconfig file in the tree (default: Kconfig)
  O=DIR             where .config is read and written and probes run (default: the tree)
  --autoconf DIR    also write DIR/auto.conf, DIR/autoconf.h and DIR/auto.conf.cmd
  --no-probe-cache  run every $(shell,...) probe and parse the tree, instead of using the
                    probe and tree caches ($KEEL_CACHE_DIR or $XDG_CACHE_HOME/keel,
                    kconfig-probes/ and kconfig-trees/)
  KCONFIG_CONFIG=NAME  the configuration file's name (default: .config)`,
  doctor: `Usage: keel doctor

Checks the host: Node.js, qemu-system-riscv64, the cross compiler (CROSS_COMPILE or
KEEL_TOOLCHAIN=clang to choose another) and dtc, and prints what to install.`,
};

export function usage(command: Command): string {
  return TEXT[command];
}
