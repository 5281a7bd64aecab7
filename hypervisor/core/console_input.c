/* console_input.c - console input for capsules, focus and console keys
 * (keel/console_input.h).
 *
 * Why an interrupt and not polling from the scheduler tick: the tick only
 * runs while a vCPU holds a hart or a deadline is near, so an idle machine
 * (every vCPU in WFI, harts asleep) would leave typed keys and the focus
 * keys unread until something else woke a hart; the UART's receive
 * interrupt wakes the boot hart's wfi or traps its guest at once, and costs
 * nothing while nobody types. A capsule reading input also polls the UART
 * itself, so its bytes never wait for the interrupt's hart. */
#include <keel/capsule.h>
#include <keel/config.h>
#include <keel/console_input.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/lib.h>
#include <keel/lifecycle.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/uart.h>

#define KEY_PREFIX 0x1d  /* Ctrl-] */

/* Guards every capsule's input ring, the focus and the key state. */
static spinlock_t input_lock = SPINLOCK_INIT;
static unsigned focus;
static bool prefix_seen;
static bool delivered;  /* deliver() put a byte in the focused capsule's ring */

static const char *const state_names[] = {
	[CAPSULE_LIST_STOPPED] = "stopped",
	[CAPSULE_LIST_RUNNING] = "running",
	[CAPSULE_LIST_CRASHED] = "crashed",
	[CAPSULE_LIST_REBOOTING] = "rebooting",
};

static void announce_focus(void)
{
	klog("console: input goes to capsule %s (%u); Ctrl-] h for the console keys", capsules[focus].name,
	     focus);
}

static void list_capsules(void)
{
	klog("console: %u capsule%s, input to %s:", capsule_count, capsule_count == 1 ? "" : "s",
	     capsules[focus].name);
	for (unsigned i = 0; i < capsule_count; i++) {
		const struct capsule *c = &capsules[i];

		klog("  %2u  %-20s %-9s %u vCPU%s %5lu MiB%s", i, c->name, state_names[capsule_list_state(c)],
		     c->nr_vcpus, c->nr_vcpus == 1 ? " " : "s", c->ram_size >> 20, i == focus ? "  <- input" : "");
	}
}

static void help(void)
{
	klog("console keys: Ctrl-] 0-9 input to that capsule, Ctrl-] n the next one, Ctrl-] l list, "
	     "Ctrl-] Ctrl-] a literal Ctrl-]");
}

/* Input lock held: one byte for the focused capsule. Dropped if its ring
 * is full (it does not read). */
static void deliver(u8 ch)
{
	struct console_input *in = &capsules[focus].in;

	if (in->head - in->tail < KEEL_INPUT_MAX) {
		in->buf[in->head++ % KEEL_INPUT_MAX] = ch;
		delivered = true;
	}
}

/* Input lock held: one byte from the UART. */
static void key(u8 ch)
{
	if (!prefix_seen) {
		if (ch == KEY_PREFIX)
			prefix_seen = true;
		else
			deliver(ch);
		return;
	}
	prefix_seen = false;
	if (ch >= '0' && ch <= '9') {
		if ((unsigned)(ch - '0') < capsule_count) {
			focus = (unsigned)(ch - '0');
			announce_focus();
		} else {
			klog("console: no capsule %c (Ctrl-] l lists them)", ch);
		}
	} else if (ch == 'n') {
		focus = (focus + 1) % capsule_count;
		announce_focus();
	} else if (ch == 'l') {
		list_capsules();
	} else if (ch == 'h' || ch == '?') {
		help();
	} else if (ch == KEY_PREFIX) {
		deliver(ch);
	} else {
		/* Named as typed: the letter, Ctrl-<letter> for a control character, hex only for the rest. */
		if (ch > ' ' && ch < 0x7f)
			klog("console: Ctrl-] %c is not a console key (Ctrl-] h for help)", ch);
		else if (ch < ' ')
			klog("console: Ctrl-] Ctrl-%c is not a console key (Ctrl-] h for help)", ch + '@');
		else
			klog("console: Ctrl-] 0x%02x is not a console key (Ctrl-] h for help)", ch);
	}
}

void console_input_init(void)
{
	focus = 0;
	for (unsigned i = 0; i < capsule_count; i++) {
		if (capsules[i].console_focus) {
			focus = i;
			break;
		}
	}
	if (capsule_count == 0)
		return;
	announce_focus();
#if defined(KEEL_PLIC_BASE) && defined(KEEL_UART_IRQ)
	irq_attach(KEEL_UART_IRQ, console_input_poll);
	uart_rx_irq_enable();
#endif
}

void console_input_poll(void)
{
	int ch;
	struct capsule *to = NULL;

	if (capsule_count == 0 || !spin_trylock(&input_lock))
		return;
	/* klog from key() takes the console lock: never the other way round. */
	while ((ch = uart_getc()) >= 0)
		key((u8)ch);
	if (delivered)
		to = &capsules[focus];
	delivered = false;
	spin_unlock(&input_lock);
	/* Its emulated UART may now raise its receive interrupt. */
	if (to)
		sched_irq_changed(to, NULL);
}

int console_input_take(struct capsule *c)
{
	int ch = -1;

	spin_lock(&input_lock);
	if (c->in.tail != c->in.head)
		ch = c->in.buf[c->in.tail++ % KEEL_INPUT_MAX];
	spin_unlock(&input_lock);
	return ch;
}

bool console_input_pending(struct capsule *c)
{
	bool pending;

	spin_lock(&input_lock);
	pending = c->in.head != c->in.tail;
	spin_unlock(&input_lock);
	return pending;
}

size_t console_input_read(struct capsule *c, u8 *buf, size_t n)
{
	size_t got = 0;

	spin_lock(&c->out_lock);
	console_capsule_show_partial(&c->out);
	spin_unlock(&c->out_lock);
	console_input_poll();
	spin_lock(&input_lock);
	while (got < n && c->in.tail != c->in.head)
		buf[got++] = c->in.buf[c->in.tail++ % KEEL_INPUT_MAX];
	spin_unlock(&input_lock);
	return got;
}

int console_input_getc(struct capsule *c)
{
	u8 ch;

	return console_input_read(c, &ch, 1) == 1 ? ch : -1;
}

void console_input_reset(struct capsule *c)
{
	spin_lock(&input_lock);
	c->in.head = c->in.tail = 0;
	spin_unlock(&input_lock);
}
