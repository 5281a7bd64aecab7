/* spinlock.h - a test-and-test-and-set lock on the C11/GCC atomic builtins
 * (AMOSWAP with acquire/release ordering on RISC-V). Interrupts never run in
 * the hypervisor (mstatus.MIE stays 0), so there is no irqsave variant. */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>

typedef struct {
	volatile u32 locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline bool spin_trylock(spinlock_t *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(spinlock_t *l)
{
	for (;;) {
		if (spin_trylock(l))
			return;
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
