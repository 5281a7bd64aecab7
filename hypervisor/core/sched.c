/* sched.c - capsule placement and the end of the machine (see keel/sched.h).
 * Run-to-completion: a hart runs its capsules one after another in bundle
 * order, so a vCPU never shares its hart while its capsule lives. */
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/hart.h>
#include <keel/poweroff.h>
#include <keel/sched.h>

static u64 usable_harts;
static unsigned next_any;  /* round-robin position for KEEL_HART_ANY */

/* Ended capsules, and how many of them ended clean. */
static u32 ended, clean;
static u32 finished;

void sched_init(u64 hart_mask)
{
	usable_harts = hart_mask;
}

int sched_place(struct capsule *c, unsigned record_hart, const char **why)
{
	unsigned count = 0, pick;

	for (unsigned h = 0; h < KEEL_MAX_HARTS; h++)
		count += (usable_harts >> h) & 1;
	if (record_hart != KEEL_HART_ANY) {
		if (record_hart >= KEEL_MAX_HARTS || !(usable_harts & (1UL << record_hart))) {
			*why = "requested hart not present";
			return -1;
		}
		c->hart = record_hart;
		return 0;
	}
	if (count == 0) {
		*why = "no usable hart";
		return -1;
	}
	pick = next_any++ % count;
	for (unsigned h = 0; h < KEEL_MAX_HARTS; h++) {
		if (!(usable_harts & (1UL << h)))
			continue;
		if (pick-- == 0) {
			c->hart = h;
			break;
		}
	}
	return 0;
}

/* Summary line, then power off: exit 0 only if every capsule ended clean. */
static void finish(void)
{
	u32 n = __atomic_load_n(&ended, __ATOMIC_SEQ_CST);
	u32 ok = __atomic_load_n(&clean, __ATOMIC_SEQ_CST);

	if (__atomic_exchange_n(&finished, 1, __ATOMIC_SEQ_CST))
		return;
	klog("all capsules ended: %u clean, %u failed", ok, n - ok);
	poweroff(ok == n ? 0 : 1);
}

void sched_capsule_ended(struct capsule *c)
{
	if (c->outcome == CAPSULE_CLEAN)
		__atomic_add_fetch(&clean, 1, __ATOMIC_SEQ_CST);
	if (__atomic_add_fetch(&ended, 1, __ATOMIC_SEQ_CST) == capsule_count)
		finish();
}

void sched_run(unsigned long hartid)
{
	/* Nothing to run at all (an empty bundle): the boot hart ends the machine. */
	if (capsule_count == 0)
		finish();
	for (unsigned i = 0; i < capsule_count; i++) {
		struct capsule *c = &capsules[i];

		if (c->hart == hartid && c->state == CAPSULE_READY)
			capsule_run(c);
	}
	hart_park();
}
