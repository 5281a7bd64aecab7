/* beat.c - the well-behaved neighbour of an attacking capsule.
 *
 * For run=MS milliseconds (bootargs; default 3000) it reads the time CSR in
 * a tight loop. The largest step between two reads is the longest time it
 * was kept off its hart: while a neighbour holds the hart in M-mode (an SBI
 * call that does not end, a console write of megabytes) that step grows
 * past one time slice. Every 250 ms it prints a heartbeat and checks a
 * canary: 64 KiB of its RAM filled with a pattern no one else may change.
 * At the end: "beat: largest gap N us in M ms, canary intact" (the boot
 * tests bound N) and a clean shutdown, or a FAIL line. */
#include <guest.h>
#include <csr.h>
#include <fdt.h>

#define CANARY_WORDS (64 * 1024 / 8)

static u64 canary[CANARY_WORDS];

static u64 pattern(u64 i)
{
	return 0x6b65656c00000000ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

static bool canary_ok(void)
{
	for (u64 i = 0; i < CANARY_WORDS; i++) {
		if (((volatile u64 *)canary)[i] != pattern(i)) {
			printf("beat: FAIL canary word %lu changed\n", (unsigned long)i);
			return false;
		}
	}
	return true;
}

static u64 number(const char *s)
{
	u64 n = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (u64)(*s - '0');
	return n;
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	char buf[24];
	u64 ms = 3000, start, last, now, next_beat, end, gap = 0;
	u32 hz, beats = 0;

	(void)hartid;
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz < 1000)
		hz = 10000000;
	if (bootarg_value(bootargs, "run", buf, sizeof(buf)))
		ms = number(buf);
	for (u64 i = 0; i < CANARY_WORDS; i++)
		canary[i] = pattern(i);
	printf("beat: running %lu ms\n", (unsigned long)ms);

	start = last = rdtime();
	end = start + ms * (hz / 1000);
	next_beat = start + 250 * (u64)(hz / 1000);
	for (;;) {
		now = rdtime();
		/* Before the end test: the step that ends the run counts too. */
		if (now - last > gap)
			gap = now - last;
		last = now;
		if (now >= end)
			break;
		if (now >= next_beat) {
			printf("beat: %u, largest gap so far %lu us\n", ++beats,
			       (unsigned long)(gap * 1000000 / hz));
			if (!canary_ok())
				return 1;
			next_beat = rdtime() + 250 * (u64)(hz / 1000);
		}
	}
	if (!canary_ok())
		return 1;
	printf("beat: largest gap %lu us in %lu ms, canary intact\n", (unsigned long)(gap * 1000000 / hz),
	       (unsigned long)ms);
	return 0;
}
