/* arch/vcpu.h - RISC-V vCPU register state. trap.S reaches the fields by
 * the VCPU_OFF_* offsets below; vcpu.c checks them with _Static_assert. */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#define VCPU_OFF_REGS 0     /* x0..x31, x0 slot unused */
#define VCPU_OFF_PC 256     /* guest pc (mepc) */
#define VCPU_OFF_HOST 264   /* hypervisor ra, sp, gp, tp, s0..s11 while the guest runs */
#define VCPU_HOST_REGS 16

/* Interrupt bits core code posts to a vCPU (struct vcpu.pending_irq), in
 * the hvip layout: supervisor software interrupt = VSSIP. */
#define VCPU_IRQ_SOFT (1u << 2)
/* Supervisor external interrupt = VSEIP (the emulated PLIC's line). */
#define VCPU_IRQ_EXT (1u << 10)

#ifndef __ASSEMBLY__
#include <keel/types.h>

struct vcpu_arch {
	u64 regs[32];
	u64 pc;
	u64 host[VCPU_HOST_REGS];
	u64 mpp;    /* guest privilege to return to: MSTATUS_MPP_S or _U (always virtualized) */

	/* The last exit, read from the trap CSRs right after it. */
	u64 cause;  /* mcause */
	u64 tval;   /* mtval */
	u64 tval2;  /* mtval2: guest-physical address >> 2 on guest-page faults */
	u64 tinst;  /* mtinst (always 0 on QEMU 7.2) */

	/* Everything else of the vCPU while it is off its hart (the list in the
	 * technique brief, "Per-vCPU state to save and restore"). */
	u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	u64 hvip;        /* re-read on every exit: the guest clears VSSIP itself */
	u64 hstatus;     /* VSXL, SPV, SPVP, VTW (WFI traps), VGEIN */
	u64 henvcfg;     /* STCE when the guest owns vstimecmp */
	u64 senvcfg, scounteren;  /* VS-mode reaches the real S registers */
	u64 fp[33];      /* f0..f31, fcsr */
};

/* trap.S: runs the guest whose state is a until it traps back. */
void vcpu_arch_enter(struct vcpu_arch *a);
/* trap.S: f0..f31 and fcsr to / from fp[0..32] (needs mstatus.FS != 0). */
void vcpu_arch_fp_save(u64 *fp);
void vcpu_arch_fp_restore(const u64 *fp);
#endif

#endif
