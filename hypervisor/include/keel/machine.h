/* machine.h - the machine as a whole (core/machine.c): which capsule owns
 * it, whether it is ending, and the power-off with its summary line. A leaf
 * under the lifecycle (core/lifecycle.c decides when; this file never posts
 * a request). docs/design/vcpu-states.md, "Who changes what". */
#ifndef KEEL_MACHINE_H
#define KEEL_MACHINE_H

#include <keel/capsule.h>

/* Boot hart, capsule creation: c's image entry says owns_machine; the
 * first such capsule owns the machine. */
void machine_claim_owner(struct capsule *c);

/* The capsule that owns the machine, or NULL. Set before any hart runs a
 * vCPU, never changed after. */
struct capsule *machine_owner(void);

/* Scheduler lock held: is the machine ending (every capsule being stopped,
 * the last one to end powers off)? machine_set_ending() makes it so, once
 * and for good. */
bool machine_ending(void);
void machine_set_ending(void);

/* Summary line, then power off: with an owner the exit status is the
 * owner's (0 if it shut down clean); without one, 0 only if every capsule
 * ended clean. The first caller does it; later ones return. */
void machine_power_off(void);

#endif
