/*
 * The console server: the one owner of the console UART (a 16550, as on
 * QEMU's virt machine). Every program's standard output reaches it through
 * that program's Linux personality, so lines from different programs do
 * not interleave within a write. With the UART's interrupt it also takes
 * input and hands it to one attached client at a time: a guest's VMM
 * (fv/console_protocol.h).
 *
 * CNode slots from its parent: FV_PROCESS_SLOT_FIRST_FREE its endpoint,
 * the next one a frame over the UART's registers, the one after that (if
 * given) the UART's interrupt handler. Start argument: the UART's physical
 * address (its offset in that page).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <fv/console_protocol.h>
#include <fv/loader.h>
#include <fv/posix.h>
#include <fv/thread.h>

#include "input.h"

_Static_assert(INPUT_SWITCH_KEY == FV_CONSOLE_SWITCH_KEY, "one switch key");
_Static_assert(INPUT_NAME_MAX == FV_CONSOLE_NAME_MAX, "one name length");

#define SLOT_ENDPOINT FV_PROCESS_SLOT_FIRST_FREE
#define SLOT_UART     (FV_PROCESS_SLOT_FIRST_FREE + 1)
#define SLOT_IRQ      (FV_PROCESS_SLOT_FIRST_FREE + 2)

#define UART_RBR      0 /* receive buffer register */
#define UART_THR      0 /* transmit holding register */
#define UART_IER      1
#define UART_LSR      5 /* line status register */
#define UART_IER_RDI  0x01
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20

static volatile uint8_t *uart;
static struct fv_slot_allocator slots;
static struct console_input input;
static fv_cptr_t client_ntfn[INPUT_MAX_CLIENTS];
static fv_cptr_t receive_slot; /* where the next capability sent to the console lands */
static bool have_input;

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

static void uart_puts(void *ctx, const char *s)
{
	(void)ctx;
	for (; *s; s++)
		uart_putc(*s);
}

/*
 * Output: the line being written belongs to line_owner (a client's badge,
 * 0 for plain writes) while line_open; another writer first ends it.
 */
static uint64_t line_owner;
static bool line_open;

static void end_open_line(void)
{
	if (line_open)
		uart_putc('\n');
	line_open = false;
}

static void write_plain(uint64_t badge, const char *bytes, uint64_t n)
{
	if (line_open && line_owner != badge)
		end_open_line();
	for (uint64_t i = 0; i < n; i++)
		uart_putc(bytes[i]);
	if (n) {
		line_open = bytes[n - 1] != '\n';
		line_owner = badge;
	}
}

static void write_labelled(uint64_t badge, const char *name, const char *bytes, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (bytes[i] == '\r')
			continue;
		if (line_open && line_owner != badge)
			end_open_line();
		if (!line_open) {
			uart_puts(NULL, "[");
			uart_puts(NULL, name);
			uart_puts(NULL, "] ");
			line_open = true;
			line_owner = badge;
		}
		uart_putc(bytes[i]);
		if (bytes[i] == '\n')
			line_open = false;
	}
}

/* The console's own messages (input switches) start on a line of their own. */
static void say(void *ctx, const char *s)
{
	(void)ctx;
	end_open_line();
	uart_puts(NULL, s);
}

/* FV_CONSOLE_WRITE and GUEST_WRITE: checks the count against the words that came, then writes. */
static void serve_write(struct fv_msg *m, uint64_t badge, uint64_t info)
{
	uint64_t len = FV_MSGINFO_LENGTH(info);
	uint64_t n = len ? m->words[0] : 0;
	if (len == 0 || n > (len - 1) * 8) {
		m->info = FV_MSGINFO(FV_INVALID_ARGUMENT, 0, 0);
		return;
	}
	const char *bytes = (const char *)&m->words[1];
	const char *name = input_name(&input, badge);
	if (FV_MSGINFO_LABEL(info) == FV_CONSOLE_GUEST_WRITE && name)
		write_labelled(badge, name, bytes, n);
	else
		write_plain(badge, bytes, n);
	m->words[0] = n;
	m->info = FV_MSGINFO(0, 0, 1);
}

static void prepare_receive(void)
{
	struct fv_ipc_buffer *buf = fv_ipc_buf();
	buf->receive_cnode = FV_PROCESS_SLOT_CNODE;
	buf->receive_index = receive_slot;
	buf->receive_depth = 64;
}

