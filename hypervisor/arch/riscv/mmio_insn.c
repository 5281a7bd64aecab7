/* mmio_insn.c - decode a guest load / store for MMIO emulation (see
 * arch/mmio_insn.h). Encodings: RISC-V unprivileged spec, "RV32I Base
 * Integer Instruction Set" (LOAD 0000011, STORE 0100011, funct3 = width,
 * bit 2 of a load's funct3 = unsigned) and "C" (quadrant 0: C.LW 010,
 * C.LD 011, C.SW 110, C.SD 111 with rd'/rs2' in bits 4:2 naming x8..x15;
 * quadrant 2: C.LWSP/C.LDSP rd in 11:7, C.SWSP/C.SDSP rs2 in 6:2). */
#include <arch/mmio_insn.h>

bool mmio_insn_decode(u32 insn, struct mmio_insn *m)
{
	unsigned f3;

	if ((insn & 3) == 3) {
		f3 = (insn >> 12) & 7;
		m->len = 4;
		if ((insn & 0x7f) == 0x03) { /* LOAD */
			if (f3 == 7)
				return false;
			m->store = false;
			m->width = 1u << (f3 & 3);
			m->sign = f3 < 4;
			m->reg = (insn >> 7) & 31;
			return true;
		}
		if ((insn & 0x7f) == 0x23) { /* STORE */
			if (f3 > 3)
				return false;
			m->store = true;
			m->width = 1u << f3;
			m->sign = false;
			m->reg = (insn >> 20) & 31;
			return true;
		}
		return false;
	}
	f3 = (insn >> 13) & 7;
	m->len = 2;
	m->sign = true;  /* C.LW sign-extends; C.LD fills the register */
	switch (insn & 3) {
	case 0: /* C.LW 010, C.LD 011, C.SW 110, C.SD 111: rd'/rs2' in bits 4:2 */
		if (f3 != 2 && f3 != 3 && f3 != 6 && f3 != 7)
			return false;
		m->reg = 8 + ((insn >> 2) & 7);
		break;
	case 2: /* C.LWSP / C.LDSP: rd in 11:7; C.SWSP / C.SDSP: rs2 in 6:2 */
		if (f3 == 2 || f3 == 3) {
			m->reg = (insn >> 7) & 31;
			if (m->reg == 0)
				return false;  /* reserved */
		} else if (f3 == 6 || f3 == 7) {
			m->reg = (insn >> 2) & 31;
		} else {
			return false;
		}
		break;
	default:
		return false;
	}
	m->store = f3 >= 6;
	m->width = (f3 & 1) ? 8 : 4;
	return true;
}

u64 mmio_insn_load_value(const struct mmio_insn *m, u64 raw)
{
	u64 mask, top;

	if (m->width >= 8)
		return raw;
	mask = (1UL << (8 * m->width)) - 1;
	top = 1UL << (8 * m->width - 1);
	raw &= mask;
	if (m->sign && (raw & top))
		raw |= ~mask;
	return raw;
}

u64 mmio_insn_store_value(const struct mmio_insn *m, u64 reg)
{
	if (m->width >= 8)
		return reg;
	return reg & ((1UL << (8 * m->width)) - 1);
}
