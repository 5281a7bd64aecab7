/* capsule.c - a capsule's life: created from its bundle record, booted from
 * its pristine payload (again on every reboot) when the scheduler first
 * picks its vCPU 0, run by the scheduler (sched.c) until a request ends it,
 * then scrubbed. The states are drawn in docs/design/vcpu-states.md. */
#include <keel/bundle_check.h>
#include <keel/capsule.h>
#include <keel/conmux.h>
#include <keel/console.h>
#include <keel/elf.h>
#include <keel/fdt.h>
#include <keel/hart.h>
#include <keel/isolation.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/poweroff.h>
#include <keel/printf.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vtimer.h>

_Static_assert(CAPSULE_NAME_MAX == KEEL_BUNDLE_NAME_MAX, "capsule name buffer = bundle name field");

struct capsule capsules[CONFIG_MAX_CAPSULES];
unsigned capsule_count;

/* Shared by every capsule; written by the boot hart before the others run. */
static struct bundle bundle;
static u64 timebase;
static char guest_isa[FDT_ISA_MAX];

/* Host RAM not yet given to a capsule: [pool_next, pool_end). */
static u64 pool_next, pool_end;

/* The capsule that owns the machine (image owns_machine), if any, and
 * whether the machine is ending: every capsule is being stopped and the
 * last one to end powers off. Under the scheduler lock. */
static struct capsule *owner;
static bool machine_ending;
static u32 machine_off;  /* set once: the summary is printed, power is going */

/* Where a capsule's ELF may load: all of its RAM but the device tree area. */
static struct elf_window load_window(const struct capsule *c)
{
	return (struct elf_window){ .gpa = KEEL_GUEST_RAM_BASE, .size = c->ram_size - KEEL_GUEST_DTB_MAX };
}

static bool request(struct capsule *c, enum capsule_request req);

/* Summary line, then power off. With an owner the machine's exit status is
 * the owner's (0 if it shut down clean); without one, 0 only if every
 * capsule ended clean. */
static void machine_end(void)
{
	unsigned ok = 0, n = capsule_count;
	bool clean;

	if (__atomic_exchange_n(&machine_off, 1, __ATOMIC_SEQ_CST))
		return;
	for (unsigned i = 0; i < n; i++)
		if (capsules[i].outcome == CAPSULE_CLEAN)
			ok++;
	clean = owner ? owner->outcome == CAPSULE_CLEAN : ok == n;
	klog("all capsules ended: %u clean, %u failed", ok, n - ok);
	poweroff(clean ? 0 : 1);
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
			capsule_finish(&capsules[i]);
}

/* Scheduler lock held: the machine ends; asks every other capsule to stop.
 * Returns the capsules the caller must finish. */
static u32 halt_all_locked(void)
{
	u32 idle = 0;

	machine_ending = true;
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

/* Logs how the capsule ended; the last one to end (or the owner's end, once
 * the others have stopped) ends the machine. */
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

static void capsule_end(struct capsule *c, enum capsule_outcome outcome, bool logged)
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
	if (c == owner && !machine_ending) {
		klog("capsule %s owns the machine: stopping every capsule", c->name);
		idle = halt_all_locked();
	}
	alive = any_alive();
	off = !alive && (owner == NULL || machine_ending);
	sched_unlock();
	finish_idle(idle);
	if (off)
		machine_end();
}

/* Ends a capsule that never ran. */
static void fail_early(struct capsule *c, const char *why)
{
	strlcpy(c->reason, why, sizeof(c->reason));
	capsule_end(c, CAPSULE_FAILED, false);
}

/* "hart 1", "any hart", "harts 0,2": where the capsule's vCPUs may run. */
static void format_affinity(u64 mask, u64 usable, char *buf, size_t size)
{
	size_t n;

	if (mask == usable && (mask & (mask - 1)) != 0) {
		strlcpy(buf, "any hart", size);
		return;
	}
	n = strlcpy(buf, (mask & (mask - 1)) ? "harts " : "hart ", size);
	for (unsigned h = 0; h < 64 && n < size; h++) {
		if (!(mask & (1UL << h)))
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%u", (mask & ((1UL << h) - 1)) ? "," : "", h);
	}
}

