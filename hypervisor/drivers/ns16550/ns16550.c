/* ns16550.c - polled console on an NS16550A UART (keel/uart.h) at
 * KEEL_UART_BASE, registers one byte apart as on QEMU virt. */
#include <keel/config.h>
#include <keel/uart.h>
#include <keel/types.h>

#define RBR 0  /* receive buffer (read) */
#define THR 0  /* transmit holding (write) */
#define IER 1  /* interrupt enable */
#define FCR 2  /* FIFO control (write) */
#define LCR 3  /* line control */
#define LSR 5  /* line status */

#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR 0x07  /* FIFOs on, both cleared */
#define LSR_DR 0x01            /* a byte is waiting */
#define LSR_THRE 0x20          /* room to transmit */
#define IER_RX 0x01            /* interrupt: received data available */

static inline volatile u8 *reg(unsigned r)
{
	return (volatile u8 *)(uptr)(KEEL_UART_BASE + r);
}

void uart_init(void)
{
	/* No baud divisor: QEMU ignores it and firmware-set values are kept. */
	*reg(IER) = 0;
	*reg(LCR) = LCR_8N1;
	*reg(FCR) = FCR_ENABLE_CLEAR;
}

void uart_putc(char c)
{
	while (!(*reg(LSR) & LSR_THRE))
		;
	*reg(THR) = (u8)c;
}

int uart_getc(void)
{
	if (!(*reg(LSR) & LSR_DR))
		return -1;
	return *reg(RBR);
}

void uart_rx_irq_enable(void)
{
	*reg(IER) = IER_RX;
}
