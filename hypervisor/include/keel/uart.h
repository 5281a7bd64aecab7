/* uart.h - the console UART: polled output, input polled or by interrupt. Implemented by one driver under
 * hypervisor/drivers/ (ns16550 on qemu-virt) at KEEL_UART_BASE. */
#ifndef KEEL_UART_H
#define KEEL_UART_H

/* Puts the UART in a known state: 8N1, FIFOs on, no interrupts. */
void uart_init(void);
/* Waits until the transmitter has room, then sends c. */
void uart_putc(char c);
/* Returns the next received byte, or -1 if none is waiting. */
int uart_getc(void);
/* Raises the UART's interrupt line while a received byte waits. */
void uart_rx_irq_enable(void);

#endif
