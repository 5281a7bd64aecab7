/* smp.c - a capsule with several vCPUs (images/smp.yaml: 4 on 2 harts).
 *
 * vCPU 0 runs main(); it checks the device tree lists every vCPU, starts the
 * others through SBI HSM (checking the error codes on the way), and then
 * leads them through phases, one console line each:
 *   ipi      ping-pong: vCPU 0 sends an IPI to 1..N-1, each answers with one
 *            back; every secondary must take exactly ROUNDS IPIs
 *   rfence   remote fence.i / sfence.vma / sfence.vma.asid to vCPUs that spin
 *            meanwhile: the calls return 0 and the targets keep running
 *   timer    every vCPU takes TICKS timer interrupts (SBI set_timer on even
 *            vCPUs, stimecmp on odd ones when the ISA string offers _sstc,
 *            else SBI too) while all of them compete for the harts; none
 *            may come early
 *   suspend  HSM retentive suspend (vCPU 1, woken by an IPI) and
 *            non-retentive suspend (vCPU 2, resumes at its entry)
 *   stop     HSM stop of every secondary, seen as STOPPED by vCPU 0; then
 *            vCPU 1 is started once more and stops again
 * A secondary leaves a phase when vCPU 0 changes `phase` and sends it an
 * IPI, so waiting secondaries can sit in WFI. Every wait has a timeout.
 *
 * Bootargs: crash  vCPU 2 reads outside the capsule's RAM in the rfence
 *                  phase, while the others run: the whole capsule must be
 *                  killed (images/smp-kill.yaml). */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>
#include <trap.h>

#define MAX_VCPUS 8
#define ROUNDS 20
#define FENCE_ROUNDS 20
#define TICKS 5
#define NEVER (~0ULL)
#define OPAQUE(id) (0x5eed0000UL + (id))
#define RESUME_OPAQUE 0x7e5e0e00UL
#define RESTART_OPAQUE 0x12345678UL

enum phase { PH_START, PH_IPI, PH_SPIN, PH_TIMER, PH_SUSPEND, PH_STOP };

extern char secondary_entry[];

static unsigned nvcpus;
static bool has_sstc;  /* cpu@0's riscv,isa names _sstc */
static u64 hz;
static u64 period;  /* 10 ms */

/* Shared between the vCPUs. */
static volatile enum phase phase;
static volatile u32 alive[MAX_VCPUS];
static volatile u32 entry_bad[MAX_VCPUS];
static volatile u32 ipis[MAX_VCPUS];
static volatile u32 pong[MAX_VCPUS];
static volatile u64 spins[MAX_VCPUS];
static volatile u32 ticks[MAX_VCPUS];
static volatile u32 early[MAX_VCPUS];
static volatile u64 deadline[MAX_VCPUS];
static volatile u32 timer_done[MAX_VCPUS];
static volatile u32 suspend_result[MAX_VCPUS];  /* 1 ok, 2 failed */
static volatile u32 resumed[MAX_VCPUS];
static volatile u32 restarted;
static volatile u32 failed;
static bool crash;