/* Turns record i into a READY capsule, or an ENDED (failed) one. */
static void capsule_create(unsigned i, u64 usable)
{
	const struct keel_capsule_record *r = bundle_record(&bundle, i);
	struct capsule *c = &capsules[i];
	struct elf_window win;
	struct isol_region region;
	const char *why;
	char msg[96], where[48];
	u64 wanted;

	c->id = i;
	c->state = CAPSULE_READY;
	c->nr_vcpus = 1;
	for (unsigned v = 0; v < CONFIG_MAX_VCPUS; v++) {
		c->vcpus[v].capsule = c;
		c->vcpus[v].id = v;
		c->vcpus[v].state = VCPU_STOPPED;
		c->vcpus[v].hsm = VCPU_HSM_STOPPED;
		c->vcpus[v].running_on = -1;
	}
	if (bundle_check_record(&bundle, r, &why)) {
		snprintf(c->name, sizeof(c->name), "#%u", i);
		snprintf(msg, sizeof(msg), "bad bundle record: %s", why);
		fail_early(c, msg);
		return;
	}
	strlcpy(c->name, r->name, sizeof(c->name));
	c->payload = bundle_payload(&bundle, r);
	c->payload_size = r->payload_size;
	c->bootargs = bundle_bootargs(&bundle, r);
	c->ram_size = r->ram_size;
	c->dtb_gpa = KEEL_GUEST_RAM_BASE + c->ram_size - KEEL_GUEST_DTB_MAX;
	c->high_priority = r->priority == KEEL_PRIORITY_HIGH;
	c->owns_machine = (r->flags & KEEL_CAPSULE_OWNS_MACHINE) != 0;
	c->console_focus = (r->flags & KEEL_CAPSULE_CONSOLE_FOCUS) != 0;
	c->dev_uart = (r->flags & KEEL_CAPSULE_DEV_UART) != 0;
	c->restart_policy = r->restart;
	c->restart_limit = r->restart_limit;
	/* keel-sbi.md: the owner's user space reaches the Keel extension. */
	for (unsigned v = 0; v < CONFIG_MAX_VCPUS; v++)
		c->vcpus[v].intercept_u_ecall = c->owns_machine;
	/* core/Kconfig: the console colour choice. */
	if (IS_ENABLED(CONFIG_CONSOLE_COLOUR_ALWAYS) ||
	    (IS_ENABLED(CONFIG_CONSOLE_COLOUR_IMAGE) && (r->flags & KEEL_CAPSULE_COLOUR)))
		c->colour = 31 + (int)(i % 6);
	else
		c->colour = 0;
	console_line_reset(&c->out, c->name, c->colour);
	if (c->owns_machine && !owner)
		owner = c;

	if (r->vcpus > CONFIG_MAX_VCPUS) {
		snprintf(msg, sizeof(msg), "%u vCPUs asked, at most %u", r->vcpus, CONFIG_MAX_VCPUS);
		fail_early(c, msg);
		return;
	}
	if (r->vcpus > 1 && !IS_ENABLED(CONFIG_SBI_HSM)) {
		snprintf(msg, sizeof(msg), "%u vCPUs asked, but SBI HSM is not compiled in (CONFIG_SBI_HSM)",
			 r->vcpus);
		fail_early(c, msg);
		return;
	}
	c->nr_vcpus = r->vcpus;
	if (!bundle_payload_verified(&bundle, r)) {
		fail_early(c, "payload SHA-256 mismatch");
		return;
	}
	win = load_window(c);
	if (elf_check(c->payload, c->payload_size, &win, &c->entry, &why)) {
		snprintf(msg, sizeof(msg), "bad ELF: %s", why);
		fail_early(c, msg);
		return;
	}
	/* docs/design/linux-payload.md: an initrd note names a range of a loaded segment. */
	if (elf_initrd(c->payload, c->payload_size, &c->initrd_start, &c->initrd_end, &why) < 0) {
		snprintf(msg, sizeof(msg), "bad initrd note: %s", why);
		fail_early(c, msg);
		return;
	}
	/* The record's affinity mask; else its one hart; else (0) any. */
	wanted = r->affinity;
	if (wanted == 0 && r->hart != KEEL_HART_ANY)
		wanted = r->hart < 64 ? 1UL << r->hart : ~0UL;  /* ~0: names absent harts */
	if (sched_affinity(wanted, &c->affinity, &why)) {
		fail_early(c, why);
		return;
	}
	if (c->ram_size > pool_end - pool_next) {
		snprintf(msg, sizeof(msg), "not enough RAM (%lu MiB asked, %lu MiB left)",
			 c->ram_size >> 20, (pool_end - pool_next) >> 20);
		fail_early(c, msg);
		return;
	}
	c->ram_hpa = pool_next;
	pool_next += c->ram_size;

	region = (struct isol_region){ .gpa = KEEL_GUEST_RAM_BASE, .hpa = c->ram_hpa, .size = c->ram_size };
	if (isol_capsule_init(c->id, &region, &why)) {
		fail_early(c, why);
		return;
	}
	format_affinity(c->affinity, usable, where, sizeof(where));
	klog("capsule %s: %s, %lu MiB RAM at 0x%lx, entry 0x%lx%s%s", c->name, where, c->ram_size >> 20,
	     c->ram_hpa, c->entry, c->high_priority ? ", priority high" : "",
	     c == owner ? ", owns the machine" : "");
	if (c->nr_vcpus > 1)
		klog("capsule %s: %u vCPUs (vCPU 0 boots, the others wait for HSM start)", c->name,
		     c->nr_vcpus);
	if (c->initrd_end)
		klog("capsule %s: initrd 0x%lx-0x%lx (%lu KiB)", c->name, c->initrd_start, c->initrd_end,
		     (c->initrd_end - c->initrd_start) >> 10);
	c->startable = true;
	c->needs_boot = true;
	sched_capsule_start(c);
}

