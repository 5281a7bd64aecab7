/* trap.c - what a trap means (keel/vcpu.h: vcpu_handle_exit), and the panic
 * for traps taken in M-mode itself.
 *
 * Exits from a guest, by mcause (medeleg/hedeleg send the guest's own
 * exceptions straight to it, and mideleg/hideleg its interrupts, so only
 * these reach us):
 *   M timer interrupt (7)          -> scheduler: slice over, deadlines due
 *   M software interrupt (3)       -> scheduler: another hart posted work
 *   M external interrupt (11)      -> the hypervisor's device interrupts
 *                                     (irq_external, core/irq.c)
 *    8 VU ecall (only from a capsule that owns the machine: hedeleg bit 8
 *      is clear while its vCPUs run) -> the Keel SBI extension if a7 is its
 *                                     EID, else reflected to the guest
 *                                     kernel exactly as delegation would
 *   10 VS ecall                    -> SBI (core sbi.c), pc += 4
 *   20/21/23 guest-page fault      -> a load / store on an emulated device
 *                                     (mmio_access, core/mmio.c): fetch with
 *                                     HLVX, decode, emulate, pc += 2 or 4;
 *                                     else kill (also a VS-stage page-table
 *                                     access: never emulated as the guest's
 *                                     load/store)
 *    2 illegal instruction, from VU -> reflect to the guest kernel
 *    2 illegal instruction, from VS -> kill (e.g. an M-mode CSR access)
 *   22 virtual instruction, from VU -> reflect as illegal instruction (as KVM
 *                                     does: to the guest kernel it is one)
 *   22 virtual instruction, from VS -> WFI (hstatus.VTW = 1): pc += 4, the
 *                                     scheduler takes the hart back until an
 *                                     interrupt is pending; anything else: kill
 *   anything else, interrupts too  -> kill
 * A kill ends only the capsule; the hart goes on with its next one.
 *
 * Trap CSRs are guest input (docs/design/guest-input.md): mtval is used
 * only where QEMU and the spec guarantee its content for that cause (the
 * guest-page fault's address); for illegal and virtual instructions the
 * instruction is fetched at pc with HLVX, never taken from mtval (QEMU 7.2
 * leaves it stale for HLV/HLVX/HSV: another capsule's bits). */
#include <arch/csr.h>
#include <arch/mmio_insn.h>
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/lifecycle.h>
#include <keel/mmio.h>
#include <keel/panic.h>
#include <keel/printf.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vcpu.h>

#define INSN_WFI 0x10500073UL

static const char *const exception_names[] = {
	[CAUSE_MISALIGNED_FETCH] = "instruction address misaligned",
	[CAUSE_FETCH_ACCESS] = "instruction access fault",
	[CAUSE_ILLEGAL_INSN] = "illegal instruction",
	[CAUSE_BREAKPOINT] = "breakpoint",
	[CAUSE_MISALIGNED_LOAD] = "load address misaligned",
	[CAUSE_LOAD_ACCESS] = "load access fault",
	[CAUSE_MISALIGNED_STORE] = "store/AMO address misaligned",
	[CAUSE_STORE_ACCESS] = "store/AMO access fault",
	[CAUSE_U_ECALL] = "environment call from U-mode",
	[CAUSE_HS_ECALL] = "environment call from HS-mode",
	[CAUSE_VS_ECALL] = "environment call from VS-mode",
	[CAUSE_M_ECALL] = "environment call from M-mode",
	[CAUSE_FETCH_PAGE_FAULT] = "instruction page fault",
	[CAUSE_LOAD_PAGE_FAULT] = "load page fault",
	[CAUSE_STORE_PAGE_FAULT] = "store/AMO page fault",
	[CAUSE_FETCH_GUEST_PAGE_FAULT] = "instruction guest-page fault",
	[CAUSE_LOAD_GUEST_PAGE_FAULT] = "load guest-page fault",
	[CAUSE_VIRTUAL_INSN] = "virtual instruction",
	[CAUSE_STORE_GUEST_PAGE_FAULT] = "store/AMO guest-page fault",
};

