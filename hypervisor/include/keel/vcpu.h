/* vcpu.h - a virtual hart, the unit of scheduling. The register state and
 * the world switch are arch code (arch/<arch>/vcpu.c, trap.S); the states
 * are described in docs/design/vcpu-states.md and driven by core/sched.c. */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <arch/vcpu.h>
#include <keel/types.h>
#include <keel/vtimer.h>

struct capsule;

/* Where a vCPU is in the scheduler (changed under the scheduler lock). */
enum vcpu_state {
	VCPU_STOPPED,   /* HSM STOPPED: runs only after an HSM hart_start */
	VCPU_RUNNABLE,  /* on a hart's run queue */
	VCPU_RUNNING,   /* owns a hart: in the guest or handling one of its exits */
	VCPU_BLOCKED,   /* WFI or HSM suspend: waits for an enabled interrupt */
	VCPU_PARKED,    /* its capsule is ending or rebooting */
};

/* What the guest sees through HSM get_status (ext-hsm.adoc hart states). */
enum vcpu_hsm {
	VCPU_HSM_STARTED = 0,
	VCPU_HSM_STOPPED = 1,
	VCPU_HSM_START_PENDING = 2,
	VCPU_HSM_STOP_PENDING = 3,
	VCPU_HSM_SUSPENDED = 4,
};

/* Why an exit handler wants the vCPU off its hart (acted on by the run loop
 * in sched.c after the handler returns). */
enum vcpu_leave {
	VCPU_STAY,             /* keep running it */
	VCPU_LEAVE_PREEMPT,    /* slice used up, or a higher-priority vCPU waits */
	VCPU_LEAVE_WFI,        /* guest WFI with nothing pending */
	VCPU_LEAVE_SUSPEND,    /* HSM suspend */
	VCPU_LEAVE_STOP,       /* HSM stop */
};

/* Bits other harts post to a vCPU (struct vcpu.pending_fence). */
#define VCPU_FENCE_I (1u << 0)     /* fence.i before it runs again */
#define VCPU_FENCE_VVMA (1u << 1)  /* flush its capsule's VS-stage translations */

struct vcpu {
	struct vcpu_arch arch;   /* first: the world switch works on it */
	struct capsule *capsule;
	unsigned id;             /* vCPU id inside the capsule (SBI hart id, a0 at entry) */
	struct vtimer timer;
	/* Its VU-mode ecalls trap to the hypervisor (hedeleg bit 8 clear while
	 * it is loaded): the Keel SBI extension from the root VM's user space. */
	bool intercept_u_ecall;

	/* Scheduler state, under the scheduler lock. */
	enum vcpu_state state;
	enum vcpu_hsm hsm;
	enum vcpu_leave leave;   /* set by exit handlers on the vCPU's own hart */
	unsigned home;           /* hart whose run queue / timer it belongs to */
	int running_on;          /* hart while RUNNING, else -1 (read without the lock) */
	unsigned ran_on;         /* hart it last ran on (CONFIG_MAX_HARTS: none since boot) */
	u64 vruntime;            /* timebase ticks it has run, for fair picking */
	u64 ran_since;           /* time it last went on its hart */
	struct vcpu *next;       /* run queue link */
	bool suspend_resume;     /* non-retentive suspend: restart at resume_pc */
	u64 resume_pc, resume_opaque;

	/* Posted by any hart (atomics), taken by the vCPU's hart before it
	 * enters the guest (vcpu_sync_pending). */
	u32 pending_irq;         /* VS interrupt bits (hvip layout) to raise */
	u32 pending_fence;       /* VCPU_FENCE_* */
};

/* Sets the state of a freshly started vCPU: pc = entry, a0, a1, everything
 * else zero / reset value (satp = 0, SIE = 0), supervisor mode, no timer,
 * nothing pending. Touches no hardware. */
void vcpu_reset(struct vcpu *v, u64 entry, u64 a0, u64 a1);

/* Non-retentive resume (HSM suspend): continue at pc with a0, a1, satp = 0
 * and SIE = 0 in supervisor mode; the rest of the state is kept. */
void vcpu_restart(struct vcpu *v, u64 pc, u64 a0, u64 a1);

/* The deadline at which the vCPU's timer can wake it (its timer
 * interrupt is enabled), VTIMER_NEVER if none. Off its hart. */
u64 vcpu_wake_deadline(const struct vcpu *v);

/* Puts the vCPU's whole state on this hart (GPRs stay in memory: the world
 * switch loads them): FP, VS CSRs, hvip, hstatus, henvcfg, senvcfg... */
void vcpu_load(struct vcpu *v);

/* Takes it off again: saves that state and leaves the hart clean. */
void vcpu_put(struct vcpu *v);

/* Runs the loaded vCPU until its next trap into the hypervisor. */
void vcpu_run(struct vcpu *v);

/* Takes what other harts posted (interrupts into hvip, fences) for the
 * vCPU loaded on this hart, and sets its supervisor external interrupt to
 * ext_level (mmio_irq_level: the capsule's interrupt controller's answer,
 * computed by core code). */
void vcpu_sync_pending(struct vcpu *v, bool ext_level);

/* Fences for the vCPU loaded on this hart, now (SBI RFENCE on itself).
 * size = ~0, or start = size = 0, means "everything"; asid < 0 means every
 * address space. */
void vcpu_fence_i(void);
void vcpu_fence_vma(u64 start, u64 size, long asid);

/* True if an interrupt the vCPU has enabled in sie is pending, so that a
 * WFI would return. Loaded: reads the hart. Off its hart: from its saved
 * state and deadline at time now. */
bool vcpu_irq_pending_loaded(const struct vcpu *v);
bool vcpu_wakeable(const struct vcpu *v, u64 now);

/* Copies to / from the guest-virtual address va of the vCPU loaded on this
 * hart, with the permissions of the privilege it trapped from (its page
 * tables walked in software, the result inside its capsule's RAM).
 * Returns 0, or -1 if some byte is not accessible (nothing is undone). */
int vcpu_copy_to_guest(struct vcpu *v, u64 va, const void *src, size_t n);
int vcpu_copy_from_guest(struct vcpu *v, void *dst, u64 va, size_t n);

/* The guest-physical address the loaded vCPU's page tables give va for a
 * load (write false) or store, with the same walk and permission checks;
 * false if the walk fails, or reads a table outside the capsule's RAM. */
bool vcpu_guest_translate(const struct vcpu *v, u64 va, bool write, u64 *gpa);

/* Handles that trap (arch/<arch>/trap.c): emulates, answers SBI, reflects
 * it to the guest, tells the scheduler, or asks the capsule to end. */
void vcpu_handle_exit(struct vcpu *v);

#endif
