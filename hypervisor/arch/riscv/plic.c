/* plic.c - the RISC-V PLIC at KEEL_PLIC_BASE, for the hypervisor's own
 * device interrupts (keel/irq.h). Layout (riscv-plic-spec, QEMU
 * hw/intc/sifive_plic.c): priority 4 bytes per source at +0, enable bits at
 * +0x2000 + 0x80 * context, threshold at +0x200000 + 0x1000 * context and
 * claim/complete 4 bytes after it. On qemu-virt context 2h is hart h's
 * M-mode and 2h + 1 its S-mode (unused: guests get no PLIC). */
#include <arch/csr.h>
#include <keel/config.h>
#include <keel/hart.h>
#include <keel/irq.h>

#define PLIC_REG(off) ((volatile u32 *)(uptr)(KEEL_PLIC_BASE + (off)))
#define PLIC_PRIORITY(src) PLIC_REG(4 * (src))
#define PLIC_ENABLE(ctx, src) PLIC_REG(0x2000 + 0x80 * (ctx) + 4 * ((src) / 32))
#define PLIC_THRESHOLD(ctx) PLIC_REG(0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) PLIC_REG(0x200000 + 0x1000 * (ctx) + 4)

static unsigned long m_context(void)
{
	return 2 * hart_id();
}

void irq_route_here(unsigned irq)
{
	unsigned long ctx = m_context();

	*PLIC_PRIORITY(irq) = 1;
	*PLIC_THRESHOLD(ctx) = 0;
	*PLIC_ENABLE(ctx, irq) |= 1u << (irq % 32);
	csr_set(mie, IRQ_MEIP);
}

unsigned irq_claim(void)
{
	return *PLIC_CLAIM(m_context());
}

void irq_complete(unsigned irq)
{
	*PLIC_CLAIM(m_context()) = irq;
}
