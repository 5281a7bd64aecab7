/* init.c - the boot order. Every hart enters _start (arch entry.S) at once;
 * the one that wins the boot lottery runs keel_main(), the others wait and
 * run keel_secondary() once released. docs/design/boot-handshake.md. */
#include <keel/build_info.h>
#include <keel/capsule.h>
#include <keel/lifecycle.h>
#include <keel/config.h>
#include <keel/console_input.h>
#include <keel/console.h>
#include <keel/fdt.h>
#include <keel/hart.h>
#include <keel/isolation.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/sbi.h>
#include <keel/sched.h>
#include <keel/vtimer.h>

extern char _start[];
extern char __keel_image_end[];

/* Filled by the boot hart before it releases the others. */
static struct host_info host;
static u64 hv_base, hv_end;  /* what the hypervisor keeps: [hv_base, hv_end) */

/* Longest the boot hart waits for the other harts to reach the entry code. */
#define ARRIVAL_TIMEOUT_MS 100

static void banner(void)
{
	const struct keel_build_info *b = &keel_build_info;

	klog("Keel %s (commit %s%s, built %s) port %s, %s", b->version, b->commit,
	     b->dirty ? "-dirty" : "", b->date, b->port, b->optimize);
	klog("%u hart%s, %lu MiB RAM at 0x%lx, timebase %lu Hz, isa %s", host.hart_count,
	     host.hart_count == 1 ? "" : "s", host.ram_size >> 20, host.ram_base, host.timebase, host.isa);
	if (host.harts_ignored)
		klog("%u harts above CONFIG_MAX_HARTS (%u) not used", host.harts_ignored, CONFIG_MAX_HARTS);
	if (host.uart_base && host.uart_base != KEEL_UART_BASE)
		klog("device tree UART at 0x%lx, port says 0x%lx: using the port's", host.uart_base,
		     KEEL_UART_BASE);
}

/* Decides what the hypervisor keeps and what capsules may have: the image
 * (rounded up to 2 MiB) at the bottom of RAM, the host DTB at the top. */
static void memory_layout(u64 *ram_start, u64 *ram_end)
{
	u64 top = host.ram_base + host.ram_size;

	hv_base = (uptr)_start;
	hv_end = ALIGN_UP((u64)(uptr)__keel_image_end, KEEL_CAPSULE_ALIGN);
	if (hv_base < host.ram_base || hv_end > top)
		panic("memory_layout: image 0x%lx-0x%lx outside RAM", hv_base, hv_end);
	if (host.dtb_addr >= hv_end && host.dtb_addr < top)
		top = ALIGN_DOWN(host.dtb_addr, KEEL_CAPSULE_ALIGN);
	*ram_start = hv_end;
	*ram_end = top;
	klog("hypervisor 0x%lx-0x%lx, capsule RAM 0x%lx-0x%lx (%lu MiB)", hv_base, hv_end, *ram_start,
	     *ram_end, (*ram_end - *ram_start) >> 20);
}

/* Harts both in the device tree and at the entry code. On QEMU every hart
 * arrives at once; elsewhere a late one is left out rather than waited for. */
static u64 usable_harts(void)
{
	u64 deadline = hart_time() + host.timebase / 1000 * ARRIVAL_TIMEOUT_MS;
	u64 arrived;

	while (((arrived = hart_arrived_mask()) & host.hart_mask) != host.hart_mask &&
	       hart_time() < deadline)
		;
	for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++)
		if ((host.hart_mask & (1UL << h)) && !(arrived & (1UL << h)))
			klog("hart %u did not arrive; not used", h);
	return host.hart_mask & arrived;
}

void keel_main(unsigned long hartid, const void *dtb)
{
	const char *why;
	u64 ram_start, ram_end, harts;

	hart_arch_init();                       /* trap vector, delegation, counters, clean H CSRs */
	console_init();                         /* the UART: klog() works from here on */
	if (fdt_parse_host(dtb, &host, &why))   /* RAM, harts, ISA, timebase, devices */
		panic("keel_main: host device tree: %s", why);
	console_set_timebase(host.timebase);   /* output allowances are per second */
	banner();                               /* version, build, port; harts, RAM, ISA */
	sbi_log_extensions();                   /* verbose log: the SBI extensions compiled in */
	memory_layout(&ram_start, &ram_end);    /* hypervisor region, capsule RAM pool */
	if (isol_init(&why))                    /* G-stage (or PMP) usable on this CPU? */
		panic("keel_main: isolation: %s", why);
	isol_hart_init(hv_base, hv_end);        /* guard the hypervisor on this hart */
	vtimer_hart_init();                     /* guest timer mechanism on this hart */
	harts = usable_harts();                 /* in the device tree and arrived */
	sched_init(host.timebase);              /* time slice */
	capsules_init(&host, ram_start, ram_end); /* check the bundle, the capsule RAM pool */
	lifecycle_init(harts);                  /* make every capsule: RAM, address space, devices; vCPU 0 runnable */
	console_input_init();                   /* console focus; UART input interrupt to this hart */
	hart_release_secondaries();             /* everything above is now visible to them */
	sched_run(hartid);                      /* run vCPUs, forever */
}

void keel_secondary(unsigned long hartid)
{
	hart_arch_init();                       /* same machine setup as the boot hart */
	KLOG_VERBOSE("hart %lu up", hartid);
	isol_hart_init(hv_base, hv_end);
	vtimer_hart_init();
	sched_run(hartid);
}
