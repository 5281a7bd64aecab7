/* sbi_ipi.c - SBI IPI extension (EID "sPI", ext-ipi.adoc): send_ipi raises
 * a supervisor software interrupt (hvip.VSSIP) in the named vCPUs of the
 * calling capsule, with a physical IPI when one runs on another hart. */
#include <keel/capsule.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vcpu.h>

#define IPI_SEND_IPI 0

static struct sbi_ret ipi_handle(struct vcpu *v, const struct sbi_call *call)
{
	struct capsule *c = v->capsule;
	u64 targets;
	long err;

	if (call->fid != IPI_SEND_IPI)
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	err = sbi_hart_mask(v->capsule->nr_vcpus, call->args[0], call->args[1], &targets);
	if (err)
		return sbi_err(err);
	for (unsigned n = 0; n < c->nr_vcpus; n++)
		if (targets & (1UL << n))
			sched_post_irq(&c->vcpus[n], VCPU_IRQ_SOFT);
	return sbi_ok(0);
}

const struct sbi_ext sbi_ext_ipi = { .eid = SBI_EXT_IPI, .name = "ipi", .handle = ipi_handle };
