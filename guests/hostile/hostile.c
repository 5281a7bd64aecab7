/* hostile.c - a capsule that tries to keep its hart: interrupts off
 * (sstatus.SIE = 0, sie = 0) and a busy loop that never traps. The
 * hypervisor's time slices come from the M-mode timer, which a guest cannot
 * mask, so its neighbours on the same hart still run (images/hostile.yaml).
 *
 * Bootargs: spin=MS  spin that long (by rdtime) and then shut down, so the
 * test image has an end; without it, spin forever. */
#include <guest.h>
#include <csr.h>
#include <fdt.h>

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	char buf[24];
	u64 ms = 0, end;
	u32 hz;

	(void)hartid;
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz < 1000)
		hz = 10000000;
	if (bootarg_value(bootargs, "spin", buf, sizeof(buf)))
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			ms = ms * 10 + (u64)(*p - '0');

	printf("hostile: interrupts off, spinning %s\n", ms ? buf : "forever");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	end = rdtime() + ms * (hz / 1000);
	while (ms == 0 || rdtime() < end)
		;
	printf("hostile: done spinning\n");
	return 0;
}
