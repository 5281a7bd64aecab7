/* vplic.c - a capsule's emulated PLIC (keel/vplic.h), the interrupt
 * controller of its device table (keel/mmio.h) at VPLIC_BASE: sources 1 to
 * VPLIC_NDEV (riscv,ndev), each the interrupt line of the devices that
 * registered with that number (mmio_source_level); today the UART's,
 * VUART_IRQ.
 *
 * 32-bit registers, the standard layout (riscv-plic-spec; priority 0x0 + 4
 * * source, pending 0x1000, enable 0x2000 + 0x80 * context, threshold /
 * claim at 0x200000 + 0x1000 * context). Context 2n is vCPU n's M-mode
 * (never delivered), 2n + 1 its S-mode. Level-triggered: a source is
 * pending while its line is high and it is not claimed; a claim returns
 * the pending enabled source of highest priority above the context's
 * threshold (the lowest number among equals), a completion of that number
 * ends the claim. Any other offset or width is a bad access (the capsule is
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
#define SOURCES (((1u << VPLIC_NDEV) - 1) << 1)  /* bits 1..VPLIC_NDEV */

_Static_assert(VPLIC_NDEV < 32, "one enable word per context");

static void plic_reset(void *state)
{
	struct vplic_state *d = state;

	for (unsigned s = 0; s <= VPLIC_NDEV; s++)
		d->priority[s] = 0;
	d->claimed = 0;
	for (unsigned i = 0; i < 2 * CONFIG_MAX_VCPUS; i++) {
		d->enabled[i] = 0;
		d->threshold[i] = 0;
	}
}

/* Table lock held: the pending sources, bit s for source s. */
static u32 pending(struct capsule *c, const struct vplic_state *d)
{
	u32 p = 0;

	for (unsigned s = 1; s <= VPLIC_NDEV; s++)
		if (!(d->claimed & (1u << s)) && mmio_source_level(c, s))
			p |= 1u << s;
	return p;
}

/* Table lock held: the source context ctx would claim now, 0 if none. */
static unsigned best(struct capsule *c, const struct vplic_state *d, unsigned ctx)
{
	u32 p;
	unsigned found = 0;

	if (ctx >= 2 * c->nr_vcpus)
		return 0;
	p = pending(c, d) & d->enabled[ctx];
	for (unsigned s = 1; s <= VPLIC_NDEV; s++)
		if ((p & (1u << s)) && d->priority[s] > d->threshold[ctx] &&
		    (!found || d->priority[s] > d->priority[found]))
			found = s;
	return found;
}

static bool plic_vcpu_level(struct vcpu *v, void *state)
{
	return best(v->capsule, state, 2 * v->id + 1) != 0;
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
		*val = d->priority[off / 4];  /* source 0: always 0 */
	} else if (off == PLIC_PENDING) {
		*val = pending(c, d);
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		*val = d->enabled[ctx];
	} else {
		unsigned s;

		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0) {
			*val = d->threshold[ctx];
		} else {
			s = best(c, d, ctx);
			d->claimed |= s ? 1u << s : 0;
			*val = s;
		}
	}
	return true;
}

static bool plic_write(struct capsule *c, struct vplic_state *d, u64 off, u32 val)
{
	unsigned ctx;
	u64 reg;

	if (off <= 4 * VPLIC_NDEV) {
		if (off / 4 != 0)
			d->priority[off / 4] = val & PLIC_PRIO_MAX;
	} else if (off == PLIC_PENDING) {
		/* read-only */
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		d->enabled[ctx] = val & SOURCES;
	} else {
		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0)
			d->threshold[ctx] = val & PLIC_PRIO_MAX;
		else if (val >= 1 && val <= VPLIC_NDEV)
			d->claimed &= ~(1u << val);  /* complete */
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
