/* shutdown.c - end the guest: SRST shutdown, legacy shutdown, then park. */
#include <guest.h>
#include <csr.h>
#include <sbi.h>

void shutdown(bool ok)
{
	struct sbiret ret;

	/* Shutdown with reason 0 ("no reason") or 1 ("system failure"): the
	 * hypervisor reports a capsule that ends with reason 1 as failed. */
	ret = sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
			       ok ? SBI_SRST_REASON_NONE : SBI_SRST_REASON_FAILURE);

	/* Still here: no SRST. The legacy call cannot carry a reason. */
	printf("shutdown: SRST failed (error %ld), trying legacy shutdown\n",
	       ret.error);
	sbi_legacy_shutdown();

	printf("shutdown: legacy shutdown returned, parking\n");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		wfi();
}

void exit(int status)
{
	shutdown(status == 0);
}
