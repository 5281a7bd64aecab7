/* hart.c - per-hart machine setup and small hart services (keel/hart.h):
 * the CLINT gives each hart its scheduling timer and IPIs.
 * CSR values follow the technique brief (docs in /work/shared) and the
 * H-extension spec: guests get their own exceptions and interrupts directly,
 * everything else traps to M. */
#include <arch/csr.h>
#include <keel/config.h>
#include <keel/hart.h>

/* One stack per hart, in .bss (entry.S: set_stack). */
u8 keel_hart_stacks[CONFIG_MAX_HARTS][KEEL_STACK_SIZE] __attribute__((aligned(16)));

/* entry.S */
extern volatile u64 keel_harts_arrived;
extern volatile u32 keel_harts_released;
extern char trap_entry[];

unsigned long hart_id(void)
{
	return csr_read(mhartid);
}

void hart_arch_init(void)
{
	const unsigned long counters = COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR;

	csr_write(mtvec, trap_entry);
	csr_write(mscratch, 0);

	/* The scheduler's timer and IPIs: enabled in mie, never globally
	 * (mstatus.MIE stays 0), so they trap only out of a guest (interrupts
	 * of a higher privilege are always on below it, whatever the guest sets)
	 * and merely end a wfi in the hypervisor. */
	hart_timer_set(HART_TIMER_NEVER);
	hart_ipi_clear();
	csr_write(mie, IRQ_MSIP | IRQ_MTIP);

	/* The hypervisor never takes interrupts and never relies on M-mode
	 * memory privilege tricks. FS must be non-zero at the HS level too for
	 * the guest's FPU to work (vsstatus.FS alone is not enough). */
	csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV | MSTATUS_TW | MSTATUS_TSR |
				   MSTATUS_TVM | MSTATUS_MPIE | MSTATUS_SPIE);
	csr_set(mstatus, MSTATUS_FS_INITIAL);

	/* A V=1 exception reaches VS only if both medeleg and hedeleg have its
	 * bit; VS interrupts go straight to VS. mideleg reads 0 on QEMU 7.2 until
	 * it is written once. */
	csr_write(medeleg, GUEST_EXCEPTIONS);
	csr_write(hedeleg, GUEST_EXCEPTIONS);
	csr_write(mideleg, IRQ_VS_ALL);
	csr_write(hideleg, IRQ_VS_ALL);
	csr_write(hvip, 0);

	/* Guests read time/cycle/instret (rdtime needs TM at both levels); guest
	 * user space only what its kernel allows (scounteren, its own). */
	csr_write(mcounteren, counters);
	csr_write(hcounteren, counters);
	csr_write(scounteren, 0);

	/* Clean hypervisor state: QEMU stores unmasked values, so write whole
	 * registers. The timer implementation adds its bits (STCE). */
	csr_write(menvcfg, 0);
	csr_write(henvcfg, 0);
	csr_write(hstatus, HSTATUS_VSXL_64);
	csr_write(satp, 0);
	csr_write(vsatp, 0);
	csr_write(hgatp, 0);
	hfence_gvma_all();
}

u64 hart_arrived_mask(void)
{
	return __atomic_load_n(&keel_harts_arrived, __ATOMIC_ACQUIRE) | (1UL << hart_id());
}

void hart_release_secondaries(void)
{
	__atomic_store_n(&keel_harts_released, 1, __ATOMIC_RELEASE);
}

u64 hart_time(void)
{
	return csr_read(time);
}

unsigned long hart_mvendorid(void)
{
	return csr_read(mvendorid);
}

unsigned long hart_marchid(void)
{
	return csr_read(marchid);
}

unsigned long hart_mimpid(void)
{
	return csr_read(mimpid);
}

void hart_sync_icache(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

/* CLINT (SiFive layout, also ACLINT MSWI + MTIMER): msip word per hart at
 * +0, mtimecmp per hart at +0x4000. */
#define CLINT_MSIP(h) ((volatile u32 *)(uptr)(KEEL_CLINT_BASE + 4 * (h)))
#define CLINT_MTIMECMP(h) ((volatile u64 *)(uptr)(KEEL_CLINT_BASE + 0x4000 + 8 * (h)))

void hart_timer_set(u64 when)
{
	*CLINT_MTIMECMP(hart_id()) = when;
}

void hart_ipi_send(unsigned long hart)
{
	/* The stores that posted work must be visible before the IPI lands
	 * (fence with I/O: the msip write is a device access). */
	__asm__ volatile("fence iorw, iorw" ::: "memory");
	*CLINT_MSIP(hart) = 1;
}

void hart_ipi_clear(void)
{
	*CLINT_MSIP(hart_id()) = 0;
	/* ...and what was posted before a later IPI is read after the clear. */
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

void hart_wait(void)
{
	/* wfi wakes on any interrupt enabled in mie even with mstatus.MIE = 0. */
	__asm__ volatile("wfi" ::: "memory");
}
