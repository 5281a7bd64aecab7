/* entry.S - where vCPU 1 starts (the HSM hart_start address of sbiconf.c).
 *
 * Records what it was started with (a0, a1, satp, sstatus) in `started`,
 * raises the arrival flag and stops itself with HSM hart_stop. It uses no
 * stack. If hart_stop returns, the flag becomes 2. */

	.section .text
	.balign 4
	.globl secondary_entry
secondary_entry:
	.option push
	.option norelax
	la	t0, started
	.option pop
	sd	a0, 0(t0)
	sd	a1, 8(t0)
	csrr	t1, satp
	sd	t1, 16(t0)
	csrr	t1, sstatus
	sd	t1, 24(t0)
	fence	rw, rw
	li	t1, 1
	sd	t1, 32(t0)
	li	a7, 0x48534D	/* HSM */
	li	a6, 1		/* hart_stop */
	ecall
	la	t0, started
	li	t1, 2
	sd	t1, 32(t0)
1:	wfi
	j	1b
