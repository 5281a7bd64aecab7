/* irq.c - the hypervisor's own device interrupts (see keel/irq.h): which
 * handler a physical source has, and the one claim / dispatch / complete
 * path for them, as xv6's devintr(). */
#include <keel/irq.h>
#include <keel/lib.h>
#include <keel/panic.h>

#define IRQ_MAX_HANDLERS 4

struct irq_handler {
	unsigned irq;
	void (*handler)(void);
};

/* Written by the boot hart before the others run. */
static struct irq_handler handlers[IRQ_MAX_HANDLERS];
static unsigned count;

void irq_attach(unsigned irq, void (*handler)(void))
{
	if (count == ARRAY_SIZE(handlers))
		panic("irq_attach: more than %u device interrupts", IRQ_MAX_HANDLERS);
	handlers[count].irq = irq;
	handlers[count].handler = handler;
	count++;
	irq_route_here(irq);
}

void irq_external(void)
{
	unsigned irq;

	if (count == 0)
		return;
	irq = irq_claim();
	for (unsigned i = 0; i < count; i++)
		if (irq == 0 || handlers[i].irq == irq)
			handlers[i].handler();
	if (irq)
		irq_complete(irq);
}
