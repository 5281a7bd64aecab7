/* hart.h - the physical hart the code runs on (arch/<arch>/hart.c, entry.S).
 * The boot handshake is in docs/design/boot-handshake.md. */
#ifndef KEEL_HART_H
#define KEEL_HART_H

#include <keel/types.h>

/* Id of the calling hart. */
unsigned long hart_id(void);

/* Per-hart machine setup: trap vector, delegation, counters, clean
 * hypervisor CSRs. Every hart calls it once, before anything else. */
void hart_arch_init(void);

/* Harts that have reached the entry code, as a mask of ids (the caller's own
 * bit included). */
u64 hart_arrived_mask(void);

/* Lets the harts waiting in entry.S go to keel_secondary(). Everything the
 * boot hart wrote before is visible to them. */
void hart_release_secondaries(void);

/* The platform timer (the same clock guests read with rdtime). */
u64 hart_time(void);

/* This hart's scheduling timer: one interrupt at (or after) time `when`
 * (HART_TIMER_NEVER: none). It interrupts a guest whatever the guest does;
 * the hypervisor itself never takes it (see hart_wait). */
#define HART_TIMER_NEVER ((u64)-1)
void hart_timer_set(u64 when);

/* Inter-processor interrupt to hart `hart` (the CLINT software interrupt):
 * interrupts the guest it runs, or ends its hart_wait. */
void hart_ipi_send(unsigned long hart);
/* Acknowledges this hart's IPI. */
void hart_ipi_clear(void);

/* Sleeps (wfi) until this hart's timer or an IPI is pending. Returns at
 * once if one already is; spurious returns are allowed. */
void hart_wait(void);

/* Machine id CSRs, reported to guests through SBI BASE. */
unsigned long hart_mvendorid(void);
unsigned long hart_marchid(void);
unsigned long hart_mimpid(void);

/* Makes instruction fetch on this hart see earlier stores (fence.i). */
void hart_sync_icache(void);

#endif
