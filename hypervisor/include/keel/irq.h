/* irq.h - the platform interrupt controller, for the hypervisor's own
 * device interrupts (the console UART's receive interrupt). Implemented per
 * arch (arch/riscv/plic.c: a PLIC at KEEL_PLIC_BASE). Guests never see it. */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <keel/types.h>

/* Routes device interrupt `irq` to this hart's M-mode and enables the
 * external interrupt in mie (it traps out of a guest and ends a wfi; the
 * hypervisor itself never takes it, mstatus.MIE stays 0). */
void irq_route_here(unsigned irq);

/* Claims the highest pending routed interrupt of this hart: its number, or
 * 0 if none. irq_complete() must follow a non-zero claim. */
unsigned irq_claim(void);
void irq_complete(unsigned irq);

#endif