static unsigned long my_id(void)
{
	unsigned long tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

static void fail(const char *fmt, unsigned long a, unsigned long b)
{
	printf("smp: FAIL vCPU %lu: ", my_id());
	printf(fmt, a, b);
	printf("\n");
	failed = 1;
}

/* Busy-waits until cond holds, at most 2 s; returns false on timeout. */
#define WAIT_FOR(cond)                                                   \
	({                                                               \
		u64 _t0 = rdtime();                                      \
		bool _ok = true;                                         \
		while (!(cond)) {                                        \
			if (rdtime() - _t0 > 2 * hz) {                   \
				_ok = false;                             \
				break;                                   \
			}                                                \
		}                                                        \
		_ok;                                                     \
	})

/* Sleeps in WFI until cond holds (interrupts are taken in between), at most
 * 2 s. SIE is off around the check, so an interrupt between the check and
 * the wfi still ends the wfi. */
#define SLEEP_FOR(cond)                                                  \
	({                                                               \
		u64 _t0 = rdtime();                                      \
		bool _ok = true;                                         \
		csr_clear(sstatus, SSTATUS_SIE);                         \
		while (!(cond)) {                                        \
			if (rdtime() - _t0 > 2 * hz) {                   \
				_ok = false;                             \
				break;                                   \
			}                                                \
			wfi();                                           \
			csr_set(sstatus, SSTATUS_SIE);                   \
			csr_clear(sstatus, SSTATUS_SIE);                 \
		}                                                        \
		_ok;                                                     \
	})

static u64 secondaries_mask(void)
{
	return ((1UL << nvcpus) - 1) & ~1UL;
}

/* vCPU 0: the secondaries leave their current phase. */
static void set_phase(enum phase p)
{
	phase = p;
	__asm__ volatile("fence rw, rw" ::: "memory");
	sbi_send_ipi(secondaries_mask(), 0);
}

static void arm_timer(unsigned long id, u64 when)
{
	deadline[id] = when;
	if ((id & 1) && has_sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer(when);
}

static bool hook(struct trapframe *tf)
{
	unsigned long id = tf->regs[4];  /* tp */
	u64 now = rdtime();

	if (id >= MAX_VCPUS)
		return false;
	if (tf->scause == (SCAUSE_INTR | IRQ_S_SOFT)) {
		csr_clear(sip, SIP_SSIP);
		ipis[id]++;
		if (id != 0 && phase == PH_IPI) {
			pong[id] = ipis[id];
			sbi_send_ipi(1, 0);
		}
		return true;
	}
	if (tf->scause == (SCAUSE_INTR | IRQ_S_TIMER)) {
		if (now < deadline[id])
			early[id]++;
		ticks[id]++;
		arm_timer(id, ticks[id] < TICKS ? now + period : NEVER);
		return true;
	}
	return false;
}

/* TICKS timer interrupts on the calling vCPU: the first awaited by
 * polling, the rest by polling (even vCPUs, CPU-bound) or WFI (odd ones). */
static void timer_phase(unsigned long id)
{
	u64 start;

	ticks[id] = 0;
	early[id] = 0;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE);
	start = rdtime();
	arm_timer(id, start + period);
	csr_set(sstatus, SSTATUS_SIE);
	if ((id & 2) == 0) {
		if (!WAIT_FOR(ticks[id] >= TICKS))
			fail("timer: %lu of %lu ticks within 2 s", ticks[id], TICKS);
	} else {
		if (!WAIT_FOR(ticks[id] >= 1))
			fail("timer: no tick within 2 s (%lu %lu)", 0, 0);
		else if (!SLEEP_FOR(ticks[id] >= TICKS))
			fail("timer: %lu of %lu ticks within 2 s (wfi)", ticks[id], TICKS);
	}
	csr_clear(sstatus, SSTATUS_SIE);
	if (csr_read(sip) & SIP_STIP)
		fail("timer: interrupt still pending after disarming (%lu %lu)", 0, 0);
	csr_clear(sie, SIE_STIE);
	if (early[id])
		fail("timer: %lu interrupts before their deadline (%lu)", early[id], 0);
	if (rdtime() - start < TICKS * period)
		fail("timer: %lu ticks came too fast (%lu)", TICKS, 0);
	timer_done[id] = 1;
}

/* A secondary waits in WFI until vCPU 0 moves on from phase p. */
static void wait_phase_change(enum phase p)
{
	while (!SLEEP_FOR(phase != p))
		;
}

void secondary_main(unsigned long id, unsigned long opaque);

void secondary_main(unsigned long id, unsigned long opaque)
{
	if (opaque == RESUME_OPAQUE) {
		/* Non-retentive suspend came back here. */
		resumed[id] = 1;
		wait_phase_change(PH_SUSPEND);
	} else if (opaque == RESTART_OPAQUE) {
		restarted = 1;
		while (phase == PH_STOP && restarted == 1)
			;
		sbi_hart_stop();
		fail("hsm stop returned (%lu %lu)", 0, 0);
		for (;;)
			wfi();
	} else {
		if (opaque != OPAQUE(id))
			entry_bad[id] |= 1;
		if (csr_read(satp) != 0)
			entry_bad[id] |= 2;
		if (csr_read(sstatus) & SSTATUS_SIE)
			entry_bad[id] |= 4;
		alive[id] = 1;
	}
	csr_set(sie, SIE_SSIE);

	for (;;) {
		enum phase p = phase;

		switch (p) {
		case PH_START:
		case PH_IPI:
			wait_phase_change(p);
			break;
		case PH_SPIN:
			if (crash && id == 2 && spins[id] > 1000) {
				printf("smp: vCPU 2 reads outside RAM\n");
				(void)*(volatile u64 *)0x90000000UL;
			}
			while (phase == PH_SPIN && !(crash && id == 2 && spins[id] > 1000))
				spins[id]++;
			break;
		case PH_TIMER:
			timer_phase(id);
			wait_phase_change(p);
			break;
		case PH_SUSPEND:
			if (id == 1) {
				struct sbiret r;

				csr_clear(sstatus, SSTATUS_SIE);
				r = sbi_hart_suspend(SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
				suspend_result[id] = r.error == 0 ? 1 : 2;
			} else if (id == 2 && !resumed[id]) {
				struct sbiret r;

				r = sbi_hart_suspend(1, 0, 0);
				if (r.error != SBI_ERR_INVALID_PARAM)
					fail("hsm suspend type 1: error %ld, want %ld", (unsigned long)r.error,
					     (unsigned long)SBI_ERR_INVALID_PARAM);
				r = sbi_hart_suspend(SBI_HSM_SUSPEND_NON_RETENTIVE, 0x1000, 0);
				if (r.error != SBI_ERR_INVALID_ADDRESS)
					fail("hsm suspend at 0x1000: error %ld, want %ld", (unsigned long)r.error,
					     (unsigned long)SBI_ERR_INVALID_ADDRESS);
				r = sbi_hart_suspend(SBI_HSM_SUSPEND_NON_RETENTIVE, (uptr)secondary_entry,
						     RESUME_OPAQUE);
				fail("non-retentive suspend returned (error %ld) %lu", (unsigned long)r.error, 0);
			}
			wait_phase_change(p);
			break;
		case PH_STOP:
			sbi_hart_stop();
			fail("hsm stop returned (%lu %lu)", 0, 0);
			for (;;)
				wfi();
		}
	}
}

static long status_of(unsigned long id)
{
	struct sbiret r = sbi_hart_get_status(id);

	return r.error ? r.error : r.value;
}

/* "/cpus/cpu@<n in hex>" into path (n < 16). */
static void cpu_path(char *path, unsigned n)
{
	static const char pre[] = "/cpus/cpu@";
	unsigned k;

	for (k = 0; pre[k]; k++)
		path[k] = pre[k];
	path[k++] = "0123456789abcdef"[n & 15];
	path[k] = '\0';
}

/* One cpu@N (reg = N) per vCPU, each with a riscv,isa and its own intc. */
static bool check_dt(const void *dtb)
{
	char path[32], intc[64];
	u32 reg, freq;

	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &freq) || freq < 1000) {
		printf("smp: FAIL no usable /cpus timebase-frequency\n");
		return false;
	}
	hz = freq;
	period = hz / 100;
	for (nvcpus = 0; nvcpus <= MAX_VCPUS; nvcpus++) {
		cpu_path(path, nvcpus);
		if (!fdt_getprop_u32(dtb, path, "reg", &reg))
			break;
		memcpy(intc, path, sizeof(path));
		memcpy(intc + strlen(path), "/interrupt-controller", 22);
		if (reg != nvcpus || !fdt_getprop_str(dtb, path, "riscv,isa") ||
		    !fdt_getprop_str(dtb, intc, "compatible")) {
			printf("smp: FAIL %s: reg %u, or no riscv,isa or interrupt-controller\n", path, reg);
			return false;
		}
	}
	if (nvcpus < 2 || nvcpus > MAX_VCPUS) {
		printf("smp: FAIL device tree lists %u vCPUs\n", nvcpus);
		return false;
	}
	printf("smp: device tree lists %u vCPUs\n", nvcpus);
	return true;
}

