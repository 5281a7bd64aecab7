// Prepares the Kconfig compatibility suite by hand (`keel test` does it by itself): installs the packages
// (as root), extracts the Kconfig files of Debian's linux-source-6.1, builds the kernel's own conf once and
// records its references, all cached by the tarball's hash. Prints where everything is.
//   node --import tsx test/kconfig-compat/prepare.ts [--conf]   (--conf: print only conf's path)

import { confPath, linuxRef, linuxSrc, prepareLinux } from "./linux.ts";

try {
  await prepareLinux((l) => process.stderr.write(`${l}\n`));
} catch (e) {
  process.stderr.write(`prepare: ${(e as Error).message}\n`);
  process.exit(1);
}
if (process.argv.includes("--conf")) process.stdout.write(`${confPath()}\n`);
else process.stdout.write(`tree: ${linuxSrc()}\nreferences: ${linuxRef()}\nconf: ${confPath()}\n`);
