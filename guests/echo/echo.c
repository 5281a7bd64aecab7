/* echo.c - console input through the hypervisor's multiplexer.
 *
 * Prints "echo: ready", then reads lines from the console and answers each
 * with `echo: got "<line>"`; the line "quit" ends it (SRST shutdown).
 * Between empty reads it sleeps 5 ms (stimecmp + wfi), so an idle echo
 * capsule leaves its hart to others. Bootargs:
 *   dbcn         read with SBI DBCN read instead of the legacy getchar
 *   flood=BYTES  first print BYTES bytes of 64-byte lines as fast as it can
 *                (the hypervisor drops what is over the capsule's allowance)
 *   keel         first try the Keel vendor extension as a capsule that does
 *                not own the machine: LIST works, STOP is denied */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>

#define NEVER (~0ULL)
#define LINE_MAX 100
#define KEEL_EID 0x094B454CL

static u64 tick;  /* 5 ms in timebase ticks */
static bool use_dbcn;

/* Sleep about 5 ms: arm the timer with interrupts off (a pending enabled
 * interrupt still ends wfi), then disarm, which clears it again. */
static void nap(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE);
	csr_write(CSR_STIMECMP, rdtime() + tick);
	wfi();
	csr_write(CSR_STIMECMP, NEVER);
	csr_clear(sie, SIE_STIE);
}

static int read_char(void)
{
	static char c;
	struct sbiret r;

	if (!use_dbcn)
		return (int)sbi_legacy_getchar();
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_READ, 1, (unsigned long)&c, 0, 0, 0, 0);
	if (r.error)
		printf("echo: FAIL DBCN read error %ld\n", r.error);
	return r.error == 0 && r.value == 1 ? (unsigned char)c : -1;
}

static void flood(unsigned long bytes)
{
	static const char line[] = "echo: flood 0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDE\n";
	u64 start, took;

	printf("echo: flooding %lu bytes\n", bytes);
	start = rdtime();
	for (unsigned long done = 0; done < bytes; done += sizeof(line) - 1)
		console_write(line, sizeof(line) - 1);
	/* How long the writes took decides how much the allowance could refill: the
	 * boot test bounds what was shown by burst + rate x this time. */
	took = rdtime() - start;
	/* 64-byte lines: BYTES / 64 of them (rounded up). Then let the allowance
	 * fill up again so that the marker and the next line show. */
	for (int i = 0; i < 400; i++)
		nap();
	printf("echo: flood done (the writes took %lu ticks)\n", (unsigned long)took);
}

/* One LIST record (docs/design/keel-sbi.md). */
struct keel_record {
	char name[32];
	u32 id, state, vcpus, reserved;
	u64 ram_size, uptime_ms;
};

static void keel_ext(void)
{
	static struct keel_record recs[8];
	static const char *const states[] = { "stopped", "running", "crashed", "rebooting" };
	struct sbiret r = sbi_ecall(KEEL_EID, 0, (unsigned long)recs, sizeof(recs), 0, 0, 0, 0);

	if (r.error) {
		printf("echo: FAIL keel LIST error %ld\n", r.error);
		return;
	}
	for (long i = 0; i < r.value && i < 8; i++)
		printf("echo: keel list %u %s %s %u vCPU(s) %lu MiB\n", recs[i].id, recs[i].name,
		       recs[i].state < 4 ? states[recs[i].state] : "?", recs[i].vcpus,
		       (unsigned long)(recs[i].ram_size >> 20));
	r = sbi_ecall(KEEL_EID, 1, 0, 0, 0, 0, 0, 0);
	printf("echo: keel stop denied: %s\n", r.error == SBI_ERR_DENIED ? "yes" : "NO");
	/* The log holds host addresses and other capsules' kill reasons: the owner's only. */
	r = sbi_ecall(KEEL_EID, 4, (unsigned long)recs, sizeof(recs), 0, 0, 0, 0);
	printf("echo: keel log denied: %s\n", r.error == SBI_ERR_DENIED ? "yes" : "NO");
	r = sbi_ecall(KEEL_EID, 0, 0x10, sizeof(recs), 0, 0, 0, 0);
	printf("echo: keel list to a bad address: %s\n", r.error == SBI_ERR_INVALID_ADDRESS ? "refused" : "NOT refused");
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	char line[LINE_MAX + 1], arg[24];
	size_t len = 0;
	u32 timebase = 10000000;

	(void)hartid;
	fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &timebase);
	tick = timebase / 200;
	use_dbcn = bootarg_has(bootargs, "dbcn");
	if (bootarg_has(bootargs, "keel"))
		keel_ext();
	if (bootarg_value(bootargs, "flood", arg, sizeof(arg))) {
		unsigned long n = 0;

		for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
		flood(n);
	}
	printf("echo: ready (%s), type a line; quit ends\n", use_dbcn ? "dbcn read" : "legacy getchar");
	for (;;) {
		int c = read_char();

		if (c < 0) {
			nap();
			continue;
		}
		if (c == '\r' || c == '\n') {
			line[len] = '\0';
			if (len == 0)
				continue;
			printf("echo: got \"%s\"\n", line);
			if (strcmp(line, "quit") == 0) {
				printf("echo: bye\n");
				return 0;
			}
			len = 0;
			continue;
		}
		if (len < LINE_MAX)
			line[len++] = (char)c;
	}
}
