/* sbibench.c - the SBI null-call round trip, for bench/sbi.ts.
 *
 * Makes N calls to BASE get_spec_version (EID 0x10, FID 0: no side effect,
 * nothing to look up) in a tight loop, and runs an empty loop of the same N
 * as the baseline. Each loop is read with rdtime, rdcycle and rdinstret.
 * The same ELF, relinked at 0x80200000, runs under QEMU's OpenSBI, so the
 * loops are the same instructions on both sides.
 *
 * Bootargs:
 *   n=N   calls (and empty iterations); default 100000.
 *
 * Output (one line each, then SRST shutdown):
 *   sbibench: n <N> call <ns per call> ns loop <ns per iteration> ns
 *   sbibench: cycle call <per call> loop <per iteration>
 *   sbibench: instret call <per call> loop <per iteration>
 * The ns come from the time CSR and /cpus timebase-frequency. Under QEMU's
 * TCG, cycle and instret are host ticks; with -icount they count executed
 * instructions at every privilege level (and time follows them). */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>

#define DEFAULT_N 100000UL

static inline u64 rdcycle(void)
{
	u64 v;
	__asm__ volatile("csrr %0, cycle" : "=r"(v));
	return v;
}

static inline u64 rdinstret(void)
{
	u64 v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

struct sample {
	u64 time, cycle, instret;
};

static void take(struct sample *s)
{
	s->time = rdtime();
	s->cycle = rdcycle();
	s->instret = rdinstret();
}

static void diff(struct sample *d, const struct sample *a, const struct sample *b)
{
	d->time = b->time - a->time;
	d->cycle = b->cycle - a->cycle;
	d->instret = b->instret - a->instret;
}

/* N null calls. Returns the OR of every error code (0 when all succeeded). */
static __attribute__((noinline)) long call_loop(unsigned long n)
{
	long errors = 0;

	for (unsigned long i = 0; i < n; i++) {
		register long a0 __asm__("a0");
		register long a1 __asm__("a1");
		register long a6 __asm__("a6") = SBI_BASE_GET_SPEC_VERSION;
		register long a7 __asm__("a7") = SBI_EXT_BASE;

		__asm__ volatile("ecall"
				 : "=r"(a0), "=r"(a1)
				 : "r"(a6), "r"(a7)
				 : "memory");
		errors |= a0;
	}
	return errors;
}

/* The same loop without the ecall: counter, compare, branch, the OR. */
static __attribute__((noinline)) long empty_loop(unsigned long n)
{
	long errors = 0;

	for (unsigned long i = 0; i < n; i++) {
		register long a0 __asm__("a0") = 0;

		__asm__ volatile("" : "+r"(a0) : : "memory");
		errors |= a0;
	}
	return errors;
}

/* Prints v / n with three decimals. */
static void print_per(const char *what, u64 v, u64 n)
{
	u64 milli = v * 1000 / n;

	printf(" %s %lu.%03lu", what, (unsigned long)(milli / 1000),
	       (unsigned long)(milli % 1000));
}

/* Picoseconds per tick of the time CSR, times ticks, over n: ns with three
 * decimals. ticks * 1e12 / hz overflows 64 bits past ~18 s at 10 MHz, so
 * the tick length is taken first (exact for 10 MHz). */
static void print_ns(const char *what, u64 ticks, u64 hz, u64 n)
{
	u64 ps = ticks * (1000000000000ULL / hz) / n;

	printf(" %s %lu.%03lu ns", what, (unsigned long)(ps / 1000),
	       (unsigned long)(ps % 1000));
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	struct sample a, b, c, call, loop;
	unsigned long n = 0;
	char buf[24];
	u32 hz;
	long errors;

	(void)hartid;
	if (bootarg_value(bootargs, "n", buf, sizeof(buf)))
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
	if (n == 0)
		n = DEFAULT_N;
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz == 0)
		hz = 10000000;

	/* Warm up: translated blocks, caches, the SEE's own paths. */
	errors = call_loop(n / 10 + 1) | empty_loop(n / 10 + 1);

	take(&a);
	errors |= empty_loop(n);
	take(&b);
	errors |= call_loop(n);
	take(&c);
	diff(&loop, &a, &b);
	diff(&call, &b, &c);

	if (errors != 0) {
		printf("sbibench: FAIL get_spec_version returned error bits %#lx\n",
		       (unsigned long)errors);
		return 1;
	}
	printf("sbibench: n %lu", n);
	print_ns("call", call.time, hz, n);
	print_ns("loop", loop.time, hz, n);
	printf("\n");
	printf("sbibench: cycle");
	print_per("call", call.cycle, n);
	print_per("loop", loop.cycle, n);
	printf("\n");
	printf("sbibench: instret");
	print_per("call", call.instret, n);
	print_per("loop", loop.instret, n);
	printf("\n");
	printf("sbibench: timebase %u Hz\n", hz);
	return 0;
}
