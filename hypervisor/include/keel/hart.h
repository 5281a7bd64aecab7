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

/* Machine id CSRs, reported to guests through SBI BASE. */
unsigned long hart_mvendorid(void);
unsigned long hart_marchid(void);
unsigned long hart_mimpid(void);

/* Makes instruction fetch on this hart see earlier stores (fence.i). */
void hart_sync_icache(void);

/* Stops this hart for good: a wfi loop. */
__attribute__((noreturn)) void hart_park(void);

#endif
