/* runq.c - run queues and picking (see keel/runq.h; the policy is the
 * opening comment of sched.c). Called with the scheduler lock held. */
#include <keel/runq.h>

unsigned runq_prio(const struct vcpu *v)
{
	return v->capsule->high_priority ? 1 : 0;
}

/* A plain loop: the builtins call libgcc helpers this toolchain only has
 * for another float ABI. */
unsigned runq_first_hart(u64 mask)
{
	for (unsigned h = 0; h < 64; h++)
		if (mask & (1UL << h))
			return h;
	return 0;
}

void runq_add(struct runq *q, struct vcpu *v)
{
	u64 aff = v->capsule->affinity;
	struct vcpu **pp;

	if (v->home >= CONFIG_MAX_HARTS || !(aff & (1UL << v->home)))
		v->home = runq_first_hart(aff);
	v->state = VCPU_RUNNABLE;
	v->next = NULL;
	for (pp = &q->head[v->home][runq_prio(v)]; *pp; pp = &(*pp)->next)
		;
	*pp = v;
}

void runq_remove(struct runq *q, struct vcpu *v)
{
	for (struct vcpu **pp = &q->head[v->home][runq_prio(v)]; *pp; pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			v->next = NULL;
			return;
		}
	}
}

struct vcpu *runq_pick(struct runq *q, unsigned hartid, u64 slice)
{
	u64 bit = 1UL << hartid;

	for (int p = RUNQ_PRIOS - 1; p >= 0; p--) {
		struct vcpu **best = NULL;
		u64 best_key = 0;

		for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++) {
			for (struct vcpu **pp = &q->head[h][p]; *pp; pp = &(*pp)->next) {
				struct vcpu *v = *pp;
				u64 key = v->vruntime + (h == hartid ? 0 : slice);

				if (!(v->capsule->affinity & bit))
					continue;
				if (!best || key < best_key) {
					best = pp;
					best_key = key;
				}
			}
		}
		if (best) {
			struct vcpu *v = *best;

			*best = v->next;
			v->next = NULL;
			if (v->vruntime > q->min_vruntime)
				q->min_vruntime = v->vruntime;
			return v;
		}
	}
	return NULL;
}

bool runq_waiting_for(const struct runq *q, unsigned hartid, unsigned p)
{
	for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++)
		for (unsigned r = p; r < RUNQ_PRIOS; r++)
			for (const struct vcpu *v = q->head[h][r]; v; v = v->next)
				if (v->capsule->affinity & (1UL << hartid))
					return true;
	return false;
}
