/* config.h - fixed compile-time limits of the hypervisor. The port facts
 * are in the generated keel_port.h (docs/design/build-inputs.md); the
 * configurable limits (harts, capsules, vCPUs, time slice, reboots, log
 * size; core/Kconfig) come from the generated autoconf.h every unit gets with
 * -include, and are used by their CONFIG_ names directly, never through an
 * alias here: a unit then depends on exactly the symbols it mentions
 * (docs/design/hypervisor-config.md; this comment names none on purpose). */
#ifndef KEEL_CONFIG_H
#define KEEL_CONFIG_H

#include <keel_port.h>
#include <keel/guest_map.h>  /* the guest-physical map, for the units that size guest RAM */
#include <keel/kconfig.h>

/* Capsule RAM is carved in 2 MiB steps so G-stage can map it with 2 MiB leaves. */
#define KEEL_CAPSULE_ALIGN (2UL << 20)

/* A capsule's console output allowance: a burst of this many bytes, refilled
 * at this many bytes a second (about a 160 kbit/s line); lines beyond it are
 * dropped and counted (console.h). */
#define KEEL_CONSOLE_BURST (64UL * 1024)
#define KEEL_CONSOLE_RATE (16UL * 1024)

/* Console input waiting for a capsule (bytes); more is dropped. */
#define KEEL_INPUT_MAX 256


#endif
