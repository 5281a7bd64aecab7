/* check.h - the host-side C tests' assertions and fuzz randomness.
 * CHECK(cond) counts a check and records a failure with file:line; a test
 * program ends with check_done(), which prints the tally and returns the
 * exit status (non-zero if any check failed). test/unit/hypervisor-c.test.ts
 * builds and runs each test_*.c under -fsanitize=address,undefined. */
#ifndef TEST_C_CHECK_H
#define TEST_C_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned check_count, check_failed;

#define CHECK(cond) check_one((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b) check_eq((unsigned long long)(a), (unsigned long long)(b), #a " == " #b, __FILE__, __LINE__)

static inline void check_one(int ok, const char *what, const char *file, int line)
{
	check_count++;
	if (ok)
		return;
	if (check_failed++ < 20)
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
}

static inline void check_eq(unsigned long long a, unsigned long long b, const char *what, const char *file, int line)
{
	check_count++;
	if (a == b)
		return;
	if (check_failed++ < 20)
		fprintf(stderr, "%s:%d: check failed: %s (0x%llx != 0x%llx)\n", file, line, what, a, b);
}

/* A reader's reason for refusing an input: exactly want. */
#define CHECK_WHY(why, want) check_why((why), (want), __FILE__, __LINE__)

static inline void check_why(const char *why, const char *want, const char *file, int line)
{
	check_count++;
	if (why && strcmp(why, want) == 0)
		return;
	if (check_failed++ < 20)
		fprintf(stderr, "%s:%d: check failed: reason \"%s\", expected \"%s\"\n", file, line,
			why ? why : "(none)", want);
}

/* One broken rule of a binary format: value written little-endian into
 * bytes bytes at offset at of a good input; the reader must say why. */
struct bad_field {
	unsigned at, bytes;
	unsigned long long value;
	const char *why;
};

static inline void put_le(unsigned char *p, unsigned long long v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline int check_done(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, check_count, check_failed);
	return check_failed ? 1 : 0;
}

/* xorshift64: a fixed seed, so a failing fuzz input comes back on every run. */
static unsigned long long fuzz_state = 0x9e3779b97f4a7c15ULL;

static inline unsigned long long fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

/* Flips, sets or clears 1..8 random bytes of buf (len > 0). */
static inline void fuzz_mutate(unsigned char *buf, size_t len)
{
	unsigned n = 1 + (unsigned)(fuzz_next() % 8);

	for (unsigned i = 0; i < n; i++) {
		size_t at = (size_t)(fuzz_next() % len);
		unsigned long long r = fuzz_next();

		switch (r % 4) {
		case 0: buf[at] ^= (unsigned char)(1u << ((r >> 8) % 8)); break;
		case 1: buf[at] = (unsigned char)(r >> 16); break;
		case 2: buf[at] = 0; break;
		default: buf[at] = 0xff; break;
		}
	}
}

/* Iterations of a fuzz loop: argv[1] if given, else def. */
static inline unsigned long fuzz_iterations(int argc, char **argv, unsigned long def)
{
	return argc > 1 ? strtoul(argv[1], NULL, 0) : def;
}

#endif
