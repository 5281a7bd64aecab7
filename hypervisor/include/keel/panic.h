/* panic.h - stop the machine on a broken hypervisor invariant.
 * Prints "[keel] PANIC (hart N): message" and powers QEMU off with exit
 * status 2 (guest failures use 1). Never returns. Only boot code and the top
 * of trap paths call it; library code returns error codes instead. */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define KEEL_PANIC_EXIT_CODE 2

#include <keel/kconfig.h>

/* A check of the hypervisor's own invariant, compiled in (and panicking when
 * it fails) with CONFIG_DEBUG_ASSERTS; otherwise the condition is still
 * type-checked but never evaluated. */
#define KEEL_ASSERT(cond)                                                        \
	do {                                                                     \
		if (IS_ENABLED(CONFIG_DEBUG_ASSERTS) && !(cond))                  \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
