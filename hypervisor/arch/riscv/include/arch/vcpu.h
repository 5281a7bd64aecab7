/* arch/vcpu.h - RISC-V vCPU register state. trap.S reaches the fields by
 * the VCPU_OFF_* offsets below; vcpu.c checks them with _Static_assert. */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#define VCPU_OFF_REGS 0     /* x0..x31, x0 slot unused */
#define VCPU_OFF_PC 256     /* guest pc (mepc) */
#define VCPU_OFF_HOST 264   /* hypervisor ra, sp, gp, tp, s0..s11 while the guest runs */
#define VCPU_HOST_REGS 16

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

	/* Virtual-supervisor CSRs while the vCPU is off its hart. */
	u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, hvip;
};

/* trap.S: runs the guest whose state is a until it traps back. */
void vcpu_arch_enter(struct vcpu_arch *a);
/* trap.S: zeroes f0..f31 and fcsr (needs mstatus.FS != 0). */
void vcpu_arch_fp_reset(void);
#endif

#endif
