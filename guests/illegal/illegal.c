/* illegal.c - a guest handles its own illegal instructions
 * (images/illegal.yaml).
 *
 * Keel delegates illegal-instruction exceptions from VS and VU mode to the
 * guest (medeleg = hedeleg bit 2, as KVM does): a kernel probes extensions,
 * emulates instructions and sends SIGILL itself. Each instruction below
 * must reach this guest's own trap handler as scause 2 at its own address
 * (stval is 0 or the instruction bits); the handler skips it and the guest
 * goes on. Reading an M-mode CSR is one of them: it never reads it. */
#include <guest.h>
#include <csr.h>
#include <trap.h>

static volatile unsigned long traps, bad_cause;
static volatile u64 expected_pc, last_tval;

static bool hook(struct trapframe *tf)
{
	if (tf->scause != EXC_ILLEGAL_INST || tf->sepc != expected_pc) {
		bad_cause = tf->scause;
		return false;
	}
	traps++;
	last_tval = tf->stval;
	tf->sepc += 4; /* every instruction here is 4 bytes long */
	return true;
}

/* Runs one 4-byte illegal instruction at a known address; true if the
 * guest's handler took it once, with stval 0 or the instruction. */
#define TRY(name, insn)                                                                        \
	do {                                                                                   \
		unsigned long before = traps;                                                  \
		u64 pc;                                                                        \
		__asm__ volatile(".option push\n.option norvc\n"                              \
				 "lla %0, 1f\n"                                                \
				 "sd %0, %1\n"                                                 \
				 "1: .4byte " #insn "\n"                                       \
				 ".option pop"                                                 \
				 : "=&r"(pc), "=m"(expected_pc)::"memory");                    \
		if (traps != before + 1 || (last_tval != 0 && last_tval != (insn))) {         \
			printf("illegal: FAIL %s: %lu traps, stval %#lx\n", name, traps - before,   \
			       (unsigned long)last_tval);                                      \
			return 1;                                                              \
		}                                                                              \
		printf("illegal: %s handled by the guest, stval %#lx\n", name,                 \
		       (unsigned long)last_tval);                                              \
	} while (0)

int main(unsigned long hartid, const void *dtb)
{
	(void)hartid;
	(void)dtb;
	trap_set_hook(hook);
	TRY("all-zero word", 0x00000000);
	TRY("unimp (csrrw x0, cycle, x0)", 0xc0001073);
	TRY("csrr a0, mstatus", 0x30002573);
	TRY("csrr a0, mscratch", 0x34002573);
	trap_set_hook(NULL);
	printf("illegal: %lu illegal instructions handled, going on\n", (unsigned long)traps);
	printf("illegal: PASS\n");
	return 0;
}
