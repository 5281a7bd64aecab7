/* sbifuzz.c - SBI argument fuzzer (images/sbifuzz.yaml).
 *
 * Makes `calls=N` (default 5000) pseudo-random SBI calls from a fixed-seed
 * xorshift64: EIDs biased towards the extensions Keel implements and their
 * FIDs (plus a few past the last one), arguments biased towards edge values
 * (0, -1, huge, addresses inside and outside its RAM, hart masks with high
 * bits). Every answer must be a spec error code (0, -1..-10) and, where the
 * rule is simple, exactly the one the spec asks for (unknown EID or FID:
 * -2; a hart mask naming an absent vCPU: -3; a buffer outside RAM: -3 or
 * -5, ...). It runs on one vCPU.
 *
 * Left out, because they legitimately end or stop the caller: SRST reset
 * with a valid type and reason, legacy shutdown, HSM hart_stop and a valid
 * hart_suspend of itself, and the Keel extension's STOP/RESTART. Calls that
 * would write into its own image (a valid DBCN read or Keel LIST/LOG
 * buffer) or print its memory (a valid DBCN write) are pointed at scratch
 * buffers instead; bytes printed are always '.'. */
#include <guest.h>
#include <fdt.h>
#include <sbi.h>

#define SBI_EXT_KEEL 0x094B454CL
#define KEEL_FID_LIST 0
#define KEEL_FID_STOP 1
#define KEEL_FID_START 2
#define KEEL_FID_RESTART 3
#define KEEL_FID_LOG 4
#define KEEL_LIST_RECORD 64

#define SKIP 1000 /* not an SBI error: the call is left out */

static u64 ram_base, ram_end, dtb_gpa;
static u64 seed = 0x9e3779b97f4a7c15ULL;
static char scratch[32768] __attribute__((aligned(4096))); /* the hypervisor writes here */
static char dots[320];                                       /* and prints from here */
static unsigned bad;

static u64 rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const long implemented[] = {
	SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR, SBI_EXT_LEGACY_SHUTDOWN,
	SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN,
	SBI_EXT_KEEL,
};
#define NIMPL (sizeof(implemented) / sizeof(implemented[0]))

/* Extensions Keel does not offer (some exist in the spec), and odd ones. */
static const long unimplemented[] = {
	0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0f, 0x11, 0x504D55 /* PMU */, 0x53555350 /* SUSP */,
	0x43505043 /* CPPC */, 0x4E41434C /* NACL */, 0x535441 /* STA */, 0x08000000, 0x08FFFFFF,
	0x09000000, 0x094B454D, 0x0A000000, 0x0AFFFFFF, -1L, 0x7fffffffffffffffL,
};
#define NUNIMPL (sizeof(unimplemented) / sizeof(unimplemented[0]))

static bool is_implemented(unsigned long eid)
{
	for (unsigned i = 0; i < NIMPL; i++)
		if ((unsigned long)implemented[i] == eid)
			return true;
	return false;
}

/* Highest FID each extension implements (legacy ones ignore the FID). */
static unsigned max_fid(long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
		return 6;
	case SBI_EXT_RFENCE:
		return 6;
	case SBI_EXT_HSM:
		return 3;
	case SBI_EXT_DBCN:
		return 2;
	case SBI_EXT_KEEL:
		return 4;
	default:
		return 0;
	}
}

static u64 edge(void)
{
	switch (pick(24)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0UL;
	case 3: return 2;
	case 4: return 0x7fffffffffffffffUL;
	case 5: return 0x8000000000000000UL;
	case 6: return 0x8000000000000001UL;
	case 7: return 0xffffffffUL;
	case 8: return 0x80000000UL;
	case 9: return ram_base;
	case 10: return ram_base - 1;
	case 11: return ram_end;
	case 12: return ram_end - 1;
	case 13: return ram_end - 8;
	case 14: return dtb_gpa;
	case 15: return (u64)(uptr)scratch + pick(256);
	case 16: return 0x10000000UL;
	case 17: return 0x8fe00000UL;
	case 18: return 1UL << pick(64);
	case 19: return ~(1UL << pick(64));
	case 20: return pick(16);
	case 21: return ram_base + (rnd() % (ram_end - ram_base));
	default: return rnd();
	}
}

/* [addr, addr+len) wholly inside RAM (len > 0). */
static bool in_ram(u64 addr, u64 len)
{
	return addr >= ram_base && addr < ram_end && len <= ram_end - addr;
}

/* A buffer the hypervisor would write to or print from: inside RAM below
 * the device tree (its own image, stack, ...) goes to the scratch buffer. */
