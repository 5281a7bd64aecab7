/* legacy.c - guest timer without Sstc (keel/vtimer.h).
 *
 * The guest has no stimecmp (menvcfg.STCE = henvcfg.STCE = 0, no "_sstc"
 * in its ISA string): SBI set_timer is its only timer. The deadline is
 * kept in struct vtimer (guest time is host time, htimedelta 0) and the
 * scheduler folds the loaded vCPU's deadline into the hart's mtimecmp next
 * to the slice end (vtimer_hart_deadline). When the machine timer fires
 * past the deadline, VSTIP is injected through hvip and the deadline
 * disarmed; set_timer clears VSTIP again. Off its hart a vCPU keeps its
 * deadline (the scheduler wakes it from WFI) and its hvip.VSTIP (saved
 * with hvip by vcpu_put); a deadline that passed while it was off gets
 * VSTIP when it is loaded. */
#include <arch/csr.h>
#include <keel/hart.h>
#include <keel/vtimer.h>

/* Deadline passed: inject VSTIP and disarm. True if it fired. */
static bool fire_if_due(struct vtimer *t, u64 now)
{
	if (t->deadline > now)
		return false;
	t->deadline = VTIMER_NEVER;
	csr_set(hvip, IRQ_VSTIP);
	return true;
}

void vtimer_hart_init(void)
{
	/* STCE stays 0 (hart_arch_init cleared menvcfg/henvcfg): without
	 * Sstc stimecmp does not even exist, so it is never touched. */
	csr_write(htimedelta, 0);
}

void vtimer_reset(struct vtimer *t)
{
	t->deadline = VTIMER_NEVER;
}

void vtimer_load(struct vtimer *t)
{
	csr_write(htimedelta, 0);
	(void)fire_if_due(t, hart_time());
}

void vtimer_put(struct vtimer *t)
{
	/* The deadline stays in t; a pending VSTIP leaves with hvip. */
	(void)t;
}

void vtimer_set(struct vtimer *t, u64 deadline)
{
	t->deadline = deadline;
	csr_clear(hvip, IRQ_VSTIP);
	(void)fire_if_due(t, hart_time());
}

void vtimer_expire(struct vtimer *t, u64 now)
{
	(void)fire_if_due(t, now);
}

u64 vtimer_hart_deadline(const struct vtimer *t)
{
	return t->deadline;
}

bool vtimer_guest_has_sstc(void)
{
	return false;
}
