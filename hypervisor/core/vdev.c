/* vdev.c - the emulated ns16550a UART and minimal PLIC of a capsule
 * (keel/vdev.h).
 *
 * UART: byte registers at offsets 0..7 (reg-shift 0). THR goes to the
 * capsule's tagged console line; RBR takes the capsule's console input (the
 * focus routing of core/conmux.c). LSR always has THRE and TEMT, plus DR
 * while input waits. Interrupts (IER): receive data available and THR
 * empty, reported through IIR and as PLIC source VDEV_UART_IRQ.
 *
 * THR empty follows a real 16550 (and Linux's 8250 driver relies on it, see
 * its UART_BUG_THRE probe at start-up): the interrupt is raised when IER.THRI
 * goes on (the THR is always empty here), cleared by an IIR read that
 * reports it, and raised again by the next THR write (the byte is sent at
 * once) or IER.THRI off-on.
 *
 * The console shows a capsule's unfinished line (a prompt) when the capsule
 * says it has nothing more to send for now: a polled driver reads LSR twice
 * without writing THR (it waits for input), an interrupt-driven driver turns
 * IER.THRI off (its transmit queue is empty: Linux's __stop_tx). Without the
 * second, a shell prompt on ttyS0 would wait in the line buffer for the
 * next newline.
 *
 * PLIC: 32-bit registers, the standard layout (priority 0x0 + 4 * source,
 * pending 0x1000, enable 0x2000 + 0x80 * context, threshold / claim at
 * 0x200000 + 0x1000 * context). Level-triggered: the source is pending
 * while the UART's line is high and it is not claimed. Any other offset or
 * width is a bad access (the capsule is killed). */
#include <keel/capsule.h>
#include <keel/conmux.h>
#include <keel/sched.h>
#include <keel/vdev.h>

#define UART_IER_RDI 0x01   /* receive data available */
#define UART_IER_THRI 0x02  /* transmitter holding register empty */
#define UART_IIR_NONE 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO 0xc0
#define UART_FCR_FIFO 0x01
#define UART_LCR_DLAB 0x80
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_IDLE 0xb0  /* DCD, DSR, CTS: a line that is always ready */

#define PLIC_PENDING 0x1000UL
#define PLIC_ENABLE 0x2000UL
#define PLIC_ENABLE_STRIDE 0x80UL
#define PLIC_CONTEXT 0x200000UL
#define PLIC_CONTEXT_STRIDE 0x1000UL
#define PLIC_PRIO_MAX 7u

void vdev_reset(struct capsule *c)
{
	struct vdev_state *d = &c->vdev;

	spin_lock(&d->lock);
	d->ier = d->lcr = d->mcr = d->scr = d->fcr = d->dll = d->dlm = 0;
	d->thre_pending = false;
	d->lsr_reads = 0;
	d->priority = 0;
	d->claimed = false;
	for (unsigned i = 0; i < 2 * KEEL_MAX_VCPUS; i++) {
		d->enabled[i] = false;
		d->threshold[i] = 0;
	}
	spin_unlock(&d->lock);
}

bool vdev_claims(const struct capsule *c, u64 gpa)
{
	if (!c->dev_uart)
		return false;
	return (gpa >= VDEV_UART_BASE && gpa - VDEV_UART_BASE < VDEV_UART_SIZE) ||
	       (gpa >= VDEV_PLIC_BASE && gpa - VDEV_PLIC_BASE < VDEV_PLIC_SIZE);
}

/* Lock held: the UART's interrupt line. */
static bool uart_line(struct capsule *c)
{
	const struct vdev_state *d = &c->vdev;

	if ((d->ier & UART_IER_RDI) && conmux_input_pending(c))
		return true;
	return (d->ier & UART_IER_THRI) && d->thre_pending;
}

/* Lock held: does PLIC context ctx see the source pending? */
static bool context_sees(struct capsule *c, unsigned ctx)
{
	const struct vdev_state *d = &c->vdev;

	return ctx < 2 * c->nr_vcpus && !d->claimed && d->enabled[ctx] && d->priority > d->threshold[ctx] &&
	       uart_line(c);
}

