/* autoconf.h for the host-side C tests: the hypervisor's default
 * configuration (core/Kconfig defaults, configs/default_defconfig) for the
 * symbols the tested units use. The real one is generated per build
 * (docs/design/build-inputs.md); the tests need a fixed one. */
#define CONFIG_MAX_HARTS 8
#define CONFIG_MAX_CAPSULES 16
#define CONFIG_MAX_VCPUS 8
#define CONFIG_SLICE_US 5000
#define CONFIG_MAX_REBOOTS 16
#define CONFIG_LOG_LEVEL 1
#define CONFIG_LOG_SIZE 16384
#define CONFIG_CONSOLE_LINE_MAX 256
#define CONFIG_SBI_BASE 1
