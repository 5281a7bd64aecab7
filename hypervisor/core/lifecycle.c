/* lifecycle.c - a capsule's fate: the only writer of its state, request,
 * reason, outcome and rebooting flag (keel/lifecycle.h). Requests come from
 * exit handlers (shutdown, reboot, failure, kill), from the machine's owner
 * (keelctl stop / start / restart) and from the machine's end; the
 * scheduler drains the capsule's vCPUs off their harts and reports the last
 * one gone (lifecycle_drained), which reboots, restarts (the image's
 * restart policy) or ends the capsule. docs/design/vcpu-states.md. */
#include <keel/bundle.h>
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/lifecycle.h>
#include <keel/machine.h>
#include <keel/printf.h>
#include <keel/sbi.h>
#include <keel/sched.h>

static bool request(struct capsule *c, enum capsule_request req);
static void post_locked(struct capsule *c, enum capsule_request req, const char *reason);

/* Makes c READY again with vCPU 0 runnable. The request is cleared in the
 * same hold of the scheduler lock that queues vCPU 0: until then a second
 * request (a keelctl stop) is refused, so nobody else finishes c. */
static void start(struct capsule *c)
{
	sched_lock();
	c->request = CAPSULE_REQ_NONE;
	sched_capsule_start_locked(c);
	sched_unlock();
}

/* READY again, booted from the pristine payload when vCPU 0 is picked. */
static void make_ready(struct capsule *c)
{
	c->needs_boot = true;
	start(c);
}

void lifecycle_boot(struct capsule *c)
{
	const char *why;

	sched_lock();
	c->state = CAPSULE_RUNNING;
	c->rebooting = false;
	sched_unlock();
	if (capsule_boot(c, &why))
		capsule_request_fail(c, "%s", why);
}

void lifecycle_all_stopped_locked(struct capsule *c)
{
	post_locked(c, CAPSULE_REQ_FAIL, "every vCPU stopped (HSM hart_stop)");
}

/* Scheduler lock held: does any capsule still run (or start, or reboot)? */
static bool any_alive(void)
{
	for (unsigned i = 0; i < capsule_count; i++)
		if (capsules[i].state != CAPSULE_ENDED)
			return true;
	return false;
}

/* Capsules to finish after the lock is dropped (a request on a capsule none
 * of whose vCPUs holds a hart: nobody else would notice it). */
static void finish_idle(u32 idle)
{
	for (unsigned i = 0; i < capsule_count; i++)
		if (idle & (1u << i))
			lifecycle_drained(&capsules[i]);
}

/* Scheduler lock held: the machine ends; asks every other capsule to stop.
 * Returns the capsules the caller must finish. */
static u32 halt_all_locked(void)
{
	u32 idle = 0;

	machine_set_ending();
	for (unsigned i = 0; i < capsule_count; i++) {
		struct capsule *o = &capsules[i];

		if (o->state == CAPSULE_ENDED)
			continue;
		if (o->request == CAPSULE_REQ_REBOOT || o->request == CAPSULE_REQ_RESTART)
			o->request = CAPSULE_REQ_HALT;  /* do not come back */
		if (request(o, CAPSULE_REQ_HALT) && o->on_harts == 0)
			idle |= 1u << i;
	}
	return idle;
}

/* The one line that says how a capsule's boot ended. */
static void log_outcome(const struct capsule *c, enum capsule_outcome outcome)
{
	if (outcome == CAPSULE_CLEAN && c->request == CAPSULE_REQ_HALT)
		klog("capsule %s: stopped (machine shutdown)", c->name);
	else if (outcome == CAPSULE_CLEAN && c->request == CAPSULE_REQ_STOP)
		klog("capsule %s: stopped by %s", c->name, c->reason);
	else if (outcome == CAPSULE_CLEAN)
		klog("capsule %s: shut down", c->name);
	else if (outcome == CAPSULE_KILLED)
		klog("capsule %s: killed: %s", c->name, c->reason);
	else
		klog("capsule %s: failed (reason %s)", c->name, c->reason);
}

