/* capsule.h - a capsule: one guest, its RAM, its vCPUs, its console line.
 * States and transitions: docs/design/vcpu-states.md. */
#ifndef KEEL_CAPSULE_H
#define KEEL_CAPSULE_H

#include <keel/config.h>
#include <keel/console.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include <keel/vcpu.h>
#include <keel/mmio.h>
#include <keel/vplic.h>
#include <keel/vuart.h>

/* Name buffer: the bundle record's name field (capsule.c checks they agree),
 * at most 31 characters and a NUL. */
#define CAPSULE_NAME_MAX 32

enum capsule_state {
	CAPSULE_READY,    /* checked, RAM carved; vCPU 0 runnable, not booted yet */
	CAPSULE_RUNNING,  /* booted: its vCPUs run, wait or are stopped */
	CAPSULE_ENDED,    /* not running; outcome says how it ended. The machine's
			   * owner may start it again (if startable). */
};

enum capsule_outcome {
	CAPSULE_CLEAN,    /* shut down on its own, without a failure reason, or stopped */
	CAPSULE_FAILED,   /* asked for it (system failure), too many reboots, or bad payload */
	CAPSULE_KILLED,   /* did something the hypervisor does not allow */
};

/* What an exit handler (or the machine's owner) asks the run loop to do
 * with a capsule. */
enum capsule_request {
	CAPSULE_REQ_NONE,
	CAPSULE_REQ_SHUTDOWN,  /* its own SRST shutdown */
	CAPSULE_REQ_FAIL,
	CAPSULE_REQ_REBOOT,    /* its own SRST reboot (counts against CONFIG_MAX_REBOOTS) */
	CAPSULE_REQ_KILL,
	CAPSULE_REQ_STOP,      /* the owner stops it (keelctl stop) */
	CAPSULE_REQ_RESTART,   /* the owner restarts it (keelctl restart) */
	CAPSULE_REQ_HALT,      /* the machine shuts down */
};

/* What the Keel SBI extension's LIST reports (docs/design/keel-sbi.md). */
enum capsule_list_state {
	CAPSULE_LIST_STOPPED = 0,
	CAPSULE_LIST_RUNNING = 1,
	CAPSULE_LIST_CRASHED = 2,
	CAPSULE_LIST_REBOOTING = 3,
};

/* Console input waiting for a capsule (core/console_input.c). */
struct console_input {
	u8 buf[KEEL_INPUT_MAX];
	u32 head, tail;  /* bytes buf[tail % MAX .. head % MAX) wait */
};

/* Who writes each field, and what guards it (docs/design/vcpu-states.md,
 * "Who changes what"):
 * - made: capsule.c on the boot hart before any other hart runs; read-only
 *   after, so read without a lock.
 * - fate: lifecycle.c only, under the scheduler lock (sched_lock). Read
 *   without it only as a snapshot (LIST, the console list) or by the hart
 *   that drains the capsule (lifecycle_drained), which alone acts on it
 *   until vCPU 0 is queued again; the one other writer meanwhile is the
 *   machine's end turning a REBOOT/RESTART request into HALT, which
 *   lifecycle_drained checks under the lock first.
 * - boot: lifecycle.c on the draining hart (or the keelctl caller's when no
 *   vCPU runs) before it queues vCPU 0 under the scheduler lock, and
 *   capsule_boot on the hart that picks vCPU 0 after; the lock hand-over
 *   orders them.
 * - sched: sched.c, under the scheduler lock. */
