/* lifecycle.h - what happens to a capsule after it is made (core/lifecycle.c):
 * the one writer of its state, request, reason, outcome and rebooting flag.
 * Who may change what, and under which lock: docs/design/vcpu-states.md,
 * "Who changes what". */
#ifndef KEEL_LIFECYCLE_H
#define KEEL_LIFECYCLE_H

#include <keel/capsule.h>

/* Boot hart, after capsules_init: makes every capsule (capsule_create) and
 * starts it (READY, vCPU 0 runnable) or ends it FAILED with why; then
 * powers off if none runs, or stops them all if the owner already failed. */
void lifecycle_init(u64 usable_harts);

/* Scheduler hooks. boot: the hart that picked vCPU 0 of a capsule that
 * needs_boot boots it (capsule_boot; RUNNING, or a failure request).
 * all_stopped: every vCPU of c is HSM-stopped (the last one just left its
 * hart; scheduler lock held), a failure. drained: the last vCPU of c to
 * hold a hart after a request has left it (no lock held): reboot, restart
 * or end c. */
void lifecycle_boot(struct capsule *c);
void lifecycle_all_stopped_locked(struct capsule *c);
void lifecycle_drained(struct capsule *c);

/* Requests from exit handlers, acted on when the handler returns. */
void capsule_request_shutdown(struct capsule *c);
void capsule_request_reboot(struct capsule *c);
__attribute__((format(printf, 2, 3))) void capsule_request_fail(struct capsule *c,
								const char *fmt, ...);
/* Kill: fmt describes what the guest did, e.g. "load guest-page fault at pc ...". */
__attribute__((format(printf, 2, 3))) void capsule_kill(struct capsule *c, const char *fmt, ...);
/* SRST reboot of the capsule that owns the machine: the whole image starts
 * again, every capsule from its pristine payload (the owner's reboot counts
 * against CONFIG_MAX_REBOOTS like any reboot). */
void capsule_machine_reboot(struct capsule *c);

/* The machine's owner controls another capsule (Keel SBI extension). Each
 * returns an SBI error code: SBI_ERR_ALREADY_STOPPED / _STARTED, or
 * SBI_ERR_FAILED for a capsule that cannot start (bad payload). Called on
 * the caller's hart with no lock held. */
long capsule_control_stop(struct capsule *c, const struct capsule *by);
long capsule_control_start(struct capsule *c, const struct capsule *by);
long capsule_control_restart(struct capsule *c, const struct capsule *by);

/* State for LIST (and the console's list): running, stopped, crashed or
 * rebooting, read without a lock (a snapshot). */
enum capsule_list_state capsule_list_state(const struct capsule *c);

#endif
