/* test_mmio_insn.c - the MMIO instruction decoder (arch/riscv/mmio_insn.c):
 * every load / store form against encodings from the GNU assembler, the
 * forms it must refuse, value widening, then every 16-bit and random
 * 32-bit words through the decoder with the decoded fields checked.
 * keel-test-sources: hypervisor/arch/riscv/mmio_insn.c */
#include "check.h"
#include <arch/mmio_insn.h>

struct known {
	u32 insn;
	const char *text;  /* what riscv64-unknown-elf-as assembled it from */
	bool store, sign;
	unsigned width, reg, len;
};

static const struct known known[] = {
	{ 0x00058503, "lb a0,0(a1)", false, true, 1, 10, 4 },
	{ 0x00441283, "lh t0,4(s0)", false, true, 2, 5, 4 },
	{ 0xff812783, "lw a5,-8(sp)", false, true, 4, 15, 4 },
	{ 0x01053483, "ld s1,16(a0)", false, true, 8, 9, 4 },
	{ 0x0016c603, "lbu a2,1(a3)", false, false, 1, 12, 4 },
	{ 0x0027d703, "lhu a4,2(a5)", false, false, 2, 14, 4 },
	{ 0x00836f83, "lwu t6,8(t1)", false, false, 4, 31, 4 },
	{ 0x00a58023, "sb a0,0(a1)", true, false, 1, 10, 4 },
	{ 0x00741123, "sh t2,2(s0)", true, false, 2, 7, 4 },
	{ 0x00b52223, "sw a1,4(a0)", true, false, 4, 11, 4 },
	{ 0x01b63423, "sd s11,8(a2)", true, false, 8, 27, 4 },
	{ 0x0005a003, "lw zero,0(a1)", false, true, 4, 0, 4 },
	{ 0x41c8, "c.lw a0,4(a1)", false, true, 4, 10, 2 },
	{ 0x6784, "c.ld s1,8(a5)", false, true, 8, 9, 2 },
	{ 0xc110, "c.sw a2,0(a0)", true, true, 4, 12, 2 },
	{ 0xe81c, "c.sd a5,16(s0)", true, true, 8, 15, 2 },
	{ 0x4292, "c.lwsp t0,4(sp)", false, true, 4, 5, 2 },
	{ 0x60a2, "c.ldsp ra,8(sp)", false, true, 8, 1, 2 },
	{ 0xc64a, "c.swsp s2,12(sp)", true, true, 4, 18, 2 },
	{ 0xe87e, "c.sdsp t6,16(sp)", true, true, 8, 31, 2 },
};

static const u32 refused[] = {
	0x0005a507, /* flw fa0,0(a1) */
	0x00a5b027, /* fsd fa0,0(a1) */
	0x00b6252f, /* amoadd.w a0,a1,(a2) */
	0x00150513, /* addi a0,a0,1 */
	0x30002573, /* csrr a0,mstatus */
	0x0005f503, /* funct3 7 of LOAD: reserved */
	0x0005c023, /* funct3 4 of STORE: reserved */
	0x0505,     /* c.addi a0,1 */
	0x2188,     /* c.fld fa0,0(a1) */
	0xa188,     /* c.fsd fa0,0(a1) */
	0x4002,     /* c.lwsp x0: reserved */
	0x6002,     /* c.ldsp x0: reserved */
	0x0000,     /* the defined illegal instruction */
};

static void test_known(void)
{
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct known *k = &known[i];
		struct mmio_insn m = { 0 };
		bool ok = mmio_insn_decode(k->insn, &m);

		if (!ok)
			fprintf(stderr, "not decoded: %s\n", k->text);
		CHECK(ok);
		CHECK_EQ(m.store, k->store);
		CHECK_EQ(m.width, k->width);
		CHECK_EQ(m.reg, k->reg);
		CHECK_EQ(m.len, k->len);
		if (!k->store)
			CHECK_EQ(m.sign, k->sign);
	}
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct mmio_insn m;

		CHECK(!mmio_insn_decode(refused[i], &m));
	}
}

