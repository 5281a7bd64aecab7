/* sched.h - which vCPU runs on which hart.
 *
 * vCPUs are the unit of scheduling: every hart runs a loop that picks a
 * runnable vCPU (high priority first, then the one that has run least),
 * runs it for a time slice or until it waits (WFI, HSM suspend/stop) and
 * puts it back. Each hart has its own run queues; a hart with nothing of
 * its own takes work from the others (within each capsule's affinity), and
 * a hart with nothing at all sleeps in wfi until an IPI or its timer.
 * States and transitions: docs/design/vcpu-states.md. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/capsule.h>
#include <keel/types.h>

/* Boot hart: the timebase, for the time slice. */
void sched_init(u64 timebase);

/* Creation: every vCPU of c STOPPED, on no hart. */
void sched_capsule_init(struct capsule *c);

/* The one scheduler lock. It guards every run queue, every vCPU's
 * scheduler fields and every capsule's request (capsule.h says which
 * field is whose). lifecycle.c takes it to post a request, then calls
 * sched_capsule_stop_locked, which parks the capsule's waiting vCPUs and
 * kicks the harts running the others, so that all leave their harts; the
 * last one to leave calls lifecycle_drained. */
void sched_lock(void);
void sched_unlock(void);
void sched_capsule_stop_locked(struct capsule *c);

/* Lock held: makes vCPU 0 of a capsule (READY, or just reset for a
 * reboot) runnable; its other vCPUs stay STOPPED until HSM starts them. */
void sched_capsule_start_locked(struct capsule *c);

/* Runs vCPUs on this hart forever. */
__attribute__((noreturn)) void sched_run(unsigned long hartid);

/* Exit handlers (on the hart running v). */
void sched_timer_interrupt(struct vcpu *v);   /* the hart's timer fired */
void sched_ipi_interrupt(struct vcpu *v);     /* an IPI arrived */
void sched_wfi(struct vcpu *v);               /* guest WFI, pc already past it */
/* The loaded vCPU's timer deadline changed (vtimer_hart_deadline): re-arm
 * this hart's timer. */
void sched_timer_changed(void);

/* SBI HSM for the calling vCPU v. start: target (a vCPU of v's capsule,
 * id checked by the caller) begins at pc with a0 = its id, a1 = opaque;
 * SBI_ERR_ALREADY_AVAILABLE unless it is STOPPED. */
long sched_hsm_start(struct vcpu *target, u64 pc, u64 opaque);
void sched_hsm_stop(struct vcpu *v);
/* resume: false = retentive (returns to the caller), true = restart at pc. */
void sched_hsm_suspend(struct vcpu *v, bool resume, u64 pc, u64 opaque);
enum vcpu_hsm sched_hsm_status(const struct vcpu *target);

/* Raises VS interrupt bits (hvip layout) in target: wakes it if it waits,
 * IPIs its hart if it runs elsewhere. */
void sched_post_irq(struct vcpu *target, u32 bits);

/* A device line of c may have risen (host input arrived, a guest wrote a
 * device register): posts VSEIP to every vCPU of c but self (which
 * resyncs before it enters the guest) whose level (mmio_irq_level) is now
 * high. No lock held. */
void sched_irq_changed(struct capsule *c, const struct vcpu *self);

/* Posts VCPU_FENCE_* to target and returns whether the caller must wait for
 * it (sched_fence_wait): only when target runs on another hart right now;
 * otherwise it is done before target next enters the guest. */
bool sched_post_fence(struct vcpu *target, u32 bits);
/* Waits until target has taken its posted fences or left its hart; self
 * (the caller, loaded here) keeps taking its own meanwhile. */
void sched_fence_wait(struct vcpu *self, struct vcpu *target);

#endif
