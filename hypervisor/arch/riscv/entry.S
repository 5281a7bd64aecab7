/* entry.S - where every hart starts (QEMU -bios none jumps to DRAM base with
 * a0 = hartid, a1 = host DTB). One hart wins the boot lottery and runs
 * keel_main; the rest record their arrival, wait to be released and run
 * keel_secondary. docs/design/boot-handshake.md describes the handshake.
 *
 * The lottery and release words live in .data, not .bss: the winner clears
 * .bss while the others are already polling. */
#include <keel_port.h>

	.section .text.entry, "ax"
	.globl _start
_start:
	csrw	mie, zero
	csrw	mscratch, zero		/* 0 = "trap came from M-mode" (trap.S) */
	la	t0, early_trap
	csrw	mtvec, t0
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	tp, zero

	/* Harts the hypervisor has no stack for never take part. */
	li	t0, CONFIG_MAX_HARTS	/* core/Kconfig */
	bgeu	a0, t0, park

	/* Record arrival (hart_arrived_mask()). */
	la	t0, keel_harts_arrived
	li	t1, 1
	sll	t1, t1, a0
	amoor.d	zero, t1, (t0)

	/* Boot lottery: the first hart to swap in a 1 boots the machine. */
	la	t0, keel_boot_lottery
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, secondary

	/* Boot hart: clear .bss (stacks included), then C on our stack. */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	set_stack
	call	keel_main
	j	park

secondary:
	la	t0, keel_harts_released
3:	lw	t1, 0(t0)
	bnez	t1, 4f
	nop				/* the spin is read-only: no AMO traffic */
	j	3b
4:	fence	r, rw			/* acquire: see what the boot hart wrote */
	call	set_stack
	call	keel_secondary

park:
	wfi
	j	park

/* sp = top of hart a0's stack: keel_hart_stacks + (a0 + 1) * KEEL_STACK_SIZE.
 * Preserves a0, a1. */
set_stack:
	li	t0, KEEL_STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	la	sp, keel_hart_stacks
	add	sp, sp, t0
	ret

/* Until hart_arch_init() installs trap_entry, a trap is a bug we cannot
 * even print: stop the hart. */
	.balign 4
early_trap:
	wfi
	j	early_trap

	.section .data
	.balign 8
	.globl keel_harts_arrived, keel_boot_lottery, keel_harts_released
keel_harts_arrived:
	.dword	0
keel_boot_lottery:
	.word	0
keel_harts_released:
	.word	0
