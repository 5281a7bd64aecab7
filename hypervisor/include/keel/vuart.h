/* vuart.h - a capsule's emulated ns16550a UART (core/vuart.c), a device of
 * its table (keel/mmio.h) for capsules with devices: [uart]. Window and
 * interrupt source: keel/guest_map.h. */
#ifndef KEEL_VUART_H
#define KEEL_VUART_H

#include <keel/mmio.h>
#include <keel/types.h>

/* Registers the guest can read back (under the capsule's table lock). */
struct vuart_state {
	u8 ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending;          /* transmit-empty interrupt not yet taken */
	u8 lsr_reads;               /* LSR reads since the last THR write (at most 2) */
};

/* Capsule creation: adds c's UART (state c->uart) to its table. 0 or -1
 * with *why. */
int vuart_attach(struct capsule *c, const char **why);

#endif
