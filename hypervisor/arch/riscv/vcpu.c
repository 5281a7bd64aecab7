/* vcpu.c - RISC-V vCPU state and the C half of the world switch
 * (keel/vcpu.h; the register half is trap.S).
 *
 * A guest runs in VS/VU-mode: mret with MPP = S and MPV = 1. While a vCPU is
 * loaded, its FP registers, virtual-supervisor CSRs (vs*, hvip), hstatus,
 * henvcfg, senvcfg and scounteren live in the hart; vcpu_put copies them out
 * and leaves clean values, so nothing of one vCPU is visible to the next one
 * on the same hart. The timer (vstimecmp) is the vtimer's (vtimer_load/put)
 * and the address space (hgatp) the isolation's. */
#include <arch/csr.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/vcpu.h>

_Static_assert(offsetof(struct vcpu_arch, regs) == VCPU_OFF_REGS, "trap.S: regs");
_Static_assert(offsetof(struct vcpu_arch, pc) == VCPU_OFF_PC, "trap.S: pc");
_Static_assert(offsetof(struct vcpu_arch, host) == VCPU_OFF_HOST, "trap.S: host");
_Static_assert(offsetof(struct vcpu, arch) == 0, "trap.S gets &vcpu->arch == vcpu");

/* vsstatus of a hart out of reset: 64-bit U-mode, FPU usable but clean,
 * SIE = 0. */
#define VSSTATUS_RESET (MSTATUS_UXL_64 | MSTATUS_FS_INITIAL)

/* SPVP = 1 so HLV/HLVX (instruction fetch for MMIO emulation) act with
 * guest supervisor permission; VTW = 1 so a guest WFI traps (cause 22) and
 * the scheduler can give the hart to someone else. */
#define HSTATUS_GUEST (HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW)

/* A guest kernel starts (and an HSM-started vCPU restarts) with its user
 * space allowed to read cycle, time and instret, as OpenSBI leaves
 * scounteren: Linux never writes it and its vDSO and user programs read
 * the time CSR directly. The guest kernel may change it. */
#define GUEST_SCOUNTEREN (COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR)

/* The FP state of a reset hart: all zero. */
static const u64 fp_zero[33];

void vcpu_reset(struct vcpu *v, u64 entry, u64 a0, u64 a1)
{
	struct vcpu_arch *a = &v->arch;

	memset(a, 0, sizeof(*a));
	a->pc = entry;
	a->regs[10] = a0;
	a->regs[11] = a1;
	a->mpp = MSTATUS_MPP_S;
	a->vsstatus = VSSTATUS_RESET;
	a->hstatus = HSTATUS_GUEST;
	a->henvcfg = vtimer_guest_has_sstc() ? ENVCFG_STCE : 0;
	a->scounteren = GUEST_SCOUNTEREN;
	vtimer_reset(&v->timer);
	__atomic_store_n(&v->pending_irq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&v->pending_fence, 0, __ATOMIC_RELAXED);
}

void vcpu_restart(struct vcpu *v, u64 pc, u64 a0, u64 a1)
{
	struct vcpu_arch *a = &v->arch;

	a->pc = pc;
	a->regs[10] = a0;
	a->regs[11] = a1;
	a->mpp = MSTATUS_MPP_S;
	a->vsatp = 0;
	a->scounteren = GUEST_SCOUNTEREN;
	a->vsstatus &= ~MSTATUS_SIE;
}

void vcpu_load(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	csr_write(hstatus, a->hstatus);
	csr_write(henvcfg, a->henvcfg);
	csr_write(vsstatus, a->vsstatus);
	csr_write(vsie, a->vsie);
	csr_write(vstvec, a->vstvec);
	csr_write(vsscratch, a->vsscratch);
	csr_write(vsepc, a->vsepc);
	csr_write(vscause, a->vscause);
	csr_write(vstval, a->vstval);
	/* hgatp is already the capsule's (isol_capsule_activate), as the
	 * vsatp/hgatp switch order requires. */
	csr_write(vsatp, a->vsatp);
	csr_write(hvip, a->hvip);
	csr_write(scounteren, a->scounteren);
	csr_write(senvcfg, a->senvcfg);
	if (v->intercept_u_ecall) {
		/* Bit 8 must be clear in both: set in medeleg only, the ecall
		 * would go to HS-mode, which this hypervisor does not have. */
		csr_clear(hedeleg, 1UL << CAUSE_U_ECALL);
		csr_clear(medeleg, 1UL << CAUSE_U_ECALL);
	}
	vcpu_arch_fp_restore(a->fp);
}

