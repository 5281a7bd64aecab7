/* test_bundle.c - the bundle reader (core/bundle.c, layout keel/bundle.h,
 * docs/design/bundle-format.md) and SHA-256 (core/sha256.c): a good bundle
 * opened and its records checked; each rule broken once; then mutated
 * bundles, whose accepted records must lie inside the bytes given.
 * keel-test-sources: hypervisor/core/bundle.c hypervisor/core/sha256.c hypervisor/core/lib.c */
#include "check.h"
#include <string.h>
#include <keel/bundle_check.h>
#include <keel/config.h>
#include <keel/sha256.h>

#define HDR 64
#define REC 128
#define STRINGS (HDR + 2 * REC)
#define PAYLOAD 4096
#define PAYLOAD_SIZE 300
#define TOTAL (PAYLOAD + 2 * PAYLOAD_SIZE)

/* Record field offsets. */
#define R_NAME 0
#define R_PAYLOAD_OFFSET 32
#define R_PAYLOAD_SIZE 40
#define R_SHA 48
#define R_RAM 80
#define R_VCPUS 88
#define R_FLAGS 92
#define R_KIND 100
#define R_BOOTARGS_OFF 104
#define R_BOOTARGS_LEN 108
#define R_PRIORITY 120
#define R_RESTART 124

static void record(u8 *b, unsigned i, const char *name, const char *args_at, u32 args_len)
{
	u8 *r = b + HDR + REC * i;
	u64 off = PAYLOAD + (u64)PAYLOAD_SIZE * i;

	memcpy(r + R_NAME, name, strlen(name));
	put_le(r + R_PAYLOAD_OFFSET, i == 0 ? PAYLOAD : PAYLOAD, 8);  /* both share the first page */
	put_le(r + R_PAYLOAD_SIZE, PAYLOAD_SIZE, 8);
	sha256(b + PAYLOAD, PAYLOAD_SIZE, r + R_SHA);
	put_le(r + R_RAM, 16UL << 20, 8);
	put_le(r + R_VCPUS, 1 + i, 4);
	put_le(r + R_FLAGS, i ? KEEL_CAPSULE_DEV_UART : 0, 4);
	put_le(r + 96, KEEL_HART_ANY, 4);
	put_le(r + R_KIND, KEEL_PAYLOAD_ELF, 4);
	put_le(r + R_BOOTARGS_OFF, (u64)(args_at - (const char *)b), 4);
	put_le(r + R_BOOTARGS_LEN, args_len, 4);
	(void)off;
}

static u8 *bundle(void)
{
	u8 *b = calloc(1, TOTAL);

	memcpy(b, KEEL_BUNDLE_MAGIC, 8);
	put_le(b + 8, KEEL_BUNDLE_VERSION, 4);
	put_le(b + 12, HDR, 4);
	put_le(b + 16, REC, 4);
	put_le(b + 20, 2, 4);
	put_le(b + 24, TOTAL, 8);
	put_le(b + 32, STRINGS, 4);
	memcpy(b + STRINGS, "console=hvc0\0quiet", 19);
	put_le(b + 36, 19, 4);
	for (unsigned i = 0; i < 2 * PAYLOAD_SIZE; i++)
		b[PAYLOAD + i] = (u8)(i * 13);
	record(b, 0, "hello", (const char *)b + STRINGS, 12);
	record(b, 1, "root", (const char *)b + STRINGS + 13, 5);
	return b;
}

static void test_sha256(void)
{
	static const u8 abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const u8 empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	u8 d[32], e[32];
	struct sha256_ctx ctx;
	u8 *big = malloc(1000);

	sha256("abc", 3, d);
	CHECK(memcmp(d, abc, 32) == 0);
	sha256("", 0, d);
	CHECK(memcmp(d, empty, 32) == 0);
	/* Fed in odd pieces: the same digest as in one piece. */
	for (unsigned i = 0; i < 1000; i++)
		big[i] = (u8)(i * 31);
	sha256(big, 1000, d);
	sha256_init(&ctx);
	for (unsigned at = 0, step = 1; at < 1000; at += step, step = step * 3 % 97 + 1)
		sha256_update(&ctx, big + at, at + step > 1000 ? 1000 - at : step);
	sha256_final(&ctx, e);
	CHECK(memcmp(d, e, 32) == 0);
	free(big);
}

