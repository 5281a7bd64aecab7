/* irq.h - the hypervisor's own device interrupts (the console UART's
 * receive interrupt): core/irq.c dispatches them (irq_attach,
 * irq_external); the platform interrupt controller below it is per arch
 * (arch/riscv/plic.c: a PLIC at KEEL_PLIC_BASE). Guests never see it. */
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

/* Boot hart: routes device interrupt irq here (irq_route_here) and runs
 * handler for it. A handler must also be safe to run when its device has
 * nothing (it may run as a poll, below). */
void irq_attach(unsigned irq, void (*handler)(void));

/* The one entry for a physical external interrupt (M external interrupt
 * from a guest, or a hart woken from wfi): claims, runs the claimed
 * source's handler, completes. With nothing claimed (the interrupt was
 * routed to another hart, or a wake-up for another reason) every handler
 * runs as a poll. A no-op while nothing is attached. */
void irq_external(void);

#endif