/* FV_CONSOLE_ATTACH from the root task: a client and the notification to tell it of input. */
static void serve_attach(struct fv_msg *m, uint64_t badge, uint64_t info)
{
	char name[4 * 8 + 1] = {0}; /* words 1-4, and a NUL: a name that fills them is too long */
	fv_error_t err = FV_OK;
	unsigned number = 0;
	if (badge != FV_CONSOLE_ROOT_BADGE)
		err = FV_ILLEGAL_OPERATION;
	else if (FV_MSGINFO_LENGTH(info) < 5 || FV_MSGINFO_CAPS(info) != 1)
		err = FV_TRUNCATED_MESSAGE;
	if (!err) {
		memcpy(name, &m->words[1], 4 * 8);
		number = input_attach(&input, m->words[0], name);
		err = number ? FV_OK : FV_INVALID_ARGUMENT;
	}
	if (!err) {
		client_ntfn[number - 1] = receive_slot;
		receive_slot = fv_slot_alloc(&slots);
	} else if (FV_MSGINFO_CAPS(info)) {
		fv_cnode_delete(FV_PROCESS_SLOT_CNODE, receive_slot, 64);
	}
	m->words[0] = number;
	m->info = FV_MSGINFO(err, 0, err ? 0 : 1);
}

/* FV_CONSOLE_READ: what is buffered for the caller, without waiting. */
static void serve_read(struct fv_msg *m, uint64_t badge, uint64_t info)
{
	uint64_t want = FV_MSGINFO_LENGTH(info) ? m->words[0] : 0;
	if (want > FV_CONSOLE_READ_MAX)
		want = FV_CONSOLE_READ_MAX;
	long n = input_read(&input, badge, (uint8_t *)&m->words[1], (size_t)want);
	if (n < 0) {
		m->info = FV_MSGINFO(FV_ILLEGAL_OPERATION, 0, 0);
		return;
	}
	m->words[0] = (uint64_t)n;
	m->info = FV_MSGINFO(0, 0, 1 + ((uint64_t)n + 7) / 8);
}

/* The UART's interrupt: every key waiting in it, then a signal to each client that got one. */
static void take_keys(void)
{
	bool told[INPUT_MAX_CLIENTS] = {false};
	while (uart_read_reg(UART_LSR) & UART_LSR_DR) {
		unsigned client = input_key(&input, uart_read_reg(UART_RBR));
		if (client)
			told[client - 1] = true;
	}
	for (unsigned i = 0; i < input.count; i++)
		if (told[i])
			fv_signal(client_ntfn[i]);
	fv_irq_handler_ack(SLOT_IRQ);
}

/* Input needs the interrupt handler: a notification bound to this thread, the UART's RX interrupt.
 */
static void enable_input(void)
{
	struct fv_alloc alloc = {FV_PROCESS_SLOT_UNTYPED, FV_PROCESS_SLOT_CNODE, &slots};
	fv_cptr_t ntfn = fv_make(&alloc, FV_OBJ_NOTIFICATION, 0);
	receive_slot = fv_slot_alloc(&slots);
	if (!ntfn || !receive_slot || fv_tcb_bind_notification(FV_PROCESS_SLOT_TCB, ntfn) ||
	    fv_irq_handler_set_notification(SLOT_IRQ, ntfn))
		return; /* no handler given (a test run owns the interrupt): output only */
	uart_write_reg(UART_IER, UART_IER_RDI);
	fv_irq_handler_ack(SLOT_IRQ);
	have_input = true;
}

static void serve(struct fv_msg *m, struct fv_ipc_result r)
{
	/* Only ATTACH takes a capability: any other that came is not kept (the slot stays free). */
	if (FV_MSGINFO_CAPS(r.info) && FV_MSGINFO_LABEL(r.info) != FV_CONSOLE_ATTACH)
		fv_cnode_delete(FV_PROCESS_SLOT_CNODE, receive_slot, 64);
	switch (FV_MSGINFO_LABEL(r.info)) {
	case FV_CONSOLE_WRITE:
	case FV_CONSOLE_GUEST_WRITE:
		serve_write(m, r.badge, r.info);
		break;
	case FV_CONSOLE_ATTACH:
		serve_attach(m, r.badge, r.info);
		break;
	case FV_CONSOLE_READ:
		serve_read(m, r.badge, r.info);
		break;
	default:
		m->info = FV_MSGINFO(FV_ILLEGAL_OPERATION, 0, 0);
	}
}

int main(void)
{
	fv_slots_init(&slots, fv_program_slots.first, fv_program_slots.count);
	char *page = fv_posix_map_frame(SLOT_UART, FV_MAP_READ | FV_MAP_WRITE);
	if (!page) {
		fv_printf("console: cannot map the UART\n");
		return 1;
	}
	uart = (volatile uint8_t *)(page + (fv_start_arg() & 0xfff));
	input_init(&input, say, NULL);
	enable_input();
	struct fv_msg m;
	prepare_receive();
	struct fv_ipc_result r = fv_recv(SLOT_ENDPOINT, &m);
	for (;;) {
		if (r.status == FV_OK && FV_MSGINFO_LABEL(r.info) == FV_LABEL_NOTIFICATION) {
			if (have_input)
				take_keys();
		} else if (r.status == FV_OK) {
			serve(&m, r);
			prepare_receive();
			r = fv_reply_recv(SLOT_ENDPOINT, &m);
			continue;
		}
		prepare_receive();
		r = fv_recv(SLOT_ENDPOINT, &m);
	}
}
