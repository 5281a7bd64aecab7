/* sched.c - vCPU scheduling across harts (keel/sched.h). It writes only
 * scheduler fields (vCPU state, hsm, leave, home, queues...); a capsule's
 * fate is core/lifecycle.c's, told through two hooks:
 * lifecycle_all_stopped_locked and lifecycle_drained. The state machine is
 * drawn in docs/design/vcpu-states.md.
 *
 * One lock guards every run queue, every vCPU's scheduler fields and every
 * capsule's request; it is held for short list walks only, never while a
 * guest runs, a capsule boots or a hart waits for another.
 *
 * Picking: high priority before normal; inside a priority, the runnable
 * vCPU that has run least (vruntime, in timebase ticks), where a vCPU on
 * another hart's queue counts one slice more, so a hart keeps its own work
 * unless someone elsewhere fell a slice behind, and an idle hart takes
 * anything its affinity allows. A vCPU that waited (WFI, stop, new) comes
 * back at most one slice behind the least-run one, so sleeping earns no
 * credit to starve others with. */
#include <keel/capsule.h>
#include <keel/console_input.h>
#include <keel/console.h>
#include <keel/hart.h>
#include <keel/irq.h>
#include <keel/isolation.h>
#include <keel/lib.h>
#include <keel/lifecycle.h>
#include <keel/mmio.h>
#include <keel/panic.h>
#include <keel/runq.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/vtimer.h>

struct hart_sched {
	struct vcpu *current;       /* RUNNING here, or NULL */
	bool idle;                  /* in hart_wait with nothing to run: kick it with an IPI */
	bool resched;               /* a higher-priority vCPU waits: leave at the next exit */
	u64 slice_end;              /* when current's slice is used up */
};

static spinlock_t lock = SPINLOCK_INIT;
static struct hart_sched harts[CONFIG_MAX_HARTS];
static struct runq runq;
static u64 slice;         /* CONFIG_SLICE_US in timebase ticks */

void sched_init(u64 timebase)
{
	slice = timebase * CONFIG_SLICE_US / 1000000;
	if (slice == 0)
		slice = 1;
}

void sched_lock(void)
{
	spin_lock(&lock);
}

void sched_unlock(void)
{
	spin_unlock(&lock);
}

/* Harts in a mask. A plain loop: the builtins call libgcc helpers this
 * toolchain only has for another float ABI. */
static unsigned hart_count(u64 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static unsigned self(void)
{
	return (unsigned)hart_id();
}

/* Lock held from here to the public functions below. */

/* Makes a runnable vCPU run soon: an idle hart it may use (its home first)
 * gets an IPI; failing that, a high-priority vCPU preempts a normal one. */
static void kick(struct vcpu *v)
{
	u64 aff = v->capsule->affinity;

	if (harts[v->home].idle) {
		hart_ipi_send(v->home);
		return;
	}
	for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++) {
		if ((aff & (1UL << h)) && harts[h].idle) {
			hart_ipi_send(h);
			return;
		}
	}
	if (runq_prio(v) == 0)
		return;
	for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++) {
		struct vcpu *cur = harts[h].current;

		if ((aff & (1UL << h)) && cur && runq_prio(cur) < runq_prio(v)) {
			harts[h].resched = true;
			hart_ipi_send(h);
			return;
		}
	}
}

/* A vCPU that was not runnable (waiting, stopped, new) becomes runnable. */
static void make_runnable(struct vcpu *v)
{
	if (v->vruntime + slice < runq.min_vruntime)
		v->vruntime = runq.min_vruntime - slice;
	runq_add(&runq, v);
	kick(v);
}

/* BLOCKED -> RUNNABLE; a non-retentive suspend restarts at its resume pc. */
static void wake(struct vcpu *v)
{
	if (v->hsm == VCPU_HSM_SUSPENDED && v->suspend_resume)
		vcpu_restart(v, v->resume_pc, v->id, v->resume_opaque);
	v->suspend_resume = false;
	v->hsm = VCPU_HSM_STARTED;
	make_runnable(v);
}

/* Every BLOCKED vCPU with an enabled interrupt pending (its deadline passed,
 * an IPI came) becomes runnable. */
