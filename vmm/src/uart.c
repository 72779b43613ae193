/* An emulated ns16550a (vmm/uart.h): the registers a driver probes, transmitter and receiver. */
#include <vmm/uart.h>

enum {
	REG_RBR_THR = 0, /* DLL with LCR.DLAB */
	REG_IER = 1,     /* DLM with LCR.DLAB */
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define LCR_DLAB        0x80
#define LSR_DR          0x01
#define LSR_THRE_TEMT   0x60 /* transmit holding register and shifter empty */
#define IER_RDI         0x01
#define IER_THRI        0x02
#define IIR_NONE        0x01
#define IIR_THRI        0x02
#define IIR_RDI         0x04
#define IIR_FIFOS_ON    0xc0
#define MSR_DCD_DSR_CTS 0xb0 /* a line that is always ready */
#define MCR_LOOP        0x10

void uart_reset(struct uart *u)
{
	u->ier = u->lcr = u->mcr = u->scr = u->fcr = 0;
	u->thre_pending = false;
	u->dll = 1;
	u->dlm = 0;
	u->rx_head = u->rx_count = 0;
}

static bool rx_irq(const struct uart *u)
{
	return (u->ier & IER_RDI) && u->rx_count;
}

static bool thr_irq(const struct uart *u)
{
	return (u->ier & IER_THRI) && u->thre_pending;
}

bool uart_irq_pending(const struct uart *u)
{
	return rx_irq(u) || thr_irq(u);
}

unsigned uart_rx_space(const struct uart *u)
{
	return UART_RX_FIFO - u->rx_count;
}

unsigned uart_receive(struct uart *u, const uint8_t *bytes, unsigned len)
{
	unsigned n = len < uart_rx_space(u) ? len : uart_rx_space(u);
	for (unsigned i = 0; i < n; i++)
		u->rx[(u->rx_head + u->rx_count + i) % UART_RX_FIFO] = bytes[i];
	u->rx_count += n;
	return n;
}

static uint8_t rx_pop(struct uart *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
	u->rx_count--;
	return b;
}

/* IIR: received data ranks above transmitter empty; reporting the latter clears it. */
static uint8_t read_iir(struct uart *u)
{
	uint8_t fifos = (u->fcr & 1) ? IIR_FIFOS_ON : 0;
	if (rx_irq(u))
		return IIR_RDI | fifos;
	if (thr_irq(u)) {
		u->thre_pending = false;
		return IIR_THRI | fifos;
	}
	return IIR_NONE | fifos;
}

/*
 * In loopback the modem control outputs come back as the modem status
 * inputs (DTR to DSR, RTS to CTS, OUT1 to RI, OUT2 to DCD): drivers probe
 * the UART that way (Linux's 8250 autoconfig expects LOOP|OUT2|RTS to read
 * back DCD|CTS).
 */
static uint8_t loopback_msr(uint8_t mcr)
{
	return (uint8_t)((mcr & 0x01) << 5 | (mcr & 0x02) << 3 | (mcr & 0x04) << 4 |
	                 (mcr & 0x08) << 4);
}

uint64_t uart_read(struct uart *u, uint64_t offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		return read_iir(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE_TEMT | (u->rx_count ? LSR_DR : 0);
	case REG_MSR:
		return (u->mcr & MCR_LOOP) ? loopback_msr(u->mcr) : MSR_DCD_DSR_CTS;
	case REG_SCR:
		return u->scr;
	default:
		return 0; /* the rest of the 0x100 bytes reads as zero, like QEMU's */
	}
}

void uart_write(struct uart *u, uint64_t offset, uint64_t value)
{
	uint8_t v = (uint8_t)value;
	bool dlab = u->lcr & LCR_DLAB;
	switch (offset) {
	case REG_RBR_THR:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (!(u->mcr & MCR_LOOP))
			u->output((const char *)&v, 1);
		u->thre_pending = true; /* sent at once: empty again */
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true; /* enabling it while THR is empty raises it */
		u->ier = v & 0x0f;
		if (u->idle)
			u->idle();
		break;
	case REG_IIR_FCR:
		if (v & 0x02) /* clear the receive FIFO */
			u->rx_head = u->rx_count = 0;
		u->fcr = v;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR, MSR and the rest: read-only or nothing there */
	}
}
