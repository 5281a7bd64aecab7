/* test_fdt.c - the device tree writer and reader (core/fdt_build.c,
 * core/fdt_parse.c): a capsule's tree read back by the host-tree parser,
 * the writer's capacity bound at every size, the guest ISA filter, then
 * mutated trees through the parser.
 * keel-test-sources: hypervisor/core/fdt_build.c hypervisor/core/fdt_parse.c hypervisor/core/lib.c */
#include "check.h"
#include <string.h>
#include <keel/fdt.h>
#include <keel/guest_map.h>

static const struct guest_dt_params params = {
	.ram_gpa = 0x80000000UL,
	.ram_size = 16UL << 20,
	.timebase = 10000000,
	.isa = "rv64imafdc_zicsr_zifencei",
	.bootargs = "console=hvc0 quiet",
	.boot_count = 3,
	.vcpus = 4,
	.initrd_start = 0x84000000UL,
	.initrd_end = 0x8415a760UL,
	.uart = true,
};

/* Is the string s somewhere in the blob (a property value or name)? */
static bool blob_has(const u8 *blob, size_t len, const char *s)
{
	size_t l = strlen(s) + 1;

	for (size_t i = 0; i + l <= len; i++)
		if (memcmp(blob + i, s, l) == 0)
			return true;
	return false;
}

static size_t build(u8 **out, const struct guest_dt_params *p)
{
	static u8 big[KEEL_GUEST_DTB_MAX];
	size_t len = fdt_build_guest(big, sizeof(big), p);

	*out = malloc(len ? len : 1);
	memcpy(*out, big, len);
	return len;
}

static void test_round_trip(void)
{
	struct host_info hi;
	const char *why = "unset";
	u8 *blob;
	size_t len = build(&blob, &params);

	CHECK(len > 0 && len <= KEEL_GUEST_DTB_MAX);
	CHECK_EQ(fdt_be32(blob), FDT_MAGIC);
	CHECK_EQ(fdt_be32(blob + 4), len);
	CHECK_EQ(fdt_parse_host(blob, &hi, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(hi.ram_base, params.ram_gpa);
	CHECK_EQ(hi.ram_size, params.ram_size);
	CHECK_EQ(hi.hart_count, params.vcpus);
	CHECK_EQ(hi.hart_mask, 0xf);
	CHECK_EQ(hi.timebase, params.timebase);
	CHECK(strcmp(hi.isa, params.isa) == 0);
	CHECK_EQ(hi.uart_base, VUART_BASE);
	CHECK_EQ(hi.poweroff_base, 0);
	CHECK_EQ(hi.dtb_size, len);
	CHECK(blob_has(blob, len, "console=hvc0 quiet"));
	CHECK(blob_has(blob, len, "/soc/serial@10000000"));
	CHECK(blob_has(blob, len, "plic@c000000"));
	CHECK(blob_has(blob, len, "linux,initrd-start"));
	free(blob);

	/* Without the UART: no serial node, no PLIC, no stdout-path. */
	struct guest_dt_params plain = params;

	plain.uart = false;
	plain.initrd_end = 0;
	plain.vcpus = 1;
	len = build(&blob, &plain);
	CHECK_EQ(fdt_parse_host(blob, &hi, &why), 0);
	CHECK_EQ(hi.uart_base, 0);
	CHECK_EQ(hi.hart_count, 1);
	CHECK(!blob_has(blob, len, "/soc/serial@10000000"));
	CHECK(!blob_has(blob, len, "linux,initrd-start"));
	free(blob);
}

/* Every buffer smaller than the tree: 0, and not a byte written past cap
 * (the buffer is exactly cap bytes: AddressSanitizer sees any overrun). */
static void test_capacity(void)
{
	u8 *blob;
	size_t len = build(&blob, &params);

	for (size_t cap = 0; cap < len; cap++) {
		u8 *buf = malloc(cap ? cap : 1);

		CHECK_EQ(fdt_build_guest(buf, cap, &params), 0);
		free(buf);
	}
	u8 *exact = malloc(len);

	CHECK_EQ(fdt_build_guest(exact, len, &params), len);
	CHECK(memcmp(exact, blob, len) == 0);
	free(exact);
	free(blob);
}

static void test_writer_errors(void)
{
	static u8 buf[512];
	struct fdt_writer w;

	fdtw_begin(&w, buf, sizeof(buf));
	fdtw_node_begin(&w, "");
	CHECK_EQ(fdtw_finish(&w), 0);  /* unbalanced */
	fdtw_begin(&w, buf, sizeof(buf));
	fdtw_node_begin(&w, "");
	fdtw_node_end(&w);
	fdtw_node_end(&w);
	CHECK_EQ(fdtw_finish(&w), 0);  /* one end too many */
}

static void test_isa(void)
{
	static const struct {
		const char *host;
		bool sstc;
		const char *guest;
	} cases[] = {
		{ "rv64imafdch_zicsr_zifencei_sstc", false, "rv64imafdc_zicsr_zifencei" },
		{ "rv64imafdch_zicsr_zifencei_sstc", true, "rv64imafdc_zicsr_zifencei_sstc" },
		{ "rv64imafdch_h_zba", false, "rv64imafdc_zba" },
		{ "rv64ihmac", false, "rv64imac" },
		{ "rv64gch__zba_", false, "rv64gc_zba" },
	};
	char out[64];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fdt_guest_isa(cases[i].host, cases[i].sstc, out, sizeof(out));
		if (strcmp(out, cases[i].guest) != 0)
			fprintf(stderr, "isa %s -> %s, expected %s\n", cases[i].host, out, cases[i].guest);
		CHECK(strcmp(out, cases[i].guest) == 0);
	}
	/* A short buffer: truncated, always terminated, never overrun. */
	for (size_t size = 1; size < 40; size++) {
		char *small = malloc(size);

		fdt_guest_isa("rv64imafdch_zicsr_zifencei_zihintpause_sstc", false, small, size);
		CHECK(strlen(small) < size);
		free(small);
	}
}

/* The parser trusts the header's totalsize (the host tree is QEMU's, not a
 * guest's), so the mutation keeps that field within the buffer. */
static void test_fuzz(unsigned long iters)
{
	u8 *blob;
	size_t len = build(&blob, &params);
	u8 *buf = malloc(len);
	unsigned long parsed = 0;

	for (unsigned long i = 0; i < iters; i++) {
		struct host_info hi;
		const char *why;

		memcpy(buf, blob, len);
		fuzz_mutate(buf, len);
		if (fdt_be32(buf + 4) > len) {
			buf[4] = (u8)(len >> 24);
			buf[5] = (u8)(len >> 16);
			buf[6] = (u8)(len >> 8);
			buf[7] = (u8)len;
		}
		if (fdt_parse_host(buf, &hi, &why) == 0) {
			parsed++;
			CHECK(hi.hart_count >= 1 && hi.hart_count <= CONFIG_MAX_HARTS);
			CHECK(strlen(hi.isa) < sizeof(hi.isa));
		} else {
			CHECK(why != NULL);
		}
	}
	CHECK(parsed > 0);  /* some mutations leave a usable tree */
	free(buf);
	free(blob);
}

int main(int argc, char **argv)
{
	test_round_trip();
	test_capacity();
	test_writer_errors();
	test_isa();
	test_fuzz(fuzz_iterations(argc, argv, 100000));
	return check_done("fdt");
}
