/* start.S - guest entry.
 *
 * Entered at GPA 0x80000000 in VS-mode (or S-mode under OpenSBI) with
 * a0 = vCPU id and a1 = device tree GPA; MMU off, interrupts off.
 * Only one vCPU may run this code: there is one boot stack. */

#define STACK_SIZE 16384

	.section .text.start, "ax"
	.globl _start
_start:
	/* A fixed 4-byte jump over an 8-byte marker, so that a guest can
	 * check that GPA 0x80000008 holds its own image (isolation/read-hv). */
	.option push
	.option norvc
	j	1f
	.word	0
	.option pop
	.globl guest_image_magic
guest_image_magic:
	.ascii	"KEELGST0"
1:
	/* gp must be set without relaxation: relaxation would compute it
	 * relative to the uninitialised gp itself. */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop

	la	sp, boot_stack_top

	/* Zero .bss (which includes the stack). a0 and a1 stay untouched. */
	la	t0, __bss_start
	la	t1, __bss_end
2:
	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	/* Report unexpected traps instead of jumping to a stale stvec. */
	la	t0, trap_vector
	csrw	stvec, t0

	call	main
	/* exit(main's result): shutdown, never returns. */
	call	exit
4:
	wfi
	j	4b

	.section .bss.stack, "aw", @nobits
	.balign 16
boot_stack:
	.space	STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