static void test_values(void)
{
	struct mmio_insn lb = { .store = false, .sign = true, .width = 1, .reg = 10, .len = 4 };
	struct mmio_insn lbu = { .store = false, .sign = false, .width = 1, .reg = 10, .len = 4 };
	struct mmio_insn lh = { .store = false, .sign = true, .width = 2, .reg = 10, .len = 4 };
	struct mmio_insn lw = { .store = false, .sign = true, .width = 4, .reg = 10, .len = 4 };
	struct mmio_insn lwu = { .store = false, .sign = false, .width = 4, .reg = 10, .len = 4 };
	struct mmio_insn ld = { .store = false, .sign = true, .width = 8, .reg = 10, .len = 4 };
	struct mmio_insn sb = { .store = true, .width = 1, .reg = 10, .len = 4 };
	struct mmio_insn sw = { .store = true, .width = 4, .reg = 10, .len = 4 };
	struct mmio_insn sd = { .store = true, .width = 8, .reg = 10, .len = 4 };

	CHECK_EQ(mmio_insn_load_value(&lb, 0x80), 0xffffffffffffff80ULL);
	CHECK_EQ(mmio_insn_load_value(&lb, 0x17f), 0x7f);
	CHECK_EQ(mmio_insn_load_value(&lbu, 0xff80), 0x80);
	CHECK_EQ(mmio_insn_load_value(&lh, 0x8001), 0xffffffffffff8001ULL);
	CHECK_EQ(mmio_insn_load_value(&lw, 0x80000000), 0xffffffff80000000ULL);
	CHECK_EQ(mmio_insn_load_value(&lw, 0x123456789), 0x23456789);
	CHECK_EQ(mmio_insn_load_value(&lwu, 0xdeadbeefcafef00dULL), 0xcafef00d);
	CHECK_EQ(mmio_insn_load_value(&ld, 0xdeadbeefcafef00dULL), 0xdeadbeefcafef00dULL);
	CHECK_EQ(mmio_insn_store_value(&sb, 0x1234), 0x34);
	CHECK_EQ(mmio_insn_store_value(&sw, 0xffffffff80000001ULL), 0x80000001);
	CHECK_EQ(mmio_insn_store_value(&sd, 0xffffffff80000001ULL), 0xffffffff80000001ULL);
}

/* Whatever the word, a decoded access is one the emulator can carry out. */
static void check_fields(u32 insn)
{
	struct mmio_insn m = { .width = 99, .reg = 99, .len = 99 };

	if (!mmio_insn_decode(insn, &m))
		return;
	CHECK(m.width == 1 || m.width == 2 || m.width == 4 || m.width == 8);
	CHECK(m.reg < 32);
	CHECK_EQ(m.len, (insn & 3) == 3 ? 4u : 2u);
	if (m.len == 2)
		CHECK(m.width == 4 || m.width == 8);
	if (m.len == 4)
		CHECK_EQ(m.store, (insn & 0x7f) == 0x23);
	(void)mmio_insn_load_value(&m, fuzz_next());
	(void)mmio_insn_store_value(&m, fuzz_next());
}

int main(int argc, char **argv)
{
	unsigned long iters = fuzz_iterations(argc, argv, 2000000);
	unsigned decoded16 = 0;

	test_known();
	test_values();
	for (u32 insn = 0; insn < 0x10000; insn++) {
		struct mmio_insn m;

		if ((insn & 3) != 3 && mmio_insn_decode(insn, &m))
			decoded16++;
		check_fields(insn);
	}
	/* 2048 words per quadrant and funct3: quadrant 0 decodes 4 funct3s,
	 * quadrant 2 the two stores and the two loads less their 64 words
	 * with rd = 0 each; quadrant 1 nothing. */
	CHECK_EQ(decoded16, 4 * 2048 + 2 * 2048 + 2 * (2048 - 64));
	for (unsigned long i = 0; i < iters; i++)
		check_fields((u32)fuzz_next());
	return check_done("mmio_insn");
}
