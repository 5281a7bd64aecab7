/* test_runq.c - run queues and the scheduler's pick (core/runq.c): priority
 * first, least vruntime, a slice's penalty for another hart's queue,
 * affinity, FIFO on ties, min_vruntime; then random queue operations
 * checked against the rule the pick must follow.
 * keel-test-sources: hypervisor/core/runq.c */
#include "capsule_fake.h"
#include "check.h"
#include <string.h>
#include <keel/runq.h>

#define SLICE 100

static struct capsule caps[4];
static struct runq q;

static void setup(void)
{
	memset(&q, 0, sizeof(q));
	for (unsigned i = 0; i < 4; i++) {
		capsule_fake(&caps[i], i, CONFIG_MAX_VCPUS);
		caps[i].affinity = (1UL << CONFIG_MAX_HARTS) - 1;
	}
}

static struct vcpu *add(unsigned cap, unsigned n, unsigned home, u64 vruntime)
{
	struct vcpu *v = &caps[cap].vcpus[n];

	v->home = home;
	v->vruntime = vruntime;
	runq_add(&q, v);
	return v;
}

static void test_rules(void)
{
	struct vcpu *a, *b, *c, *d;

	/* Least vruntime wins on the same hart; FIFO on a tie. */
	setup();
	a = add(0, 0, 0, 50);
	b = add(0, 1, 0, 20);
	c = add(0, 2, 0, 20);
	CHECK_EQ(a->state, VCPU_RUNNABLE);
	CHECK(runq_pick(&q, 0, SLICE) == b);
	CHECK(runq_pick(&q, 0, SLICE) == c);
	CHECK(runq_pick(&q, 0, SLICE) == a);
	CHECK(runq_pick(&q, 0, SLICE) == NULL);
	CHECK_EQ(q.min_vruntime, 50);

	/* High priority before any normal one, whatever the vruntime. */
	setup();
	caps[1].high_priority = true;
	a = add(0, 0, 0, 0);
	b = add(1, 0, 0, 1000);
	CHECK_EQ(runq_prio(b), 1);
	CHECK(runq_waiting_for(&q, 0, 1));
	CHECK(runq_pick(&q, 0, SLICE) == b);
	CHECK(!runq_waiting_for(&q, 0, 1));
	CHECK(runq_waiting_for(&q, 0, 0));
	CHECK(runq_pick(&q, 0, SLICE) == a);
	CHECK(!runq_waiting_for(&q, 0, 0));

	/* Another hart's vCPU counts a slice more: taken only when a slice behind. */
	setup();
	a = add(0, 0, 0, 100);
	b = add(0, 1, 1, 10);           /* 10 + SLICE > 100: hart 0 keeps its own */
	CHECK(runq_pick(&q, 0, SLICE) == a);
	CHECK(runq_pick(&q, 0, SLICE) == b); /* nothing of its own: steals */
	setup();
	a = add(0, 0, 0, 300);
	b = add(0, 1, 1, 10);           /* 10 + SLICE < 300: stolen */
	CHECK(runq_pick(&q, 0, SLICE) == b);

	/* Affinity: hart 1 never takes a vCPU of a capsule pinned to hart 0. */
	setup();
	caps[2].affinity = 1UL << 0;
	a = add(2, 0, 0, 0);
	CHECK(!runq_waiting_for(&q, 1, 0));
	CHECK(runq_pick(&q, 1, SLICE) == NULL);
	CHECK(runq_pick(&q, 0, SLICE) == a);

	/* A home outside the affinity becomes the lowest allowed hart. */
	setup();
	caps[3].affinity = (1UL << 2) | (1UL << 5);
	a = add(3, 0, 0, 0);
	CHECK_EQ(a->home, 2);
	b = add(3, 1, CONFIG_MAX_HARTS, 0);
	CHECK_EQ(b->home, 2);
	c = add(3, 2, 5, 0);
	CHECK_EQ(c->home, 5);

	/* Remove takes exactly that vCPU out. */
	setup();
	a = add(0, 0, 0, 1);
	b = add(0, 1, 0, 2);
	c = add(0, 2, 0, 3);
	runq_remove(&q, b);
	CHECK(b->next == NULL);
	runq_remove(&q, b);             /* not queued: no-op */
	CHECK(runq_pick(&q, 0, SLICE) == a);
	CHECK(runq_pick(&q, 0, SLICE) == c);
	CHECK(runq_pick(&q, 0, SLICE) == NULL);

	/* min_vruntime never goes down. */
	setup();
	q.min_vruntime = 500;
	d = add(0, 0, 0, 10);
	CHECK(runq_pick(&q, 0, SLICE) == d);
	CHECK_EQ(q.min_vruntime, 500);

	CHECK_EQ(runq_first_hart(0), 0);
	CHECK_EQ(runq_first_hart(1UL << 63), 63);
	CHECK_EQ(runq_first_hart(0x30), 4);
}

/* Random adds / removes / picks: each pick must be a queued vCPU the hart
 * may run, with no better one queued (the rule in keel/runq.h). */
static void test_random(unsigned long iters)
{
	bool queued[4][CONFIG_MAX_VCPUS];

	setup();
	memset(queued, 0, sizeof(queued));
	caps[1].high_priority = true;
	caps[2].affinity = 0x3;
	caps[3].affinity = 0x4;
	for (unsigned long i = 0; i < iters; i++) {
		unsigned cap = (unsigned)(fuzz_next() % 4), n = (unsigned)(fuzz_next() % CONFIG_MAX_VCPUS);
		unsigned hart = (unsigned)(fuzz_next() % CONFIG_MAX_HARTS);
		unsigned op = (unsigned)(fuzz_next() % 3);

		if (op == 0 && !queued[cap][n]) {
			add(cap, n, (unsigned)(fuzz_next() % (CONFIG_MAX_HARTS + 1)), fuzz_next() % 1000);
			queued[cap][n] = true;
		} else if (op == 1 && queued[cap][n]) {
			runq_remove(&q, &caps[cap].vcpus[n]);
			queued[cap][n] = false;
		} else if (op == 2) {
			struct vcpu *v = runq_pick(&q, hart, SLICE);
			u64 key;

			if (!v) {
				for (unsigned c = 0; c < 4; c++)
					for (unsigned m = 0; m < CONFIG_MAX_VCPUS; m++)
						CHECK(!queued[c][m] || !(caps[c].affinity & (1UL << hart)));
				continue;
			}
			CHECK(queued[v->capsule->id][v->id]);
			CHECK(v->capsule->affinity & (1UL << hart));
			queued[v->capsule->id][v->id] = false;
			key = v->vruntime + (v->home == hart ? 0 : SLICE);
			for (unsigned c = 0; c < 4; c++) {
				for (unsigned m = 0; m < CONFIG_MAX_VCPUS; m++) {
					struct vcpu *o = &caps[c].vcpus[m];

					if (!queued[c][m] || !(caps[c].affinity & (1UL << hart)))
						continue;
					CHECK(runq_prio(o) <= runq_prio(v));
					if (runq_prio(o) == runq_prio(v))
						CHECK(o->vruntime + (o->home == hart ? 0 : SLICE) >= key);
				}
			}
		}
	}
}

int main(int argc, char **argv)
{
	test_rules();
	test_random(fuzz_iterations(argc, argv, 200000));
	return check_done("runq");
}