static bool hsm_start_all(void)
{
	struct sbiret r;
	long s;

	for (unsigned n = 1; n < nvcpus; n++) {
		if ((s = status_of(n)) != SBI_HSM_STATE_STOPPED) {
			printf("smp: FAIL vCPU %u status %ld before start, want STOPPED\n", n, s);
			return false;
		}
	}
	r = sbi_hart_start(nvcpus, (uptr)secondary_entry, 0);
	if (r.error != SBI_ERR_INVALID_PARAM) {
		printf("smp: FAIL start of vCPU %u: error %ld, want -3\n", nvcpus, r.error);
		return false;
	}
	r = sbi_hart_start(1, 0x1000, 0);
	if (r.error != SBI_ERR_INVALID_ADDRESS) {
		printf("smp: FAIL start at 0x1000: error %ld, want -5\n", r.error);
		return false;
	}
	r = sbi_hart_start(1, 0x80000000UL + (64UL << 20), 0);
	if (r.error != SBI_ERR_INVALID_ADDRESS) {
		printf("smp: FAIL start beyond RAM: error %ld, want -5\n", r.error);
		return false;
	}
	if (status_of(nvcpus) != SBI_ERR_INVALID_PARAM) {
		printf("smp: FAIL status of vCPU %u: want -3\n", nvcpus);
		return false;
	}
	r = sbi_hart_start(0, (uptr)secondary_entry, 0);
	if (r.error != SBI_ERR_ALREADY_AVAILABLE) {
		printf("smp: FAIL start of running vCPU 0: error %ld, want -6\n", r.error);
		return false;
	}

	for (unsigned n = 1; n < nvcpus; n++) {
		r = sbi_hart_start(n, (uptr)secondary_entry, OPAQUE(n));
		if (r.error) {
			printf("smp: FAIL start of vCPU %u: error %ld\n", n, r.error);
			return false;
		}
		s = status_of(n);
		if (s != SBI_HSM_STATE_START_PENDING && s != SBI_HSM_STATE_STARTED) {
			printf("smp: FAIL vCPU %u status %ld right after start\n", n, s);
			return false;
		}
		r = sbi_hart_start(n, (uptr)secondary_entry, OPAQUE(n));
		if (r.error != SBI_ERR_ALREADY_AVAILABLE) {
			printf("smp: FAIL second start of vCPU %u: error %ld, want -6\n", n, r.error);
			return false;
		}
	}
	printf("smp: hsm errors ok (bad hartid -3, bad address -5, already started -6)\n");
	for (unsigned n = 1; n < nvcpus; n++) {
		if (!WAIT_FOR(alive[n] && status_of(n) == SBI_HSM_STATE_STARTED)) {
			printf("smp: FAIL vCPU %u not up within 2 s (status %ld)\n", n, status_of(n));
			return false;
		}
		if (entry_bad[n]) {
			printf("smp: FAIL vCPU %u entry state wrong (%#x: 1 a1, 2 satp, 4 SIE)\n", n,
			       entry_bad[n]);
			return false;
		}
	}
	printf("smp: hsm start ok, vCPUs 1-%u STARTED with a0 = id, a1 = opaque, satp = 0, SIE = 0\n",
	       nvcpus - 1);
	return true;
}

