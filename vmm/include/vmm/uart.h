/*
 * An emulated ns16550a UART (the one QEMU's virt machine has). What the
 * guest writes to THR goes to its console at once, so the transmitter is
 * always empty; what the console receives for the guest waits in a receive
 * FIFO until the guest reads RBR.
 */
#ifndef VMM_UART_H
#define VMM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_SIZE    0x100
#define UART_RX_FIFO 64

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* "transmitter empty" interrupt: until IIR reports it or THR is written
	                    */
	uint8_t rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;
	void (*output)(const char *bytes, uint64_t len);
	void (*idle)(void); /* the driver changed IER: a moment to flush partial output */
};

void uart_reset(struct uart *u);
/* Register accesses at `offset` (byte registers: wider accesses use the low byte). */
uint64_t uart_read(struct uart *u, uint64_t offset);
void uart_write(struct uart *u, uint64_t offset, uint64_t value);
/* True if the UART raises its interrupt line (data received or transmitter empty, enabled). */
bool uart_irq_pending(const struct uart *u);
/* Room in the receive FIFO. */
unsigned uart_rx_space(const struct uart *u);
/* Puts up to `len` received bytes in the FIFO; returns how many fitted. */
unsigned uart_receive(struct uart *u, const uint8_t *bytes, unsigned len);

#endif