void vcpu_put(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	a->hstatus = csr_read(hstatus);
	a->henvcfg = csr_read(henvcfg);
	a->vsstatus = csr_read(vsstatus);
	a->vsie = csr_read(vsie);
	a->vstvec = csr_read(vstvec);
	a->vsscratch = csr_read(vsscratch);
	a->vsepc = csr_read(vsepc);
	a->vscause = csr_read(vscause);
	a->vstval = csr_read(vstval);
	a->vsatp = csr_read(vsatp);
	a->hvip = csr_read(hvip);  /* the guest may have cleared VSSIP itself */
	a->scounteren = csr_read(scounteren);
	a->senvcfg = csr_read(senvcfg);
	vcpu_arch_fp_save(a->fp);

	csr_write(vsatp, 0);
	csr_write(vsie, 0);
	csr_write(hvip, 0);
	csr_write(vsstatus, VSSTATUS_RESET);
	csr_write(vstvec, 0);
	csr_write(vsscratch, 0);
	csr_write(vsepc, 0);
	csr_write(vscause, 0);
	csr_write(vstval, 0);
	csr_write(scounteren, 0);
	csr_write(senvcfg, 0);
	csr_write(hstatus, HSTATUS_VSXL_64);
	if (v->intercept_u_ecall) {
		csr_set(medeleg, 1UL << CAUSE_U_ECALL);
		csr_set(hedeleg, 1UL << CAUSE_U_ECALL);
	}
	vcpu_arch_fp_restore(fp_zero);
}

void vcpu_sync_pending(struct vcpu *v, bool ext_level)
{
	u32 irq = __atomic_exchange_n(&v->pending_irq, 0, __ATOMIC_ACQUIRE);
	u32 fence = __atomic_exchange_n(&v->pending_fence, 0, __ATOMIC_ACQUIRE);

	if (irq)
		csr_set(hvip, irq & IRQ_VS_ALL);
	/* The capsule's interrupt controller gives a level: VSEIP follows it. */
	if (ext_level)
		csr_set(hvip, IRQ_VSEIP);
	else
		csr_clear(hvip, IRQ_VSEIP);
	if (fence & VCPU_FENCE_I)
		vcpu_fence_i();
	if (fence & VCPU_FENCE_VVMA)
		hfence_vvma_all();
}

void vcpu_fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

/* More pages than this and one full flush is cheaper than page by page. */
#define FENCE_PAGES_MAX 64

void vcpu_fence_vma(u64 start, u64 size, long asid)
{
	u64 first, pages;

	/* hfence.vvma acts on the VMID in hgatp: the loaded vCPU's capsule, and
	 * orders this hart's earlier stores (the guest's PTEs) before later
	 * VS-stage walks. */
	/* ext-rfence.adoc: start = size = 0, or size = ~0, means everything;
	 * a full flush is a superset of any range, so size = 0 and more than
	 * FENCE_PAGES_MAX pages get it too. start and size are the guest's
	 * (docs/design/guest-input.md): the range's last byte is
	 * start + size - 1, used only when that does not wrap, and the loop
	 * runs at most FENCE_PAGES_MAX + 1 times whatever the guest passed. */
	if (size == 0 || size > FENCE_PAGES_MAX * 4096ULL || start + (size - 1) < start) {
		if (asid < 0)
			hfence_vvma_all();
		else
			hfence_vvma_asid((unsigned long)asid);
		return;
	}
	first = ALIGN_DOWN(start, 4096ULL);
	pages = ((start + (size - 1)) >> 12) - (first >> 12) + 1;
	for (u64 n = 0; n < pages; n++) {
		u64 va = first + n * 4096;

		if (asid < 0)
			hfence_vvma_addr(va);
		else
			hfence_vvma_addr_asid(va, (unsigned long)asid);
	}
}

/* VS interrupt bits (hvip layout, 2/6/10) moved to the guest's sie/sip
 * positions (1/5/9). */
static u64 vs_to_s(u64 bits)
{
	return (bits & IRQ_VS_ALL) >> 1;
}

bool vcpu_irq_pending_loaded(const struct vcpu *v)
{
	u64 pending = vs_to_s(csr_read(mip) | __atomic_load_n(&v->pending_irq, __ATOMIC_RELAXED));

	return (pending & csr_read(vsie)) != 0;
}

bool vcpu_wakeable(const struct vcpu *v, u64 now)
{
	u64 pending = vs_to_s(v->arch.hvip | __atomic_load_n(&v->pending_irq, __ATOMIC_RELAXED));

	if (v->timer.deadline <= now)
		pending |= IRQ_STIP;
	return (pending & v->arch.vsie) != 0;
}

u64 vcpu_wake_deadline(const struct vcpu *v)
{
	return (v->arch.vsie & IRQ_STIP) ? v->timer.deadline : VTIMER_NEVER;
}

void vcpu_run(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	unsigned long ms = csr_read(mstatus);

	ms &= ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MPRV | MSTATUS_GVA);
	ms |= a->mpp | MSTATUS_MPV;
	csr_write(mstatus, ms);

	vcpu_arch_enter(a);

	/* Nothing between the trap and here can trap again, so the trap CSRs
	 * still describe the guest's exit. */
	a->cause = csr_read(mcause);
	a->tval = csr_read(mtval);
	a->tval2 = csr_read(mtval2);
	a->tinst = csr_read(mtinst);
	a->hvip = csr_read(hvip);  /* synced on every exit (the guest clears VSSIP) */
	ms = csr_read(mstatus);
	if (!(ms & MSTATUS_MPV))
		panic("vcpu_run: trap with MPV = 0 on the guest path (cause 0x%lx)", a->cause);
	a->mpp = ms & MSTATUS_MPP;
}
