/* sbi_keel.c - the Keel vendor SBI extension (EID 0x094B454C,
 * docs/design/keel-sbi.md): list the capsules, stop / start / restart one,
 * read the hypervisor log.
 *
 * Any capsule may LIST; only the one that owns the machine (the root VM)
 * may read the LOG (it holds every capsule's host RAM address and kill
 * reasons: docs/design/guest-input.md) and STOP, START and RESTART, and
 * never itself. Its user
 * space (keelctl) reaches this through intercepted VU ecalls (trap.c);
 * buffers are virtual addresses of the caller, reached through its page
 * tables (vcpu_copy_to_guest). */
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/lifecycle.h>
#include <keel/sbi.h>

#define KEEL_FID_LIST 0
#define KEEL_FID_STOP 1
#define KEEL_FID_START 2
#define KEEL_FID_RESTART 3
#define KEEL_FID_LOG 4

/* One LIST record (64 bytes, little-endian: RISC-V is). */
struct keel_list_record {
	char name[32];
	u32 id;
	u32 state;
	u32 vcpus;
	u32 reserved;
	u64 ram_size;
	u64 uptime_ms;
};

_Static_assert(sizeof(struct keel_list_record) == 64, "keel-sbi.md LIST record");

static struct sbi_ret list(struct vcpu *v, u64 buf, u64 size)
{
	unsigned fit = (unsigned)MIN(size / sizeof(struct keel_list_record), (u64)capsule_count);

	for (unsigned i = 0; i < fit; i++) {
		const struct capsule *c = &capsules[i];
		struct keel_list_record r;

		memset(&r, 0, sizeof(r));
		memcpy(r.name, c->name, sizeof(r.name));
		r.id = i;
		r.state = (u32)capsule_list_state(c);
		r.vcpus = c->nr_vcpus;
		r.ram_size = c->ram_size;
		r.uptime_ms = capsule_uptime_ms(c);
		if (vcpu_copy_to_guest(v, buf + (u64)i * sizeof(r), &r, sizeof(r)))
			return sbi_err(SBI_ERR_INVALID_ADDRESS);
	}
	return sbi_ok((long)capsule_count);
}

static struct sbi_ret log_read(struct vcpu *v, u64 buf, u64 size, u64 off)
{
	char chunk[256];
	u64 done = 0;

	while (done < size) {
		size_t n = console_log_read(off + done, chunk, (size_t)MIN(size - done, (u64)sizeof(chunk)));

		if (n == 0)
			break;
		if (vcpu_copy_to_guest(v, buf + done, chunk, n))
			return sbi_err(SBI_ERR_INVALID_ADDRESS);
		done += n;
	}
	return sbi_ok((long)done);
}

static struct sbi_ret control(struct vcpu *v, unsigned long fid, unsigned long id)
{
	struct capsule *self = v->capsule, *target;
	long err;

	if (!self->owns_machine)
		return sbi_err(SBI_ERR_DENIED);
	if (id >= capsule_count)
		return sbi_err(SBI_ERR_INVALID_PARAM);
	target = &capsules[id];
	if (target == self)
		return sbi_err(SBI_ERR_DENIED);
	if (fid == KEEL_FID_STOP)
		err = capsule_control_stop(target, self);
	else if (fid == KEEL_FID_START)
		err = capsule_control_start(target, self);
	else
		err = capsule_control_restart(target, self);
	return sbi_err(err);
}

static struct sbi_ret keel_handle(struct vcpu *v, const struct sbi_call *call)
{
	const unsigned long *a = call->args;

	switch (call->fid) {
	case KEEL_FID_LIST:
		return list(v, a[0], a[1]);
	case KEEL_FID_STOP:
	case KEEL_FID_START:
	case KEEL_FID_RESTART:
		return control(v, call->fid, a[0]);
	case KEEL_FID_LOG:
		if (!v->capsule->owns_machine)
			return sbi_err(SBI_ERR_DENIED);
		return log_read(v, a[0], a[1], a[2]);
	default:
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	}
}

const struct sbi_ext sbi_ext_keel = { .eid = SBI_EXT_KEEL, .name = "keel", .handle = keel_handle };
