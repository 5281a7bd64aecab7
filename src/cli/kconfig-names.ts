// The configuration targets of `keel kconfig` (Linux's names), in a module of their own so that the argument
// parser can offer `keel menuconfig` as `keel kconfig menuconfig` without loading the Kconfig engine.
export const KCONFIG_COMMANDS = [
  "config",
  "oldconfig",
  "olddefconfig",
  "defconfig",
  "savedefconfig",
  "allnoconfig",
  "allyesconfig",
  "allmodconfig",
  "alldefconfig",
  "tinyconfig",
  "menuconfig",
] as const;
export type KconfigCommand = (typeof KCONFIG_COMMANDS)[number];

export function isKconfigCommand(s: string): s is KconfigCommand {
  return (KCONFIG_COMMANDS as readonly string[]).includes(s);
}
