/* isolation.c - make one forbidden access, chosen by bootargs attack=<name>.
 *
 * Every memory attack must end with the hypervisor killing the capsule. If
 * the guest is still running afterwards - the access went through, or a
 * fault was handed back to the guest instead - it says so and shuts down
 * with reason "system failure". The M-mode CSR read (m-csr) is the
 * exception: its illegal instruction belongs to the guest (see
 * attack_m_csr). */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <trap.h>

#define MiB (1024UL * 1024)

/* Host addresses that must stay out of reach (QEMU virt memory map). */
#define HV_DATA_GPA 0x8fe00000UL /* host DTB at 256M; hypervisor data */
#define CLINT_MTIME 0x200bff8UL
#define PLIC_PRIORITY1 0xc000004UL
#define UART0 0x10000000UL

static const char *attack;
static u64 ram_base, ram_size;
static const void *boot_dtb;

/* A trap handed back to the guest means the hypervisor did not kill it. */
static bool isolation_hook(struct trapframe *tf)
{
	printf("isolation: FAIL %s survived (%s, scause %#lx, stval %#lx "
	       "delivered to the guest)\n",
	       attack, trap_name(tf->scause), (unsigned long)tf->scause,
	       (unsigned long)tf->stval);
	shutdown(false);
}

static u64 load64(uptr addr)
{
	return *(volatile u64 *)addr;
}

static void attack_read_beyond(void)
{
	uptr a = ram_base + ram_size;

	printf("isolation: loading from %#lx, the first byte after RAM\n", a);
	printf("isolation: read %#x\n", *(volatile u8 *)a);
}

static void attack_write_beyond(void)
{
	uptr a = ram_base + ram_size + 1 * MiB;

	printf("isolation: storing to %#lx, 1 MiB past the end of RAM\n", a);
	*(volatile u64 *)a = 0x6b65656c6b65656cULL;
}

/* GPA 0x80000000 must hold this guest's image (start.S puts "KEELGST0" at
 * offset 8), not the hypervisor's, which lives at host PA 0x80000000.
 * Then reach for host memory the hypervisor keeps for itself. */
static void attack_read_hv(void)
{
	const volatile char *gpa = (const volatile char *)0x80000008UL;
	char seen[9];

	if ((uptr)_start != 0x80000000UL) {
		printf("isolation: FAIL read-hv needs _start at 0x80000000, it is at %p\n",
		       (void *)_start);
		shutdown(false);
	}
	for (int i = 0; i < 8; i++)
		seen[i] = gpa[i];
	seen[8] = '\0';
	if (memcmp(seen, guest_image_magic, 8) != 0) {
		printf("isolation: FAIL read-hv GPA 0x80000008 holds \"%s\", not this guest's marker\n",
		       seen);
		shutdown(false);
	}
	printf("isolation: GPA 0x80000000 holds this guest's image\n");

	if (HV_DATA_GPA >= ram_base && HV_DATA_GPA < ram_base + ram_size) {
		printf("isolation: FAIL read-hv %#lx is inside this guest's RAM; "
		       "give it less than %lu MiB\n",
		       HV_DATA_GPA, (unsigned long)((HV_DATA_GPA - ram_base) / MiB));
		shutdown(false);
	}
	printf("isolation: loading from %#lx\n", HV_DATA_GPA);
	printf("isolation: read %#lx\n", (unsigned long)load64(HV_DATA_GPA));
}

static void attack_mmio_clint(void)
{
	printf("isolation: loading CLINT mtime at %#lx\n", CLINT_MTIME);
	printf("isolation: read %#lx\n", (unsigned long)load64(CLINT_MTIME));
}

static void attack_mmio_plic(void)
{
	printf("isolation: storing to PLIC priority 1 at %#lx\n", PLIC_PRIORITY1);
	*(volatile u32 *)PLIC_PRIORITY1 = 7;
}

static void attack_mmio_uart(void)
{
	printf("isolation: storing to the UART at %#lx\n", UART0);
	*(volatile u8 *)UART0 = '\n';
}

/* mstatus is an M-mode CSR: illegal from S/VS-mode. */
/* m-csr: an M-mode CSR read from VS is an illegal instruction, which the
 * guest gets to handle (as on any RISC-V hypervisor): it must arrive as
 * such, with the register unread. Nothing else may come back. */
static bool m_csr_hook(struct trapframe *tf)
{
	if (tf->scause != EXC_ILLEGAL_INST)
		return isolation_hook(tf);
	printf("isolation: m-csr refused: illegal instruction delivered to the guest\n");
	shutdown(false);
}

static void attack_m_csr(void)
{
	unsigned long v;

	trap_set_hook(m_csr_hook);
	printf("isolation: reading mstatus\n");
	__asm__ volatile("csrr %0, mstatus" : "=r"(v));
	printf("isolation: read %#lx\n", v);
}

/* For restart policies (images/restart.yaml): print the boot count, check
 * that the marker the previous boot left in the middle of RAM is gone (the
 * hypervisor scrubs a crashed capsule's RAM before it restarts it), leave
 * the marker for the next boot, then read past the end of RAM. */
#define SCRUB_MARKER 0x5343525542424544ULL /* "DEBBURCS" */

static void attack_crash_restart(void)
{
	volatile u64 *marker = (volatile u64 *)(ram_base + ram_size / 2);
	u32 boot = 0;

	if (!fdt_getprop_u32(boot_dtb, "/chosen", "keel,boot-count", &boot)) {
		printf("isolation: FAIL no /chosen/keel,boot-count\n");
		shutdown(false);
	}
	if (*marker == SCRUB_MARKER) {
		printf("isolation: FAIL boot %u: the marker of the previous boot is still in RAM\n", boot);
		shutdown(false);
	}
	printf("isolation: boot %u, RAM scrubbed\n", boot);
	*marker = SCRUB_MARKER;
	load64(ram_base + ram_size);
}

static const struct {
	const char *name;
	void (*run)(void);
} attacks[] = {
	{ "crash-restart", attack_crash_restart },
	{ "read-beyond", attack_read_beyond },
	{ "write-beyond", attack_write_beyond },
	{ "read-hv", attack_read_hv },
	{ "mmio-clint", attack_mmio_clint },
	{ "mmio-plic", attack_mmio_plic },
	{ "mmio-uart", attack_mmio_uart },
	{ "m-csr", attack_m_csr },
};

#define NATTACKS (sizeof(attacks) / sizeof(attacks[0]))

int main(unsigned long hartid, const void *dtb)
{
	static char name[32];
	const char *bootargs;

	(void)hartid;
	boot_dtb = dtb;
	bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");
	if (!bootarg_value(bootargs, "attack", name, sizeof(name)))
		name[0] = '\0';
	attack = name;
	printf("isolation: attack %s\n", name);

	if (!fdt_reg(dtb, "/memory", 0, &ram_base, &ram_size)) {
		printf("isolation: FAIL no /memory reg in the device tree\n");
		return 1;
	}

	for (size_t i = 0; i < NATTACKS; i++) {
		if (strcmp(name, attacks[i].name) == 0) {
			trap_set_hook(isolation_hook);
			attacks[i].run();
			printf("isolation: FAIL %s survived\n", name);
			return 1;
		}
	}

	printf("isolation: FAIL unknown attack \"%s\"; known:", name);
	for (size_t i = 0; i < NATTACKS; i++)
		printf(" %s", attacks[i].name);
	printf("\n");
	return 1;
}
