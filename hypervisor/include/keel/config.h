/* config.h - compile-time limits of the hypervisor, on top of the port facts
 * in the generated keel_port.h (docs/design/build-inputs.md). */
#ifndef KEEL_CONFIG_H
#define KEEL_CONFIG_H

#include <keel_port.h>

/* Capsules one image may carry; sizes the static capsule and G-stage arrays. */
#ifndef KEEL_MAX_CAPSULES
#define KEEL_MAX_CAPSULES 16
#endif

/* vCPUs one capsule may have; sizes the static vCPU arrays. vCPU ids are
 * SBI hart ids inside the capsule (hart masks are 64 bits wide). */
#define KEEL_MAX_VCPUS 8

/* Length of a scheduling time slice (the M-mode timer preempts a vCPU that
 * used it up while another one waits). */
#define KEEL_SLICE_US 5000

/* SRST reboots a capsule may ask for before it is treated as failed. */
#define KEEL_MAX_REBOOTS 16

/* Every capsule sees its RAM at this guest-physical address. */
#define KEEL_GUEST_RAM_BASE 0x80000000UL

/* Largest guest RAM: one G-stage level-1 table (1 GiB of 2 MiB leaves). */
#define KEEL_GUEST_RAM_MAX (1UL << 30)

/* Capsule RAM is carved in 2 MiB steps so G-stage can map it with 2 MiB leaves. */
#define KEEL_CAPSULE_ALIGN (2UL << 20)

/* The guest device tree lives in the last KEEL_GUEST_DTB_MAX bytes of guest RAM. */
#define KEEL_GUEST_DTB_MAX 0x4000UL

/* Longest console line (without the tag); longer lines are split. */
#define KEEL_LINE_MAX 120

/* A capsule's console output allowance: a burst of this many bytes, refilled
 * at this many bytes a second (about a 160 kbit/s line); lines beyond it are
 * dropped and counted (console.h). */
#define KEEL_CONSOLE_BURST (64UL * 1024)
#define KEEL_CONSOLE_RATE (16UL * 1024)

/* Console input waiting for a capsule (bytes); more is dropped. */
#define KEEL_INPUT_MAX 256

/* The hypervisor log keeps the last this many bytes of klog text (keel-sbi.md LOG). */
#define KEEL_LOG_SIZE 16384

#endif
