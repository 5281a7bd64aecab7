/* sbi_hsm.c - SBI Hart State Management (EID "HSM", ext-hsm.adoc) for the
 * vCPUs of the calling capsule: hart ids are vCPU ids (the guest's cpu@N).
 * vCPU 0 boots; the others are STOPPED until hart_start. The states live
 * in the scheduler (sched.c), which starts, stops and suspends vCPUs. */
#include <keel/capsule.h>
#include <keel/sbi.h>
#include <keel/sched.h>

#define HSM_HART_START 0
#define HSM_HART_STOP 1
#define HSM_HART_GET_STATUS 2
#define HSM_HART_SUSPEND 3

#define SUSPEND_DEFAULT_RETENTIVE 0x00000000u
#define SUSPEND_DEFAULT_NON_RETENTIVE 0x80000000u

/* vCPU `id` of v's capsule, or NULL. */
static struct vcpu *vcpu_of(struct vcpu *v, unsigned long id)
{
	struct capsule *c = v->capsule;

	return id < c->nr_vcpus ? &c->vcpus[id] : NULL;
}

/* Where a vCPU may be sent to run: 2-byte aligned (C extension) and inside
 * the capsule's RAM. */
static bool valid_pc(struct vcpu *v, unsigned long pc)
{
	return (pc & 1) == 0 && capsule_gpa_to_host(v->capsule, pc, 2) != NULL;
}

static struct sbi_ret hart_start(struct vcpu *v, const struct sbi_call *call)
{
	struct vcpu *target = vcpu_of(v, call->args[0]);

	if (!target)
		return sbi_err(SBI_ERR_INVALID_PARAM);
	if (!valid_pc(v, call->args[1]))
		return sbi_err(SBI_ERR_INVALID_ADDRESS);
	return sbi_err(sched_hsm_start(target, call->args[1], call->args[2]));
}

static struct sbi_ret hart_suspend(struct vcpu *v, const struct sbi_call *call)
{
	/* suspend_type is uint32_t in the spec: the upper half of a0 is not
	 * part of it. */
	u32 type = (u32)call->args[0];

	/* Only the two default types exist; reserved and platform-specific
	 * (none implemented) ones are INVALID_PARAM. */
	if (type == SUSPEND_DEFAULT_RETENTIVE) {
		sched_hsm_suspend(v, false, 0, 0);
		return sbi_ok(0);
	}
	if (type != SUSPEND_DEFAULT_NON_RETENTIVE)
		return sbi_err(SBI_ERR_INVALID_PARAM);
	if (!valid_pc(v, call->args[1]))
		return sbi_err(SBI_ERR_INVALID_ADDRESS);
	sched_hsm_suspend(v, true, call->args[1], call->args[2]);
	return sbi_ok(0);  /* not seen: it resumes at resume_addr */
}

static struct sbi_ret hsm_handle(struct vcpu *v, const struct sbi_call *call)
{
	struct vcpu *target;

	switch (call->fid) {
	case HSM_HART_START:
		return hart_start(v, call);
	case HSM_HART_STOP:
		sched_hsm_stop(v);
		return sbi_ok(0);  /* not seen: it runs again only through hart_start */
	case HSM_HART_GET_STATUS:
		target = vcpu_of(v, call->args[0]);
		if (!target)
			return sbi_err(SBI_ERR_INVALID_PARAM);
		return sbi_ok((long)sched_hsm_status(target));
	case HSM_HART_SUSPEND:
		return hart_suspend(v, call);
	default:
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	}
}

const struct sbi_ext sbi_ext_hsm = { .eid = SBI_EXT_HSM, .name = "hsm", .handle = hsm_handle };