static void wake_due(u64 now)
{
	for (unsigned i = 0; i < capsule_count; i++) {
		struct capsule *c = &capsules[i];

		for (unsigned n = 0; n < c->nr_vcpus; n++)
			if (c->vcpus[n].state == VCPU_BLOCKED && vcpu_wakeable(&c->vcpus[n], now))
				wake(&c->vcpus[n]);
	}
}

/* Programs this hart's timer: the end of current's slice, current's own
 * deadline when the vtimer needs the hart's timer for it, or the earliest
 * deadline of a vCPU waiting with this hart as home, whichever comes first. */
static void arm(unsigned hartid)
{
	struct hart_sched *h = &harts[hartid];
	u64 when = HART_TIMER_NEVER;

	if (h->current) {
		u64 d = vtimer_hart_deadline(&h->current->timer);

		when = d < h->slice_end ? d : h->slice_end;
	}

	for (unsigned i = 0; i < capsule_count; i++) {
		struct capsule *c = &capsules[i];

		for (unsigned n = 0; n < c->nr_vcpus; n++) {
			struct vcpu *v = &c->vcpus[n];
			u64 d;

			if (v->state != VCPU_BLOCKED || v->home != hartid)
				continue;
			d = vcpu_wake_deadline(v);
			if (d < when)
				when = d;
		}
	}
	hart_timer_set(when);
}

static bool all_stopped(const struct capsule *c)
{
	for (unsigned n = 0; n < c->nr_vcpus; n++)
		if (c->vcpus[n].state != VCPU_STOPPED)
			return false;
	return true;
}

void sched_capsule_stop_locked(struct capsule *c)
{
	for (unsigned n = 0; n < c->nr_vcpus; n++) {
		struct vcpu *v = &c->vcpus[n];

		switch (v->state) {
		case VCPU_RUNNABLE:
			runq_remove(&runq, v);
			v->state = VCPU_PARKED;
			break;
		case VCPU_BLOCKED:
			v->state = VCPU_PARKED;
			break;
		case VCPU_RUNNING:
			/* It leaves at its next exit; make that exit happen now. */
			if ((unsigned)v->running_on != self())
				hart_ipi_send((unsigned)v->running_on);
			break;
		default:
			break;
		}
	}
}

void sched_capsule_init(struct capsule *c)
{
	for (unsigned n = 0; n < CONFIG_MAX_VCPUS; n++) {
		struct vcpu *v = &c->vcpus[n];

		v->state = VCPU_STOPPED;
		v->hsm = VCPU_HSM_STOPPED;
		v->running_on = -1;
	}
}

void sched_capsule_start_locked(struct capsule *c)
{
	struct vcpu *v0 = &c->vcpus[0];

	for (unsigned n = 0; n < c->nr_vcpus; n++) {
		struct vcpu *v = &c->vcpus[n];

		v->state = VCPU_STOPPED;
		v->hsm = VCPU_HSM_STOPPED;
		v->leave = VCPU_STAY;
		v->suspend_resume = false;
		v->vruntime = 0;
		v->ran_on = CONFIG_MAX_HARTS;  /* its code is new: fence.i wherever it runs */
		v->running_on = -1;
		v->home = CONFIG_MAX_HARTS;
	}
	/* Spread the capsules' first vCPUs over their harts in bundle order. */
	for (unsigned k = c->id % hart_count(c->affinity), h = 0; h < CONFIG_MAX_HARTS; h++) {
		if ((c->affinity & (1UL << h)) && k-- == 0) {
			v0->home = h;
			break;
		}
	}
	v0->hsm = VCPU_HSM_START_PENDING;
	make_runnable(v0);
}

/* Lock not held from here on. */

/* Runs v (just picked, RUNNING here) until it has to leave, then puts it
 * where its reason for leaving says. */
