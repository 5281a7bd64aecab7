/* sbi_dbcn.c - SBI Debug Console extension (EID "DBCN", ext-debug-console.adoc).
 * Output goes through the capsule's tagged line buffer. Buffers are
 * guest-physical and must lie wholly inside the capsule's RAM. Read takes
 * the console input routed to the capsule (console_input.c), never waiting.
 *
 * A write takes at most DBCN_WRITE_MAX bytes per call and answers how many
 * it took (the spec lets it write fewer than asked): the per-byte console
 * path runs in M-mode, unpreemptible, so a guest-chosen length must not
 * decide how long this hart is away from its neighbours
 * (docs/design/guest-input.md). */
#include <keel/capsule.h>
#include <keel/console_input.h>
#include <keel/lib.h>
#include <keel/sbi.h>

#define DBCN_WRITE 0
#define DBCN_READ 1
#define DBCN_WRITE_BYTE 2

/* Bytes one write call takes: well under a time slice (about 55 ns a
 * byte under QEMU TCG, so about 0.25 ms), and more than a guest console
 * driver hands over at once. */
#define DBCN_WRITE_MAX 4096UL

/* The buffer of a write/read call: num_bytes, base_lo, base_hi. On RV64 a
 * non-zero base_hi is an address no capsule has. */
static u8 *buffer(struct vcpu *v, const struct sbi_call *call)
{
	if (call->args[2] != 0 || call->args[0] == 0)
		return NULL;
	return capsule_gpa_to_host(v->capsule, call->args[1], call->args[0]);
}

static struct sbi_ret dbcn_handle(struct vcpu *v, const struct sbi_call *call)
{
	u8 *buf;
	unsigned long n;

	switch (call->fid) {
	case DBCN_WRITE:
		if (call->args[0] == 0)
			return sbi_ok(0);
		buf = buffer(v, call);
		if (!buf)
			return sbi_err(SBI_ERR_INVALID_PARAM);
		n = MIN(call->args[0], DBCN_WRITE_MAX);
		capsule_write(v->capsule, buf, n);
		return sbi_ok((long)n);
	case DBCN_READ:
		if (call->args[0] == 0)
			return sbi_ok(0);
		buf = buffer(v, call);
		if (!buf)
			return sbi_err(SBI_ERR_INVALID_PARAM);
		return sbi_ok((long)console_input_read(v->capsule, buf, call->args[0]));
	case DBCN_WRITE_BYTE:
		capsule_putc(v->capsule, (char)call->args[0]);
		return sbi_ok(0);
	default:
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	}
}

const struct sbi_ext sbi_ext_dbcn = { .eid = SBI_EXT_DBCN, .name = "dbcn", .handle = dbcn_handle };
