/* uart.c - the emulated ns16550a UART and PLIC (devices: [uart]).
 *
 * Checks the device tree nodes, prints through THR polling LSR.THRE,
 * checks the registers that read back (DLL/DLM behind LCR.DLAB, SCR, IIR),
 * then the THR-empty interrupt the way Linux's 8250 driver probes it at
 * start-up (IER.THRI on raises it, reading IIR clears it, IER.THRI off-on
 * raises it again, PLIC pending follows). Then it works like an
 * interrupt-driven driver: one IIR source per PLIC claim (so every next
 * interrupt is the PLIC raising the level source again after complete),
 * output written 16 bytes per THR-empty interrupt and IER.THRI turned off
 * when its queue is empty, input read on the receive interrupt and echoed.
 * It prints a prompt with no newline, `uart: type a line> `, which shows
 * only because the hypervisor writes a capsule's unfinished line when it
 * turns IER.THRI off; reads the typed line; prints
 * `uart: got "<line>" (interrupt-driven)` and the interrupt counts, and
 * shuts down. Bootargs:
 *   badwidth  after the polled output, a 4-byte load from the UART (the
 *             hypervisor kills the capsule)
 *   storm=MS  after the polled output, MS ms of a THR-empty interrupt it
 *             never services: each one is claimed and completed without
 *             reading IIR or writing THR, so the PLIC raises it again at
 *             once (two MMIO exits per interrupt); then it turns IER off,
 *             prints how many it took and shuts down. Its neighbours on the
 *             same hart must still run. */
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

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_ID 0x0f
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define LSR_DR 0x01
#define LSR_THRE 0x20

#define PLIC_PRIORITY(src) (4 * (src))
#define PLIC_PENDING 0x1000
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

#define LINE_MAX 64
#define TX_MAX 256  /* a power of two */
#define TX_LOAD 16  /* bytes per THR-empty interrupt: the 16550A FIFO */

static volatile u8 *const uart = (volatile u8 *)UART;
static char line[LINE_MAX];
static unsigned len;
static volatile bool done;
/* The transmit queue: bytes tx_tail..tx_head-1 wait for THR-empty
 * interrupts. tx_head moves with interrupts off (main) or in the handler. */
static char tx_buf[TX_MAX];
static volatile unsigned tx_head, tx_tail;
static volatile u8 ier;  /* what the guest last wrote to IER */
static unsigned irqs, thre_irqs, rx_irqs, tx_bytes;

static inline volatile u32 *plic(unsigned long off)
{
	return (volatile u32 *)(PLIC + off);
}

static void set_ier(u8 val)
{
	ier = val;
	uart[IER] = val;
}

static bool uart_pending(void)
{
	return (*plic(PLIC_PENDING) & (1u << UART_IRQ)) != 0;
}