struct capsule {
	/* made */
	unsigned id;                       /* index in bundle order */
	char name[CAPSULE_NAME_MAX];       /* NUL-terminated */
	const u8 *payload;                 /* pristine ELF inside the bundle */
	u64 payload_size;
	const char *bootargs;
	u64 entry;                         /* GPA */
	u64 ram_hpa;                       /* host RAM, seen at KEEL_GUEST_RAM_BASE */
	u64 ram_size;
	u64 dtb_gpa;                       /* its device tree, in the last KEEL_GUEST_DTB_MAX of RAM */
	u64 affinity;                      /* bit h: physical hart h may run its vCPUs */
	bool high_priority;                /* image priority: high */
	bool owns_machine;                 /* image owns_machine: the root VM */
	bool console_focus;                /* image console: focus */
	bool dev_uart;                     /* image devices: [uart]: emulated ns16550a + PLIC in devices */
	bool startable;                    /* record, payload and RAM good: may (re)start */
	int colour;                        /* ANSI colour of its console tag, 0 = none */
	u64 initrd_start, initrd_end;      /* GPAs from the payload's initrd note, 0 = none */
	unsigned restart_policy;           /* KEEL_RESTART_* from the image's restart */
	unsigned restart_limit;            /* image restart_limit */
	unsigned nr_vcpus;
	/* boot */
	unsigned boot_count;               /* 0 on first boot, +1 per reboot or restart */
	unsigned reboots;                  /* its own SRST reboots (CONFIG_MAX_REBOOTS) */
	unsigned restarts;                 /* restarts by the policy so far */
	bool needs_boot;                   /* load RAM and DTB before vCPU 0 runs */
	u64 booted_at;                     /* hart time of its last boot */
	/* fate */
	enum capsule_state state;
	enum capsule_outcome outcome;
	enum capsule_request request;
	char reason[112];                  /* why it failed / was killed / who stopped it */
	bool rebooting;                    /* a reboot or restart is under way */
	/* sched */
	unsigned on_harts;                 /* vCPUs RUNNING (owning a hart) */
	struct vcpu vcpus[CONFIG_MAX_VCPUS];  /* scheduler fields: keel/vcpu.h */
	/* their own locks */
	spinlock_t out_lock;               /* its vCPUs print from several harts */
	struct console_line out;           /* under out_lock */
	struct console_input in;           /* under the console input lock (console_input.c) */
	struct mmio_table devices;         /* its emulated devices (keel/mmio.h), made at creation */
	struct vuart_state uart;           /* devices: [uart], under devices.lock */
	struct vplic_state plic;           /* with it, under devices.lock */
};

extern struct capsule capsules[CONFIG_MAX_CAPSULES];
extern unsigned capsule_count;

struct host_info;

/* Boot hart: opens the bundle (a bad one is a panic), takes the host facts
 * every capsule's device tree needs and the capsule RAM pool, host
 * [ram_start, ram_end); sets capsule_count. */
void capsules_init(const struct host_info *host, u64 ram_start, u64 ram_end);

/* Boot hart, capsule by capsule (lifecycle_init): makes capsule i from its
 * bundle record: checks the record and payload, carves its RAM, builds its
 * address space, attaches its emulated devices. 0, or -1 with why the
 * capsule cannot run in fail (size bytes). usable: the harts vCPUs may use
 * (an affinity naming another one fails). */
int capsule_create(unsigned i, u64 usable, char *fail, size_t size);

/* On the hart that picked vCPU 0 of a capsule that needs_boot
 * (lifecycle_boot): scrubs its RAM, loads the ELF from the pristine
 * payload, writes the device tree and resets vCPU 0 (its other vCPUs are
 * STOPPED). 0, or -1 with *why. */
int capsule_boot(struct capsule *c, const char **why);

/* One byte / n bytes of the capsule's console output (n bytes stay
 * together even if another of its vCPUs prints at the same time). */
void capsule_putc(struct capsule *c, char ch);
void capsule_write(struct capsule *c, const u8 *buf, size_t n);

/* Uptime for LIST: ms since its last boot, 0 when not running. */
u64 capsule_uptime_ms(const struct capsule *c);

/* Host pointer for guest-physical [gpa, gpa+len) if it lies inside the
 * capsule's RAM, NULL otherwise. */
void *capsule_gpa_to_host(const struct capsule *c, u64 gpa, u64 len);


#endif
