/* entry.S - where the secondary vCPUs start (the HSM hart_start address).
 *
 * Entered in VS-mode with a0 = vCPU id, a1 = opaque, MMU off, SIE = 0.
 * Each vCPU gets its own stack; tp keeps the vCPU id for the trap hook. */

#define STACK_SIZE 8192
#define MAX_VCPUS 8

	.section .text
	.balign 4
	.globl secondary_entry
secondary_entry:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	li	t0, MAX_VCPUS
	bgeu	a0, t0, 2f
	mv	tp, a0
	la	sp, secondary_stacks
	addi	t0, a0, 1
	li	t1, STACK_SIZE
	mul	t0, t0, t1
	add	sp, sp, t0
	la	t0, trap_vector
	csrw	stvec, t0
	call	secondary_main
2:	wfi
	j	2b

	.section .bss.secondary_stacks, "aw", @nobits
	.balign 16
secondary_stacks:
	.space	STACK_SIZE * MAX_VCPUS
