/* capsule.h - a capsule: one guest, its RAM, its vCPU, its console line.
 * States and transitions: docs/design/vcpu-states.md. */
#ifndef KEEL_CAPSULE_H
#define KEEL_CAPSULE_H

#include <keel/bundle.h>
#include <keel/config.h>
#include <keel/console.h>
#include <keel/types.h>
#include <keel/vcpu.h>

enum capsule_state {
	CAPSULE_READY,    /* checked and placed, waiting for its hart */
	CAPSULE_RUNNING,  /* owns its hart: in the guest or handling an exit */
	CAPSULE_ENDED,    /* will not run again; outcome says how it ended */
};

enum capsule_outcome {
	CAPSULE_CLEAN,    /* shut down on its own, without a failure reason */
	CAPSULE_FAILED,   /* asked for it (system failure), too many reboots, or bad payload */
	CAPSULE_KILLED,   /* did something the hypervisor does not allow */
};

/* What an exit handler asks the run loop to do after the current exit. */
enum capsule_request {
	CAPSULE_REQ_NONE,
	CAPSULE_REQ_SHUTDOWN,
	CAPSULE_REQ_FAIL,
	CAPSULE_REQ_REBOOT,
	CAPSULE_REQ_KILL,
};

struct capsule {
	unsigned id;                       /* index in bundle order */
	char name[KEEL_BUNDLE_NAME_MAX];   /* NUL-terminated */
	const u8 *payload;                 /* pristine ELF inside the bundle */
	u64 payload_size;
	const char *bootargs;
	u64 entry;                         /* GPA */
	u64 ram_hpa;                       /* host RAM, seen at KEEL_GUEST_RAM_BASE */
	u64 ram_size;
	unsigned hart;                     /* physical hart it runs on */
	unsigned boot_count;               /* 0 on first boot, +1 per reboot */
	enum capsule_state state;
	enum capsule_outcome outcome;
	enum capsule_request request;
	char reason[112];                  /* why it failed / was killed */
	struct vcpu vcpu;                  /* vCPU 0; the only one that runs */
	struct console_line out;
};

extern struct capsule capsules[KEEL_MAX_CAPSULES];
extern unsigned capsule_count;

struct host_info;

/* Boot hart: reads the bundle and makes every capsule READY (or ENDED if its
 * record or payload is bad), carving its RAM from host [ram_start, ram_end)
 * and building its address space. */
void capsules_init(const struct host_info *host, u64 ram_start, u64 ram_end);

/* The capsule's hart: boots it and runs it until it ends, rebooting it in
 * between as it asks. Returns with the capsule ENDED. */
void capsule_run(struct capsule *c);

/* Requests from exit handlers, acted on when the handler returns. */
void capsule_request_shutdown(struct capsule *c);
void capsule_request_reboot(struct capsule *c);
__attribute__((format(printf, 2, 3))) void capsule_request_fail(struct capsule *c,
								const char *fmt, ...);
/* Kill: fmt describes what the guest did, e.g. "load guest-page fault at pc ...". */
__attribute__((format(printf, 2, 3))) void capsule_kill(struct capsule *c, const char *fmt, ...);

/* One byte of the capsule's console output. */
void capsule_putc(struct capsule *c, char ch);

/* Host pointer for guest-physical [gpa, gpa+len) if it lies inside the
 * capsule's RAM, NULL otherwise. */
void *capsule_gpa_to_host(const struct capsule *c, u64 gpa, u64 len);

/* MMIO hook: true if an emulated device of the capsule covers gpa. There are
 * no emulated devices yet; trap.c asks before it kills on a guest-page fault. */
bool capsule_vdev_claims(const struct capsule *c, u64 gpa);

#endif