static bool all_ponged(u32 round)
{
	for (unsigned n = 1; n < nvcpus; n++)
		if (pong[n] < round)
			return false;
	return true;
}

static bool ipi_phase(void)
{
	struct sbiret r;

	csr_set(sie, SIE_SSIE);
	phase = PH_IPI;
	for (u32 round = 1; round <= ROUNDS; round++) {
		/* Three spellings of "every secondary". */
		switch (round % 3) {
		case 0:
			r = sbi_send_ipi(secondaries_mask(), 0);
			break;
		case 1:
			r = sbi_send_ipi(secondaries_mask() >> 1, 1);
			break;
		default:
			r = sbi_send_ipi(0, -1UL);  /* all, vCPU 0 too */
			break;
		}
		if (r.error) {
			printf("smp: FAIL send_ipi round %u: error %ld\n", round, r.error);
			return false;
		}
		if (!SLEEP_FOR(all_ponged(round))) {
			printf("smp: FAIL ipi round %u: no answer from every vCPU within 2 s\n", round);
			return false;
		}
	}
	for (unsigned n = 1; n < nvcpus; n++) {
		if (ipis[n] != ROUNDS) {
			printf("smp: FAIL vCPU %u took %u IPIs, want %u\n", n, ipis[n], ROUNDS);
			return false;
		}
	}
	printf("smp: ipi ping-pong ok, %u rounds, %u IPIs taken by each of vCPUs 1-%u\n", ROUNDS,
	       ROUNDS, nvcpus - 1);

	if (sbi_send_ipi(1UL << nvcpus, 0).error != SBI_ERR_INVALID_PARAM ||
	    sbi_send_ipi(1, nvcpus).error != SBI_ERR_INVALID_PARAM ||
	    sbi_send_ipi(1UL << 63, 1).error != SBI_ERR_INVALID_PARAM) {
		printf("smp: FAIL send_ipi to an absent vCPU: want -3\n");
		return false;
	}
	printf("smp: ipi errors ok (absent vCPU -3)\n");
	return true;
}

