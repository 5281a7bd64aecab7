/* vcpu.c - RISC-V vCPU state and the C half of the world switch
 * (keel/vcpu.h; the register half is trap.S).
 *
 * A guest runs in VS/VU-mode: mret with MPP = S and MPV = 1. While a vCPU is
 * loaded, its virtual-supervisor CSRs (vs*, hvip) live in the hart; vcpu_put
 * copies them out and leaves clean values, so nothing of one capsule is
 * visible to the next one on the same hart. */
#include <arch/csr.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/vcpu.h>

_Static_assert(offsetof(struct vcpu_arch, regs) == VCPU_OFF_REGS, "trap.S: regs");
_Static_assert(offsetof(struct vcpu_arch, pc) == VCPU_OFF_PC, "trap.S: pc");
_Static_assert(offsetof(struct vcpu_arch, host) == VCPU_OFF_HOST, "trap.S: host");
_Static_assert(offsetof(struct vcpu, arch) == 0, "trap.S gets &vcpu->arch == vcpu");

/* vsstatus of a hart out of reset: 64-bit U-mode, FPU usable but clean. */
#define VSSTATUS_RESET (MSTATUS_UXL_64 | MSTATUS_FS_INITIAL)

void vcpu_reset(struct vcpu *v, u64 entry, u64 a0, u64 a1)
{
	struct vcpu_arch *a = &v->arch;

	memset(a, 0, sizeof(*a));
	a->pc = entry;
	a->regs[10] = a0;
	a->regs[11] = a1;
	a->mpp = MSTATUS_MPP_S;
	a->vsstatus = VSSTATUS_RESET;
}

void vcpu_load(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	/* SPVP = 1 so HLV/HLVX (instruction fetch for MMIO emulation) act with
	 * guest supervisor permission; no VTW/VTSR/VTVM traps. */
	csr_write(hstatus, HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP);
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
	/* VS-mode reaches these real S registers. */
	csr_write(scounteren, 0);
	csr_write(senvcfg, 0);
	vcpu_arch_fp_reset();
}

void vcpu_put(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	a->vsstatus = csr_read(vsstatus);
	a->vsie = csr_read(vsie);
	a->vstvec = csr_read(vstvec);
	a->vsscratch = csr_read(vsscratch);
	a->vsepc = csr_read(vsepc);
	a->vscause = csr_read(vscause);
	a->vstval = csr_read(vstval);
	a->vsatp = csr_read(vsatp);
	a->hvip = csr_read(hvip);  /* the guest may have cleared VSSIP itself */

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
	vcpu_arch_fp_reset();
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
	ms = csr_read(mstatus);
	if (!(ms & MSTATUS_MPV))
		panic("vcpu_run: trap with MPV = 0 on the guest path (cause 0x%lx)", a->cause);
	a->mpp = ms & MSTATUS_MPP;
}
