/* timer.c - take timer interrupts, first through SBI set_timer, then (when
 * the ISA string offers Sstc) by writing stimecmp directly.
 *
 * Each phase arms a 10 ms deadline TICKS times; the handler counts the
 * interrupt, checks it did not come early and re-arms, or after the last
 * tick disarms with a deadline of "never" (which also clears the pending
 * bit). The first tick is awaited by polling, so that a timer that never
 * fires is caught by a 1 s timeout; the later ones with wfi. */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>
#include <trap.h>

#define TICKS 5
#define NEVER (~0ULL)

enum mode { MODE_SBI, MODE_SSTC };

static const char *const mode_name[] = { "sbi", "sstc" };

/* Shared with the trap hook. */
static volatile enum mode mode;
static volatile int ticks;
static volatile int early;   /* interrupts that came before their deadline */
static volatile u64 deadline; /* the deadline currently armed */
static volatile u64 last_tick; /* rdtime at the last counted interrupt */
static u64 period;           /* 10 ms in timebase ticks */

/* Arm the timer for `when` (NEVER to disarm) by the current phase's means. */
static void arm(u64 when)
{
	deadline = when;
	if (mode == MODE_SBI)
		sbi_set_timer(when);
	else
		csr_write(CSR_STIMECMP, when);
}

static bool timer_hook(struct trapframe *tf)
{
	u64 now = rdtime();

	if (tf->scause != (SCAUSE_INTR | IRQ_S_TIMER)) {
		printf("timer: FAIL unexpected %s (scause %#lx) at sepc %#lx in %s phase\n",
		       trap_name(tf->scause), (unsigned long)tf->scause,
		       (unsigned long)tf->sepc, mode_name[mode]);
		shutdown(false);
	}
	if (now < deadline)
		early++;
	ticks++;
	last_tick = now;
	arm(ticks < TICKS ? now + period : NEVER);
	return true;
}

static void __attribute__((noreturn)) fail(const char *why)
{
	printf("timer: FAIL %s phase: %s (ticks %d)\n", mode_name[mode], why, ticks);
	shutdown(false);
}

/* Run one phase. Returns normally only if all checks passed. */
static void run_phase(enum mode m, u64 timeout)
{
	u64 start, t;

	mode = m;
	ticks = 0;
	early = 0;

	/* Interrupts off while arming, so we never miss the wake-up below. */
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_STIE);
	start = rdtime();
	arm(start + period);

	/* Tick 1: poll with interrupts enabled, up to `timeout`. */
	csr_set(sstatus, SSTATUS_SIE);
	while (ticks == 0) {
		if (rdtime() - start > timeout)
			fail("no timer interrupt within 1 s");
	}
	/* Ticks 2..TICKS: with SIE clear, wfi still wakes on a pending enabled
	 * interrupt; it is then taken when SIE is set again. Checking ticks
	 * with SIE clear avoids sleeping after the last interrupt. */
	csr_clear(sstatus, SSTATUS_SIE);
	while (ticks < TICKS) {
		t = rdtime();
		wfi();
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
		if (rdtime() - t > timeout)
			fail("no timer interrupt within 1 s");
	}

	/* Disarmed: nothing may be pending now. */
	if (csr_read(sip) & SIP_STIP)
		fail("timer interrupt still pending after disarming");
	csr_clear(sie, SIE_STIE);

	if (early)
		fail("interrupt before its deadline");
	if (last_tick - start < TICKS * period)
		fail("ticks came too fast");
	printf("timer: %s ticks %d\n", mode_name[m], ticks);
	printf("timer: %s elapsed %lu ms\n", mode_name[m],
	       (unsigned long)((last_tick - start) / (period / 10)));
}

/* Does the ISA string name the multi-letter extension `ext` ("_sstc")? */
static bool isa_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = isa; *p; p++)
		if (strncmp(p, ext, n) == 0 && (p[n] == '\0' || p[n] == '_'))
			return true;
	return false;
}

int main(unsigned long hartid, const void *dtb)
{
	u32 freq;
	u64 t0, t1;
	const char *isa;
	volatile int spin;

	(void)hartid;
	trap_set_hook(timer_hook);

	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &freq) || freq < 1000) {
		printf("timer: FAIL no usable /cpus timebase-frequency\n");
		return 1;
	}
	period = freq / 100;
	printf("timer: timebase %u Hz\n", freq);

	t0 = rdtime();
	for (spin = 0; spin < 100000; spin++)
		;
	t1 = rdtime();
	printf("timer: time %lu\n", (unsigned long)t0);
	printf("timer: time %lu\n", (unsigned long)t1);
	if (t1 <= t0) {
		printf("timer: FAIL rdtime does not advance\n");
		return 1;
	}

	run_phase(MODE_SBI, freq);

	isa = fdt_getprop_str(dtb, "/cpus/cpu@0", "riscv,isa");
	if (isa && isa_has(isa, "_sstc"))
		run_phase(MODE_SSTC, freq);
	else
		printf("timer: sstc not offered\n");

	printf("timer: PASS\n");
	return 0;
}
