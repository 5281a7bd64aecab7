/* test_sbi_hartmask.c - SBI hart lists (core/sbi_hartmask.c): the cases of
 * binary-encoding.adoc "Hart list", then random guest words against the
 * spec's definition (bit i names hart base + i; every named hart must be a
 * vCPU of the capsule).
 * keel-test-sources: hypervisor/core/sbi_hartmask.c */
#include "check.h"
#include <keel/sbi.h>

/* The definition, one hart id at a time. */
static long reference(unsigned n, unsigned long mask, unsigned long base, u64 *targets)
{
	*targets = 0;
	if (base == ~0UL) {
		for (unsigned v = 0; v < n; v++)
			*targets |= 1UL << v;
		return SBI_SUCCESS;
	}
	for (unsigned i = 0; i < 64; i++) {
		unsigned long id = base + i;

		if (!(mask & (1UL << i)))
			continue;
		if (id < base || id >= n)  /* wrapped past the top, or no such vCPU */
			return SBI_ERR_INVALID_PARAM;
		*targets |= 1UL << id;
	}
	return SBI_SUCCESS;
}

int main(int argc, char **argv)
{
	unsigned long iters = fuzz_iterations(argc, argv, 1000000);
	u64 t = 0;

	CHECK_EQ(sbi_hart_mask(4, 0, ~0UL, &t), SBI_SUCCESS);
	CHECK_EQ(t, 0xf);
	CHECK_EQ(sbi_hart_mask(64, 0, ~0UL, &t), SBI_SUCCESS);
	CHECK_EQ(t, ~0ULL);
	CHECK_EQ(sbi_hart_mask(4, 0x5, 1, &t), SBI_SUCCESS);
	CHECK_EQ(t, 0xa);
	CHECK_EQ(sbi_hart_mask(4, 0, 0, &t), SBI_SUCCESS);
	CHECK_EQ(t, 0);
	CHECK_EQ(sbi_hart_mask(4, 0x1, 3, &t), SBI_SUCCESS);
	CHECK_EQ(t, 0x8);
	CHECK_EQ(sbi_hart_mask(4, 0x2, 3, &t), SBI_ERR_INVALID_PARAM);   /* hart 4 */
	CHECK_EQ(sbi_hart_mask(4, 0x1, 4, &t), SBI_ERR_INVALID_PARAM);   /* base past the end */
	CHECK_EQ(sbi_hart_mask(4, 0x1, ~1UL, &t), SBI_ERR_INVALID_PARAM); /* huge base */
	CHECK_EQ(sbi_hart_mask(1, 1UL << 63, 0, &t), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(64, 1UL << 63, 0, &t), SBI_SUCCESS);
	CHECK_EQ(t, 1ULL << 63);
	CHECK_EQ(sbi_hart_mask(64, 0x3, 63, &t), SBI_ERR_INVALID_PARAM); /* 63 + 1 wraps nothing: 64 */

	for (unsigned long i = 0; i < iters; i++) {
		unsigned n = 1 + (unsigned)(fuzz_next() % 64);
		unsigned long r = fuzz_next();
		/* Masks and bases near the capsule's size are the interesting ones. */
		unsigned long mask = (r & 1) ? fuzz_next() : fuzz_next() & ((1UL << (fuzz_next() % 64)) - 1);
		unsigned long base = (r & 2) ? fuzz_next() % 70 : (r & 4) ? ~0UL : fuzz_next();
		u64 want, got;
		long e_want = reference(n, mask, base, &want), e_got = sbi_hart_mask(n, mask, base, &got);

		CHECK_EQ(e_got, e_want);
		if (e_want == SBI_SUCCESS)
			CHECK_EQ(got, want);
	}
	return check_done("sbi_hartmask");
}
