/* uart.c - the emulated ns16550a UART and PLIC (devices: [uart]).
 *
 * Checks the device tree nodes, prints through THR polling LSR.THRE,
 * checks the registers that read back (DLL/DLM behind LCR.DLAB, SCR, IIR),
 * then reads one typed line with the receive interrupt: PLIC source 10 on
 * its S-mode context 1, claim, RBR while LSR.DR, complete. Prints
 * `uart: got "<line>" (N interrupts)` and shuts down. Bootargs:
 *   badwidth  after the polled output, a 4-byte load from the UART (the
 *             hypervisor kills the capsule) */
#include <guest.h>
#include <csr.h>
#include <fdt.h>
#include <trap.h>

#define UART 0x10000000UL
#define PLIC 0x0c000000UL
#define UART_IRQ 10
#define CTX 1  /* vCPU 0's S-mode context */

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define LSR 5
#define SCR 7

#define LINE_MAX 64

static volatile u8 *const uart = (volatile u8 *)UART;
static char line[LINE_MAX];
static unsigned len, irqs;
static bool done;

static inline volatile u32 *plic(unsigned long off)
{
	return (volatile u32 *)(PLIC + off);
}

static void uart_putc(char c)
{
	while (!(uart[LSR] & 0x20))
		;
	uart[THR] = (u8)c;
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static bool irq_hook(struct trapframe *tf)
{
	u32 id;

	if (tf->scause != (SCAUSE_INTR | IRQ_S_EXT))
		return false;
	irqs++;
	id = *plic(0x200004 + 0x1000 * CTX);
	if (id == UART_IRQ) {
		while (uart[LSR] & 0x01) {
			char c = (char)uart[RBR];

			if (c == '\r' || c == '\n')
				done = true;
			else if (len < LINE_MAX - 1)
				line[len++] = c;
		}
		*plic(0x200004 + 0x1000 * CTX) = id;
	}
	return true;
}

static int check_dt(const void *dtb)
{
	const char *stdout_path = fdt_getprop_str(dtb, "/chosen", "stdout-path");
	u64 base = 0, size = 0;
	u32 irq = 0, ndev = 0;

	if (!stdout_path || strcmp(stdout_path, "/soc/serial@10000000") != 0) {
		printf("uart: FAIL stdout-path %s\n", stdout_path ? stdout_path : "(none)");
		return 1;
	}
	if (!fdt_reg(dtb, "/soc/serial@10000000", 0, &base, &size) || base != UART ||
	    !fdt_getprop_u32(dtb, "/soc/serial@10000000", "interrupts", &irq) || irq != UART_IRQ) {
		printf("uart: FAIL serial node\n");
		return 1;
	}
	if (!fdt_reg(dtb, "/soc/plic@c000000", 0, &base, &size) || base != PLIC ||
	    !fdt_getprop_u32(dtb, "/soc/plic@c000000", "riscv,ndev", &ndev) || ndev < UART_IRQ) {
		printf("uart: FAIL plic node\n");
		return 1;
	}
	return 0;
}

int main(unsigned long hartid, const void *dtb)
{
	const char *bootargs = fdt_getprop_str(dtb, "/chosen", "bootargs");

	(void)hartid;
	if (check_dt(dtb))
		return 1;
	uart[FCR] = 0x07;
	uart[LCR] = 0x83;  /* DLAB, 8N1 */
	uart[DLL] = 0x12;
	uart[DLM] = 0x34;
	if (uart[DLL] != 0x12 || uart[DLM] != 0x34) {
		printf("uart: FAIL divisor latch reads back wrong\n");
		return 1;
	}
	uart[LCR] = 0x03;
	uart[SCR] = 0x5a;
	if (uart[SCR] != 0x5a || uart[LCR] != 0x03 || uart[IER] != 0 || (uart[IIR] & 0x0f) != 0x01) {
		printf("uart: FAIL registers read back wrong\n");
		return 1;
	}
	uart_puts("uart: polled output through THR\n");
	if (bootargs && bootarg_has(bootargs, "badwidth")) {
		uart_puts("uart: 4-byte load from the UART\n");
		(void)*(volatile u32 *)UART;
		printf("uart: FAIL the 4-byte load was allowed\n");
		return 1;
	}

	trap_set_hook(irq_hook);
	*plic(4 * UART_IRQ) = 1;                /* priority */
	*plic(0x2000 + 0x80 * CTX) = 1u << UART_IRQ;  /* enable */
	*plic(0x200000 + 0x1000 * CTX) = 0;     /* threshold */
	uart[IER] = 0x01;                       /* receive data available */
	csr_set(sie, SIE_SEIE);
	uart_puts("uart: type a line\n");
	csr_set(sstatus, SSTATUS_SIE);
	while (!done)
		wfi();
	csr_clear(sstatus, SSTATUS_SIE);
	line[len] = '\0';
	uart[IER] = 0;
	uart_puts("uart: got \"");
	uart_puts(line);
	uart_puts(irqs ? "\" (interrupt-driven)\n" : "\" (no interrupt)\n");
	return irqs ? 0 : 1;
}