static const char *cause_name(u64 cause)
{
	if (cause & CAUSE_INTERRUPT)
		return "interrupt";
	if (cause < sizeof(exception_names) / sizeof(exception_names[0]) && exception_names[cause])
		return exception_names[cause];
	return "unknown exception";
}

/* a7 = EID, a6 = FID, a0..a5 = arguments; answer in a0 (and a1). */
static void sbi_call(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	struct sbi_call call = {
		.eid = a->regs[17],
		.fid = a->regs[16],
		.args = { a->regs[10], a->regs[11], a->regs[12], a->regs[13], a->regs[14], a->regs[15] },
	};
	struct sbi_ret ret = sbi_dispatch(v, &call);

	if (ret.legacy) {
		a->regs[10] = (u64)ret.value;
	} else {
		a->regs[10] = (u64)ret.error;
		a->regs[11] = (u64)ret.value;
	}
	a->pc += 4;
}

/* Reads the halfword of guest code at va with HLVX.HU (mtinst is 0 on QEMU
 * 7.2, so the trapping instruction must be fetched), as the guest's own
 * privilege (hstatus.SPVP) and translation see it. A fault while reading is
 * taken by a temporary trap vector: false, and mstatus is restored. */
static bool fetch_half(const struct vcpu_arch *a, u64 va, u16 *out)
{
	unsigned long hs = csr_read(hstatus);
	unsigned long val = 0, failed = 0, ms, tv, tmp;

	if (a->mpp == MSTATUS_MPP_S)
		csr_write(hstatus, hs | HSTATUS_SPVP);
	else
		csr_write(hstatus, hs & ~HSTATUS_SPVP);
	__asm__ volatile("csrrci %[ms], mstatus, 8\n\t"
			 "la %[tmp], 1f\n\t"
			 "csrrw %[tv], mtvec, %[tmp]\n\t"
			 ".insn r 0x73, 0x4, 0x32, %[val], %[va], x3\n\t" /* hlvx.hu val, (va) */
			 "j 2f\n\t"
			 ".balign 4\n"
			 "1:\tli %[failed], 1\n"
			 "2:\tcsrw mtvec, %[tv]\n\t"
			 "csrw mstatus, %[ms]"
			 : [ms] "=&r"(ms), [tv] "=&r"(tv), [tmp] "=&r"(tmp), [val] "+&r"(val),
			   [failed] "+&r"(failed)
			 : [va] "r"(va)
			 : "memory");
	csr_write(hstatus, hs);
	*out = (u16)val;
	return !failed;
}

/* The instruction at pc (16 or 32 bits), fetched as the guest sees it. */
static bool fetch_insn(const struct vcpu_arch *a, u32 *insn)
{
	u16 lo, hi = 0;

	if (!fetch_half(a, a->pc, &lo) || ((lo & 3) == 3 && !fetch_half(a, a->pc + 2, &hi)))
		return false;
	*insn = (u32)lo | ((u32)hi << 16);
	return true;
}

/* Emulates the load or store at pc that faulted on an emulated device's
 * gpa: fetch, decode, access the device, write rd, pc += length. Anything
 * it cannot do kills the capsule with one line. */
