/* hello.c - greet, show what the device tree says, then check the SBI
 * behaviour Keel promises, one line per check.
 *
 * Bootargs:
 *   reboot  on boot count 0, ask for an SRST cold reboot; on the next boot
 *           (count 1) carry on normally.
 *   fail    finish with SRST shutdown reason 1 (system failure), so that
 *           the hypervisor reports the capsule as failed.
 *   wait=MS sleep MS milliseconds (by rdtime) before the checks, so that a
 *           test can see two capsules running at the same time. */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>

static int checks, failures;

static bool is_small(long v)
{
	return v >= -100 && v <= 100000;
}

/* One check: print "ok" or "FAIL ... (got X, want Y)" and count it.
 * Error codes and counts print in decimal, versions and ids in hex. */
static void check(const char *what, long got, long want)
{
	checks++;
	if (got == want) {
		printf("hello: ok   %s\n", what);
		return;
	}
	failures++;
	if (is_small(got) && is_small(want))
		printf("hello: FAIL %s (got %ld, want %ld)\n", what, got, want);
	else
		printf("hello: FAIL %s (got %#lx, want %#lx)\n", what, got, want);
}

/* A name that is certainly not an SBI extension. */
#define EID_BOGUS 0x12345678

static void check_sbi(void)
{
	static const char msg[] = "hello: dbcn write from a guest buffer\n";
	struct sbiret r;

	r = sbi_get_spec_version();
	check("BASE spec_version is 2.0", r.error ? r.error : r.value,
	      SBI_SPEC_VERSION(2, 0));
	r = sbi_get_impl_id();
	check("BASE impl_id is KEEL", r.error ? r.error : r.value, SBI_IMPL_ID_KEEL);

	check("probe BASE", sbi_probe_extension(SBI_EXT_BASE).value, 1);
	check("probe TIME", sbi_probe_extension(SBI_EXT_TIME).value, 1);
	check("probe SRST", sbi_probe_extension(SBI_EXT_SRST).value, 1);
	check("probe DBCN", sbi_probe_extension(SBI_EXT_DBCN).value, 1);
	check("probe HSM", sbi_probe_extension(SBI_EXT_HSM).value, 1);
	check("probe IPI", sbi_probe_extension(SBI_EXT_IPI).value, 1);
	check("probe RFENCE", sbi_probe_extension(SBI_EXT_RFENCE).value, 1);
	check("probe unknown EID is absent", sbi_probe_extension(EID_BOGUS).value, 0);

	/* binary-encoding.adoc: an unknown EID or FID returns NOT_SUPPORTED. */
	r = sbi_ecall(EID_BOGUS, 0, 0, 0, 0, 0, 0, 0);
	check("unknown EID returns NOT_SUPPORTED", r.error, SBI_ERR_NOT_SUPPORTED);
	r = sbi_ecall(SBI_EXT_BASE, 100, 0, 0, 0, 0, 0, 0);
	check("unknown BASE FID returns NOT_SUPPORTED", r.error, SBI_ERR_NOT_SUPPORTED);

	/* ext-hsm.adoc: this capsule has one vCPU, which is running. */
	r = sbi_hart_get_status(0);
	check("HSM status of vCPU 0 is STARTED", r.error ? r.error : r.value, SBI_HSM_STATE_STARTED);
	r = sbi_hart_get_status(1);
	check("HSM status of an absent vCPU returns INVALID_PARAM", r.error, SBI_ERR_INVALID_PARAM);

	/* ext-ipi.adoc / ext-rfence.adoc: a hart mask naming an absent hart ->
	 * INVALID_PARAM; the HFENCE functions (for nested hypervisors) are not
	 * offered -> NOT_SUPPORTED. */
	r = sbi_send_ipi(0x2, 0);
	check("IPI to an absent vCPU returns INVALID_PARAM", r.error, SBI_ERR_INVALID_PARAM);
	r = sbi_ecall(SBI_EXT_RFENCE, 3, 1, 0, 0, 0, 0, 0);
	check("RFENCE HFENCE.GVMA.VMID returns NOT_SUPPORTED", r.error, SBI_ERR_NOT_SUPPORTED);

	/* ext-sys-reset.adoc: type 3 is reserved -> INVALID_PARAM. */
	r = sbi_system_reset(3, SBI_SRST_REASON_NONE);
	check("SRST reserved type returns INVALID_PARAM", r.error, SBI_ERR_INVALID_PARAM);

	/* ext-debug-console.adoc (SBI 2.0): memory the caller may not access
	 * -> INVALID_PARAM. GPA 0x1000 is outside the guest's RAM. */
	r = sbi_debug_console_write(16, 0x1000, 0);
	check("DBCN write outside RAM returns INVALID_PARAM", r.error,
	      SBI_ERR_INVALID_PARAM);

	/* A good buffer is written in full (the message ends in a newline). */
	r = sbi_debug_console_write(sizeof(msg) - 1, (uptr)msg, 0);
	check("DBCN write returns the byte count", r.error ? r.error : r.value,
	      (long)(sizeof(msg) - 1));
}

