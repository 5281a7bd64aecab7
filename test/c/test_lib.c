/* test_lib.c - the hypervisor's little libc (core/lib.c), built for the host
 * with its standard names prefixed keel_ (the host's C library keeps the
 * real ones): random lengths and alignments against the C library, then
 * the Keel-only helpers.
 * keel-test-sources: hypervisor/core/lib.c */
#include "check.h"
#include <string.h>
#include <keel/lib.h>

void *keel_memset(void *dst, int c, size_t n);
void *keel_memcpy(void *dst, const void *src, size_t n);
void *keel_memmove(void *dst, const void *src, size_t n);
int keel_memcmp(const void *a, const void *b, size_t n);
size_t keel_strnlen(const char *s, size_t max);
int keel_strcmp(const char *a, const char *b);
int keel_strncmp(const char *a, const char *b, size_t n);

#define BUF 600

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_mem(unsigned long iters)
{
	u8 *a = malloc(BUF), *b = malloc(BUF), *src = malloc(BUF);

	for (unsigned long i = 0; i < iters; i++) {
		size_t off = fuzz_next() % 16, soff = fuzz_next() % 16, n = fuzz_next() % (BUF - 32);
		int c = (int)(fuzz_next() & 0xff);

		for (size_t k = 0; k < BUF; k++)
			src[k] = (u8)fuzz_next();
		memcpy(a, src, BUF);
		memcpy(b, src, BUF);
		CHECK(keel_memset(a + off, c, n) == a + off);
		memset(b + off, c, n);
		CHECK(memcmp(a, b, BUF) == 0);
		CHECK(keel_memcpy(a + off, src + soff, n) == a + off);
		memcpy(b + off, src + soff, n);
		CHECK(memcmp(a, b, BUF) == 0);
		/* Overlapping both ways. */
		CHECK(keel_memmove(a + off, a + soff, n) == a + off);
		memmove(b + off, b + soff, n);
		CHECK(memcmp(a, b, BUF) == 0);
		CHECK_EQ(sign(keel_memcmp(a, src, n)), sign(memcmp(a, src, n)));
		/* mem_scrub: 8-aligned start and length, result all zero. */
		{
			size_t at = 8 * (fuzz_next() % 8), len = 8 * (fuzz_next() % 64);

			if (fuzz_next() & 1)
				memset(a + at, 0, len / 2);
			mem_scrub(a + at, len);
			for (size_t k = 0; k < len; k++)
				CHECK_EQ(a[at + k], 0);
		}
	}
	free(a);
	free(b);
	free(src);
}

static void test_str(void)
{
	char buf[8];

	CHECK_EQ(keel_strnlen("abc", 2), 2);
	CHECK_EQ(keel_strnlen("abc", 10), 3);
	CHECK_EQ(sign(keel_strcmp("abc", "abd")), -1);
	CHECK_EQ(sign(keel_strcmp("abc", "abc")), 0);
	CHECK_EQ(sign(keel_strcmp("b\x80", "b")), 1);  /* unsigned comparison */
	CHECK_EQ(sign(keel_strncmp("abcX", "abcY", 3)), 0);
	CHECK_EQ(sign(keel_strncmp("ab", "abc", 3)), -1);
	CHECK_EQ(strlcpy(buf, "hello world", sizeof(buf)), 11);
	CHECK(strcmp(buf, "hello w") == 0);
	CHECK_EQ(strlcpy(buf, "hi", sizeof(buf)), 2);
	CHECK(strcmp(buf, "hi") == 0);
	CHECK_EQ(strlcpy(buf, "untouched", 0), 9);
	CHECK(strcmp(buf, "hi") == 0);
	CHECK(str_starts("okay", "ok"));
	CHECK(str_starts("ok", ""));
	CHECK(!str_starts("o", "ok"));
	CHECK_EQ(ALIGN_UP(5u, 4u), 8);
	CHECK_EQ(ALIGN_DOWN(0x1fffUL, 0x1000UL), 0x1000);
	CHECK(IS_ALIGNED(0x2000UL, 0x1000UL));
}

int main(int argc, char **argv)
{
	test_mem(fuzz_iterations(argc, argv, 20000));
	test_str();
	return check_done("lib");
}
