/* hart.c - per-hart machine setup and small hart services (keel/hart.h).
 * CSR values follow the technique brief (docs in /work/shared) and the
 * H-extension spec: guests get their own exceptions and interrupts directly,
 * everything else traps to M. */
#include <arch/csr.h>
#include <keel/config.h>
#include <keel/hart.h>

/* One stack per hart, in .bss (entry.S: set_stack). */
u8 keel_hart_stacks[KEEL_MAX_HARTS][KEEL_STACK_SIZE] __attribute__((aligned(16)));

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
	csr_write(mie, 0);

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

void hart_park(void)
{
	for (;;)
		__asm__ volatile("wfi");
}
