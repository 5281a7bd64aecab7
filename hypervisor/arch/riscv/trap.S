/* trap.S - the world switch between the hypervisor (M-mode) and a guest
 * (VS/VU-mode), and the trap entry.
 *
 * mscratch is 0 while the hypervisor runs and points at the running vCPU's
 * struct vcpu_arch while a guest runs. So a trap with mscratch = 0 came from
 * M-mode itself (a hypervisor bug: dump and panic); anything else came from
 * the guest: save its registers and return from vcpu_arch_enter() into the
 * C run loop, like a function call that took the whole guest run.
 *
 * Only integer registers switch here. The hypervisor never uses the FPU, so
 * the guest's f registers stay in the hart while it runs; vcpu_put/vcpu_load
 * move them with vcpu_arch_fp_save/_restore when a vCPU leaves its hart. */
#include <arch/vcpu.h>

#define REG(n) (VCPU_OFF_REGS + 8 * (n))
#define HOST(n) (VCPU_OFF_HOST + 8 * (n))

/* M-mode trap frame: x0..x31 (x0 slot = mepc), then the trap CSRs. */
#define MF_MCAUSE (32 * 8)
#define MF_MTVAL (33 * 8)
#define MF_MSTATUS (34 * 8)
#define MF_SIZE (36 * 8)

	.text

/* void vcpu_arch_enter(struct vcpu_arch *a) */
	.globl vcpu_arch_enter
vcpu_arch_enter:
	sd	ra, HOST(0)(a0)
	sd	sp, HOST(1)(a0)
	sd	gp, HOST(2)(a0)
	sd	tp, HOST(3)(a0)
	sd	s0, HOST(4)(a0)
	sd	s1, HOST(5)(a0)
	sd	s2, HOST(6)(a0)
	sd	s3, HOST(7)(a0)
	sd	s4, HOST(8)(a0)
	sd	s5, HOST(9)(a0)
	sd	s6, HOST(10)(a0)
	sd	s7, HOST(11)(a0)
	sd	s8, HOST(12)(a0)
	sd	s9, HOST(13)(a0)
	sd	s10, HOST(14)(a0)
	sd	s11, HOST(15)(a0)

	ld	t0, VCPU_OFF_PC(a0)
	csrw	mepc, t0
	csrw	mscratch, a0

	ld	x1, REG(1)(a0)
	ld	x2, REG(2)(a0)
	ld	x3, REG(3)(a0)
	ld	x4, REG(4)(a0)
	ld	x5, REG(5)(a0)
	ld	x6, REG(6)(a0)
	ld	x7, REG(7)(a0)
	ld	x8, REG(8)(a0)
	ld	x9, REG(9)(a0)
	ld	x11, REG(11)(a0)
	ld	x12, REG(12)(a0)
	ld	x13, REG(13)(a0)
	ld	x14, REG(14)(a0)
	ld	x15, REG(15)(a0)
	ld	x16, REG(16)(a0)
	ld	x17, REG(17)(a0)
	ld	x18, REG(18)(a0)
	ld	x19, REG(19)(a0)
	ld	x20, REG(20)(a0)
	ld	x21, REG(21)(a0)
	ld	x22, REG(22)(a0)
	ld	x23, REG(23)(a0)
	ld	x24, REG(24)(a0)
	ld	x25, REG(25)(a0)
	ld	x26, REG(26)(a0)
	ld	x27, REG(27)(a0)
	ld	x28, REG(28)(a0)
	ld	x29, REG(29)(a0)
	ld	x30, REG(30)(a0)
	ld	x31, REG(31)(a0)
	ld	x10, REG(10)(a0)
	mret

