/* capsule.c - a capsule's life: created from its bundle record, booted from
 * its pristine payload (again on every reboot), run until it ends, scrubbed.
 * The states are drawn in docs/design/vcpu-states.md. */
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

/* Turns record i into a READY capsule, or an ENDED (failed) one. */
static void capsule_create(unsigned i)
{
	const struct keel_capsule_record *r = bundle_record(&bundle, i);
	struct capsule *c = &capsules[i];
	struct elf_window win;
	struct isol_region region;
	const char *why;
	char msg[96];

	c->id = i;
	c->state = CAPSULE_READY;
	c->vcpu.capsule = c;
	c->vcpu.id = 0;
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
	if (sched_place(c, r->hart, &why)) {
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
	klog("capsule %s: hart %u, %lu MiB RAM at 0x%lx, entry 0x%lx", c->name, c->hart,
	     c->ram_size >> 20, c->ram_hpa, c->entry);
	if (r->vcpus > 1)
		klog("capsule %s: %u vCPUs requested, only vCPU 0 runs", c->name, r->vcpus);
}

void capsules_init(const struct host_info *host, u64 ram_start, u64 ram_end)
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
		capsule_create(i);
}

/* Puts a fresh copy of the capsule in its RAM and its vCPU on this hart.
 * Returns -1 (capsule failed) if its device tree does not fit. */
static int capsule_boot(struct capsule *c)
{
	struct elf_window win = load_window(c);
	u8 *ram = (u8 *)(uptr)c->ram_hpa;
	u64 dtb_gpa = KEEL_GUEST_RAM_BASE + c->ram_size - KEEL_GUEST_DTB_MAX;
	struct guest_dt_params dt = {
		.ram_gpa = KEEL_GUEST_RAM_BASE,
		.ram_size = c->ram_size,
		.timebase = timebase,
		.isa = guest_isa,
		.bootargs = c->bootargs,
		.boot_count = c->boot_count,
	};

	/* Scrub: nothing of an earlier boot survives a reboot. */
	memset(ram, 0, c->ram_size);
	elf_load(c->payload, &win, ram);
	if (!fdt_build_guest(ram + (dtb_gpa - KEEL_GUEST_RAM_BASE), KEEL_GUEST_DTB_MAX, &dt)) {
		capsule_request_fail(c, "device tree does not fit");
		return -1;
	}
	hart_sync_icache();

	vcpu_reset(&c->vcpu, c->entry, c->vcpu.id, dtb_gpa);
	vtimer_reset(&c->vcpu.timer);
	isol_capsule_activate(c->id);
	vcpu_load(&c->vcpu);
	vtimer_load(&c->vcpu.timer);
	return 0;
}

/* Takes the vCPU off this hart; leaves no state of it behind. */
static void capsule_unload(struct capsule *c)
{
	vtimer_put(&c->vcpu.timer);
	vcpu_put(&c->vcpu);
	isol_capsule_deactivate(c->id);
	console_capsule_flush(&c->out, c->name);
}

void capsule_run(struct capsule *c)
{
	c->state = CAPSULE_RUNNING;
	for (;;) {
		if (capsule_boot(c) == 0) {
			while (c->request == CAPSULE_REQ_NONE) {
				vcpu_run(&c->vcpu);
				vcpu_handle_exit(&c->vcpu);
			}
			capsule_unload(c);
		}
		if (c->request != CAPSULE_REQ_REBOOT)
			break;
		if (c->boot_count >= KEEL_MAX_REBOOTS) {
			c->request = CAPSULE_REQ_NONE;
			capsule_request_fail(c, "reboot limit (%u) reached", KEEL_MAX_REBOOTS);
			break;
		}
		c->boot_count++;
		c->request = CAPSULE_REQ_NONE;
		klog("capsule %s: rebooting (boot %u)", c->name, c->boot_count);
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

/* The first request of an exit wins; a kill overrides everything. */
static bool request(struct capsule *c, enum capsule_request req)
{
	if (c->request != CAPSULE_REQ_NONE && req != CAPSULE_REQ_KILL)
		return false;
	c->request = req;
	return true;
}

void capsule_request_shutdown(struct capsule *c)
{
	request(c, CAPSULE_REQ_SHUTDOWN);
}

void capsule_request_reboot(struct capsule *c)
{
	request(c, CAPSULE_REQ_REBOOT);
}

void capsule_request_fail(struct capsule *c, const char *fmt, ...)
{
	va_list ap;

	if (!request(c, CAPSULE_REQ_FAIL))
		return;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

void capsule_kill(struct capsule *c, const char *fmt, ...)
{
	va_list ap;

	request(c, CAPSULE_REQ_KILL);
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

void capsule_putc(struct capsule *c, char ch)
{
	console_capsule_putc(&c->out, c->name, ch);
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