bool vdev_irq_level(struct vcpu *v)
{
	struct capsule *c = v->capsule;
	bool level;

	if (!c->dev_uart)
		return false;
	spin_lock(&c->vdev.lock);
	level = context_sees(c, 2 * v->id + 1);
	spin_unlock(&c->vdev.lock);
	return level;
}

/* No lock held: posts the external interrupt to every vCPU (but self, which
 * resyncs before it enters the guest) whose context sees it now. */
static void kick(struct capsule *c, const struct vcpu *self)
{
	for (unsigned n = 0; n < c->nr_vcpus; n++) {
		struct vcpu *v = &c->vcpus[n];

		if (v != self && vdev_irq_level(v))
			sched_post_irq(v, VCPU_IRQ_EXT);
	}
}

void vdev_input(struct capsule *c)
{
	if (c->dev_uart)
		kick(c, NULL);
}

/* Lock held (so no conmux_poll here: it may call vdev_input, which takes
 * the lock). *prompt: show the capsule's unfinished line once unlocked. */
static bool uart_read(struct capsule *c, u64 off, u64 *val, bool *prompt)
{
	struct vdev_state *d = &c->vdev;
	bool dlab = (d->lcr & UART_LCR_DLAB) != 0;
	int ch;

	switch (off) {
	case 0:
		if (dlab) {
			*val = d->dll;
		} else {
			ch = conmux_take(c);
			*val = ch < 0 ? 0 : (u64)ch;
		}
		break;
	case 1:
		*val = dlab ? d->dlm : d->ier;
		break;
	case 2: {
		u64 fifo = (d->fcr & UART_FCR_FIFO) ? UART_IIR_FIFO : 0;

		if ((d->ier & UART_IER_RDI) && conmux_input_pending(c)) {
			*val = fifo | UART_IIR_RDI;
		} else if ((d->ier & UART_IER_THRI) && d->thre_pending) {
			*val = fifo | UART_IIR_THRI;
			d->thre_pending = false;  /* reading IIR clears the THRE interrupt */
		} else {
			*val = fifo | UART_IIR_NONE;
		}
		break;
	}
	case 3:
		*val = d->lcr;
		break;
	case 4:
		*val = d->mcr;
		break;
	case 5:
		/* Two LSR reads in a row without a THR write: it polls for input,
		 * so its unfinished line (a prompt) is shown, as for a capsule
		 * reading through SBI. (Before each THR write it reads LSR once.) */
		if (d->lsr_reads < 2)
			d->lsr_reads++;
		*prompt = d->lsr_reads >= 2;
		*val = UART_LSR_THRE | UART_LSR_TEMT | (conmux_input_pending(c) ? UART_LSR_DR : 0);
		break;
	case 6:
		*val = UART_MSR_IDLE;
		break;
	case 7:
		*val = d->scr;
		break;
	default:
		return false;
	}
	return true;
}

/* Lock held. *prompt: show the capsule's unfinished line once unlocked. */
static bool uart_write(struct capsule *c, u64 off, u8 val, bool *prompt)
{
	struct vdev_state *d = &c->vdev;
	bool dlab = (d->lcr & UART_LCR_DLAB) != 0;

	switch (off) {
	case 0:
		if (dlab) {
			d->dll = val;
		} else {
			capsule_putc(c, (char)val);
			d->lsr_reads = 0;
			d->thre_pending = true;  /* sent at once: empty again */
		}
		break;
	case 1:
		if (dlab) {
			d->dlm = val;
		} else {
			/* Enabling THRI with the THR empty raises it (8250 behaviour). */
			if ((val & UART_IER_THRI) && !(d->ier & UART_IER_THRI))
				d->thre_pending = true;
			/* Turning it off: the driver's transmit queue is empty. */
			if (!(val & UART_IER_THRI) && (d->ier & UART_IER_THRI))
				*prompt = true;
			d->ier = val & 0x0f;
		}
		break;
	case 2:
		d->fcr = val & 0xc9;  /* FIFO enable, DMA mode, trigger level; resets self-clear */
		break;
	case 3:
		d->lcr = val;
		break;
	case 4:
		d->mcr = val & 0x1f;
		break;
	case 5:
	case 6:
		break;  /* LSR, MSR: read-only */
	case 7:
		d->scr = val;
		break;
	default:
		return false;
	}
	return true;
}

