/* vtimer.h - a vCPU's supervisor timer.
 *
 * One implementation per port, under arch/<arch>/timer/<name>/ (sstc: the
 * guest owns vstimecmp; legacy: mtimecmp + injected hvip.VSTIP). Deadlines
 * are absolute, in timebase ticks of the guest's `time`. */
#ifndef KEEL_VTIMER_H
#define KEEL_VTIMER_H

#include <keel/types.h>

#define VTIMER_NEVER ((u64)-1)

struct vtimer {
	u64 deadline;  /* while the vCPU is off its hart (legacy: always) */
};

/* Every hart, once: enables the timer mechanism for guests. */
void vtimer_hart_init(void);

/* A fresh vCPU: no timer pending. */
void vtimer_reset(struct vtimer *t);

/* Puts the timer on this hart / takes it off (the hart's timer then never
 * fires for this vCPU). */
void vtimer_load(struct vtimer *t);
void vtimer_put(struct vtimer *t);

/* SBI set_timer from the vCPU loaded on this hart: fire at deadline and
 * clear any pending timer interrupt. */
void vtimer_set(struct vtimer *t, u64 deadline);

/* The hart's timer fired (at time now) while this vCPU was loaded: a
 * deadline that passed becomes a pending timer interrupt. */
void vtimer_expire(struct vtimer *t, u64 now);

/* The deadline the hart's own timer must fire for while this vCPU is
 * loaded (VTIMER_NEVER when the hardware raises the interrupt itself). */
u64 vtimer_hart_deadline(const struct vtimer *t);

/* Whether guests may program the timer themselves (advertise "sstc"). */
bool vtimer_guest_has_sstc(void);

#endif
