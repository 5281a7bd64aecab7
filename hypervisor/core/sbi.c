/* sbi.c - route a guest's ecall to the extension that implements it.
 * Extensions register with SBI_EXTENSION() in their own sbi_<ext>.c; the
 * linker gathers the pointers between __keel_sbi_exts_start/_end
 * (arch/<arch>/keel.ld.S), so this file never lists them. */
#include <keel/capsule.h>
#include <keel/sbi.h>

extern const struct sbi_ext *const __keel_sbi_exts_start[];
extern const struct sbi_ext *const __keel_sbi_exts_end[];

static const struct sbi_ext *find(unsigned long eid)
{
	for (const struct sbi_ext *const *e = __keel_sbi_exts_start; e < __keel_sbi_exts_end; e++)
		if ((*e)->eid == eid)
			return *e;
	return NULL;
}

bool sbi_ext_present(unsigned long eid)
{
	return find(eid) != NULL;
}

struct sbi_ret sbi_dispatch(struct vcpu *v, const struct sbi_call *call)
{
	const struct sbi_ext *ext = find(call->eid);
	struct sbi_ret ret;

	if (!ext)
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	ret = ext->handle(v, call);
	ret.legacy = ext->legacy;
	return ret;
}

long sbi_hart_mask(const struct vcpu *v, unsigned long mask, unsigned long base, u64 *targets)
{
	unsigned n = v->capsule->nr_vcpus;
	u64 all = n >= 64 ? ~0UL : (1UL << n) - 1;

	if (base == ~0UL) {
		*targets = all;
		return SBI_SUCCESS;
	}
	*targets = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & (1UL << i)))
			continue;
		if (base >= n || i >= n - base)
			return SBI_ERR_INVALID_PARAM;
		*targets |= 1UL << (base + i);
	}
	return SBI_SUCCESS;
}
