/* sched.h - which capsule runs on which hart, and when the machine ends.
 * One vCPU per capsule; each hart runs its capsules one after another in
 * bundle order; capsules on different harts run at the same time. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/capsule.h>
#include <keel/types.h>

/* Boot hart: the harts capsules may use (present in the device tree and
 * arrived at the entry code). */
void sched_init(u64 hart_mask);

/* Chooses c->hart: record hart if given, else round-robin in bundle order
 * over the usable harts. 0, or -1 with *why if the record's hart is absent. */
int sched_place(struct capsule *c, unsigned record_hart, const char **why);

/* Counts an ended capsule. The last one prints the summary and powers the
 * machine off (exit 0 if every capsule ended clean, else 1). */
void sched_capsule_ended(struct capsule *c);

/* Runs this hart's capsules, then parks the hart. */
__attribute__((noreturn)) void sched_run(unsigned long hartid);

#endif
