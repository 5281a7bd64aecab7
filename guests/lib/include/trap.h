/* trap.h - the guest's stvec handler.
 *
 * trap.S saves every register into a struct trapframe on the stack and
 * calls trap_handler(). A test installs a hook to claim the traps it
 * expects (timer interrupts, a fault it provoked). Traps no hook claims
 * are reported and end the guest with shutdown(false). */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <types.h>

struct trapframe {
	u64 regs[32]; /* x0..x31 as they were at the trap; regs[2] is sp */
	u64 sepc;     /* written back on return: a hook may skip an instruction */
	u64 sstatus;  /* written back on return */
	u64 scause;
	u64 stval;
};

/* Return true if the trap was handled and the guest should resume at
 * tf->sepc; false to let the library report it and fail. */
typedef bool (*trap_hook_t)(struct trapframe *tf);

/* Install (or with NULL, remove) the hook. */
void trap_set_hook(trap_hook_t hook);

/* Called from trap.S. */
void trap_handler(struct trapframe *tf);

/* The trap entry in trap.S; start.S writes it to stvec. */
extern char trap_vector[];

/* A short name for an scause value, e.g. "load access fault". */
const char *trap_name(u64 scause);

#endif
