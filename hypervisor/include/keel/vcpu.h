/* vcpu.h - a virtual hart. The register state and the world switch are
 * arch code (arch/<arch>/vcpu.c, trap.S); the states are described in
 * docs/design/vcpu-states.md. */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <arch/vcpu.h>
#include <keel/types.h>
#include <keel/vtimer.h>

struct capsule;

struct vcpu {
	struct vcpu_arch arch;   /* first: the world switch works on it */
	struct capsule *capsule;
	unsigned id;             /* vCPU id inside the capsule (a0 at entry) */
	struct vtimer timer;
};

/* Sets the state of a freshly booted vCPU: pc = entry, a0, a1, everything
 * else zero / reset value, supervisor mode. Touches no hardware. */
void vcpu_reset(struct vcpu *v, u64 entry, u64 a0, u64 a1);

/* Puts the vCPU's virtual-supervisor state on this hart. */
void vcpu_load(struct vcpu *v);

/* Takes it off again: saves that state and leaves the hart clean. */
void vcpu_put(struct vcpu *v);

/* Runs the loaded vCPU until its next trap into the hypervisor. */
void vcpu_run(struct vcpu *v);

/* Handles that trap (arch/<arch>/trap.c): emulates, answers SBI, reflects
 * it to the guest, or asks the capsule to end. */
void vcpu_handle_exit(struct vcpu *v);

#endif