/* Logs how the capsule ended (unless logged) and marks it ENDED; the last
 * one to end (or the owner's end, once the others have stopped) ends the
 * machine. */
static void end(struct capsule *c, enum capsule_outcome outcome, bool logged)
{
	bool alive, off;
	u32 idle = 0;

	if (!logged)
		log_outcome(c, outcome);
	sched_lock();
	c->outcome = outcome;
	c->state = CAPSULE_ENDED;
	c->rebooting = false;
	c->request = CAPSULE_REQ_NONE;
	if (c == machine_owner() && !machine_ending()) {
		klog("capsule %s owns the machine: stopping every capsule", c->name);
		idle = halt_all_locked();
	}
	alive = any_alive();
	off = !alive && (machine_owner() == NULL || machine_ending());
	sched_unlock();
	finish_idle(idle);
	if (off)
		machine_power_off();
}

/* Ends a capsule that never ran. */
static void fail_early(struct capsule *c, const char *why)
{
	sched_lock();
	strlcpy(c->reason, why, sizeof(c->reason));
	sched_unlock();
	end(c, CAPSULE_FAILED, false);
}

/* How a boot that ends on request req ended. */
static enum capsule_outcome request_outcome(enum capsule_request req)
{
	switch (req) {
	case CAPSULE_REQ_SHUTDOWN:
	case CAPSULE_REQ_STOP:
	case CAPSULE_REQ_HALT:
		return CAPSULE_CLEAN;
	case CAPSULE_REQ_KILL:
		return CAPSULE_KILLED;
	default:
		return CAPSULE_FAILED;
	}
}

/* Does the image's restart policy boot c again after this end? Only its
 * own ends count (a crash, or for `always` its own shutdown): never a stop
 * by the owner or the machine's end. */
static bool restart_wanted(const struct capsule *c, enum capsule_outcome outcome)
{
	if (machine_ending() || c->restart_policy == KEEL_RESTART_NEVER)
		return false;
	if (outcome != CAPSULE_CLEAN)
		return true;
	return c->restart_policy == KEEL_RESTART_ALWAYS && c->request == CAPSULE_REQ_SHUTDOWN;
}

void lifecycle_drained(struct capsule *c)
{
	enum capsule_outcome outcome;
	bool last_word;

	spin_lock(&c->out_lock);
	console_capsule_flush(&c->out);
	spin_unlock(&c->out_lock);

	sched_lock();
	if (machine_ending() && (c->request == CAPSULE_REQ_REBOOT || c->request == CAPSULE_REQ_RESTART))
		c->request = CAPSULE_REQ_HALT;
	sched_unlock();
	if (c->request == CAPSULE_REQ_RESTART) {
		klog("capsule %s: restarting (asked by %s)", c->name, c->reason);
		c->boot_count = 0;
		c->reboots = 0;
		c->restarts = 0;
		make_ready(c);
		return;
	}
	if (c->request == CAPSULE_REQ_REBOOT) {
		if (c->reboots < CONFIG_MAX_REBOOTS) {
			c->reboots++;
			c->boot_count++;
			klog("capsule %s: rebooting (boot %u)", c->name, c->boot_count);
			make_ready(c);
			return;
		}
		sched_lock();
		c->request = CAPSULE_REQ_FAIL;
		snprintf(c->reason, sizeof(c->reason), "reboot limit (%u) reached", CONFIG_MAX_REBOOTS);
		sched_unlock();
	}

	outcome = request_outcome(c->request);
	sched_lock();
	last_word = (machine_ending() || c == machine_owner()) && !restart_wanted(c, outcome);
	sched_unlock();
	/* Scrubbed now, not only before its next boot: nothing of it lingers
	 * in host RAM while it is stopped (or between a crash and its restart).
	 * Its RAM and address space stay its own, for a later start. Not when
	 * the machine is going down with it (the owner's end, or every capsule
	 * halted for it): nothing runs after that, and a boot scrubs anyway. */
	if (!last_word)
		mem_scrub((void *)(uptr)c->ram_hpa, c->ram_size);
	/* Asked again: the machine may have started ending during the scrub. */
	if (restart_wanted(c, outcome)) {
		log_outcome(c, outcome);
		if (c->restarts < c->restart_limit) {
			c->restarts++;
			c->boot_count++;
			klog("capsule %s: restarting after %s (%u of %u)", c->name,
			     outcome == CAPSULE_CLEAN ? "shutdown" : "crash", c->restarts, c->restart_limit);
			sched_lock();
			c->rebooting = true;
			sched_unlock();
			make_ready(c);
			return;
		}
		klog("capsule %s: %s limit reached (%u restarts)", c->name,
		     outcome == CAPSULE_CLEAN ? "restart" : "crash", c->restart_limit);
		end(c, outcome, true);
		return;
	}
	end(c, outcome, false);
}