static u64 safe_buffer(u64 addr)
{
	if (addr >= ram_base && addr < dtb_gpa)
		return (u64)(uptr)scratch + (addr & 0xff);
	return addr;
}

/* Sets up one call's arguments (a[] may be rewritten) and returns the
 * error code it must get, SKIP to leave it out, or -100 for "any spec code". */
#define ANY (-100)
static long expect(long eid, unsigned long fid, u64 *a, long *value, bool *check_value)
{
	/* One vCPU: base 0 with bit 0 or no bit, or base -1; any other base is invalid even with an empty mask. */
	bool ok_mask = a[1] == ~0UL || (a[1] == 0 && (a[0] == 0 || a[0] == 1));

	*check_value = false;
	switch (eid) {
	case SBI_EXT_LEGACY_SHUTDOWN:
		return SKIP;
	case SBI_EXT_LEGACY_PUTCHAR:
		a[0] = (a[0] & ~0xffUL) | '.';
		return 0;
	case SBI_EXT_LEGACY_SET_TIMER:
		return 0;
	case SBI_EXT_LEGACY_GETCHAR:
		return ANY; /* -1: no input */
	case SBI_EXT_BASE:
		if (fid > 6)
			return SBI_ERR_NOT_SUPPORTED;
		if (fid == SBI_BASE_PROBE_EXTENSION) {
			if (pick(2))
				a[0] = (u64)(pick(2) ? implemented[pick(NIMPL)] : unimplemented[pick(NUNIMPL)]);
			*value = is_implemented(a[0]) ? 1 : 0;
			*check_value = true;
		}
		return 0;
	case SBI_EXT_TIME:
		return fid == 0 ? 0 : SBI_ERR_NOT_SUPPORTED;
	case SBI_EXT_IPI:
		if (fid != 0)
			return SBI_ERR_NOT_SUPPORTED;
		return ok_mask ? 0 : SBI_ERR_INVALID_PARAM;
	case SBI_EXT_RFENCE:
		if (fid > 2)
			return SBI_ERR_NOT_SUPPORTED;
		return ok_mask ? 0 : SBI_ERR_INVALID_PARAM;
	case SBI_EXT_HSM:
		switch (fid) {
		case SBI_HSM_HART_START:
			if (a[0] != 0)
				return SBI_ERR_INVALID_PARAM;
			if ((a[1] & 1) || !in_ram(a[1], 2))
				return SBI_ERR_INVALID_ADDRESS;
			return SBI_ERR_ALREADY_AVAILABLE;
		case SBI_HSM_HART_STOP:
			return SKIP;
		case SBI_HSM_HART_GET_STATUS:
			if (a[0] != 0)
				return SBI_ERR_INVALID_PARAM;
			*value = SBI_HSM_STATE_STARTED;
			*check_value = true;
			return 0;
		case SBI_HSM_HART_SUSPEND:
			/* suspend_type is u32: the upper half of a0 does not count. */
			if ((u32)a[0] == SBI_HSM_SUSPEND_RETENTIVE)
				return SKIP;
			if ((u32)a[0] != SBI_HSM_SUSPEND_NON_RETENTIVE)
				return SBI_ERR_INVALID_PARAM;
			if ((a[1] & 1) || !in_ram(a[1], 2))
				return SBI_ERR_INVALID_ADDRESS;
			return SKIP;
		default:
			return SBI_ERR_NOT_SUPPORTED;
		}
	case SBI_EXT_SRST:
		if (fid != 0)
			return SBI_ERR_NOT_SUPPORTED;
		/* Valid (or valid once truncated to the spec's u32): would end it. */
		if ((u32)a[0] <= 2 && (u32)a[1] <= 1)
			return SKIP;
		return SBI_ERR_INVALID_PARAM;
	case SBI_EXT_DBCN:
		switch (fid) {
		case SBI_DBCN_WRITE:
			if (a[0] == 0)
				return 0;
			if (a[2] == 0 && in_ram(a[1], a[0])) {
				a[1] = (u64)(uptr)dots + (a[1] & 0xff);
				a[0] = (a[0] & 63) + 1;
				*value = (long)a[0];
				*check_value = true;
				return 0;
			}
			return SBI_ERR_INVALID_PARAM;
		case SBI_DBCN_READ:
			a[1] = safe_buffer(a[1]);
			if (a[0] == 0)
				return 0;
			return a[2] == 0 && in_ram(a[1], a[0]) ? 0 : SBI_ERR_INVALID_PARAM;
		case SBI_DBCN_WRITE_BYTE:
			a[0] = (a[0] & ~0xffUL) | '.';
			return 0;
		default:
			return SBI_ERR_NOT_SUPPORTED;
		}
	case SBI_EXT_KEEL:
		switch (fid) {
		case KEEL_FID_LIST:
			a[0] = safe_buffer(a[0]);
			if (a[1] < KEEL_LIST_RECORD)
				return 0;
			return in_ram(a[0], KEEL_LIST_RECORD) ? 0 : SBI_ERR_INVALID_ADDRESS;
		case KEEL_FID_STOP:
		case KEEL_FID_RESTART:
			return SKIP;
		case KEEL_FID_START:
			return SBI_ERR_DENIED; /* it does not own the machine */
		case KEEL_FID_LOG:
			a[0] = safe_buffer(a[0]);
			return ANY; /* 0, or -5 if the log's bytes do not fit */
		default:
			return SBI_ERR_NOT_SUPPORTED;
		}
	default:
		return SBI_ERR_NOT_SUPPORTED;
	}
}

