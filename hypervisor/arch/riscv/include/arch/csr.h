/* csr.h - RISC-V control and status registers: accessors and the bits the
 * hypervisor uses (riscv-isa-manual machine.adoc, hypervisor.adoc). */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

/* mstatus */
#define MSTATUS_SIE (1UL << 1)
#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP (1UL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3UL << 11)
#define MSTATUS_MPP_U (0UL << 11)
#define MSTATUS_MPP_S (1UL << 11)
#define MSTATUS_MPP_M (3UL << 11)
#define MSTATUS_FS (3UL << 13)
#define MSTATUS_FS_INITIAL (1UL << 13)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM (1UL << 18)
#define MSTATUS_MXR (1UL << 19)
#define MSTATUS_TVM (1UL << 20)
#define MSTATUS_TW (1UL << 21)
#define MSTATUS_TSR (1UL << 22)
#define MSTATUS_UXL_64 (2UL << 32)
#define MSTATUS_GVA (1UL << 38)
#define MSTATUS_MPV (1UL << 39)

/* hstatus */
#define HSTATUS_GVA (1UL << 6)
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_HU (1UL << 9)
#define HSTATUS_VTVM (1UL << 20)
#define HSTATUS_VTW (1UL << 21)
#define HSTATUS_VTSR (1UL << 22)
#define HSTATUS_VSXL_64 (2UL << 32)

/* mip / mie: machine software and timer interrupts (the CLINT's) */
#define IRQ_MSIP (1UL << 3)
#define IRQ_MTIP (1UL << 7)
#define IRQ_MEIP (1UL << 11)
#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7
#define IRQ_M_EXT 11

/* vsie / vsip (VS-level view, S bit positions) */
#define IRQ_SSIP (1UL << 1)
#define IRQ_STIP (1UL << 5)
#define IRQ_SEIP (1UL << 9)

/* mip / mie / mideleg: S-level interrupts (the hypervisor never enables them) */
#define IRQ_S_ALL (IRQ_SSIP | IRQ_STIP | IRQ_SEIP)

/* mip / mie / hvip / hideleg: VS-level interrupts */
#define IRQ_VSSIP (1UL << 2)
#define IRQ_VSTIP (1UL << 6)
#define IRQ_VSEIP (1UL << 10)
#define IRQ_VS_ALL (IRQ_VSSIP | IRQ_VSTIP | IRQ_VSEIP)

/* mcause / scause */
#define CAUSE_INTERRUPT (1UL << 63)
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_U_ECALL 8
#define CAUSE_HS_ECALL 9
#define CAUSE_VS_ECALL 10
#define CAUSE_M_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15
#define CAUSE_FETCH_GUEST_PAGE_FAULT 20
#define CAUSE_LOAD_GUEST_PAGE_FAULT 21
#define CAUSE_VIRTUAL_INSN 22
#define CAUSE_STORE_GUEST_PAGE_FAULT 23

/* Exceptions a guest handles itself (medeleg = hedeleg): misaligned fetch,
 * breakpoint, U-ecall, fetch/load/store page faults, as KVM does. VS-ecall
 * (10), guest-page faults (20, 21, 23) and virtual instruction (22) stay in
 * M. Illegal instruction (2) goes to the guest too, but through trap.c:
 * QEMU 7.2 delivers a synchronous cause 2 (or 6, 10) delegated to VS as
 * cause - 1 (target/riscv/cpu_helper.c, riscv_cpu_do_interrupt, "See if we
 * need to adjust cause" lacks `async &&`; fixed before QEMU 10.0), so the
 * guest would see an instruction access fault. docs/qemu10.md. */
#define GUEST_EXCEPTIONS                                                                    \
	((1UL << CAUSE_MISALIGNED_FETCH) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_U_ECALL) | \
	 (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) |                    \
	 (1UL << CAUSE_STORE_PAGE_FAULT))

/* counteren */
#define COUNTEREN_CY (1UL << 0)
#define COUNTEREN_TM (1UL << 1)
#define COUNTEREN_IR (1UL << 2)

/* menvcfg / henvcfg */
#define ENVCFG_STCE (1UL << 63)

/* hgatp */
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffUL << 44)
#define HGATP_PPN_MASK ((1UL << 44) - 1)

/* pmpcfg byte */
#define PMP_R 0x01UL
#define PMP_W 0x02UL
#define PMP_X 0x04UL
#define PMP_A_TOR 0x08UL
#define PMP_A_NAPOT 0x18UL

#ifndef __ASSEMBLY__

#define csr_read(csr)                                                  \
	({                                                             \
		unsigned long __v;                                     \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory"); \
		__v;                                                   \
	})

#define csr_write(csr, val)                                                   \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrw " #csr ", %0" ::"rK"(__v) : "memory"); \
	})

#define csr_set(csr, val)                                                     \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrs " #csr ", %0" ::"rK"(__v) : "memory"); \
	})

#define csr_clear(csr, val)                                                   \
	({                                                                    \
		unsigned long __v = (unsigned long)(val);                     \
		__asm__ volatile("csrc " #csr ", %0" ::"rK"(__v) : "memory"); \
	})

/* HFENCE.GVMA / HFENCE.VVMA need the H extension, which neither GCC 12's
 * -march nor clang 14's integrated assembler can name (and clang 14 has no
 * `.option arch`): spell them with .insn, which both assemblers take.
 * R-type, opcode SYSTEM (0x73), funct3 0, rd x0, funct7 0x31 (gvma) / 0x11 (vvma). */
static inline void hfence_gvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory"); /* hfence.gvma zero, zero */
}

static inline void hfence_gvma_vmid(unsigned long vmid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"(vmid) : "memory"); /* hfence.gvma zero, vmid */
}

/* Flushes VS-stage translations of the VMID currently in hgatp. */
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory"); /* hfence.vvma zero, zero */
}

/* The same, for one guest-virtual address (rs1) / one guest ASID (rs2) /
 * both. */
static inline void hfence_vvma_addr(unsigned long vaddr)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, x0" ::"r"(vaddr) : "memory"); /* hfence.vvma vaddr, zero */
}

static inline void hfence_vvma_asid(unsigned long asid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, %0" ::"r"(asid) : "memory"); /* hfence.vvma zero, asid */
}

static inline void hfence_vvma_addr_asid(unsigned long vaddr, unsigned long asid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, %1" ::"r"(vaddr), "r"(asid) : "memory"); /* hfence.vvma vaddr, asid */
}

#endif /* __ASSEMBLY__ */
#endif
