/* work.c - a CPU-bound capsule for the scheduler tests (images/fairness.yaml,
 * images/priority.yaml): counts work units for a fixed span of guest time
 * and prints the count. Guest time is rdtime, which keeps running while the
 * vCPU is descheduled, so the count measures the share of a hart it got.
 *
 * Bootargs: ms=N  how long to count (default 1000). */
#include <guest.h>
#include <csr.h>
#include <fdt.h>

/* One work unit: a few hundred dependent integer operations. */
static u64 unit(u64 x)
{
	for (int i = 0; i < 256; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

static u64 bootarg_u64(const char *bootargs, const char *key, u64 dflt)
{
	char buf[24];
	u64 v = 0;

	if (!bootarg_value(bootargs, key, buf, sizeof(buf)))
		return dflt;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (u64)(*p - '0');
	return v;
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	u64 ms = bootarg_u64(bootargs, "ms", 1000);
	u64 units = 0, x = 1, start, end;
	u32 hz;

	(void)hartid;
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz < 1000) {
		printf("work: FAIL no usable /cpus timebase-frequency\n");
		return 1;
	}
	start = rdtime();
	printf("work: counting for %lu ms from time %lu ms\n", (unsigned long)ms,
	       (unsigned long)(start / (hz / 1000)));
	end = start + ms * (hz / 1000);
	while (rdtime() < end) {
		x = unit(x);
		units++;
	}
	printf("work: %lu units in %lu ms (check %lu)\n", (unsigned long)units, (unsigned long)ms,
	       (unsigned long)(x & 0xff));
	return 0;
}