static bool rfence_phase(void)
{
	u64 before[MAX_VCPUS];
	struct sbiret r;

	set_phase(PH_SPIN);
	for (unsigned n = 1; n < nvcpus; n++) {
		if (!WAIT_FOR(spins[n] > 0)) {
			printf("smp: FAIL vCPU %u does not spin\n", n);
			return false;
		}
	}
	for (unsigned round = 0; round < FENCE_ROUNDS; round++) {
		r = sbi_remote_fence_i(secondaries_mask(), 0);
		if (r.error == 0)
			r = sbi_remote_sfence_vma(0, -1UL, 0, -1UL);
		if (r.error == 0)
			r = sbi_remote_sfence_vma_asid(secondaries_mask(), 0, 0x80000000UL, 8192, 0);
		if (r.error == 0)
			r = sbi_remote_sfence_vma(1, 0, 0x80000000UL, 8192);  /* itself only */
		if (r.error) {
			printf("smp: FAIL remote fence round %u: error %ld\n", round, r.error);
			return false;
		}
	}
	for (unsigned fid = 3; fid <= 6; fid++) {
		r = sbi_ecall(SBI_EXT_RFENCE, fid, secondaries_mask(), 0, 0, -1UL, 0, 0);
		if (r.error != SBI_ERR_NOT_SUPPORTED) {
			printf("smp: FAIL RFENCE FID %u: error %ld, want -2\n", fid, r.error);
			return false;
		}
	}
	if (sbi_remote_fence_i(1UL << nvcpus, 0).error != SBI_ERR_INVALID_PARAM) {
		printf("smp: FAIL remote fence.i to an absent vCPU: want -3\n");
		return false;
	}
	/* The targets were fenced, not stopped. */
	for (unsigned n = 1; n < nvcpus; n++)
		before[n] = spins[n];
	for (unsigned n = 1; n < nvcpus; n++) {
		if (!WAIT_FOR(spins[n] > before[n])) {
			printf("smp: FAIL vCPU %u stopped running after the fences\n", n);
			return false;
		}
	}
	printf("smp: rfence ok, %u rounds of fence.i, sfence.vma, sfence.vma.asid; vCPUs 1-%u kept running\n",
	       FENCE_ROUNDS, nvcpus - 1);
	return true;
}

