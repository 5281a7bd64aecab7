/* csr.h - supervisor CSR access for guests running in (V)S-mode.
 *
 * Under the H extension a VS-mode guest names the plain S-mode CSRs;
 * the hardware redirects them to the vs* copies (sstatus -> vsstatus,
 * stimecmp -> vstimecmp, ...), so the guests never spell out "vs". */
#ifndef GUEST_CSR_H
#define GUEST_CSR_H

#include <types.h>

/* sstatus */
#define SSTATUS_SIE (1UL << 1)

/* sie / sip: supervisor software, timer and external interrupts */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)

/* scause: bit 63 set for interrupts, the rest is the code. */
#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

/* Exception codes seen by an S-mode guest. */
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_ACCESS 7

/* Sstc: stimecmp is CSR 0x14d. binutils 2.40 does not know the name. */
#define CSR_STIMECMP 0x14d

/* Two levels so that a macro argument (CSR_STIMECMP) expands to its number
 * before it is turned into a string. */
#define CSR_STR_(x) #x
#define CSR_STR(x) CSR_STR_(x)

#define csr_read(csr)                                                  \
	({                                                             \
		unsigned long __v;                                     \
		__asm__ volatile("csrr %0, " CSR_STR(csr) : "=r"(__v)); \
		__v;                                                   \
	})

#define csr_write(csr, val)                                    \
	__asm__ volatile("csrw " CSR_STR(csr) ", %0"           \
			 ::"rK"((unsigned long)(val)) : "memory")

#define csr_set(csr, bits)                                     \
	__asm__ volatile("csrs " CSR_STR(csr) ", %0"           \
			 ::"rK"((unsigned long)(bits)) : "memory")

#define csr_clear(csr, bits)                                   \
	__asm__ volatile("csrc " CSR_STR(csr) ", %0"           \
			 ::"rK"((unsigned long)(bits)) : "memory")

/* The time CSR (0xc01): a read-only copy of the platform timer, ticking
 * at /cpus timebase-frequency. The hypervisor must set [hm]counteren.TM. */
static inline u64 rdtime(void)
{
	u64 t;
	__asm__ volatile("csrr %0, time" : "=r"(t));
	return t;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