/* The first request wins; a kill overrides everything. Scheduler lock held. */
static bool request(struct capsule *c, enum capsule_request req)
{
	if (c->state == CAPSULE_ENDED)
		return false;
	if (c->request != CAPSULE_REQ_NONE && req != CAPSULE_REQ_KILL)
		return false;
	c->request = req;
	/* A kill overriding a reboot ends that reboot. */
	c->rebooting = req == CAPSULE_REQ_REBOOT || req == CAPSULE_REQ_RESTART;
	sched_capsule_stop_locked(c);
	return true;
}

/* Scheduler lock held: posts req with its reason (the first request wins). */
static void post_locked(struct capsule *c, enum capsule_request req, const char *reason)
{
	if (request(c, req) && reason)
		strlcpy(c->reason, reason, sizeof(c->reason));
}

void capsule_request_shutdown(struct capsule *c)
{
	sched_lock();
	request(c, CAPSULE_REQ_SHUTDOWN);
	sched_unlock();
}

void capsule_request_reboot(struct capsule *c)
{
	sched_lock();
	request(c, CAPSULE_REQ_REBOOT);
	sched_unlock();
}

void capsule_machine_reboot(struct capsule *c)
{
	u32 idle = 0, ended = 0;

	klog("capsule %s owns the machine: reboot: every capsule starts again", c->name);
	sched_lock();
	if (!machine_ending()) {
		for (unsigned i = 0; i < capsule_count; i++) {
			struct capsule *o = &capsules[i];

			if (o == c)
				continue;
			if (o->state == CAPSULE_ENDED) {
				ended |= 1u << i;
			} else if (request(o, CAPSULE_REQ_RESTART)) {
				strlcpy(o->reason, c->name, sizeof(o->reason));
				if (o->on_harts == 0)
					idle |= 1u << i;
			}
		}
		request(c, CAPSULE_REQ_REBOOT);
	}
	sched_unlock();
	finish_idle(idle);
	for (unsigned i = 0; i < capsule_count; i++)
		if ((ended & (1u << i)) && capsules[i].startable)
			capsule_control_start(&capsules[i], c);
}

/* Posts req (with `by` as the reason) on c for the owner; finishes c here
 * if none of its vCPUs holds a hart. */
static bool control(struct capsule *c, enum capsule_request req, const struct capsule *by)
{
	bool posted, idle;

	sched_lock();
	posted = !machine_ending() && request(c, req);
	if (posted)
		strlcpy(c->reason, by->name, sizeof(c->reason));
	idle = posted && c->on_harts == 0;
	sched_unlock();
	if (idle)
		lifecycle_drained(c);
	return posted;
}

long capsule_control_stop(struct capsule *c, const struct capsule *by)
{
	return control(c, CAPSULE_REQ_STOP, by) ? SBI_SUCCESS : SBI_ERR_ALREADY_STOPPED;
}

