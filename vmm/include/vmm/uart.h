/*
 * An emulated ns16550a UART (the one QEMU's virt machine has), output only
 * for now: what the guest writes to THR goes to its console; the line
 * status always says the transmitter is empty, and no byte is ever received.
 */
#ifndef VMM_UART_H
#define VMM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_SIZE 0x100

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* "transmitter empty" interrupt: until IIR reports it or THR is written
	                    */
	void (*output)(const char *bytes, uint64_t len);
};

void uart_reset(struct uart *u);
/* Register accesses at `offset` (byte registers: wider accesses use the low byte). */
uint64_t uart_read(struct uart *u, uint64_t offset);
void uart_write(struct uart *u, uint64_t offset, uint64_t value);
/* True if the UART raises its interrupt line (transmitter empty, with that interrupt enabled). */
bool uart_irq_pending(const struct uart *u);

#endif
