/* arch/mmio_insn.h - decode the guest load or store that faulted on an
 * emulated device (arch/riscv/mmio_insn.c). Pure: no CSR, no guest state;
 * trap.c fetches the instruction and applies the result. */
#ifndef ARCH_MMIO_INSN_H
#define ARCH_MMIO_INSN_H

#include <keel/types.h>

/* A decoded guest load or store. */
struct mmio_insn {
	bool store;
	bool sign;      /* sign-extend a load */
	unsigned width; /* bytes: 1, 2, 4 or 8 */
	unsigned reg;   /* rd of a load, rs2 of a store (0..31) */
	unsigned len;   /* instruction length: 2 or 4 */
};

/* LB/LH/LW/LD/LBU/LHU/LWU/SB/SH/SW/SD and C.LW/C.LD/C.SW/C.SD, C.LWSP/C.LDSP/
 * C.SWSP/C.SDSP (RV64, unprivileged spec "RV32I/RV64I Base" and "C"
 * extension). insn holds 16 bits for a compressed instruction (low two bits
 * not 11), 32 otherwise. False for anything else (FP loads, AMOs...). */
bool mmio_insn_decode(u32 insn, struct mmio_insn *m);

/* The register value a load of m writes when the device answered raw:
 * truncated to the width, sign-extended for LB/LH/LW/C.LW(SP). */
u64 mmio_insn_load_value(const struct mmio_insn *m, u64 raw);

/* The bytes a store of m hands the device from register value reg. */
u64 mmio_insn_store_value(const struct mmio_insn *m, u64 reg);

#endif
