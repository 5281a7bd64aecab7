/* sifive_test.c - power QEMU off through its SiFive test device
 * (keel/poweroff.h) at KEEL_POWEROFF_BASE: a 32-bit write of 0x5555 exits
 * with status 0, 0x3333 | code << 16 with status code
 * (qemu hw/misc/sifive_test.c). */
#include <keel/config.h>
#include <keel/poweroff.h>
#include <keel/types.h>

#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u

void poweroff(unsigned code)
{
	volatile u32 *test = (volatile u32 *)(uptr)KEEL_POWEROFF_BASE;

	*test = code == 0 ? TEST_PASS : (TEST_FAIL | (code & 0xffffu) << 16);
	for (;;)
		__asm__ volatile("wfi");
}

