/* vdev.h - emulated devices of a capsule (core/vdev.c): an ns16550a UART at
 * VDEV_UART_BASE whose receive / transmit-empty interrupt is source
 * VDEV_UART_IRQ of a minimal PLIC at VDEV_PLIC_BASE. Only capsules whose
 * image entry asks for them (devices: [uart]) have them; for any other
 * capsule these addresses fault like any unmapped GPA and the capsule is
 * killed. The arch code decodes the trapping load / store and calls
 * vdev_read / vdev_write; it keeps the guest's external interrupt line
 * (hvip.VSEIP) at vdev_irq_level() every time the vCPU enters the guest. */
#ifndef KEEL_VDEV_H
#define KEEL_VDEV_H

#include <keel/config.h>
#include <keel/spinlock.h>
#include <keel/types.h>

/* core/vdev.c's name for the vCPU limit (core/Kconfig). */
#define KEEL_MAX_VCPUS CONFIG_MAX_VCPUS

#define VDEV_UART_BASE 0x10000000UL
#define VDEV_UART_SIZE 0x100UL
#define VDEV_UART_CLOCK 3686400u
#define VDEV_UART_IRQ 10u
#define VDEV_PLIC_BASE 0x0c000000UL
#define VDEV_PLIC_SIZE 0x4000000UL
#define VDEV_PLIC_NDEV 10u  /* sources 1..10 (riscv,ndev) */

struct capsule;
struct vcpu;

struct vdev_state {
	spinlock_t lock;            /* its vCPUs trap on several harts */
	/* ns16550a registers the guest can read back */
	u8 ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thre_pending;          /* transmit-empty interrupt not yet taken */
	u8 lsr_reads;               /* LSR reads since the last THR write (at most 2) */
	/* PLIC: source VDEV_UART_IRQ only; context 2n = vCPU n's M-mode (never
	 * delivered), 2n + 1 its S-mode */
	u32 priority;
	bool claimed;               /* in service: not pending until completed */
	bool enabled[2 * CONFIG_MAX_VCPUS];
	u32 threshold[2 * CONFIG_MAX_VCPUS];
};

/* Power-on state (capsule boot). */
void vdev_reset(struct capsule *c);

/* Does an emulated device of c cover gpa? */
bool vdev_claims(const struct capsule *c, u64 gpa);

/* One guest access of width bytes (1, 2, 4 or 8; gpa aligned to it) by v.
 * False: no such register or width there (the caller kills the capsule). */
bool vdev_read(struct vcpu *v, u64 gpa, unsigned width, u64 *val);
bool vdev_write(struct vcpu *v, u64 gpa, unsigned width, u64 val);

/* The level of vCPU v's S-mode external interrupt (its PLIC context). */
bool vdev_irq_level(struct vcpu *v);

/* Console input arrived for c: raise the external interrupt of every vCPU
 * whose context now sees one (no lock held). */
void vdev_input(struct capsule *c);

#endif