void capsules_init(const struct host_info *host, u64 usable_harts, u64 ram_start, u64 ram_end)
{
	const char *why;

	if (bundle_open(&bundle, __keel_bundle_start, (u64)(__keel_bundle_end - __keel_bundle_start), &why))
		panic("capsules_init: bundle: %s", why);
	timebase = host->timebase;
	fdt_guest_isa(host->isa, vtimer_guest_has_sstc(), guest_isa, sizeof(guest_isa));
	pool_next = ALIGN_UP(ram_start, KEEL_CAPSULE_ALIGN);
	pool_end = ALIGN_DOWN(ram_end, KEEL_CAPSULE_ALIGN);
	if (pool_end < pool_next)
		pool_end = pool_next;

	capsule_count = bundle.hdr->capsule_count;
	for (unsigned i = 0; i < capsule_count; i++)
		capsule_create(i, usable_harts);
	/* Nothing runs at all (an empty bundle, or every capsule failed), or
	 * the owner failed before it ran (the others must not outlive it). */
	sched_lock();
	bool owner_gone = owner && owner->state == CAPSULE_ENDED;
	u32 idle = owner_gone ? halt_all_locked() : 0;
	bool off = !any_alive();
	sched_unlock();
	finish_idle(idle);
	if (off)
		machine_end();
}

void capsule_boot(struct capsule *c)
{
	struct elf_window win = load_window(c);
	u8 *ram = (u8 *)(uptr)c->ram_hpa;
	struct guest_dt_params dt = {
		.ram_gpa = KEEL_GUEST_RAM_BASE,
		.ram_size = c->ram_size,
		.timebase = timebase,
		.isa = guest_isa,
		.bootargs = c->bootargs,
		.boot_count = c->boot_count,
		.vcpus = c->nr_vcpus,
		.initrd_start = c->initrd_start,
		.initrd_end = c->initrd_end,
		.uart = c->dev_uart,
	};

	c->needs_boot = false;
	c->state = CAPSULE_RUNNING;
	c->rebooting = false;
	c->booted_at = hart_time();
	spin_lock(&c->out_lock);
	console_line_reset(&c->out, c->name, c->colour);
	spin_unlock(&c->out_lock);
	conmux_capsule_reset(c);
	vdev_reset(c);
	/* Scrub: nothing of an earlier boot survives a reboot. */
	mem_scrub(ram, c->ram_size);
	elf_load(c->payload, &win, ram);
	if (!fdt_build_guest(ram + (c->dtb_gpa - KEEL_GUEST_RAM_BASE), KEEL_GUEST_DTB_MAX, &dt)) {
		capsule_request_fail(c, "device tree does not fit");
		return;
	}
	/* The ELF was written through the data side: make this hart's
	 * instruction fetch see it (other harts fence.i when a vCPU moves). */
	hart_sync_icache();
	vcpu_reset(&c->vcpus[0], c->entry, 0, c->dtb_gpa);
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
	if (machine_ending || c->restart_policy == KEEL_RESTART_NEVER)
		return false;
	if (outcome != CAPSULE_CLEAN)
		return true;
	return c->restart_policy == KEEL_RESTART_ALWAYS && c->request == CAPSULE_REQ_SHUTDOWN;
}

