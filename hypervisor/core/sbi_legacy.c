/* sbi_legacy.c - the SBI v0.1 calls guests still use for early consoles:
 * set_timer (0x00), console_putchar (0x01), console_getchar (0x02) and
 * shutdown (0x08). They return only a0. The v0.1 IPI and fence calls
 * (0x03..0x07) are not offered. */
#include <keel/capsule.h>
#include <keel/console_input.h>
#include <keel/lifecycle.h>
#include <keel/sbi.h>
#include <keel/vtimer.h>

static struct sbi_ret legacy_set_timer(struct vcpu *v, const struct sbi_call *call)
{
	vtimer_set(&v->timer, call->args[0]);
	return sbi_ok(0);
}

static struct sbi_ret legacy_putchar(struct vcpu *v, const struct sbi_call *call)
{
	capsule_putc(v->capsule, (char)call->args[0]);
	return sbi_ok(0);
}

/* The next byte of console input routed to the capsule (console_input.c), or -1. */
static struct sbi_ret legacy_getchar(struct vcpu *v, const struct sbi_call *call)
{
	(void)call;
	return sbi_ok(console_input_getc(v->capsule));
}

static struct sbi_ret legacy_shutdown(struct vcpu *v, const struct sbi_call *call)
{
	(void)call;
	capsule_request_shutdown(v->capsule);
	return sbi_ok(0);
}

const struct sbi_ext sbi_ext_legacy_set_timer = {
	.eid = SBI_EXT_LEGACY_SET_TIMER, .name = "legacy set_timer", .legacy = true,
	.handle = legacy_set_timer,
};
const struct sbi_ext sbi_ext_legacy_putchar = {
	.eid = SBI_EXT_LEGACY_PUTCHAR, .name = "legacy putchar", .legacy = true,
	.handle = legacy_putchar,
};
const struct sbi_ext sbi_ext_legacy_getchar = {
	.eid = SBI_EXT_LEGACY_GETCHAR, .name = "legacy getchar", .legacy = true,
	.handle = legacy_getchar,
};
const struct sbi_ext sbi_ext_legacy_shutdown = {
	.eid = SBI_EXT_LEGACY_SHUTDOWN, .name = "legacy shutdown", .legacy = true,
	.handle = legacy_shutdown,
};
