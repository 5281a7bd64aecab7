/* vplic.c - a capsule's emulated PLIC (keel/vplic.h), the interrupt
 * controller of its device table (keel/mmio.h) at VPLIC_BASE: riscv,ndev
 * VPLIC_NDEV, of which source VUART_IRQ (the UART's line) is the one that
 * is live today; a device with another source needs per-source priority,
 * enable and claim state here.
 *
 * 32-bit registers, the standard layout (priority 0x0 + 4 * source,
 * pending 0x1000, enable 0x2000 + 0x80 * context, threshold / claim at
 * 0x200000 + 0x1000 * context). Level-triggered: the source is pending
 * while its device's line is high (mmio_source_level) and it is not
 * claimed. Any other offset or width is a bad access (the capsule is
 * killed). */
#include <keel/capsule.h>
#include <keel/guest_map.h>
#include <keel/vplic.h>

#define PLIC_PENDING 0x1000UL
#define PLIC_ENABLE 0x2000UL
#define PLIC_ENABLE_STRIDE 0x80UL
#define PLIC_CONTEXT 0x200000UL
#define PLIC_CONTEXT_STRIDE 0x1000UL
#define PLIC_PRIO_MAX 7u

static void plic_reset(void *state)
{
	struct vplic_state *d = state;

	d->priority = 0;
	d->claimed = false;
	for (unsigned i = 0; i < 2 * CONFIG_MAX_VCPUS; i++) {
		d->enabled[i] = false;
		d->threshold[i] = 0;
	}
}

/* Table lock held: does PLIC context ctx (2n: vCPU n's M-mode, never
 * delivered; 2n + 1: its S-mode) see the source pending? */
static bool context_sees(struct capsule *c, const struct vplic_state *d, unsigned ctx)
{
	return ctx < 2 * c->nr_vcpus && !d->claimed && d->enabled[ctx] && d->priority > d->threshold[ctx] &&
	       mmio_source_level(c, VUART_IRQ);
}

static bool plic_vcpu_level(struct vcpu *v, void *state)
{
	return context_sees(v->capsule, state, 2 * v->id + 1);
}

/* Table lock held: *ctx and the register of a context offset, false if none. */
static bool plic_context(const struct capsule *c, u64 off, u64 base, u64 stride, unsigned *ctx, u64 *reg)
{
	u64 n = (off - base) / stride;

	if (off < base || n >= 2 * (u64)c->nr_vcpus)
		return false;
	*ctx = (unsigned)n;
	*reg = (off - base) % stride;
	return true;
}

static bool plic_read(struct capsule *c, struct vplic_state *d, u64 off, u64 *val)
{
	unsigned ctx;
	u64 reg;

	if (off <= 4 * VPLIC_NDEV) {
		*val = off == 4 * VUART_IRQ ? d->priority : 0;
	} else if (off == PLIC_PENDING) {
		*val = (!d->claimed && mmio_source_level(c, VUART_IRQ)) ? 1u << VUART_IRQ : 0;
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		*val = d->enabled[ctx] ? 1u << VUART_IRQ : 0;
	} else {
		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0) {
			*val = d->threshold[ctx];
		} else if (context_sees(c, d, ctx)) {
			d->claimed = true;
			*val = VUART_IRQ;
		} else {
			*val = 0;
		}
	}
	return true;
}

static bool plic_write(struct capsule *c, struct vplic_state *d, u64 off, u32 val)
{
	unsigned ctx;
	u64 reg;

	if (off <= 4 * VPLIC_NDEV) {
		if (off == 4 * VUART_IRQ)
			d->priority = val & PLIC_PRIO_MAX;
	} else if (off == PLIC_PENDING) {
		/* read-only */
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		d->enabled[ctx] = (val & (1u << VUART_IRQ)) != 0;
	} else {
		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0)
			d->threshold[ctx] = val & PLIC_PRIO_MAX;
		else if (val == VUART_IRQ)
			d->claimed = false;  /* complete */
	}
	return true;
}

static bool plic_access_read(struct vcpu *v, void *state, u64 off, unsigned width, u64 *val, bool *finish)
{
	(void)finish;
	return width == 4 && plic_read(v->capsule, state, off, val);
}

static bool plic_access_write(struct vcpu *v, void *state, u64 off, unsigned width, u64 val, bool *finish)
{
	(void)finish;
	return width == 4 && plic_write(v->capsule, state, off, (u32)val);
}

static const struct mmio_ops plic_ops = {
	.read = plic_access_read,
	.write = plic_access_write,
	.vcpu_level = plic_vcpu_level,
	.reset = plic_reset,
};

int vplic_attach(struct capsule *c, const char **why)
{
	const struct mmio_device d = {
		.name = "plic",
		.base = VPLIC_BASE,
		.size = VPLIC_SIZE,
		.ops = &plic_ops,
		.state = &c->plic,
	};

	return mmio_register(c, &d, why);
}
