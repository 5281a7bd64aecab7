/* capsule.c - a capsule's making: created from its bundle record (RAM
 * carved, address space built), booted from its pristine payload (again on
 * every reboot) when the scheduler first picks its vCPU 0, and its
 * accessors (console output, guest-physical to host). What happens to it
 * after (requests, reboots, restarts, its end) is core/lifecycle.c's; the
 * states are drawn in docs/design/vcpu-states.md. */
#include <keel/bundle_check.h>
#include <keel/capsule.h>
#include <keel/console_input.h>
#include <keel/console.h>
#include <keel/elf.h>
#include <keel/fdt.h>
#include <keel/hart.h>
#include <keel/isolation.h>
#include <keel/lib.h>
#include <keel/machine.h>
#include <keel/panic.h>
#include <keel/printf.h>
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

/* Where a capsule's ELF may load: all of its RAM but the device tree area. */
static struct elf_window load_window(const struct capsule *c)
{
	return (struct elf_window){ .gpa = KEEL_GUEST_RAM_BASE, .size = c->ram_size - KEEL_GUEST_DTB_MAX };
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

int capsule_create(unsigned i, u64 usable, char *fail, size_t size)
{
	const struct keel_capsule_record *r = bundle_record(&bundle, i);
	struct capsule *c = &capsules[i];
	struct elf_window win;
	struct isol_region region;
	const char *why;
	char where[48];
	u64 wanted;

	c->id = i;  /* state CAPSULE_READY: the array starts zeroed */
	c->nr_vcpus = 1;
	for (unsigned v = 0; v < CONFIG_MAX_VCPUS; v++) {
		c->vcpus[v].capsule = c;
		c->vcpus[v].id = v;
	}
	if (bundle_check_record(&bundle, r, &why)) {
		snprintf(c->name, sizeof(c->name), "#%u", i);
		snprintf(fail, size, "bad bundle record: %s", why);
		return -1;
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
	console_line_reset(&c->out, c->name, c->colour, c->owns_machine);
	if (c->owns_machine)
		machine_claim_owner(c);

	if (r->vcpus > CONFIG_MAX_VCPUS) {
		snprintf(fail, size, "%u vCPUs asked, at most %u", r->vcpus, CONFIG_MAX_VCPUS);
		return -1;
	}
	if (r->vcpus > 1 && !IS_ENABLED(CONFIG_SBI_HSM)) {
		snprintf(fail, size, "%u vCPUs asked, but SBI HSM is not compiled in (CONFIG_SBI_HSM)",
			 r->vcpus);
		return -1;
	}
	c->nr_vcpus = r->vcpus;
	if (!bundle_payload_verified(&bundle, r)) {
		strlcpy(fail, "payload SHA-256 mismatch", size);
		return -1;
	}
	win = load_window(c);
	if (elf_check(c->payload, c->payload_size, &win, &c->entry, &why)) {
		snprintf(fail, size, "bad ELF: %s", why);
		return -1;
	}
	/* docs/design/linux-payload.md: an initrd note names a range of a loaded segment. */
	if (elf_initrd(c->payload, c->payload_size, &c->initrd_start, &c->initrd_end, &why) < 0) {
		snprintf(fail, size, "bad initrd note: %s", why);
		return -1;
	}
	/* The record's affinity mask; else its one hart; else (0) any. */
	wanted = r->affinity;
	if (wanted == 0 && r->hart != KEEL_HART_ANY)
		wanted = r->hart < 64 ? 1UL << r->hart : ~0UL;  /* ~0: names absent harts */
	c->affinity = wanted ? wanted : usable;
	if (c->affinity == 0 || (c->affinity & ~usable)) {
		strlcpy(fail, "requested hart not present", size);
		return -1;
	}
	if (c->ram_size > pool_end - pool_next) {
		snprintf(fail, size, "not enough RAM (%lu MiB asked, %lu MiB left)",
			 c->ram_size >> 20, (pool_end - pool_next) >> 20);
		return -1;
	}
	c->ram_hpa = pool_next;
	pool_next += c->ram_size;

	region = (struct isol_region){ .gpa = KEEL_GUEST_RAM_BASE, .hpa = c->ram_hpa, .size = c->ram_size };
	if (isol_capsule_init(c->id, &region, &why)) {
		strlcpy(fail, why, size);
		return -1;
	}
	format_affinity(c->affinity, usable, where, sizeof(where));
	klog("capsule %s: %s, %lu MiB RAM at 0x%lx, entry 0x%lx%s%s", c->name, where, c->ram_size >> 20,
	     c->ram_hpa, c->entry, c->high_priority ? ", priority high" : "",
	     c == machine_owner() ? ", owns the machine" : "");
	if (c->nr_vcpus > 1)
		klog("capsule %s: %u vCPUs (vCPU 0 boots, the others wait for HSM start)", c->name,
		     c->nr_vcpus);
	if (c->initrd_end)
		klog("capsule %s: initrd 0x%lx-0x%lx (%lu KiB)", c->name, c->initrd_start, c->initrd_end,
		     (c->initrd_end - c->initrd_start) >> 10);
	if (c->dev_uart && (vplic_attach(c, &why) || vuart_attach(c, &why))) {
		strlcpy(fail, why, size);
		return -1;
	}
	c->startable = true;
	return 0;
}

void capsules_init(const struct host_info *host, u64 ram_start, u64 ram_end)
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
}

int capsule_boot(struct capsule *c, const char **why)
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
	c->booted_at = hart_time();
	spin_lock(&c->out_lock);
	console_line_reset(&c->out, c->name, c->colour, c->owns_machine);
	spin_unlock(&c->out_lock);
	console_input_reset(c);
	mmio_reset(c);
	/* Scrub: nothing of an earlier boot survives a reboot. */
	mem_scrub(ram, c->ram_size);
	elf_load(c->payload, &win, ram);
	if (!fdt_build_guest(ram + (c->dtb_gpa - KEEL_GUEST_RAM_BASE), KEEL_GUEST_DTB_MAX, &dt)) {
		*why = "device tree does not fit";
		return -1;
	}
	/* The ELF was written through the data side: make this hart's
	 * instruction fetch see it (other harts fence.i when a vCPU moves). */
	hart_sync_icache();
	vcpu_reset(&c->vcpus[0], c->entry, 0, c->dtb_gpa);
	return 0;
}

u64 capsule_uptime_ms(const struct capsule *c)
{
	if (c->state != CAPSULE_RUNNING || c->rebooting || timebase == 0)
		return 0;
	return (hart_time() - c->booted_at) * 1000 / timebase;
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
