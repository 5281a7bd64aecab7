/* poweroff.h - end the machine. Implemented by one driver under
 * hypervisor/drivers/ (sifive-test on qemu-virt) at KEEL_POWEROFF_BASE. */
#ifndef KEEL_POWEROFF_H
#define KEEL_POWEROFF_H

/* Powers off with exit status code (0 = success). Never returns. */
__attribute__((noreturn)) void poweroff(unsigned code);

#endif
