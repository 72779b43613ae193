/*
 * The console server: the one owner of the console UART (a 16550, as on
 * QEMU's virt machine). Every program's standard output reaches it through
 * that program's Linux personality, so lines from different programs do
 * not interleave within a write.
 *
 * CNode slots from its parent: FV_PROCESS_SLOT_FIRST_FREE its endpoint,
 * the next one a frame over the UART's registers. Start argument: the
 * UART's physical address (its offset in that page).
 */
#include <stddef.h>
#include <stdint.h>

#include <fv/console_protocol.h>
#include <fv/loader.h>
#include <fv/posix.h>

#define SLOT_ENDPOINT FV_PROCESS_SLOT_FIRST_FREE
#define SLOT_UART     (FV_PROCESS_SLOT_FIRST_FREE + 1)

#define UART_THR      0 /* transmit holding register */
#define UART_LSR      5 /* line status register */
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart;

static uint8_t uart_read_reg(unsigned reg)
{
	return uart[reg];
}

static void uart_write_reg(unsigned reg, uint8_t value)
{
	uart[reg] = value;
}

static void uart_putc(char c)
{
	while (!(uart_read_reg(UART_LSR) & UART_LSR_THRE))
		;
	uart_write_reg(UART_THR, (uint8_t)c);
}

/* FV_CONSOLE_WRITE: checks the count against the words that came, then writes. */
static void serve_write(struct fv_msg *m)
{
	uint64_t len = FV_MSGINFO_LENGTH(m->info);
	uint64_t n = len ? m->words[0] : 0;
	if (len == 0 || n > (len - 1) * 8) {
		m->info = FV_MSGINFO(FV_INVALID_ARGUMENT, 0, 0);
		return;
	}
	const char *bytes = (const char *)&m->words[1];
	for (uint64_t i = 0; i < n; i++)
		uart_putc(bytes[i]);
	m->words[0] = n;
	m->info = FV_MSGINFO(0, 0, 1);
}

int main(void)
{
	char *page = fv_posix_map_frame(SLOT_UART, FV_MAP_READ | FV_MAP_WRITE);
	if (!page) {
		fv_printf("console: cannot map the UART\n");
		return 1;
	}
	uart = (volatile uint8_t *)(page + (fv_start_arg() & 0xfff));
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(SLOT_ENDPOINT, &m);
	for (;;) {
		if (r.status != FV_OK) {
			r = fv_recv(SLOT_ENDPOINT, &m);
			continue;
		}
		if (FV_MSGINFO_LABEL(m.info) == FV_CONSOLE_WRITE)
			serve_write(&m);
		else
			m.info = FV_MSGINFO(FV_ILLEGAL_OPERATION, 0, 0);
		r = fv_reply_recv(SLOT_ENDPOINT, &m);
	}
}
