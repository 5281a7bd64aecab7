/* guest_map.h - what every capsule sees at which guest-physical address:
 * its RAM, its device tree, and the windows of the emulated devices
 * (core/vuart.c, core/vplic.c). A leaf: the device tree writer, the
 * devices and capsule creation all take the map from here. */
#ifndef KEEL_GUEST_MAP_H
#define KEEL_GUEST_MAP_H

/* Every capsule sees its RAM at this guest-physical address. */
#define KEEL_GUEST_RAM_BASE 0x80000000UL

/* Largest guest RAM: one G-stage level-1 table (1 GiB of 2 MiB leaves). */
#define KEEL_GUEST_RAM_MAX (1UL << 30)

/* The guest device tree lives in the last KEEL_GUEST_DTB_MAX bytes of guest RAM. */
#define KEEL_GUEST_DTB_MAX 0x4000UL

/* ns16550a (devices: [uart]); its interrupt is source VUART_IRQ of the PLIC. */
#define VUART_BASE 0x10000000UL
#define VUART_SIZE 0x100UL
#define VUART_CLOCK 3686400u
#define VUART_IRQ 10u

/* The capsule's PLIC (with any device that has an interrupt line). */
#define VPLIC_BASE 0x0c000000UL
#define VPLIC_SIZE 0x4000000UL
#define VPLIC_NDEV 10u  /* sources 1..10 (riscv,ndev) */

#endif
