/* sbi_time.c - SBI Timer extension (EID "TIME", ext-time.adoc): one
 * function, set_timer(absolute deadline), which also clears a pending timer
 * interrupt. The mechanism is the port's vtimer (keel/vtimer.h). */
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <keel/vtimer.h>

#define TIME_SET_TIMER 0

static struct sbi_ret time_handle(struct vcpu *v, const struct sbi_call *call)
{
	if (call->fid != TIME_SET_TIMER)
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	vtimer_set(&v->timer, call->args[0]);
	/* A vtimer that needs the hart's timer: it may have to fire earlier
	 * (a later one only costs one early interrupt, which re-arms). */
	if (vtimer_hart_deadline(&v->timer) != VTIMER_NEVER)
		sched_timer_changed();
	return sbi_ok(0);
}

const struct sbi_ext sbi_ext_time = { .eid = SBI_EXT_TIME, .name = "time", .handle = time_handle };
