/* trap.c - dispatch traps to the test's hook, report the rest and stop. */
#include <guest.h>
#include <csr.h>
#include <trap.h>

static trap_hook_t trap_hook;

void trap_set_hook(trap_hook_t hook)
{
	trap_hook = hook;
}

const char *trap_name(u64 scause)
{
	static const char *const exc[] = {
		[0] = "instruction address misaligned",
		[1] = "instruction access fault",
		[2] = "illegal instruction",
		[3] = "breakpoint",
		[4] = "load address misaligned",
		[5] = "load access fault",
		[6] = "store address misaligned",
		[7] = "store access fault",
		[8] = "ecall from U-mode",
		[9] = "ecall from S-mode",
		[12] = "instruction page fault",
		[13] = "load page fault",
		[15] = "store page fault",
	};
	u64 code = scause & ~SCAUSE_INTR;

	if (scause & SCAUSE_INTR) {
		switch (code) {
		case IRQ_S_SOFT:
			return "supervisor software interrupt";
		case IRQ_S_TIMER:
			return "supervisor timer interrupt";
		case IRQ_S_EXT:
			return "supervisor external interrupt";
		default:
			return "unknown interrupt";
		}
	}
	if (code < sizeof(exc) / sizeof(exc[0]) && exc[code])
		return exc[code];
	return "unknown exception";
}

/* Called by trap.S with the saved registers. */
void trap_handler(struct trapframe *tf)
{
	if (trap_hook && trap_hook(tf))
		return;
	printf("trap: unexpected %s (scause %#lx) at sepc %#lx, stval %#lx\n",
	       trap_name(tf->scause), (unsigned long)tf->scause,
	       (unsigned long)tf->sepc, (unsigned long)tf->stval);
	shutdown(false);
}
