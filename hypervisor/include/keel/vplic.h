/* vplic.h - a capsule's emulated PLIC (core/vplic.c), the interrupt
 * controller of its device table (keel/mmio.h): sources 1..VPLIC_NDEV are
 * the lines of the devices registered with those numbers; context 2n is vCPU n's
 * M-mode (never delivered), 2n + 1 its S-mode, whose level becomes
 * hvip.VSEIP (mmio_irq_level). Window: keel/guest_map.h. */
#ifndef KEEL_VPLIC_H
#define KEEL_VPLIC_H

#include <keel/config.h>
#include <keel/guest_map.h>
#include <keel/mmio.h>
#include <keel/types.h>

/* Under the capsule's table lock. Bit s of a mask is source s. */
struct vplic_state {
	u32 priority[VPLIC_NDEV + 1];       /* [0] unused: source 0 does not exist */
	u32 claimed;                        /* in service: not pending until completed */
	u32 enabled[2 * CONFIG_MAX_VCPUS];  /* per context */
	u32 threshold[2 * CONFIG_MAX_VCPUS];
};

/* Capsule creation: adds c's PLIC (state c->plic) to its table. 0 or -1
 * with *why. */
int vplic_attach(struct capsule *c, const char **why);

#endif
