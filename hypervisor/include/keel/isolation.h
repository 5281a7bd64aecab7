/* isolation.h - keep capsules apart and away from the hypervisor.
 *
 * One implementation per port, under arch/<arch>/isolation/<name>/
 * (gstage: Sv39x4 G-stage translation + a PMP guard; a PMP-only port
 * later). Capsules are named by their index (0 .. CONFIG_MAX_CAPSULES-1). */
#ifndef KEEL_ISOLATION_H
#define KEEL_ISOLATION_H

#include <keel/types.h>

/* A capsule's RAM: guest-physical [gpa, gpa+size) backed by host [hpa, ...). */
struct isol_region {
	u64 gpa;
	u64 hpa;
	u64 size;
};

/* Boot hart, once: checks the hardware can do it. 0, or -1 with *why. */
int isol_init(const char **why);

/* Every hart: guards the hypervisor's own memory [hv_base, hv_end) from
 * guests. Called before the hart runs any guest. */
void isol_hart_init(u64 hv_base, u64 hv_end);

/* Builds the capsule's address space (boot hart). 0, or -1 with *why. */
int isol_capsule_init(unsigned id, const struct isol_region *ram, const char **why);

/* Makes the capsule's address space current on this hart and flushes stale
 * translations of it (called before each boot of the capsule). */
void isol_capsule_activate(unsigned id);

/* Leaves no translation of the capsule on this hart. */
void isol_capsule_deactivate(unsigned id);

#endif