static bool legacy(long eid)
{
	return eid >= 0 && eid <= 8;
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	unsigned long calls = 5000, done = 0, skipped = 0, by_code[11] = { 0 };
	char buf[24];
	u64 size;

	(void)hartid;
	if (bootarg_value(bootargs, "calls", buf, sizeof(buf))) {
		calls = 0;
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			calls = calls * 10 + (unsigned long)(*p - '0');
	}
	if (bootarg_value(bootargs, "seed", buf, sizeof(buf)) && buf[0] >= '1' && buf[0] <= '9')
		seed += (u64)(buf[0] - '0') * 0x100000001b3ULL;
	if (!fdt_reg(dtb, "/memory", 0, &ram_base, &size)) {
		printf("sbifuzz: FAIL no /memory reg in the device tree\n");
		return 1;
	}
	ram_end = ram_base + size;
	dtb_gpa = (u64)(uptr)dtb;
	memset(dots, '.', sizeof(dots));
	printf("sbifuzz: %lu calls, RAM %#lx-%#lx\n", calls, (unsigned long)ram_base, (unsigned long)ram_end);

	while (done < calls) {
		long eid, want, value = 0;
		unsigned long fid;
		bool check_value;
		u64 a[6];
		struct sbiret r;

		eid = pick(5) ? implemented[pick(NIMPL)] : (pick(2) ? unimplemented[pick(NUNIMPL)] : (long)rnd());
		fid = pick(4) ? pick(max_fid(eid) + 2) : edge();
		for (int i = 0; i < 6; i++)
			a[i] = edge();
		want = expect(eid, fid, a, &value, &check_value);
		if (want == SKIP) {
			skipped++;
			continue;
		}
		r = sbi_ecall(eid, (long)fid, a[0], a[1], a[2], a[3], a[4], a[5]);
		done++;
		if (legacy(eid) && is_implemented((unsigned long)eid)) {
			/* v0.1: a0 is the value (getchar: -1 without input). */
			if (r.error != want && !(want == ANY && r.error == -1)) {
				bad++;
				printf("sbifuzz: FAIL legacy eid %#lx -> a0 %ld\n", eid, r.error);
			}
			by_code[0]++;
			continue;
		}
		if (r.error > 0 || r.error < -10) {
			bad++;
			printf("sbifuzz: FAIL eid %#lx fid %#lx a0 %#lx a1 %#lx -> %ld: not an SBI error code\n", eid,
			       fid, (unsigned long)a[0], (unsigned long)a[1], r.error);
			continue;
		}
		by_code[-r.error]++;
		if ((want != ANY && r.error != want) || (check_value && r.error == 0 && r.value != value)) {
			bad++;
			printf("sbifuzz: FAIL eid %#lx fid %#lx a0 %#lx a1 %#lx a2 %#lx -> error %ld value %ld, "
			       "want error %ld%s\n",
			       eid, fid, (unsigned long)a[0], (unsigned long)a[1], (unsigned long)a[2], r.error, r.value,
			       want, check_value ? " (value checked)" : "");
		}
		if (bad > 20) {
			printf("sbifuzz: FAIL too many wrong answers, giving up\n");
			return 1;
		}
	}
	sbi_set_timer(~0UL);
	printf("\n");
	printf("sbifuzz: answers 0:%lu -1:%lu -2:%lu -3:%lu -4:%lu -5:%lu -6:%lu, %lu calls left out\n",
	       by_code[0], by_code[1], by_code[2], by_code[3], by_code[4], by_code[5], by_code[6], skipped);
	if (bad) {
		printf("sbifuzz: FAIL %u wrong answers\n", bad);
		return 1;
	}
	printf("sbifuzz: %lu calls, all answered with spec error codes\n", done);
	return 0;
}