static void run(unsigned hartid, struct vcpu *v)
{
	struct hart_sched *h = &harts[hartid];
	struct capsule *c = v->capsule;
	bool last = false;
	u64 now;

	if (c->needs_boot)  /* only vCPU 0 is runnable before the boot */
		lifecycle_boot(c);
	isol_capsule_activate(c->id);
	if (v->ran_on != hartid)  /* moved: this hart's icache may not know its code */
		hart_sync_icache();
	vcpu_load(v);
	vtimer_load(&v->timer);

	spin_lock(&lock);
	v->ran_since = hart_time();
	h->slice_end = v->ran_since + slice;
	arm(hartid);
	spin_unlock(&lock);

	for (;;) {
		/* IPI first, then what it announced (a request, a preemption,
		 * interrupts, fences): an IPI sent after the clear traps the guest. */
		hart_ipi_clear();
		if (__atomic_load_n(&c->request, __ATOMIC_ACQUIRE) != CAPSULE_REQ_NONE)
			break;
		if (__atomic_load_n(&h->resched, __ATOMIC_ACQUIRE))
			v->leave = VCPU_LEAVE_PREEMPT;
		if (v->leave != VCPU_STAY)
			break;
		vcpu_sync_pending(v, mmio_irq_level(v));
		vcpu_run(v);
		vcpu_handle_exit(v);
	}

	vtimer_put(&v->timer);
	vcpu_put(v);
	isol_capsule_deactivate(c->id);
	now = hart_time();

	spin_lock(&lock);
	v->vruntime += now - v->ran_since;
	v->ran_on = hartid;
	v->home = hartid;
	__atomic_store_n(&v->running_on, -1, __ATOMIC_RELEASE);
	h->current = NULL;
	c->on_harts--;
	if (c->request == CAPSULE_REQ_NONE) {
		switch (v->leave) {
		case VCPU_LEAVE_WFI:
		case VCPU_LEAVE_SUSPEND:
			v->state = VCPU_BLOCKED;
			v->hsm = v->leave == VCPU_LEAVE_SUSPEND ? VCPU_HSM_SUSPENDED : VCPU_HSM_STARTED;
			/* Something may have come while it was on its way out. */
			if (vcpu_wakeable(v, now))
				wake(v);
			break;
		case VCPU_LEAVE_STOP:
			v->state = VCPU_STOPPED;
			v->hsm = VCPU_HSM_STOPPED;
			if (all_stopped(c))
				lifecycle_all_stopped_locked(c);
			break;
		default:
			runq_add(&runq, v);
			break;
		}
	}
	v->leave = VCPU_STAY;
	if (c->request != CAPSULE_REQ_NONE) {
		if (v->state != VCPU_STOPPED)
			v->state = VCPU_PARKED;
		last = c->on_harts == 0;
	}
	spin_unlock(&lock);

	/* The last vCPU of an ending capsule to leave its hart hands it on. */
	if (last)
		lifecycle_drained(c);
}

void sched_run(unsigned long hartid)
{
	struct hart_sched *h = &harts[hartid];

	KEEL_ASSERT(hartid < CONFIG_MAX_HARTS);  /* entry.S parks the others */
	for (;;) {
		struct vcpu *v;

		spin_lock(&lock);
		wake_due(hart_time());
		v = runq_pick(&runq, (unsigned)hartid, slice);
		if (!v) {
			/* Sleep until an IPI (work was queued, see kick) or the timer
			 * (a deadline of a vCPU waiting here). The flag and the queues
			 * change under the lock, so no wake-up is lost. */
			h->idle = true;
			arm((unsigned)hartid);
			spin_unlock(&lock);
			hart_wait();
			hart_ipi_clear();
			irq_external();  /* a device interrupt may have woken us */
			spin_lock(&lock);
			h->idle = false;
			spin_unlock(&lock);
			continue;
		}
		v->state = VCPU_RUNNING;
		__atomic_store_n(&v->running_on, (int)hartid, __ATOMIC_RELEASE);
		if (v->hsm == VCPU_HSM_START_PENDING)
			v->hsm = VCPU_HSM_STARTED;
		v->leave = VCPU_STAY;
		v->capsule->on_harts++;
		h->current = v;
		h->resched = false;
		spin_unlock(&lock);
		run((unsigned)hartid, v);
	}
}

void sched_timer_interrupt(struct vcpu *v)
{
	unsigned hartid = self();
	struct hart_sched *h = &harts[hartid];
	u64 now = hart_time();

	vtimer_expire(&v->timer, now);
	spin_lock(&lock);
	wake_due(now);
	if (now >= h->slice_end) {
		if (runq_waiting_for(&runq, hartid, runq_prio(v)))
			v->leave = VCPU_LEAVE_PREEMPT;
		else
			h->slice_end = now + slice;  /* nobody waits: another slice */
	}
	arm(hartid);  /* always: the timer interrupt stays pending until mtimecmp moves */
	spin_unlock(&lock);
}

