/* guestmem.c - reach a guest's virtual addresses from the hypervisor
 * (keel/vcpu.h: vcpu_copy_to_guest / vcpu_copy_from_guest).
 *
 * The VS-stage page tables of the vCPU loaded on this hart (vsatp: Bare,
 * Sv39, Sv48 or Sv57) are walked in software, with the permission checks
 * the hardware would make for the trapped privilege (VU: U pages only; VS:
 * non-U pages, U pages with SUM), and the resulting guest-physical address
 * must lie in the capsule's RAM. A software walk never traps, so a bad
 * pointer from a guest is an error code, never an M-mode fault. A/D bits
 * are not set: a page not yet accessed (A = 0), or not yet dirty (D = 0)
 * for a write, is refused as the hardware without Svadu would refuse it. */
#include <arch/csr.h>
#include <arch/pte.h>
#include <keel/capsule.h>
#include <keel/lib.h>
#include <keel/vcpu.h>


#define SATP_MODE(satp) ((satp) >> 60)
#define SATP_PPN(satp) ((satp) & ((1UL << 44) - 1))

#define PAGE 4096UL

/* Guest-physical address of va for an access by the loaded vCPU v, or
 * false. */
static bool translate(const struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	u64 satp = csr_read(vsatp), table;
	bool user = v->arch.mpp == MSTATUS_MPP_U;
	bool sum = (csr_read(vsstatus) & MSTATUS_SUM) != 0;
	int levels;

	switch (SATP_MODE(satp)) {
	case 0:
		*gpa = va;
		return true;
	case 8:
		levels = 3;
		break;
	case 9:
		levels = 4;
		break;
	case 10:
		levels = 5;
		break;
	default:
		return false;
	}
	/* Canonical: the bits above the top VA bit repeat it. */
	{
		unsigned bits = 12 + 9 * (unsigned)levels;
		s64 ext = (s64)(va << (64 - bits)) >> (64 - bits);

		if ((u64)ext != va)
			return false;
	}
	table = SATP_PPN(satp) << 12;
	for (int level = levels - 1; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		u64 *ptep = capsule_gpa_to_host(v->capsule, table + ((va >> shift) & 511) * 8, 8);
		u64 pte;

		if (!ptep)
			return false;
		pte = __atomic_load_n(ptep, __ATOMIC_RELAXED);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)))
			return false;
		if (!(pte & (PTE_R | PTE_X))) {
			table = PTE_PPN(pte) << 12;
			continue;
		}
		/* A leaf. */
		if (user ? !(pte & PTE_U) : ((pte & PTE_U) && !sum))
			return false;
		if (!(pte & PTE_R) || !(pte & PTE_A) || (write && (!(pte & PTE_W) || !(pte & PTE_D))))
			return false;
		if (PTE_PPN(pte) & ((1UL << (9 * (unsigned)level)) - 1))
			return false;  /* misaligned superpage */
		*gpa = (PTE_PPN(pte) << 12) | (va & ((1UL << shift) - 1));
		return true;
	}
	return false;
}

bool vcpu_guest_translate(const struct vcpu *v, u64 va, bool write, u64 *gpa)
{
	return translate(v, va, write, gpa);
}

/* Host pointer for [va, va + n) inside one page, or NULL. */
static void *guest_ptr(const struct vcpu *v, u64 va, size_t n, bool write)
{
	u64 gpa;

	if (!translate(v, va, write, &gpa))
		return NULL;
	return capsule_gpa_to_host(v->capsule, gpa, n);
}

int vcpu_copy_to_guest(struct vcpu *v, u64 va, const void *src, size_t n)
{
	const u8 *s = src;

	while (n) {
		size_t chunk = MIN(n, (size_t)(PAGE - (va & (PAGE - 1))));
		void *dst = guest_ptr(v, va, chunk, true);

		if (!dst)
			return -1;
		memcpy(dst, s, chunk);
		s += chunk;
		va += chunk;
		n -= chunk;
	}
	return 0;
}

int vcpu_copy_from_guest(struct vcpu *v, void *dst, u64 va, size_t n)
{
	u8 *d = dst;

	while (n) {
		size_t chunk = MIN(n, (size_t)(PAGE - (va & (PAGE - 1))));
		const void *src = guest_ptr(v, va, chunk, false);

		if (!src)
			return -1;
		memcpy(d, src, chunk);
		d += chunk;
		va += chunk;
		n -= chunk;
	}
	return 0;
}
