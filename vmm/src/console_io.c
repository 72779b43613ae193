/*
 * The guest's console: its UART output goes to the console server, labelled
 * there with the guest's name; input the console holds for the guest comes
 * into the UART's receive FIFO when the console signals.
 */
#include <string.h>

#include <fv/console_protocol.h>
#include <fv/loader.h>

#include "vmm.h"

/*
 * ---- the guest's console output ----
 * Sent to the console server, which labels it with the guest's name at each
 * line start. Sent at each line end, when the buffer fills, and when the
 * guest's driver pauses (a prompt without a line end must show too).
 */

static char out[512];
static size_t out_len;

void flush_output(void)
{
	if (!out_len)
		return;
	struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_GUEST_WRITE, 0, 1 + (out_len + 7) / 8),
	                   .words = {out_len}};
	memcpy(&m.words[1], out, out_len);
	fv_call(FV_PROCESS_SLOT_CONSOLE, &m);
	out_len = 0;
}

void guest_console(const char *bytes, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		out[out_len++] = bytes[i];
		if (bytes[i] == '\n' || out_len == sizeof(out))
			flush_output();
	}
}

static bool input_waiting; /* the console may hold more input than the UART took */

bool console_input_waiting(void)
{
	return input_waiting;
}

/* Input the console holds for this guest, as much as the UART's receive FIFO takes. */
void pull_input(void)
{
	unsigned space = uart_rx_space(&uart0);
	input_waiting = space == 0;
	if (!space)
		return;
	struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_READ, 0, 1), .words = {space}};
	struct fv_ipc_result r = fv_call(FV_PROCESS_SLOT_CONSOLE, &m);
	uint64_t n = m.words[0];
	if (r.status != FV_OK || FV_MSGINFO_LABEL(m.info) != 0 || n > space ||
	    FV_MSGINFO_LENGTH(m.info) < 1 + (n + 7) / 8)
		return;
	uart_receive(&uart0, (const uint8_t *)&m.words[1], (unsigned)n);
	input_waiting = n == space;
	update_interrupts();
}

/* The main thread's work once the guest runs: the console's signals that input arrived. */
void serve_input(void)
{
	for (;;) {
		uint64_t word;
		if (fv_wait(VMM_SLOT_INPUT, &word) != FV_OK)
			fv_tcb_suspend(FV_PROCESS_SLOT_TCB); /* no console input for this guest */
		vmm_lock();
		pull_input();
		vmm_unlock();
	}
}
