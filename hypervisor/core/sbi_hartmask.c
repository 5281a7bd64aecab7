/* sbi_hartmask.c - the SBI "hart list" (hart_mask, hart_mask_base) of IPI
 * and RFENCE calls, turned into a set of the calling capsule's vCPUs
 * (keel/sbi.h). Pure: host-tested (test/c/). */
#include <keel/sbi.h>

long sbi_hart_mask(unsigned nr_vcpus, unsigned long mask, unsigned long base, u64 *targets)
{
	unsigned n = nr_vcpus;
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
