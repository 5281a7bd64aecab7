/* runq.h - the run queues and the choice of the next vCPU (core/runq.c).
 * Pure list work on vCPU fields: sched.c holds the scheduler lock around
 * every call and does everything that touches a hart. Host-tested
 * (test/c/). */
#ifndef KEEL_RUNQ_H
#define KEEL_RUNQ_H

#include <keel/capsule.h>
#include <keel/types.h>

#define RUNQ_PRIOS 2  /* 0 normal, 1 high */

struct runq {
	/* RUNNABLE vCPUs whose home is hart h, by priority, oldest first */
	struct vcpu *head[CONFIG_MAX_HARTS][RUNQ_PRIOS];
	u64 min_vruntime;  /* roughly the least vruntime of the vCPUs that run; never decreases */
};

/* A vCPU's priority: 1 for a capsule of image priority high, else 0. */
unsigned runq_prio(const struct vcpu *v);

/* Lowest hart in a mask (0 for an empty mask). */
unsigned runq_first_hart(u64 mask);

/* Puts v (RUNNABLE now) at the tail of its home hart's queue; a home the
 * capsule's affinity does not allow becomes the lowest allowed hart. */
void runq_add(struct runq *q, struct vcpu *v);

/* Takes v off its home hart's queue (no-op if it is not on it). */
void runq_remove(struct runq *q, struct vcpu *v);

/* The runnable vCPU hart hartid should run next, taken off its queue, or
 * NULL: the highest priority first; inside a priority the least vruntime,
 * where a vCPU queued on another hart counts slice more (a hart keeps its
 * own work unless someone elsewhere fell a slice behind); only vCPUs whose
 * capsule's affinity allows hartid; ties go to the lower hart, then the
 * older entry. Raises min_vruntime to the picked vCPU's vruntime. */
struct vcpu *runq_pick(struct runq *q, unsigned hartid, u64 slice);

/* Is a vCPU of at least priority p queued anywhere that hartid may run? */
bool runq_waiting_for(const struct runq *q, unsigned hartid, unsigned p);

#endif