void capsule_finish(struct capsule *c)
{
	enum capsule_outcome outcome;
	bool last_word;

	spin_lock(&c->out_lock);
	console_capsule_flush(&c->out);
	spin_unlock(&c->out_lock);

	sched_lock();
	if (machine_ending && (c->request == CAPSULE_REQ_REBOOT || c->request == CAPSULE_REQ_RESTART))
		c->request = CAPSULE_REQ_HALT;
	sched_unlock();
	if (c->request == CAPSULE_REQ_RESTART) {
		klog("capsule %s: restarting (asked by %s)", c->name, c->reason);
		c->boot_count = 0;
		c->reboots = 0;
		c->restarts = 0;
		c->needs_boot = true;
		sched_capsule_start(c);  /* clears the request */
		return;
	}
	if (c->request == CAPSULE_REQ_REBOOT) {
		if (c->reboots < CONFIG_MAX_REBOOTS) {
			c->reboots++;
			c->boot_count++;
			klog("capsule %s: rebooting (boot %u)", c->name, c->boot_count);
			c->needs_boot = true;
			sched_capsule_start(c);  /* clears the request */
			return;
		}
		c->request = CAPSULE_REQ_FAIL;
		snprintf(c->reason, sizeof(c->reason), "reboot limit (%u) reached", CONFIG_MAX_REBOOTS);
	}

	outcome = request_outcome(c->request);
	sched_lock();
	last_word = (machine_ending || c == owner) && !restart_wanted(c, outcome);
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
			c->needs_boot = true;
			sched_capsule_start(c);  /* clears the request */
			return;
		}
		klog("capsule %s: %s limit reached (%u restarts)", c->name,
		     outcome == CAPSULE_CLEAN ? "restart" : "crash", c->restart_limit);
		capsule_end(c, outcome, true);
		return;
	}
	capsule_end(c, outcome, false);
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

void capsule_request_locked(struct capsule *c, enum capsule_request req, const char *reason)
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
	if (!machine_ending) {
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
	posted = !machine_ending && request(c, req);
	if (posted)
		strlcpy(c->reason, by->name, sizeof(c->reason));
	idle = posted && c->on_harts == 0;
	sched_unlock();
	if (idle)
		capsule_finish(c);
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
	if (machine_ending)
		ret = SBI_ERR_FAILED;
	else if (c->state != CAPSULE_ENDED)
		ret = SBI_ERR_ALREADY_STARTED;
	else
		c->state = CAPSULE_READY;  /* taken: a second START sees it started */
	sched_unlock();
	if (ret != SBI_SUCCESS)
		return ret;
	klog("capsule %s: starting (asked by %s)", c->name, by->name);
	c->boot_count = 0;
	c->reboots = 0;
	c->restarts = 0;
	c->outcome = CAPSULE_CLEAN;
	c->needs_boot = true;
	sched_capsule_start(c);
	return SBI_SUCCESS;
}

long capsule_control_restart(struct capsule *c, const struct capsule *by)
{
	if (!c->startable)
		return SBI_ERR_FAILED;
	if (control(c, CAPSULE_REQ_RESTART, by))
		return SBI_SUCCESS;
	/* Not running (or already on its way out): start it if it has ended. */
	return capsule_control_start(c, by) == SBI_ERR_FAILED ? SBI_ERR_FAILED : SBI_SUCCESS;
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

u64 capsule_uptime_ms(const struct capsule *c)
{
	if (c->state != CAPSULE_RUNNING || c->rebooting || timebase == 0)
		return 0;
	return (hart_time() - c->booted_at) * 1000 / timebase;
}

/* Posts a request whose reason is formatted from fmt/ap. */
static void capsule_request_fmt(struct capsule *c, enum capsule_request req, const char *fmt, va_list ap)
{
	char reason[sizeof(c->reason)];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	sched_lock();
	capsule_request_locked(c, req, reason);
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

void capsule_putc(struct capsule *c, char ch)
{
	spin_lock(&c->out_lock);
	console_capsule_putc(&c->out, ch);
	spin_unlock(&c->out_lock);
}

void capsule_write(struct capsule *c, const u8 *buf, size_t n)
{
	spin_lock(&c->out_lock);
	for (size_t i = 0; i < n; i++)
		console_capsule_putc(&c->out, (char)buf[i]);
	spin_unlock(&c->out_lock);
}

void *capsule_gpa_to_host(const struct capsule *c, u64 gpa, u64 len)
{
	u64 off = gpa - KEEL_GUEST_RAM_BASE;

	if (gpa < KEEL_GUEST_RAM_BASE || off > c->ram_size || len > c->ram_size - off)
		return NULL;
	return (void *)(uptr)(c->ram_hpa + off);
}

bool capsule_vdev_claims(const struct capsule *c, u64 gpa)
{
	return vdev_claims(c, gpa);
}