static void uart_putc(char c)
{
	while (!(uart[LSR] & LSR_THRE))
		;
	uart[THR] = (u8)c;
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

/* Queues one byte and turns the THR-empty interrupt on (it comes at once:
 * the THR is empty). Interrupts off, or in the handler. */
static void tx_put(char c)
{
	if (tx_head - tx_tail < TX_MAX)
		tx_buf[tx_head++ % TX_MAX] = c;
	if (!(ier & IER_THRI))
		set_ier(ier | IER_THRI);
}

/* THR empty: up to TX_LOAD bytes, then THRI off once the queue is empty
 * (what tells the hypervisor to show the unfinished line). */
static void tx_irq(void)
{
	thre_irqs++;
	for (unsigned n = 0; n < TX_LOAD && tx_tail != tx_head; n++) {
		uart[THR] = (u8)tx_buf[tx_tail++ % TX_MAX];
		tx_bytes++;
	}
	if (tx_tail == tx_head)
		set_ier(ier & ~IER_THRI);
}

/* Receive data available: every byte waiting, echoed. */
static void rx_irq(void)
{
	rx_irqs++;
	while (uart[LSR] & LSR_DR) {
		char c = (char)uart[RBR];

		if (c == '\r' || c == '\n') {
			done = true;
			tx_put('\n');
		} else if (len < LINE_MAX - 1) {
			line[len++] = c;
			tx_put(c);
		}
	}
}

/* One PLIC claim, one IIR source, complete: anything still pending comes
 * back as a new interrupt only if the PLIC raises the level source again. */
static bool irq_hook(struct trapframe *tf)
{
	u32 id;

	if (tf->scause != (SCAUSE_INTR | IRQ_S_EXT))
		return false;
	irqs++;
	id = *plic(PLIC_CLAIM(CTX));
	if (id == UART_IRQ) {
		switch (uart[IIR] & IIR_ID) {
		case IIR_RDI:
			rx_irq();
			break;
		case IIR_THRI:
			tx_irq();
			break;
		default:
			break;
		}
		*plic(PLIC_CLAIM(CTX)) = id;
	}
	return true;
}

/* Queues s for interrupt-driven output. */
static void tx_puts(const char *s)
{
	csr_clear(sstatus, SSTATUS_SIE);
	while (*s)
		tx_put(*s++);
	csr_set(sstatus, SSTATUS_SIE);
}

/* Sleeps until cond() holds; interrupts on after. */
static void wait_until(bool (*cond)(void))
{
	for (;;) {
		csr_clear(sstatus, SSTATUS_SIE);
		if (cond())
			break;
		wfi();  /* returns on a pending interrupt even with SIE off */
		csr_set(sstatus, SSTATUS_SIE);
	}
	csr_set(sstatus, SSTATUS_SIE);
}

static bool line_done_and_sent(void)
{
	return done && tx_tail == tx_head && !(ier & IER_THRI);
}

/* The THR-empty interrupt as Linux's 8250 probes it (UART_BUG_THRE), with
 * the PLIC's pending bit following the line; the CPU takes no interrupt
 * (sie.SEIE still off). */
static int check_thre(void)
{
	u8 iir1, iir2, iir3;
	bool pend1, pend2;

	set_ier(IER_THRI);
	pend1 = uart_pending();
	iir1 = uart[IIR] & IIR_ID;
	pend2 = uart_pending();
	iir2 = uart[IIR] & IIR_ID;
	set_ier(0);
	set_ier(IER_THRI);
	iir3 = uart[IIR] & IIR_ID;
	set_ier(0);
	if (iir1 != IIR_THRI || iir2 != IIR_NONE || iir3 != IIR_THRI || !pend1 || pend2) {
		printf("uart: FAIL THR-empty interrupt: IIR %x %x %x, PLIC pending %d %d\n", iir1, iir2, iir3,
		       pend1, pend2);
		return 1;
	}
	uart_puts("uart: THR-empty interrupt: raised by IER.THRI, cleared by reading IIR, raised by IER.THRI again\n");
	return 0;
}

static u64 storm_end;
static unsigned long storm_irqs;

/* Claim, complete, nothing else: the source is pending again at once. */
static bool storm_hook(struct trapframe *tf)
{
	u32 id;

	if (tf->scause != (SCAUSE_INTR | IRQ_S_EXT))
		return false;
	storm_irqs++;
	id = *plic(PLIC_CLAIM(CTX));
	if (id)
		*plic(PLIC_CLAIM(CTX)) = id;
	if (rdtime() >= storm_end)
		set_ier(0);  /* the line goes low: main sees IER 0 and ends */
	return true;
}

static int storm(const void *dtb, const char *bootargs)
{
	char buf[24];
	u64 ms = 0;
	u32 hz;

	if (!fdt_getprop_u32(dtb, "/cpus", "timebase-frequency", &hz) || hz < 1000)
		hz = 10000000;
	if (bootarg_value(bootargs, "storm", buf, sizeof(buf)))
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			ms = ms * 10 + (u64)(*p - '0');
	if (ms == 0)
		ms = 1000;
	*plic(PLIC_PRIORITY(UART_IRQ)) = 1;
	*plic(PLIC_ENABLE(CTX)) = 1u << UART_IRQ;
	*plic(PLIC_THRESHOLD(CTX)) = 0;
	trap_set_hook(storm_hook);
	storm_end = rdtime() + ms * (hz / 1000);
	set_ier(IER_THRI);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	while (ier != 0)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	printf("uart: storm: %lu THR-empty interrupts never serviced in %lu ms\n", storm_irqs, (unsigned long)ms);
	return storm_irqs > 100 ? 0 : 1;
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
	if (bootargs && bootarg_has(bootargs, "storm"))
		return storm(dtb, bootargs);

	*plic(PLIC_PRIORITY(UART_IRQ)) = 1;
	*plic(PLIC_ENABLE(CTX)) = 1u << UART_IRQ;
	*plic(PLIC_THRESHOLD(CTX)) = 0;
	if (check_thre())
		return 1;

	trap_set_hook(irq_hook);
	set_ier(IER_RDI);
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	tx_puts("uart: interrupt-driven output, 16 bytes per THR-empty interrupt\n");
	tx_puts("uart: type a line> ");
	wait_until(line_done_and_sent);
	csr_clear(sstatus, SSTATUS_SIE);
	set_ier(0);
	line[len] = '\0';
	uart_puts("uart: got \"");
	uart_puts(line);
	uart_puts(rx_irqs ? "\" (interrupt-driven)\n" : "\" (no interrupt)\n");
	printf("uart: %u interrupts: %u receive, %u THR-empty for %u bytes\n", irqs, rx_irqs, thre_irqs, tx_bytes);
	/* Each load is at most TX_LOAD bytes: fewer THR-empty interrupts than
	 * that needs means one was lost or invented. */
	if (rx_irqs == 0 || thre_irqs < (tx_bytes + TX_LOAD - 1) / TX_LOAD) {
		printf("uart: FAIL interrupt counts\n");
		return 1;
	}
	return 0;
}
