/* pte.h - RISC-V page-table entry bits (priv spec "Sv39"), shared by the G-stage
 * tables the hypervisor builds and the VS-stage walks it does for guests. */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN(pte) (((pte) >> PTE_PPN_SHIFT) & ((1UL << 44) - 1))

#endif
