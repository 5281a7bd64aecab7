/* attack.c - one attack through the documented guest interface, chosen by
 * bootargs attack=<name>, each one that once hung, fooled or leaked from the
 * hypervisor (docs/design/guest-input.md). The images put a beat capsule
 * (guests/beat) next to it: the boot tests bound that neighbour's largest
 * heartbeat gap. Every attack waits wait=MS (default 500) first, so the
 * neighbour is already running when it strikes.
 *
 *   rfence-wrap, rfence-wrap-asid  remote sfence.vma(.asid) to itself of
 *          start 0xfffffffffffff000, size 0xfff: a page-by-page flush whose
 *          end wraps must still end. Prints the answer, shuts down clean.
 *   dbcn-huge bytes=N  DBCN write of BYTES from its RAM in as few calls as the
 *          hypervisor allows: each call must be bounded (it returns how
 *          many bytes it took), so the neighbour on its hart keeps running.
 *   wfi-hlv  a wfi (its virtual-instruction trap leaves the WFI bits in
 *          mtval) and then hlv.d from VS-mode, which traps as a virtual
 *          instruction too without QEMU 7.2 refreshing mtval: must be killed
 *          naming hlv.d, not skipped as another WFI.
 *   hlv-stval  the same from U-mode, 200 times: each hlv.d comes back as an
 *          illegal instruction whose stval is 0 or the hlv.d bits, never the
 *          WFI bits left from before.
 *   pt-device  a VS-stage page table whose last level sits on the emulated
 *          PLIC (needs devices: [uart]): the load through it must be killed
 *          as a page-table access, never answered with the PLIC register.
 *   console-forge  a line that would rewrite the terminal's current line
 *          into a forged "[keel] ... killed" one (ESC [2K ESC [1G), with BEL,
 *          BS, VT, FF and DEL; then a flood of 100000 empty lines, timed:
 *          the allowance must pay for the tags they put on the console.
 *   restart-after-stop target=NAME  (owns the machine) STOP then RESTART at
 *          once, 5 times: an answer of 0 must mean the target runs again;
 *          otherwise START once it shows stopped. Then LOG, which the owner
 *          may read. */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <sbi.h>
#include <trap.h>

#define KEEL_EID 0x094B454CL
#define KEEL_LIST 0
#define KEEL_STOP 1
#define KEEL_START 2
#define KEEL_RESTART 3
#define KEEL_LOG 4
#define KEEL_STATE_STOPPED 0
#define KEEL_STATE_RUNNING 1

/* hlv.d t0, (sp) and its bits (funct7 0x36, rs2 0, rs1 sp, funct3 4, rd t0). */
#define HLV_D_T0_SP ".insn r 0x73, 0x4, 0x36, t0, sp, x0"
#define HLV_D_T0_SP_BITS 0x6c0142f3UL
#define INSN_WFI 0x10500073UL

static u64 ram_base, ram_size;
static u32 hz = 10000000;
static char name[32];

static u64 number(const char *s)
{
	u64 n = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (u64)(*s - '0');
	return n;
}

static void delay_ms(u64 ms)
{
	u64 end = rdtime() + ms * (hz / 1000);

	while (rdtime() < end)
		;
}

static u64 ms_since(u64 t)
{
	return (rdtime() - t) / (hz / 1000);
}

static int rfence_wrap(bool asid)
{
	struct sbiret r;

	printf("attack: remote sfence.vma%s to itself, start 0xfffffffffffff000 size 0xfff\n",
	       asid ? ".asid" : "");
	if (asid)
		r = sbi_remote_sfence_vma_asid(1, 0, 0xfffffffffffff000UL, 0xfff, 1);
	else
		r = sbi_remote_sfence_vma(1, 0, 0xfffffffffffff000UL, 0xfff);
	printf("attack: %s answered %ld\n", name, r.error);
	return r.error == SBI_SUCCESS ? 0 : 1;
}