static bool timer_all(void)
{
	set_phase(PH_TIMER);
	timer_phase(0);
	for (unsigned n = 1; n < nvcpus; n++) {
		if (!WAIT_FOR(timer_done[n] || failed)) {
			printf("smp: FAIL vCPU %u timer phase not done within 2 s (%u ticks)\n", n, ticks[n]);
			return false;
		}
	}
	if (failed)
		return false;
	printf("smp: timer ok, %u ticks on each of %u vCPUs sharing the harts\n", TICKS, nvcpus);
	return true;
}

static bool suspend_phase(void)
{
	long s;

	set_phase(PH_SUSPEND);
	/* vCPU 1: retentive suspend until an IPI. */
	if (!WAIT_FOR((s = status_of(1)) == SBI_HSM_STATE_SUSPENDED)) {
		printf("smp: FAIL vCPU 1 status %ld, want SUSPENDED\n", s);
		return false;
	}
	sbi_send_ipi(1UL << 1, 0);
	if (!WAIT_FOR(suspend_result[1] != 0) || suspend_result[1] != 1 ||
	    status_of(1) != SBI_HSM_STATE_STARTED) {
		printf("smp: FAIL vCPU 1 did not come back from retentive suspend (%u)\n", suspend_result[1]);
		return false;
	}
	/* vCPU 2: non-retentive suspend, woken by an IPI, restarts at its entry. */
	if (!WAIT_FOR((s = status_of(2)) == SBI_HSM_STATE_SUSPENDED)) {
		printf("smp: FAIL vCPU 2 status %ld, want SUSPENDED\n", s);
		return false;
	}
	sbi_send_ipi(1UL << 2, 0);
	if (!WAIT_FOR(resumed[2])) {
		printf("smp: FAIL vCPU 2 did not resume from non-retentive suspend\n");
		return false;
	}
	if (failed)
		return false;
	printf("smp: hsm suspend ok (retentive and non-retentive, status SUSPENDED, woken by IPI)\n");
	return true;
}

static bool stop_phase(void)
{
	struct sbiret r;
	long s;

	set_phase(PH_STOP);
	for (unsigned n = 1; n < nvcpus; n++) {
		if (!WAIT_FOR((s = status_of(n)) == SBI_HSM_STATE_STOPPED)) {
			printf("smp: FAIL vCPU %u status %ld after stop, want STOPPED\n", n, s);
			return false;
		}
	}
	printf("smp: hsm stop ok, vCPUs 1-%u STOPPED\n", nvcpus - 1);

	r = sbi_hart_start(1, (uptr)secondary_entry, RESTART_OPAQUE);
	if (r.error || !WAIT_FOR(restarted == 1)) {
		printf("smp: FAIL restart of vCPU 1 (error %ld)\n", r.error);
		return false;
	}
	restarted = 2;
	if (!WAIT_FOR((s = status_of(1)) == SBI_HSM_STATE_STOPPED)) {
		printf("smp: FAIL restarted vCPU 1 status %ld, want STOPPED\n", s);
		return false;
	}
	printf("smp: hsm restart ok, vCPU 1 started again and stopped\n");
	return true;
}

/* Does the ISA string name the multi-letter extension "_sstc"? */
static bool isa_has_sstc(const char *isa)
{
	for (const char *p = isa; p && *p; p++)
		if (strncmp(p, "_sstc", 5) == 0 && (p[5] == '\0' || p[5] == '_'))
			return true;
	return false;
}

int main(unsigned long hartid, const void *dtb)
{
	(void)hartid;
	trap_set_hook(hook);
	crash = bootarg_has(fdt_getprop_str(dtb, "/chosen", "bootargs"), "crash");
	has_sstc = isa_has_sstc(fdt_getprop_str(dtb, "/cpus/cpu@0", "riscv,isa"));
	if (!check_dt(dtb) || !hsm_start_all() || !ipi_phase() || !rfence_phase() || !timer_all() ||
	    !suspend_phase() || !stop_phase() || failed) {
		printf("smp: FAILED\n");
		return 1;
	}
	printf("smp: PASS\n");
	return 0;
}
