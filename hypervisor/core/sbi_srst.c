/* sbi_srst.c - SBI System Reset extension (EID "SRST", ext-sys-reset.adoc)
 * for one capsule: "system" means the calling capsule, except for the
 * capsule that owns the machine (image owns_machine), whose shutdown ends
 * every capsule and powers off and whose reboot resets the whole machine.
 * Shutdown ends it (clean, or failed for reason "system failure"); cold and
 * warm reboot restart it from its pristine payload. */
#include <keel/capsule.h>
#include <keel/lifecycle.h>
#include <keel/sbi.h>

#define SRST_RESET 0

#define RESET_TYPE_SHUTDOWN 0
#define RESET_TYPE_COLD_REBOOT 1
#define RESET_TYPE_WARM_REBOOT 2

#define RESET_REASON_NONE 0
#define RESET_REASON_SYSTEM_FAILURE 1

static struct sbi_ret srst_handle(struct vcpu *v, const struct sbi_call *call)
{
	unsigned long type = call->args[0], reason = call->args[1];
	struct capsule *c = v->capsule;

	if (call->fid != SRST_RESET)
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	/* Both are u32 in the spec; other reasons are reserved or vendor ones we
	 * do not implement. */
	if (type > RESET_TYPE_WARM_REBOOT || reason > RESET_REASON_SYSTEM_FAILURE)
		return sbi_err(SBI_ERR_INVALID_PARAM);

	if (type == RESET_TYPE_SHUTDOWN) {
		if (reason == RESET_REASON_SYSTEM_FAILURE)
			capsule_request_fail(c, "system failure");
		else
			capsule_request_shutdown(c);
	} else if (c->owns_machine) {
		capsule_machine_reboot(c);  /* the whole image starts again */
	} else {
		capsule_request_reboot(c);
	}
	/* Not seen by the guest: it does not run again in this boot. */
	return sbi_ok(0);
}

const struct sbi_ext sbi_ext_srst = { .eid = SBI_EXT_SRST, .name = "srst", .handle = srst_handle };