/* Two rdtime reads a little apart must differ. */
static void check_time(void)
{
	u64 t0 = rdtime(), t1;
	volatile int spin;

	for (spin = 0; spin < 100000; spin++)
		;
	t1 = rdtime();
	check("rdtime advances", t1 > t0, 1);
}

/* Waits the bootargs' wait=MS (rdtime against the device tree's
 * timebase-frequency) asleep: WFI with only the timer enabled in sie and
 * sstatus.SIE clear, so the timer wakes the vCPU without a trap, and the
 * hypervisor can give the hart to others meanwhile. */
static void wait_ms(const void *dtb, const char *bootargs)
{
	char buf[16];
	u32 hz;
	u64 ms = 0, end, now;

	if (!bootarg_value(bootargs, "wait", buf, sizeof(buf)))
		return;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (u64)(*p - '0');
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz))
		hz = 10000000;
	printf("hello: waiting %lu ms\n", (unsigned long)ms);
	end = rdtime() + ms * (hz / 1000);
	csr_set(sie, SIE_STIE);
	while ((now = rdtime()) < end) {
		u64 next = now + hz / 10; /* wake at least every 100 ms */

		sbi_set_timer(next < end ? next : end);
		__asm__ volatile("wfi");
	}
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs;
	u64 base, size;
	u32 boot_count;
	bool have_count;

	printf("hello: hello from vCPU %lu\n", hartid);

	bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	printf("hello: bootargs \"%s\"\n", bootargs ? bootargs : "");

	if (fdt_reg(dtb, "/memory", 0, &base, &size))
		printf("hello: RAM %#lx size %#lx (%lu MiB)\n", (unsigned long)base,
		       (unsigned long)size, (unsigned long)(size >> 20));
	else
		printf("hello: no /memory reg in the device tree\n");

	have_count = fdt_getprop_u32(dtb, "/chosen", "keel,boot-count", &boot_count);
	if (have_count)
		printf("hello: boot count %u\n", boot_count);

	wait_ms(dtb, bootargs);

	if (bootarg_has(bootargs, "reboot")) {
		if (!have_count) {
			printf("hello: FAIL reboot asked but /chosen/keel,boot-count missing\n");
			return 1;
		}
		if (boot_count == 0) {
			struct sbiret r;

			printf("hello: rebooting\n");
			r = sbi_system_reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
			printf("hello: FAIL SRST cold reboot returned (error %ld)\n", r.error);
			return 1;
		}
	}

	check_sbi();
	check_time();

	if (failures == 0)
		printf("hello: all %d checks passed\n", checks);
	else
		printf("hello: %d of %d checks FAILED\n", failures, checks);

	if (bootarg_has(bootargs, "fail")) {
		printf("hello: failing on request\n");
		return 1;
	}
	return failures == 0 ? 0 : 1;
}
