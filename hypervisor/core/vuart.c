/* vuart.c - a capsule's emulated ns16550a UART (keel/vuart.h), one device
 * of its table (keel/mmio.h) at VUART_BASE.
 *
 * Byte registers at offsets 0..7 (reg-shift 0). THR goes to the
 * capsule's tagged console line; RBR takes the capsule's console input (the
 * focus routing of core/console_input.c). LSR always has THRE and TEMT, plus DR
 * while input waits. Interrupts (IER): receive data available and THR
 * empty, reported through IIR and as its interrupt line, source VUART_IRQ of the
 * capsule's PLIC (core/vplic.c).
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
 */
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/console_input.h>
#include <keel/guest_map.h>
#include <keel/vuart.h>

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

static void uart_reset(void *state)
{
	struct vuart_state *d = state;

	d->ier = d->lcr = d->mcr = d->scr = d->fcr = d->dll = d->dlm = 0;
	d->thre_pending = false;
	d->lsr_reads = 0;
}

/* Table lock held: the interrupt line. */
static bool uart_line(struct capsule *c, void *state)
{
	const struct vuart_state *d = state;

	if ((d->ier & UART_IER_RDI) && console_input_pending(c))
		return true;
	return (d->ier & UART_IER_THRI) && d->thre_pending;
}

/* Table lock held (so no console_input_poll here: it may call
 * sched_irq_changed, which takes the lock). *prompt: show the capsule's
 * unfinished line once unlocked. */
static bool uart_read(struct capsule *c, struct vuart_state *d, u64 off, u64 *val, bool *prompt)
{
	bool dlab = (d->lcr & UART_LCR_DLAB) != 0;
	int ch;

	switch (off) {
	case 0:
		if (dlab) {
			*val = d->dll;
		} else {
			ch = console_input_take(c);
			*val = ch < 0 ? 0 : (u64)ch;
		}
		break;
	case 1:
		*val = dlab ? d->dlm : d->ier;
		break;
	case 2: {
		u64 fifo = (d->fcr & UART_FCR_FIFO) ? UART_IIR_FIFO : 0;

		if ((d->ier & UART_IER_RDI) && console_input_pending(c)) {
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
		*val = UART_LSR_THRE | UART_LSR_TEMT | (console_input_pending(c) ? UART_LSR_DR : 0);
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

/* Table lock held. *prompt: show the capsule's unfinished line once unlocked. */
static bool uart_write(struct capsule *c, struct vuart_state *d, u64 off, u8 val, bool *prompt)
{
	bool dlab = (d->lcr & UART_LCR_DLAB) != 0;

	switch (off) {
	case 0:
		if (dlab) {
			d->dll = val;
		} else {
			spin_lock(&c->out_lock);  /* as capsule_putc: its vCPUs print from several harts */
			console_capsule_putc(&c->out, (char)val);
			spin_unlock(&c->out_lock);
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

/* Take what the physical UART holds first, with no lock held. */
static void uart_prepare(struct vcpu *v, void *state, bool store)
{
	(void)v;
	(void)state;
	if (!store)
		console_input_poll();
}

static bool uart_access_read(struct vcpu *v, void *state, u64 off, unsigned width, u64 *val, bool *finish)
{
	return width == 1 && uart_read(v->capsule, state, off, val, finish);
}

static bool uart_access_write(struct vcpu *v, void *state, u64 off, unsigned width, u64 val, bool *finish)
{
	return width == 1 && uart_write(v->capsule, state, off, (u8)val, finish);
}

/* Shows the capsule's unfinished line (a prompt). */
static void uart_finish(struct vcpu *v, void *state)
{
	(void)state;
	console_input_read(v->capsule, NULL, 0);
}

static const struct mmio_ops uart_ops = {
	.prepare = uart_prepare,
	.read = uart_access_read,
	.write = uart_access_write,
	.finish = uart_finish,
	.line = uart_line,
	.reset = uart_reset,
};

int vuart_attach(struct capsule *c, const char **why)
{
	const struct mmio_device d = {
		.name = "ns16550a",
		.base = VUART_BASE,
		.size = VUART_SIZE,
		.irq = VUART_IRQ,
		.ops = &uart_ops,
		.state = &c->uart,
	};

	return mmio_register(c, &d, why);
}