static void test_good(void)
{
	u8 *b = bundle();
	struct bundle bd;
	const char *why = "unset";

	CHECK_EQ(bundle_open(&bd, b, TOTAL, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(bd.hdr->capsule_count, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct keel_capsule_record *r = bundle_record(&bd, i);

		CHECK_EQ(bundle_check_record(&bd, r, &why), 0);
		CHECK(bundle_payload_verified(&bd, r));
		CHECK(bundle_payload(&bd, r) == b + PAYLOAD);
	}
	CHECK(strcmp(bundle_bootargs(&bd, bundle_record(&bd, 0)), "console=hvc0") == 0);
	CHECK(strcmp(bundle_bootargs(&bd, bundle_record(&bd, 1)), "quiet") == 0);
	CHECK(strcmp(bundle_record(&bd, 1)->name, "root") == 0);
	/* One payload byte changed: the hash says so. */
	b[PAYLOAD + 7] ^= 1;
	CHECK(!bundle_payload_verified(&bd, bundle_record(&bd, 0)));
	free(b);
}

static const struct bad_field bad_header[] = {
	{ 0, 1, 'k', "bad magic" },
	{ 8, 4, 2, "unsupported version" },
	{ 12, 4, 65, "header or record size mismatch" },
	{ 16, 4, 64, "header or record size mismatch" },
	{ 24, 8, TOTAL + 1, "total size beyond the linked bundle" },
	{ 20, 4, CONFIG_MAX_CAPSULES + 1, "more capsules than CONFIG_MAX_CAPSULES" },
	{ 24, 8, HDR + REC, "records outside the bundle" },
	{ 32, 4, TOTAL - 4, "string table outside the bundle" },
	{ 36, 4, 0xffffffff, "string table outside the bundle" },
};

#define R0 HDR
static const struct bad_field bad_record[] = {
	{ R0 + R_NAME, 1, 0, "name empty or not NUL-terminated" },
	{ R0 + R_NAME + 5, 1, 'x', "" },  /* still terminated later: fine (see below) */
	{ R0 + R_KIND, 4, 2, "unknown payload kind" },
	{ R0 + R_FLAGS, 4, 1u << 9, "unknown flags" },
	{ R0 + R_PAYLOAD_OFFSET, 8, PAYLOAD + 8, "payload misaligned or outside the bundle" },
	{ R0 + R_PAYLOAD_SIZE, 8, TOTAL, "payload misaligned or outside the bundle" },
	{ R0 + R_PAYLOAD_OFFSET, 8, 0xfffffffffffff000UL, "payload misaligned or outside the bundle" },
	{ R0 + R_RAM, 8, 0, "RAM size not a non-zero multiple of 2 MiB" },
	{ R0 + R_RAM, 8, 3UL << 20, "RAM size not a non-zero multiple of 2 MiB" },
	{ R0 + R_RAM, 8, 2UL << 30, "RAM size above 1 GiB" },
	{ R0 + R_VCPUS, 4, 0, "no vCPU" },
	{ R0 + R_PRIORITY, 4, 2, "unknown priority" },
	{ R0 + R_RESTART, 1, 3, "unknown restart policy" },
	{ R0 + R_BOOTARGS_OFF, 4, STRINGS - 1, "bootargs outside the string table" },
	{ R0 + R_BOOTARGS_LEN, 4, 19, "bootargs outside the string table" },
	{ R0 + R_BOOTARGS_LEN, 4, 0xffffffff, "bootargs outside the string table" },
	{ R0 + R_BOOTARGS_LEN, 4, 4, "bootargs outside the string table" },  /* no NUL after 4 */
};

static void test_bad(void)
{
	for (unsigned i = 0; i < sizeof(bad_header) / sizeof(bad_header[0]); i++) {
		u8 *b = bundle();
		struct bundle bd;
		const char *why = NULL;

		put_le(b + bad_header[i].at, bad_header[i].value, bad_header[i].bytes);
		CHECK_EQ(bundle_open(&bd, b, TOTAL, &why), -1);
		CHECK_WHY(why, bad_header[i].why);
		free(b);
	}
	for (unsigned i = 0; i < sizeof(bad_record) / sizeof(bad_record[0]); i++) {
		u8 *b = bundle();
		struct bundle bd;
		const char *why = NULL;
		int want = bad_record[i].why[0] ? -1 : 0;

		put_le(b + bad_record[i].at, bad_record[i].value, bad_record[i].bytes);
		CHECK_EQ(bundle_open(&bd, b, TOTAL, &why), 0);
		CHECK_EQ(bundle_check_record(&bd, bundle_record(&bd, 0), &why), want);
		if (want)
			CHECK_WHY(why, bad_record[i].why);
		free(b);
	}
	/* A name of 32 characters has no NUL. */
	{
		u8 *b = bundle();
		struct bundle bd;
		const char *why;

		memset(b + R0 + R_NAME, 'n', 32);
		CHECK_EQ(bundle_open(&bd, b, TOTAL, &why), 0);
		CHECK_EQ(bundle_check_record(&bd, bundle_record(&bd, 0), &why), -1);
		free(b);
	}
	/* Fewer bytes than a header. */
	{
		u8 *b = bundle();
		struct bundle bd;
		const char *why;

		CHECK_EQ(bundle_open(&bd, b, HDR - 1, &why), -1);
		free(b);
	}
}

/* What capsules_init does with a bundle, on every mutated one: open,
 * check each record, then use what was accepted (hash, bootargs). */
static void test_fuzz(unsigned long iters)
{
	u8 *good = bundle(), *b = malloc(TOTAL);
	unsigned long accepted = 0;

	for (unsigned long i = 0; i < iters; i++) {
		struct bundle bd;
		const char *why;

		memcpy(b, good, TOTAL);
		fuzz_mutate(b, (i & 1) ? STRINGS + 19 : HDR);
		if (bundle_open(&bd, b, TOTAL, &why) != 0) {
			CHECK(why != NULL);
			continue;
		}
		CHECK(bd.hdr->total_size <= TOTAL);
		for (unsigned r = 0; r < bd.hdr->capsule_count; r++) {
			const struct keel_capsule_record *rec = bundle_record(&bd, r);

			CHECK((const u8 *)(rec + 1) <= b + TOTAL);
			if (bundle_check_record(&bd, rec, &why) != 0)
				continue;
			accepted++;
			CHECK(rec->payload_offset + rec->payload_size <= TOTAL);
			(void)bundle_payload_verified(&bd, rec);
			/* A NUL may come early (a string table the writer would not
			 * make, harmless); it must not come late. */
			CHECK(strlen(bundle_bootargs(&bd, rec)) <= rec->bootargs_len);
			CHECK((const u8 *)bundle_bootargs(&bd, rec) + rec->bootargs_len < b + TOTAL);
		}
	}
	CHECK(accepted > 0);
	free(good);
	free(b);
}

int main(int argc, char **argv)
{
	test_sha256();
	test_good();
	test_bad();
	test_fuzz(fuzz_iterations(argc, argv, 100000));
	return check_done("bundle");
}
