/* gstage.c - capsule isolation by G-stage translation (keel/isolation.h).
 *
 * Each capsule gets an Sv39x4 table that maps its guest RAM, and nothing
 * else, onto its host RAM with 2 MiB leaves; a capsule cannot even name
 * another capsule's memory. PMP guards the hypervisor's own region as a
 * second line (it checks the host-physical result of both stages).
 *
 * Sv39x4 (H spec, "Guest Physical Address Translation"): the root table is
 * 16 KiB, 16 KiB-aligned, 2048 entries indexed by GPA[40:30]; below it the
 * usual Sv39 levels. PTE bits: V R W X U G A D, PPN from bit 10. G-stage
 * accesses count as user accesses, so leaves need U = 1. */
#include <arch/csr.h>
#include <arch/pte.h>
#include <keel/config.h>
#include <keel/isolation.h>
#include <keel/lib.h>


#define ROOT_ENTRIES 2048
#define L1_ENTRIES 512
#define GIGA (1UL << 30)
#define MEGA2 (2UL << 20)
#define GPA_LIMIT (1UL << 41)  /* Sv39x4 translates 41-bit guest addresses */

/* All tables in one block, so one PMP window covers them. */
static struct {
	u64 root[CONFIG_MAX_CAPSULES][ROOT_ENTRIES];
	u64 l1[CONFIG_MAX_CAPSULES][L1_ENTRIES];
} tables __attribute__((aligned(16384)));
#define root_tables tables.root
#define l1_tables tables.l1
static u64 hgatp_of[CONFIG_MAX_CAPSULES];
static unsigned long vmid_mask;  /* VMID bits the hart implements */

static u64 pte_table(const void *next)
{
	return (((uptr)next >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static u64 pte_leaf(u64 hpa)
{
	return ((hpa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
}

int isol_init(const char **why)
{
	unsigned long probe = HGATP_MODE_SV39X4 | HGATP_VMID_MASK;
	unsigned long got;

	/* hgatp is WARL: an unsupported mode reads back as Bare (0), and only
	 * the implemented VMID bits stick. */
	csr_write(hgatp, probe);
	got = csr_read(hgatp);
	csr_write(hgatp, 0);
	hfence_gvma_all();
	if ((got >> 60) != 8) {
		*why = "hgatp does not accept Sv39x4";
		return -1;
	}
	vmid_mask = (got & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
	*why = NULL;
	return 0;
}

void isol_hart_init(u64 hv_base, u64 hv_end)
{
	u64 t0 = (uptr)&tables, t1 = t0 + sizeof(tables);

	/* Lowest entry wins. An OFF entry only gives the bottom of the next
	 * one's TOR range. L = 0 everywhere: M-mode is never restricted.
	 *   0 OFF, 1 TOR R    [t0, t1)           G-stage tables, for the walker
	 *   2 OFF, 3 TOR ---  [hv_base, hv_end)  the rest of the hypervisor
	 *   4 NAPOT RWX       everything else    guest RAM (G-stage decides) */
	csr_write(pmpaddr0, t0 >> 2);
	csr_write(pmpaddr1, t1 >> 2);
	csr_write(pmpaddr2, hv_base >> 2);
	csr_write(pmpaddr3, hv_end >> 2);
	csr_write(pmpaddr4, ~0UL);
	csr_write(pmpcfg0, ((PMP_A_TOR | PMP_R) << 8) | (PMP_A_TOR << 24) |
				   ((PMP_A_NAPOT | PMP_R | PMP_W | PMP_X) << 32));
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	hfence_gvma_all();
}

int isol_capsule_init(unsigned id, const struct isol_region *ram, const char **why)
{
	u64 *root = root_tables[id], *l1 = l1_tables[id];
	unsigned long vmid = (id + 1) & vmid_mask;

	*why = NULL;
	if (id >= CONFIG_MAX_CAPSULES)
		*why = "capsule id out of range";
	else if (!IS_ALIGNED(ram->gpa, MEGA2) || !IS_ALIGNED(ram->hpa, MEGA2) || !IS_ALIGNED(ram->size, MEGA2))
		*why = "guest RAM not 2 MiB aligned";
	else if (ram->size == 0 || ram->gpa >= GPA_LIMIT ||
		 ALIGN_DOWN(ram->gpa, GIGA) != ALIGN_DOWN(ram->gpa + ram->size - 1, GIGA))
		*why = "guest RAM must sit inside one 1 GiB-aligned gigabyte";
	if (*why)
		return -1;

	memset(root, 0, sizeof(root_tables[0]));
	memset(l1, 0, sizeof(l1_tables[0]));
	root[(ram->gpa >> 30) & (ROOT_ENTRIES - 1)] = pte_table(l1);
	for (u64 off = 0; off < ram->size; off += MEGA2)
		l1[((ram->gpa + off) >> 21) & (L1_ENTRIES - 1)] = pte_leaf(ram->hpa + off);

	/* With fewer VMID bits than capsules two may share a VMID; activate
	 * flushes the VMID every time, so that stays correct. */
	hgatp_of[id] = HGATP_MODE_SV39X4 | (vmid << HGATP_VMID_SHIFT) | (((uptr)root >> 12) & HGATP_PPN_MASK);
	return 0;
}

void isol_capsule_activate(unsigned id)
{
	unsigned long vmid = (hgatp_of[id] & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;

	/* Switch order (H spec, fences note): vsatp = 0 before hgatp changes;
	 * vcpu_load sets the guest's vsatp afterwards. */
	csr_write(vsatp, 0);
	csr_write(hgatp, hgatp_of[id]);
	/* A reboot reuses the VMID: drop both stages of old translations. */
	hfence_gvma_vmid(vmid);
	hfence_vvma_all();
}

void isol_capsule_deactivate(unsigned id)
{
	unsigned long vmid = (hgatp_of[id] & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;

	csr_write(vsatp, 0);
	hfence_vvma_all();
	csr_write(hgatp, 0);
	hfence_gvma_vmid(vmid);
}
