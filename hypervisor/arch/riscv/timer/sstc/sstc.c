/* sstc.c - guest timer through Sstc (keel/vtimer.h).
 *
 * With menvcfg.STCE = henvcfg.STCE = 1 the guest's `csrw stimecmp` writes
 * vstimecmp directly and VSTIP follows (time + htimedelta >= vstimecmp)
 * with no exit; SBI set_timer writes the same register for it. htimedelta
 * stays 0: guests see host time. Off its hart a vCPU's deadline is parked
 * in struct vtimer and vstimecmp is "never", so it cannot wake the hart. */
#include <arch/csr.h>
#include <keel/vtimer.h>

void vtimer_hart_init(void)
{
	csr_set(menvcfg, ENVCFG_STCE);
	csr_set(henvcfg, ENVCFG_STCE);
	csr_write(stimecmp, VTIMER_NEVER);   /* the hypervisor's own S timer: unused */
	csr_write(vstimecmp, VTIMER_NEVER);
	csr_write(htimedelta, 0);
}

void vtimer_reset(struct vtimer *t)
{
	t->deadline = VTIMER_NEVER;
}

void vtimer_load(struct vtimer *t)
{
	csr_write(htimedelta, 0);
	csr_write(vstimecmp, t->deadline);
}

void vtimer_put(struct vtimer *t)
{
	t->deadline = csr_read(vstimecmp);
	csr_write(vstimecmp, VTIMER_NEVER);
	csr_clear(hvip, IRQ_VSTIP);
}

void vtimer_set(struct vtimer *t, u64 deadline)
{
	/* Writing vstimecmp also drops a pending VSTIP once it is in the future. */
	t->deadline = deadline;
	csr_write(vstimecmp, deadline);
	csr_clear(hvip, IRQ_VSTIP);
}

void vtimer_expire(struct vtimer *t, u64 now)
{
	/* vstimecmp raises VSTIP by itself. */
	(void)t;
	(void)now;
}

u64 vtimer_hart_deadline(const struct vtimer *t)
{
	(void)t;
	return VTIMER_NEVER;
}

bool vtimer_guest_has_sstc(void)
{
	return true;
}