static int dbcn_huge(u64 bytes)
{
	u64 base = ((u64)(uptr)__guest_end + 4095) & ~4095UL, done = 0, calls = 0, most = 0;

	if (base + bytes > ram_base + ram_size) {
		printf("attack: FAIL bytes=%lu does not fit in RAM after %#lx\n", (unsigned long)bytes,
		       (unsigned long)base);
		return 1;
	}
	printf("attack: DBCN write of %lu bytes at %#lx\n", (unsigned long)bytes, (unsigned long)base);
	while (done < bytes) {
		struct sbiret r = sbi_debug_console_write(bytes - done, base + done, 0);

		calls++;
		if (r.error != SBI_SUCCESS || r.value <= 0 || (u64)r.value > bytes - done) {
			printf("attack: FAIL DBCN write answered %ld, %ld\n", r.error, r.value);
			return 1;
		}
		if ((u64)r.value > most)
			most = (u64)r.value;
		done += (u64)r.value;
	}
	/* The write spent the console allowance: let it refill, or the verdict
	 * line is dropped (the boot row waits for it). */
	delay_ms(1000);
	printf("attack: DBCN wrote %lu bytes in %lu calls, at most %lu per call\n", (unsigned long)done,
	       (unsigned long)calls, (unsigned long)most);
	return 0;
}

/* A pending, enabled but masked (SIE = 0) software interrupt: the wfi
 * traps (hstatus.VTW), is emulated and returns at once. */
static void wfi_leaving_mtval(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sie, SIE_SSIE);
	csr_set(sip, SIP_SSIP);
	wfi();
}

static int wfi_hlv(void)
{
	printf("attack: wfi, then hlv.d from VS-mode\n");
	wfi_leaving_mtval();
	__asm__ volatile(HLV_D_T0_SP ::: "t0", "memory");
	printf("attack: FAIL hlv.d from VS-mode was skipped, not killed\n");
	return 1;
}

/* hlv-stval: U-mode hlv.d; the hook takes the illegal instruction, keeps
 * stval and resumes in S-mode at hlv_user_back. */
extern char hlv_user[], hlv_user_back[];
static u64 seen_stval, seen_cause;

static bool hlv_hook(struct trapframe *tf)
{
	if (tf->sepc != (u64)(uptr)hlv_user)
		return false;
	seen_cause = tf->scause;
	seen_stval = tf->stval;
	tf->sepc = (u64)(uptr)hlv_user_back;
	tf->sstatus |= 1UL << 8; /* SPP = S */
	return true;
}

static int hlv_stval(void)
{
	unsigned bits = 0, zero = 0;

	printf("attack: wfi, then hlv.d from U-mode, 200 times\n");
	trap_set_hook(hlv_hook);
	for (int i = 0; i < 200; i++) {
		seen_cause = seen_stval = ~0UL;
		wfi_leaving_mtval();
		csr_clear(sip, SIP_SSIP); /* U-mode would take it whatever SIE says */
		__asm__ volatile("la t0, hlv_user\n\t"
				 "csrw sepc, t0\n\t"
				 "li t0, 0x100\n\t"
				 "csrc sstatus, t0\n\t"
				 "sret\n\t"
				 ".balign 4\n\t"
				 ".globl hlv_user\n"
				 "hlv_user:\n\t" HLV_D_T0_SP "\n\t"
				 "j hlv_user\n\t"
				 ".globl hlv_user_back\n"
				 "hlv_user_back:\n\t"
				 ::: "t0", "memory");
		if (seen_cause != EXC_ILLEGAL_INST) {
			printf("attack: FAIL U-mode hlv.d gave scause %#lx\n", (unsigned long)seen_cause);
			return 1;
		}
		if (seen_stval == HLV_D_T0_SP_BITS) {
			bits++;
		} else if (seen_stval == 0) {
			zero++;
		} else {
			printf("attack: FAIL U-mode hlv.d got stval %#lx (%s), not 0 or its own bits %#lx\n",
			       (unsigned long)seen_stval, seen_stval == INSN_WFI ? "the WFI left in mtval" : "stale",
			       HLV_D_T0_SP_BITS);
			return 1;
		}
	}
	trap_set_hook(NULL);
	printf("attack: U-mode hlv.d: 200 illegal instructions, stval its own bits %u times, 0 %u times\n", bits,
	       zero);
	return 0;
}