static void mmio_emulate(struct vcpu *v, u64 gpa)
{
	struct vcpu_arch *a = &v->arch;
	struct mmio_insn m;
	u32 insn;
	u64 val;

	if (a->cause == CAUSE_FETCH_GUEST_PAGE_FAULT) {
		capsule_kill(v->capsule, "instruction fetch from device at pc 0x%lx, addr 0x%lx", a->pc, gpa);
		return;
	}
	if (!fetch_insn(a, &insn)) {
		capsule_kill(v->capsule, "MMIO at pc 0x%lx, addr 0x%lx: instruction not readable", a->pc, gpa);
		return;
	}
	if (!mmio_insn_decode(insn, &m) || m.store != (a->cause == CAUSE_STORE_GUEST_PAGE_FAULT)) {
		capsule_kill(v->capsule, "MMIO at pc 0x%lx, addr 0x%lx: unsupported instruction 0x%x", a->pc, gpa,
			     insn);
		return;
	}
	if (gpa & (m.width - 1)) {
		capsule_kill(v->capsule, "misaligned MMIO at pc 0x%lx, addr 0x%lx (%u bytes)", a->pc, gpa, m.width);
		return;
	}
	val = m.store ? mmio_insn_store_value(&m, m.reg ? a->regs[m.reg] : 0) : 0;
	if (mmio_access(v, gpa, m.width, m.store, &val) != MMIO_DONE) {
		capsule_kill(v->capsule, "bad MMIO %s at pc 0x%lx, addr 0x%lx (%u bytes)", m.store ? "store" : "load",
			     a->pc, gpa, m.width);
		return;
	}
	if (m.store)
		sched_irq_changed(v->capsule, v);  /* the write may have raised a line */
	else if (m.reg)
		a->regs[m.reg] = mmio_insn_load_value(&m, val);
	a->pc += m.len;
}

/* mtinst pseudo-instructions of a guest-page fault on an implicit VS-stage
 * page-table access (H spec, "Transformed instruction or pseudoinstruction
 * for mtinst or htinst"): 32/64-bit read and write. */
static bool tinst_is_walk(u64 tinst)
{
	return tinst == 0x2000 || tinst == 0x2020 || tinst == 0x3000 || tinst == 0x3020;
}

/* Is the guest-page fault at gpa the explicit load/store of the instruction
 * at pc, not an implicit access of the VS-stage walk (a page table the guest
 * put on a device)? QEMU 7.2 leaves mtinst 0, so the walk is redone in
 * software: with translation on, the guest virtual address in mtval must
 * translate, through page tables in RAM, to gpa's page. If the guest changed
 * its tables meanwhile, the access emulated is one its tables allow now. */
static bool explicit_access(const struct vcpu *v, u64 gpa)
{
	const struct vcpu_arch *a = &v->arch;
	u64 walked;

	if (tinst_is_walk(a->tinst))
		return false;
	if ((csr_read(vsatp) >> 60) == 0)
		return true;  /* Bare: no walk, the access is the instruction's */
	if (!vcpu_guest_translate(v, a->tval, a->cause == CAUSE_STORE_GUEST_PAGE_FAULT, &walked))
		return false;
	return (walked >> 12) == (gpa >> 12);
}

/* Guest-physical address of a guest-page fault (H spec: mtval2 holds it
 * shifted right by 2; the low bits come from mtval). */
static void guest_page_fault(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	u64 gpa = (a->tval2 << 2) | (a->tval & 3);

	if (mmio_mapped(v->capsule, gpa)) {
		if (a->cause != CAUSE_FETCH_GUEST_PAGE_FAULT && !explicit_access(v, gpa)) {
			capsule_kill(v->capsule, "%s at pc 0x%lx, addr 0x%lx: page-table access on a device",
				     cause_name(a->cause), a->pc, gpa);
			return;
		}
		mmio_emulate(v, gpa);
		return;
	}
	capsule_kill(v->capsule, "%s at pc 0x%lx, addr 0x%lx", cause_name(a->cause), a->pc, gpa);
}

/* Hands the trap to the guest kernel as if it had been delegated: the same
 * steps the hardware takes for a VS-level trap, with scause = cause. */
static void reflect_to_guest(struct vcpu *v, u64 cause)
{
	struct vcpu_arch *a = &v->arch;
	unsigned long old = csr_read(vsstatus), vs = old;

	csr_write(vsepc, a->pc);
	csr_write(vscause, cause);
	csr_write(vstval, a->tval);
	vs &= ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
	if (a->mpp == MSTATUS_MPP_S)
		vs |= MSTATUS_SPP;
	if (old & MSTATUS_SIE)
		vs |= MSTATUS_SPIE;
	csr_write(vsstatus, vs);
	a->pc = csr_read(vstvec) & ~3UL;  /* exceptions go to the base in both modes */
	a->mpp = MSTATUS_MPP_S;
}

