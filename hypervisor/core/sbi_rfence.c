/* sbi_rfence.c - SBI RFENCE extension (EID "RFNC", ext-rfence.adoc): remote
 * fence.i, sfence.vma and sfence.vma.asid on the named vCPUs of the calling
 * capsule. The caller's own fence runs at once (hfence.vvma under its
 * capsule's VMID); another vCPU gets it posted and runs it before it next
 * enters the guest; one running on another hart right now is sent an IPI
 * and waited for, so the call returns with every fence done. Remote VMA
 * fences flush the whole capsule's VS-stage translations (a superset of
 * what was asked, which the spec allows). The HFENCE functions (3-6) are
 * for guests that are hypervisors themselves: not supported. */
#include <keel/capsule.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vcpu.h>

#define RFENCE_FENCE_I 0
#define RFENCE_SFENCE_VMA 1
#define RFENCE_SFENCE_VMA_ASID 2

static struct sbi_ret rfence_handle(struct vcpu *v, const struct sbi_call *call)
{
	struct capsule *c = v->capsule;
	u64 targets, wait = 0;
	u32 bits;
	long err;

	switch (call->fid) {
	case RFENCE_FENCE_I:
		bits = VCPU_FENCE_I;
		break;
	case RFENCE_SFENCE_VMA:
	case RFENCE_SFENCE_VMA_ASID:
		bits = VCPU_FENCE_VVMA;
		break;
	default:
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	}
	err = sbi_hart_mask(v->capsule->nr_vcpus, call->args[0], call->args[1], &targets);
	if (err)
		return sbi_err(err);

	for (unsigned n = 0; n < c->nr_vcpus; n++) {
		if (!(targets & (1UL << n)))
			continue;
		if (n == v->id) {
			if (call->fid == RFENCE_FENCE_I)
				vcpu_fence_i();
			else
				vcpu_fence_vma(call->args[2], call->args[3],
					       call->fid == RFENCE_SFENCE_VMA_ASID ? (long)(call->args[4] & 0xffff) : -1);
		} else if (sched_post_fence(&c->vcpus[n], bits)) {
			wait |= 1UL << n;
		}
	}
	for (unsigned n = 0; n < c->nr_vcpus; n++)
		if (wait & (1UL << n))
			sched_fence_wait(v, &c->vcpus[n]);
	return sbi_ok(0);
}

const struct sbi_ext sbi_ext_rfence = { .eid = SBI_EXT_RFENCE, .name = "rfence", .handle = rfence_handle };