void sched_timer_changed(void)
{
	spin_lock(&lock);
	arm(self());
	spin_unlock(&lock);
}

void sched_ipi_interrupt(struct vcpu *v)
{
	/* Nothing to do here: the run loop clears the IPI and takes what it
	 * announced (request, preemption, interrupts, fences) before the guest
	 * runs again. */
	(void)v;
}

void sched_wfi(struct vcpu *v)
{
	if (!vcpu_irq_pending_loaded(v))
		v->leave = VCPU_LEAVE_WFI;
}

long sched_hsm_start(struct vcpu *target, u64 pc, u64 opaque)
{
	long ret = SBI_SUCCESS;

	spin_lock(&lock);
	if (target->state != VCPU_STOPPED || target->capsule->request != CAPSULE_REQ_NONE) {
		ret = SBI_ERR_ALREADY_AVAILABLE;
	} else {
		vcpu_reset(target, pc, target->id, opaque);
		target->hsm = VCPU_HSM_START_PENDING;
		target->vruntime = 0;
		make_runnable(target);
	}
	spin_unlock(&lock);
	return ret;
}

void sched_hsm_stop(struct vcpu *v)
{
	spin_lock(&lock);
	v->hsm = VCPU_HSM_STOP_PENDING;
	v->leave = VCPU_LEAVE_STOP;
	spin_unlock(&lock);
}

void sched_hsm_suspend(struct vcpu *v, bool resume, u64 pc, u64 opaque)
{
	spin_lock(&lock);
	v->suspend_resume = resume;
	v->resume_pc = pc;
	v->resume_opaque = opaque;
	v->leave = VCPU_LEAVE_SUSPEND;
	spin_unlock(&lock);
}

enum vcpu_hsm sched_hsm_status(const struct vcpu *target)
{
	enum vcpu_hsm s;

	spin_lock(&lock);
	s = target->hsm;
	spin_unlock(&lock);
	return s;
}

void sched_post_irq(struct vcpu *target, u32 bits)
{
	__atomic_or_fetch(&target->pending_irq, bits, __ATOMIC_RELEASE);
	spin_lock(&lock);
	switch (target->state) {
	case VCPU_BLOCKED:
		if (vcpu_wakeable(target, hart_time()))
			wake(target);
		break;
	case VCPU_RUNNING:
		if ((unsigned)target->running_on != self())
			hart_ipi_send((unsigned)target->running_on);
		break;
	default:
		/* RUNNABLE: taken when it is loaded. STOPPED, PARKED: dropped by
		 * the reset of its next start. */
		break;
	}
	spin_unlock(&lock);
}

void sched_irq_changed(struct capsule *c, const struct vcpu *self)
{
	for (unsigned n = 0; n < c->nr_vcpus; n++) {
		struct vcpu *v = &c->vcpus[n];

		if (v != self && mmio_irq_level(v))
			sched_post_irq(v, VCPU_IRQ_EXT);
	}
}

bool sched_post_fence(struct vcpu *target, u32 bits)
{
	bool wait;

	__atomic_or_fetch(&target->pending_fence, bits, __ATOMIC_RELEASE);
	spin_lock(&lock);
	wait = target->state == VCPU_RUNNING && (unsigned)target->running_on != self();
	if (wait)
		hart_ipi_send((unsigned)target->running_on);
	spin_unlock(&lock);
	return wait;
}

void sched_fence_wait(struct vcpu *self_vcpu, struct vcpu *target)
{
	int on = __atomic_load_n(&target->running_on, __ATOMIC_ACQUIRE);

	/* Two harts may wait for each other's vCPUs: taking our own posted
	 * fences while we wait keeps that from deadlocking. */
	while (on >= 0 && __atomic_load_n(&target->pending_fence, __ATOMIC_ACQUIRE) != 0 &&
	       __atomic_load_n(&target->running_on, __ATOMIC_ACQUIRE) == on)
		vcpu_sync_pending(self_vcpu, mmio_irq_level(self_vcpu));
}