long capsule_control_start(struct capsule *c, const struct capsule *by)
{
	long ret = SBI_SUCCESS;

	if (!c->startable)
		return SBI_ERR_FAILED;
	sched_lock();
	if (machine_ending())
		ret = SBI_ERR_FAILED;
	else if (c->state != CAPSULE_ENDED)
		ret = SBI_ERR_ALREADY_STARTED;
	else {
		c->state = CAPSULE_READY;  /* taken: a second START sees it started */
		c->outcome = CAPSULE_CLEAN;
	}
	sched_unlock();
	if (ret != SBI_SUCCESS)
		return ret;
	klog("capsule %s: starting (asked by %s)", c->name, by->name);
	c->boot_count = 0;
	c->reboots = 0;
	c->restarts = 0;
	make_ready(c);
	return SBI_SUCCESS;
}

long capsule_control_restart(struct capsule *c, const struct capsule *by)
{
	if (!c->startable)
		return SBI_ERR_FAILED;
	long ret;
	bool again;

	if (control(c, CAPSULE_REQ_RESTART, by))
		return SBI_SUCCESS;
	/* Not running (or already on its way out): start it if it has ended. */
	ret = capsule_control_start(c, by);
	if (ret != SBI_ERR_ALREADY_STARTED)
		return ret;
	/* Still on its way out after an earlier request, which won: success
	 * only if that one boots it again (a RESTART or REBOOT); after a STOP,
	 * a shutdown or a kill it will be stopped, so say so
	 * (docs/design/keel-sbi.md: START it once LIST shows it stopped). */
	sched_lock();
	again = c->state != CAPSULE_ENDED &&
		(c->request == CAPSULE_REQ_RESTART || c->request == CAPSULE_REQ_REBOOT);
	sched_unlock();
	return again ? SBI_SUCCESS : SBI_ERR_ALREADY_STOPPED;
}

enum capsule_list_state capsule_list_state(const struct capsule *c)
{
	enum capsule_outcome outcome;

	if (c->state == CAPSULE_ENDED)
		return c->outcome == CAPSULE_CLEAN ? CAPSULE_LIST_STOPPED : CAPSULE_LIST_CRASHED;
	/* On its way out after a crash (its vCPUs leaving their harts): it
	 * comes back if the restart policy says so, else it has crashed. */
	outcome = request_outcome(c->request);
	if (c->request != CAPSULE_REQ_NONE && outcome != CAPSULE_CLEAN && !c->rebooting)
		return restart_wanted(c, outcome) && c->restarts < c->restart_limit ? CAPSULE_LIST_REBOOTING
										       : CAPSULE_LIST_CRASHED;
	if (c->rebooting)
		return CAPSULE_LIST_REBOOTING;
	return CAPSULE_LIST_RUNNING;
}

/* Posts a request whose reason is formatted from fmt/ap. */
static void capsule_request_fmt(struct capsule *c, enum capsule_request req, const char *fmt, va_list ap)
{
	char reason[sizeof(c->reason)];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	sched_lock();
	post_locked(c, req, reason);
	sched_unlock();
}

void capsule_request_fail(struct capsule *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	capsule_request_fmt(c, CAPSULE_REQ_FAIL, fmt, ap);
	va_end(ap);
}

void capsule_kill(struct capsule *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	capsule_request_fmt(c, CAPSULE_REQ_KILL, fmt, ap);
	va_end(ap);
}

/* Every capsule is made: nothing runs at all, or the owner failed before it ran. */
static void all_created(void)
{
	struct capsule *owner = machine_owner();
	bool owner_gone, off;
	u32 idle;

	/* Nothing runs at all (an empty bundle, or every capsule failed), or
	 * the owner failed before it ran (the others must not outlive it). */
	sched_lock();
	owner_gone = owner && owner->state == CAPSULE_ENDED;
	idle = owner_gone ? halt_all_locked() : 0;
	off = !any_alive();
	sched_unlock();
	finish_idle(idle);
	if (off)
		machine_power_off();
}

void lifecycle_init(u64 usable_harts)
{
	char why[sizeof(capsules[0].reason)];

	for (unsigned i = 0; i < capsule_count; i++) {
		struct capsule *c = &capsules[i];

		sched_capsule_init(c);
		if (capsule_create(i, usable_harts, why, sizeof(why)))
			fail_early(c, why);
		else
			make_ready(c);
	}
	all_created();
}
