/* capsule.c - a capsule's life: created from its bundle record, booted from
 * its pristine payload (again on every reboot) when the scheduler first
 * picks its vCPU 0, run by the scheduler (sched.c) until a request ends it,
 * then scrubbed. The states are drawn in docs/design/vcpu-states.md. */
#include <keel/bundle_check.h>
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/elf.h>
#include <keel/fdt.h>
#include <keel/hart.h>
#include <keel/isolation.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/printf.h>
#include <keel/sched.h>
#include <keel/vtimer.h>

_Static_assert(CAPSULE_NAME_MAX == KEEL_BUNDLE_NAME_MAX, "capsule name buffer = bundle name field");

struct capsule capsules[KEEL_MAX_CAPSULES];
unsigned capsule_count;

/* Shared by every capsule; written by the boot hart before the others run. */
static struct bundle bundle;
static u64 timebase;
static char guest_isa[FDT_ISA_MAX];

/* Host RAM not yet given to a capsule: [pool_next, pool_end). */
static u64 pool_next, pool_end;

/* Where a capsule's ELF may load: all of its RAM but the device tree area. */
static struct elf_window load_window(const struct capsule *c)
{
	return (struct elf_window){ .gpa = KEEL_GUEST_RAM_BASE, .size = c->ram_size - KEEL_GUEST_DTB_MAX };
}

/* Logs how the capsule ended and lets the scheduler count it. */
static void capsule_end(struct capsule *c, enum capsule_outcome outcome)
{
	c->outcome = outcome;
	c->state = CAPSULE_ENDED;
	if (outcome == CAPSULE_CLEAN)
		klog("capsule %s: shut down", c->name);
	else if (outcome == CAPSULE_KILLED)
		klog("capsule %s: killed: %s", c->name, c->reason);
	else
		klog("capsule %s: failed (reason %s)", c->name, c->reason);
	sched_capsule_ended(c);
}

/* Ends a capsule that never ran. */
static void fail_early(struct capsule *c, const char *why)
{
	strlcpy(c->reason, why, sizeof(c->reason));
	capsule_end(c, CAPSULE_FAILED);
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
	for (unsigned v = 0; v < KEEL_MAX_VCPUS; v++) {
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

	if (r->vcpus > KEEL_MAX_VCPUS) {
		snprintf(msg, sizeof(msg), "%u vCPUs asked, at most %u", r->vcpus, KEEL_MAX_VCPUS);
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
	klog("capsule %s: %s, %lu MiB RAM at 0x%lx, entry 0x%lx%s", c->name, where, c->ram_size >> 20,
	     c->ram_hpa, c->entry, c->high_priority ? ", priority high" : "");
	if (c->nr_vcpus > 1)
		klog("capsule %s: %u vCPUs (vCPU 0 boots, the others wait for HSM start)", c->name,
		     c->nr_vcpus);
	c->needs_boot = true;
	sched_capsule_start(c);
}

void capsules_init(const struct host_info *host, u64 usable_harts, u64 ram_start, u64 ram_end)
{
	const char *why;

	if (bundle_open(&bundle, &why))
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
	};

	c->needs_boot = false;
	c->state = CAPSULE_RUNNING;
	/* Scrub: nothing of an earlier boot survives a reboot. */
	memset(ram, 0, c->ram_size);
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

void capsule_finish(struct capsule *c)
{
	spin_lock(&c->out_lock);
	console_capsule_flush(&c->out, c->name);
	spin_unlock(&c->out_lock);

	if (c->request == CAPSULE_REQ_REBOOT) {
		if (c->boot_count < KEEL_MAX_REBOOTS) {
			c->boot_count++;
			klog("capsule %s: rebooting (boot %u)", c->name, c->boot_count);
			c->needs_boot = true;
			sched_capsule_start(c);  /* clears the request */
			return;
		}
		c->request = CAPSULE_REQ_FAIL;
		snprintf(c->reason, sizeof(c->reason), "reboot limit (%u) reached", KEEL_MAX_REBOOTS);
	}

	memset((void *)(uptr)c->ram_hpa, 0, c->ram_size);
	isol_capsule_teardown(c->id);
	switch (c->request) {
	case CAPSULE_REQ_SHUTDOWN:
		capsule_end(c, CAPSULE_CLEAN);
		break;
	case CAPSULE_REQ_KILL:
		capsule_end(c, CAPSULE_KILLED);
		break;
	default:
		capsule_end(c, CAPSULE_FAILED);
		break;
	}
}

/* The first request wins; a kill overrides everything. Scheduler lock held. */
static bool request(struct capsule *c, enum capsule_request req)
{
	if (c->state == CAPSULE_ENDED)
		return false;
	if (c->request != CAPSULE_REQ_NONE && req != CAPSULE_REQ_KILL)
		return false;
	c->request = req;
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

void capsule_request_fail(struct capsule *c, const char *fmt, ...)
{
	char reason[sizeof(c->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	sched_lock();
	capsule_request_locked(c, CAPSULE_REQ_FAIL, reason);
	sched_unlock();
}

void capsule_kill(struct capsule *c, const char *fmt, ...)
{
	char reason[sizeof(c->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	sched_lock();
	capsule_request_locked(c, CAPSULE_REQ_KILL, reason);
	sched_unlock();
}

void capsule_putc(struct capsule *c, char ch)
{
	spin_lock(&c->out_lock);
	console_capsule_putc(&c->out, c->name, ch);
	spin_unlock(&c->out_lock);
}

void capsule_write(struct capsule *c, const u8 *buf, size_t n)
{
	spin_lock(&c->out_lock);
	for (size_t i = 0; i < n; i++)
		console_capsule_putc(&c->out, c->name, (char)buf[i]);
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
	(void)c;
	(void)gpa;
	return false;
}