void vcpu_handle_exit(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	struct capsule *c = v->capsule;
	u32 insn;

	if (a->cause & CAUSE_INTERRUPT) {
		switch (a->cause & ~CAUSE_INTERRUPT) {
		case IRQ_M_TIMER:
			sched_timer_interrupt(v);
			break;
		case IRQ_M_SOFT:
			sched_ipi_interrupt(v);
			break;
		case IRQ_M_EXT:
			irq_external();
			break;
		default:
			capsule_kill(c, "unexpected interrupt %lu at pc 0x%lx", a->cause & ~CAUSE_INTERRUPT,
				     a->pc);
			break;
		}
		return;
	}
	switch (a->cause) {
	case CAUSE_VS_ECALL:
		sbi_call(v);
		break;
	case CAUSE_U_ECALL:
		if (v->intercept_u_ecall && a->regs[17] == SBI_EXT_KEEL) {
			sbi_call(v);
			break;
		}
		a->tval = 0;
		reflect_to_guest(v, CAUSE_U_ECALL);
		break;
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		guest_page_fault(v);
		break;
	case CAUSE_ILLEGAL_INSN:
	case CAUSE_VIRTUAL_INSN:
		/* Never mtval (see the top): the bits at pc, or 0 in stval if
		 * they cannot be read, which the privileged spec allows. */
		if (!fetch_insn(a, &insn)) {
			a->tval = 0;
			if (a->mpp == MSTATUS_MPP_U) {
				reflect_to_guest(v, CAUSE_ILLEGAL_INSN);
				break;
			}
			capsule_kill(c, "%s at pc 0x%lx: instruction not readable", cause_name(a->cause), a->pc);
			break;
		}
		a->tval = insn;
		if (a->mpp == MSTATUS_MPP_U) {
			reflect_to_guest(v, CAUSE_ILLEGAL_INSN);
			break;
		}
		if (a->cause == CAUSE_VIRTUAL_INSN && insn == INSN_WFI) {
			a->pc += 4;
			sched_wfi(v);
			break;
		}
		capsule_kill(c, "%s at pc 0x%lx, insn 0x%x", cause_name(a->cause), a->pc, insn);
		break;
	default:
		capsule_kill(c, "%s (cause %lu) at pc 0x%lx, tval 0x%lx", cause_name(a->cause), a->cause,
			     a->pc, a->tval);
		break;
	}
}

/* trap.S m_trap frame: x0 slot = mepc, x1..x31, then mcause, mtval, mstatus. */
struct m_frame {
	u64 regs[32];
	u64 mcause, mtval, mstatus;
};

static const char *const reg_names[32] = {
	"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/* A trap taken in M-mode is a hypervisor bug: dump the registers, stop. */
__attribute__((noreturn)) void m_trap_panic(struct m_frame *f);

void m_trap_panic(struct m_frame *f)
{
	char line[128];

	snprintf(line, sizeof(line), "[keel] M-mode trap: %s (mcause 0x%lx) mtval 0x%lx mstatus 0x%lx\n",
		 cause_name(f->mcause), f->mcause, f->mtval, f->mstatus);
	console_emergency(line);
	for (int i = 0; i < 32; i += 4) {
		snprintf(line, sizeof(line), "[keel]   %-3s %016lx  %-3s %016lx  %-3s %016lx  %-3s %016lx\n",
			 reg_names[i], f->regs[i], reg_names[i + 1], f->regs[i + 1], reg_names[i + 2],
			 f->regs[i + 2], reg_names[i + 3], f->regs[i + 3]);
		console_emergency(line);
	}
	panic("m_trap_panic: %s at pc 0x%lx", cause_name(f->mcause), f->regs[0]);
}