/* pt-device: Sv39, RAM identity-mapped by a 1 GiB leaf; VA 0x40000000 walks
 * root[1] -> l1 (in RAM) -> l1[0] -> a last-level table at the PLIC. */
#define PTE_V 1UL
#define PTE_RWX_AD (0xeUL | (1UL << 6) | (1UL << 7))
#define PLIC_BASE 0x0c000000UL

static u64 root_pt[512] __attribute__((aligned(4096)));
static u64 l1_pt[512] __attribute__((aligned(4096)));

static bool pt_hook(struct trapframe *tf)
{
	printf("attack: FAIL pt-device: trap %s (scause %#lx, stval %#lx) handed to the guest\n",
	       trap_name(tf->scause), (unsigned long)tf->scause, (unsigned long)tf->stval);
	shutdown(false);
}

static int pt_device(void)
{
	u32 v;

	root_pt[2] = ((0x80000000UL >> 12) << 10) | PTE_RWX_AD | PTE_V;
	root_pt[1] = (((u64)(uptr)l1_pt >> 12) << 10) | PTE_V;
	l1_pt[0] = ((PLIC_BASE >> 12) << 10) | PTE_V;
	printf("attack: Sv39 with a last-level page table at the PLIC (%#lx), loading from 0x40000000\n",
	       PLIC_BASE);
	trap_set_hook(pt_hook);
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, (8UL << 60) | ((u64)(uptr)root_pt >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	v = *(volatile u32 *)0x40000000UL;
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	printf("attack: FAIL pt-device: the load returned %#x (the walk's PLIC register emulated as a load)\n", v);
	return 1;
}

static int console_forge(void)
{
	static char newlines[4096];
	u64 t0, sent = 0;

	printf("attack: forging\n");
	printf("\033[2K\033[1G[keel] capsule nb: killed: forged \a\b\v\f\177 end\n");
	memset(newlines, '\n', sizeof(newlines));
	t0 = rdtime();
	while (sent < 100000) {
		u64 n = 100000 - sent < sizeof(newlines) ? 100000 - sent : sizeof(newlines);
		struct sbiret r = sbi_debug_console_write(n, (uptr)newlines, 0);

		if (r.error != SBI_SUCCESS || r.value <= 0) {
			printf("attack: FAIL DBCN write answered %ld, %ld\n", r.error, r.value);
			return 1;
		}
		sent += (u64)r.value;
	}
	delay_ms(1000); /* the allowance refills, so the next line shows */
	printf("attack: 100000 empty lines, %lu ms until this line\n", (unsigned long)ms_since(t0));
	return 0;
}

struct keel_record {
	char name[32];
	u32 id, state, vcpus, reserved;
	u64 ram_size, uptime_ms;
};

static bool find(const char *target, struct keel_record *out)
{
	static struct keel_record recs[8];
	struct sbiret r = sbi_ecall(KEEL_EID, KEEL_LIST, (unsigned long)recs, sizeof(recs), 0, 0, 0, 0);

	for (long i = 0; r.error == SBI_SUCCESS && i < r.value && i < 8; i++) {
		if (strcmp(recs[i].name, target) == 0) {
			*out = recs[i];
			return true;
		}
	}
	return false;
}

/* Polls LIST for up to 3 s until the target is in state `want`; running
 * for at least min_ms, and if after != 0 booted after that time (its
 * uptime less than the time since). */
static bool wait_state(const char *target, u32 want, u64 min_ms, u64 after)
{
	struct keel_record rec;
	u64 end = rdtime() + 3000 * (u64)(hz / 1000);

	while (rdtime() < end)
		if (find(target, &rec) && rec.state == want &&
		    (want != KEEL_STATE_RUNNING ||
		     (rec.uptime_ms >= min_ms && (after == 0 || rec.uptime_ms < ms_since(after)))))
			return true;
	return false;
}

static int restart_after_stop(const char *target)
{
	struct keel_record rec;
	static char log[512];
	struct sbiret r;
	unsigned ok = 0, stopped = 0;

	if (!find(target, &rec)) {
		printf("attack: FAIL no capsule %s in LIST\n", target);
		return 1;
	}
	printf("attack: STOP then RESTART of %s (id %u), 5 times\n", target, rec.id);
	for (int i = 0; i < 5; i++) {
		u64 stop_at;

		if (!wait_state(target, KEEL_STATE_RUNNING, 200, 0)) {
			printf("attack: FAIL %s is not running before round %d\n", target, i);
			return 1;
		}
		stop_at = rdtime();
		r = sbi_ecall(KEEL_EID, KEEL_STOP, rec.id, 0, 0, 0, 0, 0);
		if (r.error != SBI_SUCCESS) {
			printf("attack: FAIL STOP answered %ld\n", r.error);
			return 1;
		}
		r = sbi_ecall(KEEL_EID, KEEL_RESTART, rec.id, 0, 0, 0, 0, 0);
		if (r.error == SBI_SUCCESS) {
			/* Booted since the STOP: its uptime is less than the time since. */
			if (!wait_state(target, KEEL_STATE_RUNNING, 0, stop_at)) {
				printf("attack: FAIL RESTART right after STOP answered 0 but %s stayed stopped\n",
				       target);
				return 1;
			}
			ok++;
			continue;
		}
		if (r.error != SBI_ERR_ALREADY_STOPPED || !wait_state(target, KEEL_STATE_STOPPED, 0, 0)) {
			printf("attack: FAIL RESTART right after STOP answered %ld\n", r.error);
			return 1;
		}
		stopped++;
		r = sbi_ecall(KEEL_EID, KEEL_START, rec.id, 0, 0, 0, 0, 0);
		if (r.error != SBI_SUCCESS) {
			printf("attack: FAIL START after the stop answered %ld\n", r.error);
			return 1;
		}
	}
	printf("attack: RESTART right after STOP: %u restarted, %u answered already stopped and were started\n",
	       ok, stopped);
	r = sbi_ecall(KEEL_EID, KEEL_LOG, (unsigned long)log, sizeof(log), 0, 0, 0, 0);
	printf("attack: the owner reads the LOG: %s\n", r.error == SBI_SUCCESS && r.value > 0 ? "yes" : "NO");
	return r.error == SBI_SUCCESS && r.value > 0 ? 0 : 1;
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	char buf[32];
	u64 wait = 500;

	(void)hartid;
	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz < 1000)
		hz = 10000000;
	if (!fdt_reg(dtb, "/memory", 0, &ram_base, &ram_size)) {
		printf("attack: FAIL no /memory reg in the device tree\n");
		return 1;
	}
	if (!bootarg_value(bootargs, "attack", name, sizeof(name)))
		name[0] = '\0';
	if (bootarg_value(bootargs, "wait", buf, sizeof(buf)))
		wait = number(buf);
	delay_ms(wait);
	if (strcmp(name, "rfence-wrap") == 0)
		return rfence_wrap(false);
	if (strcmp(name, "rfence-wrap-asid") == 0)
		return rfence_wrap(true);
	if (strcmp(name, "wfi-hlv") == 0)
		return wfi_hlv();
	if (strcmp(name, "hlv-stval") == 0)
		return hlv_stval();
	if (strcmp(name, "pt-device") == 0)
		return pt_device();
	if (strcmp(name, "console-forge") == 0)
		return console_forge();
	if (strcmp(name, "dbcn-huge") == 0 && bootarg_value(bootargs, "bytes", buf, sizeof(buf)))
		return dbcn_huge(number(buf));
	if (strcmp(name, "restart-after-stop") == 0 && bootarg_value(bootargs, "target", buf, sizeof(buf)))
		return restart_after_stop(buf);
	printf("attack: FAIL unknown attack \"%s\"\n", name);
	return 1;
}