/* Every trap of every hart lands here (mtvec, direct mode). */
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	t6, mscratch, t6
	beqz	t6, m_trap

	/* From the guest: t6 = its struct vcpu_arch, mscratch = its t6. */
	sd	x1, REG(1)(t6)
	sd	x2, REG(2)(t6)
	sd	x3, REG(3)(t6)
	sd	x4, REG(4)(t6)
	sd	x5, REG(5)(t6)
	sd	x6, REG(6)(t6)
	sd	x7, REG(7)(t6)
	sd	x8, REG(8)(t6)
	sd	x9, REG(9)(t6)
	sd	x10, REG(10)(t6)
	sd	x11, REG(11)(t6)
	sd	x12, REG(12)(t6)
	sd	x13, REG(13)(t6)
	sd	x14, REG(14)(t6)
	sd	x15, REG(15)(t6)
	sd	x16, REG(16)(t6)
	sd	x17, REG(17)(t6)
	sd	x18, REG(18)(t6)
	sd	x19, REG(19)(t6)
	sd	x20, REG(20)(t6)
	sd	x21, REG(21)(t6)
	sd	x22, REG(22)(t6)
	sd	x23, REG(23)(t6)
	sd	x24, REG(24)(t6)
	sd	x25, REG(25)(t6)
	sd	x26, REG(26)(t6)
	sd	x27, REG(27)(t6)
	sd	x28, REG(28)(t6)
	sd	x29, REG(29)(t6)
	sd	x30, REG(30)(t6)
	csrr	t5, mscratch
	sd	t5, REG(31)(t6)
	csrw	mscratch, zero
	csrr	t5, mepc
	sd	t5, VCPU_OFF_PC(t6)

	ld	ra, HOST(0)(t6)
	ld	sp, HOST(1)(t6)
	ld	gp, HOST(2)(t6)
	ld	tp, HOST(3)(t6)
	ld	s0, HOST(4)(t6)
	ld	s1, HOST(5)(t6)
	ld	s2, HOST(6)(t6)
	ld	s3, HOST(7)(t6)
	ld	s4, HOST(8)(t6)
	ld	s5, HOST(9)(t6)
	ld	s6, HOST(10)(t6)
	ld	s7, HOST(11)(t6)
	ld	s8, HOST(12)(t6)
	ld	s9, HOST(13)(t6)
	ld	s10, HOST(14)(t6)
	ld	s11, HOST(15)(t6)
	ret				/* "return" from vcpu_arch_enter */

m_trap:
	csrrw	t6, mscratch, t6	/* t6 back, mscratch = 0 again */
	addi	sp, sp, -MF_SIZE
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	addi	t0, sp, MF_SIZE
	sd	t0, 16(sp)		/* sp before the trap */
	csrr	t0, mepc
	sd	t0, 0(sp)
	csrr	t0, mcause
	sd	t0, MF_MCAUSE(sp)
	csrr	t0, mtval
	sd	t0, MF_MTVAL(sp)
	csrr	t0, mstatus
	sd	t0, MF_MSTATUS(sp)
	mv	a0, sp
	call	m_trap_panic
1:	wfi
	j	1b

/* void vcpu_arch_fp_save(u64 *fp): f0..f31 to fp[0..31], fcsr to fp[32]. */
	.globl vcpu_arch_fp_save
vcpu_arch_fp_save:
	fsd	f0, 0(a0)
	fsd	f1, 8(a0)
	fsd	f2, 16(a0)
	fsd	f3, 24(a0)
	fsd	f4, 32(a0)
	fsd	f5, 40(a0)
	fsd	f6, 48(a0)
	fsd	f7, 56(a0)
	fsd	f8, 64(a0)
	fsd	f9, 72(a0)
	fsd	f10, 80(a0)
	fsd	f11, 88(a0)
	fsd	f12, 96(a0)
	fsd	f13, 104(a0)
	fsd	f14, 112(a0)
	fsd	f15, 120(a0)
	fsd	f16, 128(a0)
	fsd	f17, 136(a0)
	fsd	f18, 144(a0)
	fsd	f19, 152(a0)
	fsd	f20, 160(a0)
	fsd	f21, 168(a0)
	fsd	f22, 176(a0)
	fsd	f23, 184(a0)
	fsd	f24, 192(a0)
	fsd	f25, 200(a0)
	fsd	f26, 208(a0)
	fsd	f27, 216(a0)
	fsd	f28, 224(a0)
	fsd	f29, 232(a0)
	fsd	f30, 240(a0)
	fsd	f31, 248(a0)
	frcsr	t0
	sd	t0, 256(a0)
	ret

/* void vcpu_arch_fp_restore(const u64 *fp): the reverse. */
	.globl vcpu_arch_fp_restore
vcpu_arch_fp_restore:
	fld	f0, 0(a0)
	fld	f1, 8(a0)
	fld	f2, 16(a0)
	fld	f3, 24(a0)
	fld	f4, 32(a0)
	fld	f5, 40(a0)
	fld	f6, 48(a0)
	fld	f7, 56(a0)
	fld	f8, 64(a0)
	fld	f9, 72(a0)
	fld	f10, 80(a0)
	fld	f11, 88(a0)
	fld	f12, 96(a0)
	fld	f13, 104(a0)
	fld	f14, 112(a0)
	fld	f15, 120(a0)
	fld	f16, 128(a0)
	fld	f17, 136(a0)
	fld	f18, 144(a0)
	fld	f19, 152(a0)
	fld	f20, 160(a0)
	fld	f21, 168(a0)
	fld	f22, 176(a0)
	fld	f23, 184(a0)
	fld	f24, 192(a0)
	fld	f25, 200(a0)
	fld	f26, 208(a0)
	fld	f27, 216(a0)
	fld	f28, 224(a0)
	fld	f29, 232(a0)
	fld	f30, 240(a0)
	fld	f31, 248(a0)
	ld	t0, 256(a0)
	fscsr	t0
	ret