/* Lock held: *ctx and the register of a context offset, false if none. */
static bool plic_context(const struct capsule *c, u64 off, u64 base, u64 stride, unsigned *ctx, u64 *reg)
{
	u64 n = (off - base) / stride;

	if (off < base || n >= 2 * (u64)c->nr_vcpus)
		return false;
	*ctx = (unsigned)n;
	*reg = (off - base) % stride;
	return true;
}

static bool plic_read(struct capsule *c, u64 off, u64 *val)
{
	struct vdev_state *d = &c->vdev;
	unsigned ctx;
	u64 reg;

	if (off <= 4 * VDEV_PLIC_NDEV) {
		*val = off == 4 * VDEV_UART_IRQ ? d->priority : 0;
	} else if (off == PLIC_PENDING) {
		*val = (!d->claimed && uart_line(c)) ? 1u << VDEV_UART_IRQ : 0;
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		*val = d->enabled[ctx] ? 1u << VDEV_UART_IRQ : 0;
	} else {
		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0) {
			*val = d->threshold[ctx];
		} else if (context_sees(c, ctx)) {
			d->claimed = true;
			*val = VDEV_UART_IRQ;
		} else {
			*val = 0;
		}
	}
	return true;
}

static bool plic_write(struct capsule *c, u64 off, u32 val)
{
	struct vdev_state *d = &c->vdev;
	unsigned ctx;
	u64 reg;

	if (off <= 4 * VDEV_PLIC_NDEV) {
		if (off == 4 * VDEV_UART_IRQ)
			d->priority = val & PLIC_PRIO_MAX;
	} else if (off == PLIC_PENDING) {
		/* read-only */
	} else if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
		if (!plic_context(c, off, PLIC_ENABLE, PLIC_ENABLE_STRIDE, &ctx, &reg) || reg != 0)
			return false;
		d->enabled[ctx] = (val & (1u << VDEV_UART_IRQ)) != 0;
	} else {
		if (!plic_context(c, off, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, &ctx, &reg) || reg > 4)
			return false;
		if (reg == 0)
			d->threshold[ctx] = val & PLIC_PRIO_MAX;
		else if (val == VDEV_UART_IRQ)
			d->claimed = false;  /* complete */
	}
	return true;
}

bool vdev_read(struct vcpu *v, u64 gpa, unsigned width, u64 *val)
{
	struct capsule *c = v->capsule;
	bool ok = false, uart = gpa >= VDEV_UART_BASE && gpa - VDEV_UART_BASE < VDEV_UART_SIZE;
	bool prompt = false;

	/* Take what the physical UART holds first, with no lock held. */
	if (uart)
		conmux_poll();
	spin_lock(&c->vdev.lock);
	if (uart) {
		if (width == 1)
			ok = uart_read(c, gpa - VDEV_UART_BASE, val, &prompt);
	} else if (gpa >= VDEV_PLIC_BASE && gpa - VDEV_PLIC_BASE < VDEV_PLIC_SIZE) {
		if (width == 4)
			ok = plic_read(c, gpa - VDEV_PLIC_BASE, val);
	}
	spin_unlock(&c->vdev.lock);
	if (prompt)
		conmux_read(c, NULL, 0);
	return ok;
}

bool vdev_write(struct vcpu *v, u64 gpa, unsigned width, u64 val)
{
	struct capsule *c = v->capsule;
	bool ok = false, prompt = false;

	spin_lock(&c->vdev.lock);
	if (gpa >= VDEV_UART_BASE && gpa - VDEV_UART_BASE < VDEV_UART_SIZE) {
		if (width == 1)
			ok = uart_write(c, gpa - VDEV_UART_BASE, (u8)val, &prompt);
	} else if (gpa >= VDEV_PLIC_BASE && gpa - VDEV_PLIC_BASE < VDEV_PLIC_SIZE) {
		if (width == 4)
			ok = plic_write(c, gpa - VDEV_PLIC_BASE, (u32)val);
	}
	spin_unlock(&c->vdev.lock);
	if (prompt)
		conmux_read(c, NULL, 0);
	if (ok)
		kick(c, v);
	return ok;
}
