/* mmio.h - a capsule's emulated devices and the one door from the trap path
 * into them (core/mmio.c).
 *
 * Each capsule has a table of devices, each with its own guest-physical
 * window, handlers and, optionally, an interrupt line (a source number on
 * the capsule's interrupt controller, itself a device of the table). A
 * guest load or store that faults on a GPA outside its RAM comes here
 * (arch/riscv/trap.c decodes it): mmio_access finds the device whose window
 * holds the GPA and calls its handler. Adding a device: a file with a
 * `struct mmio_ops`, an attach function that calls mmio_register at capsule
 * creation, its window in keel/guest_map.h and its node in the guest device
 * tree (core/fdt_build.c).
 *
 * One lock per capsule (struct mmio_table.lock) guards every device's state
 * of that capsule: its vCPUs trap on several harts, and the interrupt
 * controller reads the other devices' lines. */
#ifndef KEEL_MMIO_H
#define KEEL_MMIO_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define MMIO_MAX_DEVICES 8

struct capsule;
struct vcpu;

enum mmio_result {
	MMIO_UNMAPPED,  /* no device of the capsule at that address */
	MMIO_DONE,      /* the device did it */
	MMIO_BAD,       /* a device is there, but not that register or width */
};

/* A device's handlers. state is what it registered; off is from its base.
 * Only read and write are required. */
struct mmio_ops {
	/* No lock held, before an access (e.g. take what the host holds). */
	void (*prepare)(struct vcpu *v, void *state, bool store);
	/* Table lock held. False: no such register or width. Setting *finish
	 * asks for finish() once the lock is dropped. */
	bool (*read)(struct vcpu *v, void *state, u64 off, unsigned width, u64 *val, bool *finish);
	bool (*write)(struct vcpu *v, void *state, u64 off, unsigned width, u64 val, bool *finish);
	/* No lock held, after an access that asked for it. */
	void (*finish)(struct vcpu *v, void *state);
	/* Table lock held: the level of its interrupt line. */
	bool (*line)(struct capsule *c, void *state);
	/* Table lock held: an interrupt controller's answer for vCPU v's
	 * supervisor external interrupt. At most one device per capsule. */
	bool (*vcpu_level)(struct vcpu *v, void *state);
	/* Table lock held: power-on state (every boot of the capsule). */
	void (*reset)(void *state);
};

struct mmio_device {
	const char *name;
	u64 base, size;        /* guest-physical window */
	unsigned irq;          /* its source on the interrupt controller, 0 = none */
	const struct mmio_ops *ops;
	void *state;
};

struct mmio_table {
	spinlock_t lock;
	unsigned count;
	struct mmio_device dev[MMIO_MAX_DEVICES];
};

/* Capsule creation (boot hart): adds a device to c's table. 0, or -1 with
 * *why (table full, window overlapping another device's or wrapping). */
int mmio_register(struct capsule *c, const struct mmio_device *d, const char **why);

/* Does a device of c cover gpa? */
bool mmio_mapped(const struct capsule *c, u64 gpa);

/* The guest access of v: width bytes (1, 2, 4 or 8, gpa aligned to it), a
 * store of *val or a load into *val. A store may raise a line: the caller
 * then tells the other vCPUs (sched_irq_changed). */
enum mmio_result mmio_access(struct vcpu *v, u64 gpa, unsigned width, bool store, u64 *val);

/* Table lock held: the level of interrupt source irq (any device on it). */
bool mmio_source_level(struct capsule *c, unsigned irq);

/* The level of vCPU v's supervisor external interrupt, from its capsule's
 * interrupt controller (false without one): the one place it is computed;
 * the scheduler hands it to the arch code before every guest entry and
 * asks it when a line may have risen (sched_irq_changed). No lock held. */
bool mmio_irq_level(struct vcpu *v);

/* Capsule boot: every device of c to its power-on state. */
void mmio_reset(struct capsule *c);

#endif
