/*
 * Unit tests of the devices the VMM emulates for its guest: the PLIC
 * (vmm/src/plic.c, SiFive layout) and the ns16550a UART (vmm/src/uart.c).
 * Offsets and bits are written out here from the PLIC specification and
 * the 16550 datasheet, not taken from the sources under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/plic.h>
#include <vmm/uart.h>

/* ---- PLIC ---- */

#define PRIORITY(s)    (0x0ull + 4 * (s))
#define PENDING(w)     (0x1000ull + 4 * (w))
#define ENABLE(c, w)   (0x2000ull + 0x80 * (c) + 4 * (w))
#define THRESHOLD(c)   (0x200000ull + 0x1000 * (c))
#define CLAIM(c)       (0x200004ull + 0x1000 * (c))
#define CONTEXTS       3
#define UART_SOURCE    10
#define VIRTIO_SOURCE1 1
#define VIRTIO_SOURCE8 8

static struct plic plic;

static int plic_setup(void **state)
{
	(void)state;
	memset(&plic, 0xa5, sizeof plic); /* reset must clear everything */
	plic_reset(&plic, CONTEXTS);
	return 0;
}

static uint32_t rd(uint64_t offset)
{
	uint32_t value = 0xdeadbeef;
	assert_true(plic_read(&plic, offset, &value));
	return value;
}

static void wr(uint64_t offset, uint32_t value)
{
	assert_true(plic_write(&plic, offset, value));
}

static void enable(unsigned context, unsigned source)
{
	uint64_t offset = ENABLE(context, source / 32);
	wr(offset, rd(offset) | 1u << (source % 32));
}

/* A source raised, with priority, enabled for `context`. */
static void raise_source(unsigned context, unsigned source, uint32_t priority)
{
	wr(PRIORITY(source), priority);
	enable(context, source);
	plic_set_level(&plic, source, true);
}

static void test_plic_reset_state(void **state)
{
	(void)state;
	for (unsigned s = 0; s < PLIC_SOURCES; s++)
		assert_int_equal(rd(PRIORITY(s)), 0);
	for (unsigned c = 0; c < CONTEXTS; c++) {
		assert_int_equal(rd(THRESHOLD(c)), 0);
		assert_int_equal(rd(ENABLE(c, 0)), 0);
		assert_int_equal(rd(CLAIM(c)), 0);
		assert_false(plic_line(&plic, c));
	}
	assert_int_equal(rd(PENDING(0)), 0);
}

static void test_plic_priorities(void **state)
{
	(void)state;
	wr(PRIORITY(1), 5);
	wr(PRIORITY(95), 1);
	wr(PRIORITY(UART_SOURCE), 8); /* clamped to the highest, 7 */
	wr(PRIORITY(2), 0xffffffff);
	assert_int_equal(rd(PRIORITY(1)), 5);
	assert_int_equal(rd(PRIORITY(95)), 1);
	assert_int_equal(rd(PRIORITY(UART_SOURCE)), 7);
	assert_int_equal(rd(PRIORITY(2)), 7);
	wr(PRIORITY(1), 0);
	assert_int_equal(rd(PRIORITY(1)), 0);
}

static void test_plic_source_zero(void **state)
{
	(void)state;
	/* Source 0 does not exist: its priority and enable bit stay zero. */
	wr(PRIORITY(0), 3);
	assert_int_equal(rd(PRIORITY(0)), 0);
	wr(ENABLE(0, 0), 0xffffffff);
	assert_int_equal(rd(ENABLE(0, 0)), 0xfffffffe);
	plic_set_level(&plic, 0, true);
	assert_int_equal(rd(PENDING(0)), 0);
}

static void test_plic_priority_gap(void **state)
{
	(void)state;
	/* Sources past the last read as zero, and writes to them change nothing. */
	wr(PRIORITY(PLIC_SOURCES), 5);
	wr(0xffc, 5);
	assert_int_equal(rd(PRIORITY(PLIC_SOURCES)), 0);
	assert_int_equal(rd(0xffc), 0);
}

static void test_plic_enables_per_context(void **state)
{
	(void)state;
	wr(ENABLE(0, 0), 0x2);
	wr(ENABLE(1, 1), 0x80000000);
	wr(ENABLE(2, 2), 0x12345678);
	assert_int_equal(rd(ENABLE(0, 0)), 0x2);
	assert_int_equal(rd(ENABLE(0, 1)), 0);
	assert_int_equal(rd(ENABLE(1, 0)), 0);
	assert_int_equal(rd(ENABLE(1, 1)), 0x80000000);
	assert_int_equal(rd(ENABLE(2, 2)), 0x12345678);
	/* Words past the last source in a context's block read as zero. */
	wr(ENABLE(0, 3), 0xffffffff);
	assert_int_equal(rd(ENABLE(0, 3)), 0);
	assert_int_equal(rd(ENABLE(0, 31)), 0);
}

static void test_plic_enable_of_missing_context(void **state)
{
	(void)state;
	/* The block of a context that does not exist: reads zero, keeps nothing. */
	wr(ENABLE(CONTEXTS, 0), 0xffffffff);
	assert_int_equal(rd(ENABLE(CONTEXTS, 0)), 0);
	for (unsigned c = 0; c < CONTEXTS; c++)
		assert_int_equal(rd(ENABLE(c, 0)), 0);
}

static void test_plic_threshold(void **state)
{
	(void)state;
	wr(THRESHOLD(1), 3);
	wr(THRESHOLD(2), 100);
	assert_int_equal(rd(THRESHOLD(0)), 0);
	assert_int_equal(rd(THRESHOLD(1)), 3);
	assert_int_equal(rd(THRESHOLD(2)), 7);
}

static void test_plic_pending_bits(void **state)
{
	(void)state;
	plic_set_level(&plic, 1, true);
	plic_set_level(&plic, 33, true);
	plic_set_level(&plic, 95, true);
	assert_int_equal(rd(PENDING(0)), 0x2);
	assert_int_equal(rd(PENDING(1)), 0x2);
	assert_int_equal(rd(PENDING(2)), 0x80000000);
	/* Pending bits are read-only. */
	wr(PENDING(0), 0);
	assert_int_equal(rd(PENDING(0)), 0x2);
	plic_set_level(&plic, 33, false);
	assert_int_equal(rd(PENDING(1)), 0);
	/* Sources past the last are ignored. */
	plic_set_level(&plic, PLIC_SOURCES, true);
	plic_set_level(&plic, 0xffffffffu, true);
	assert_int_equal(rd(PENDING(3)), 0);
}

static void test_plic_claim_highest(void **state)
{
	(void)state;
	raise_source(0, VIRTIO_SOURCE1, 2);
	raise_source(0, UART_SOURCE, 5);
	raise_source(0, VIRTIO_SOURCE8, 3);
	assert_true(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
	assert_int_equal(rd(CLAIM(0)), VIRTIO_SOURCE8);
	assert_int_equal(rd(CLAIM(0)), VIRTIO_SOURCE1);
	assert_int_equal(rd(CLAIM(0)), 0);
	assert_false(plic_line(&plic, 0));
	/* A claimed source is no longer pending. */
	assert_int_equal(rd(PENDING(0)), 0);
}

static void test_plic_claim_tie_lowest_id(void **state)
{
	(void)state;
	raise_source(0, 40, 4);
	raise_source(0, 7, 4);
	raise_source(0, 90, 4);
	assert_int_equal(rd(CLAIM(0)), 7);
	assert_int_equal(rd(CLAIM(0)), 40);
	assert_int_equal(rd(CLAIM(0)), 90);
}

static void test_plic_threshold_masks(void **state)
{
	(void)state;
	raise_source(0, UART_SOURCE, 3);
	wr(THRESHOLD(0), 3); /* only priorities above it */
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	wr(THRESHOLD(0), 2);
	assert_true(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
}

static void test_plic_priority_zero_never(void **state)
{
	(void)state;
	raise_source(0, UART_SOURCE, 0);
	assert_int_equal(rd(PENDING(0)), 1u << UART_SOURCE);
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
}

static void test_plic_disabled_not_claimed(void **state)
{
	(void)state;
	raise_source(1, UART_SOURCE, 1);
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	assert_true(plic_line(&plic, 1));
	assert_false(plic_line(&plic, 2));
}

static void test_plic_claimed_once(void **state)
{
	(void)state;
	/* Enabled in two contexts: the first claim takes it from both. */
	raise_source(0, UART_SOURCE, 1);
	enable(1, UART_SOURCE);
	assert_int_equal(rd(CLAIM(1)), UART_SOURCE);
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	assert_int_equal(rd(CLAIM(1)), 0);
	wr(CLAIM(1), UART_SOURCE);
	assert_true(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
}

static void test_plic_complete(void **state)
{
	(void)state;
	raise_source(0, UART_SOURCE, 1);
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
	plic_set_level(&plic, UART_SOURCE, false);
	wr(CLAIM(0), UART_SOURCE);
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	/* Raised again later: claimed again. */
	plic_set_level(&plic, UART_SOURCE, true);
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
}

static void test_plic_level_still_high(void **state)
{
	(void)state;
	raise_source(0, UART_SOURCE, 1);
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
	assert_false(plic_line(&plic, 0));
	wr(CLAIM(0), UART_SOURCE); /* still high: pending again at once */
	assert_true(plic_line(&plic, 0));
	assert_int_equal(rd(PENDING(0)), 1u << UART_SOURCE);
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
}

static void test_plic_complete_not_enabled_ignored(void **state)
{
	(void)state;
	raise_source(0, UART_SOURCE, 1);
	assert_int_equal(rd(CLAIM(0)), UART_SOURCE);
	wr(CLAIM(1), UART_SOURCE); /* context 1 does not have it enabled */
	assert_false(plic_line(&plic, 0));
	assert_int_equal(rd(CLAIM(0)), 0);
	/* Completions of ids that are no source are ignored too. */
	wr(CLAIM(0), 0);
	wr(CLAIM(0), PLIC_SOURCES);
	wr(CLAIM(0), 0xffffffff);
	assert_false(plic_line(&plic, 0));
	wr(CLAIM(0), UART_SOURCE);
	assert_true(plic_line(&plic, 0));
}

static void test_plic_line_per_context(void **state)
{
	(void)state;
	raise_source(0, 1, 1);
	raise_source(2, 2, 1);
	assert_true(plic_line(&plic, 0));
	assert_false(plic_line(&plic, 1));
	assert_true(plic_line(&plic, 2));
	assert_int_equal(rd(CLAIM(2)), 2);
	assert_true(plic_line(&plic, 0));
	assert_false(plic_line(&plic, 2));
	/* Contexts that do not exist have no line. */
	assert_false(plic_line(&plic, CONTEXTS));
	assert_false(plic_line(&plic, PLIC_CONTEXTS));
	assert_false(plic_line(&plic, 0xffffffffu));
}

static void test_plic_misaligned(void **state)
{
	(void)state;
	uint32_t value = 0xdeadbeef;
	static const uint64_t offsets[] = {1, 2, 3, 0x1001, 0x2002, 0x200001, 0x200006};
	wr(PRIORITY(0), 0);
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		assert_false(plic_read(&plic, offsets[i], &value));
		assert_int_equal(value, 0);
		assert_false(plic_write(&plic, offsets[i], 7));
	}
	assert_int_equal(rd(PRIORITY(0)), 0);
	assert_int_equal(rd(THRESHOLD(0)), 0);
}

static void test_plic_out_of_range(void **state)
{
	(void)state;
	uint32_t value = 0xdeadbeef;
	/* No register: contexts that do not exist, holes in a context, far away. */
	static const uint64_t none[] = {
	    THRESHOLD(CONTEXTS),  CLAIM(CONTEXTS), THRESHOLD(PLIC_CONTEXTS), THRESHOLD(0) + 8,
	    THRESHOLD(0) + 0xffc, 0x4000000,       UINT64_MAX - 3,           0x8000000000000000ull,
	};
	raise_source(0, UART_SOURCE, 1);
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		assert_false(plic_read(&plic, none[i], &value));
		assert_int_equal(value, 0);
		assert_false(plic_write(&plic, none[i], UART_SOURCE));
	}
	/* Nothing was claimed by the reads. */
	assert_true(plic_line(&plic, 0));
	/* The gap between the enable blocks and the contexts reads as zero. */
	assert_int_equal(rd(ENABLE(PLIC_CONTEXTS, 0)), 0);
	assert_int_equal(rd(0x1ffffc), 0);
	wr(0x1ffffc, 1);
}

static void test_plic_reset_clamps_contexts(void **state)
{
	(void)state;
	plic_reset(&plic, 100);
	assert_int_equal(plic.contexts, PLIC_CONTEXTS);
	raise_source(PLIC_CONTEXTS - 1, 3, 1);
	assert_int_equal(rd(CLAIM(PLIC_CONTEXTS - 1)), 3);
	uint32_t value;
	assert_false(plic_read(&plic, CLAIM(PLIC_CONTEXTS), &value));
}

/* ---- UART ---- */

#define THR 0
#define RBR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define LCR_DLAB  0x80
#define IER_THRI  0x02
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define MCR_LOOP  0x10
#define LSR_EMPTY 0x60

static struct uart uart;
static char output[64];
static unsigned output_len, output_calls;

static void capture(const char *bytes, uint64_t len)
{
	output_calls++;
	assert_true(output_len + len <= sizeof output);
	memcpy(output + output_len, bytes, len);
	output_len += (unsigned)len;
}

static unsigned idle_calls;

static void count_idle(void)
{
	idle_calls++;
}

static int uart_setup(void **state)
{
	(void)state;
	memset(&uart, 0xa5, sizeof uart);
	uart_reset(&uart);
	uart.output = capture;
	uart.idle = count_idle;
	output_len = output_calls = idle_calls = 0;
	return 0;
}

static void test_uart_reset_state(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&uart, IER), 0);
	assert_int_equal(uart_read(&uart, IIR), IIR_NONE);
	assert_int_equal(uart_read(&uart, LCR), 0);
	assert_int_equal(uart_read(&uart, MCR), 0);
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
	assert_int_equal(uart_read(&uart, SCR), 0);
	assert_int_equal(uart_read(&uart, THR), 0); /* nothing received */
	assert_false(uart_irq_pending(&uart));
}

static void test_uart_divisor_latch(void **state)
{
	(void)state;
	uart_write(&uart, LCR, LCR_DLAB | 0x03);
	uart_write(&uart, DLL, 0x0c);
	uart_write(&uart, DLM, 0x01);
	assert_int_equal(uart_read(&uart, DLL), 0x0c);
	assert_int_equal(uart_read(&uart, DLM), 0x01);
	assert_int_equal(uart_read(&uart, LCR), LCR_DLAB | 0x03);
	/* Neither write reached THR or IER. */
	assert_int_equal(output_calls, 0);
	assert_false(uart_irq_pending(&uart));
	uart_write(&uart, LCR, 0x03);
	assert_int_equal(uart_read(&uart, IER), 0);
	assert_int_equal(uart_read(&uart, THR), 0);
	uart_write(&uart, IER, 0x05);
	uart_write(&uart, LCR, LCR_DLAB);
	assert_int_equal(uart_read(&uart, DLL), 0x0c);
	assert_int_equal(uart_read(&uart, DLM), 0x01);
}

static void test_uart_output(void **state)
{
	(void)state;
	uart_write(&uart, THR, 'h');
	uart_write(&uart, THR, 0x100 | 'i'); /* a wide store: its low byte */
	assert_int_equal(output_calls, 2);
	assert_int_equal(output_len, 2);
	assert_memory_equal(output, "hi", 2);
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
}

static void test_uart_ier(void **state)
{
	(void)state;
	uart_write(&uart, IER, 0xff); /* the upper nibble is not there */
	assert_int_equal(uart_read(&uart, IER), 0x0f);
	uart_write(&uart, IER, 0);
	assert_int_equal(uart_read(&uart, IER), 0);
}

static void test_uart_scratch_and_lcr(void **state)
{
	(void)state;
	uart_write(&uart, SCR, 0x5a);
	assert_int_equal(uart_read(&uart, SCR), 0x5a);
	uart_write(&uart, LCR, 0x1b);
	assert_int_equal(uart_read(&uart, LCR), 0x1b);
	/* LSR and MSR are read-only. */
	uart_write(&uart, LSR, 0);
	uart_write(&uart, MSR, 0);
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
	assert_int_equal(uart_read(&uart, MSR), 0xb0);
}

static void test_uart_fifo_bits(void **state)
{
	(void)state;
	uart_write(&uart, FCR, 0x07);
	assert_int_equal(uart_read(&uart, IIR), 0xc0 | IIR_NONE);
	uart_write(&uart, FCR, 0);
	assert_int_equal(uart_read(&uart, IIR), IIR_NONE);
}

static void test_uart_loopback(void **state)
{
	(void)state;
	uart_write(&uart, MCR, MCR_LOOP);
	assert_int_equal(uart_read(&uart, MCR), MCR_LOOP);
	uart_write(&uart, THR, 'x');
	assert_int_equal(output_calls, 0);
	assert_int_equal(uart_read(&uart, LSR) & LSR_EMPTY, LSR_EMPTY);
	uart_write(&uart, MCR, 0);
	uart_write(&uart, THR, 'y');
	assert_int_equal(output_len, 1);
	assert_int_equal(output[0], 'y');
	uart_write(&uart, MCR, 0xff);
	assert_int_equal(uart_read(&uart, MCR), 0x1f);
}

static void test_uart_loopback_modem_status(void **state)
{
	(void)state;
	/* In loopback the modem outputs come back as inputs: DTR->DSR, RTS->CTS, OUT1->RI,
	 * OUT2->DCD (the test Linux's 8250 autoconfig makes: LOOP|OUT2|RTS gives DCD|CTS). */
	uart_write(&uart, MCR, MCR_LOOP | 0x08 | 0x02);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0x90);
	uart_write(&uart, MCR, MCR_LOOP);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0);
	uart_write(&uart, MCR, MCR_LOOP | 0x01);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0x20);
	uart_write(&uart, MCR, MCR_LOOP | 0x04);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0x40);
	uart_write(&uart, MCR, MCR_LOOP | 0x0f);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0xf0);
	/* Out of loopback the line is always ready: DCD, DSR, CTS. */
	uart_write(&uart, MCR, 0);
	assert_int_equal(uart_read(&uart, MSR) & 0xf0, 0xb0);
}

static void test_uart_thre_on_enable(void **state)
{
	(void)state;
	/* Enabling the interrupt while THR is empty raises it at once. */
	uart_write(&uart, IER, IER_THRI);
	assert_true(uart_irq_pending(&uart));
	/* Reading IIR reports it and so clears it. */
	assert_int_equal(uart_read(&uart, IIR), IIR_THRI);
	assert_false(uart_irq_pending(&uart));
	assert_int_equal(uart_read(&uart, IIR), IIR_NONE);
	/* Writing IER with it still enabled does not raise it again. */
	uart_write(&uart, IER, IER_THRI | 0x01);
	assert_false(uart_irq_pending(&uart));
}

static void test_uart_thre_on_write(void **state)
{
	(void)state;
	uart_write(&uart, IER, IER_THRI);
	(void)uart_read(&uart, IIR);
	uart_write(&uart, THR, 'a');
	assert_true(uart_irq_pending(&uart));
	/* Still pending until IIR is read. */
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
	assert_true(uart_irq_pending(&uart));
	assert_int_equal(uart_read(&uart, IIR), IIR_THRI);
	assert_false(uart_irq_pending(&uart));
	/* Loopback writes empty the transmitter too. */
	uart_write(&uart, MCR, MCR_LOOP);
	uart_write(&uart, THR, 'b');
	assert_true(uart_irq_pending(&uart));
}

static void test_uart_thre_disabled(void **state)
{
	(void)state;
	/* Without IER.THRI nothing is raised, and IIR says so. */
	uart_write(&uart, THR, 'a');
	assert_false(uart_irq_pending(&uart));
	assert_int_equal(uart_read(&uart, IIR), IIR_NONE);
	/* Disabling it lowers the line; enabling it again raises it (THR is empty). */
	uart_write(&uart, IER, IER_THRI);
	uart_write(&uart, IER, 0);
	assert_false(uart_irq_pending(&uart));
	uart_write(&uart, IER, IER_THRI);
	assert_true(uart_irq_pending(&uart));
}

static void test_uart_other_offsets(void **state)
{
	(void)state;
	static const uint64_t offsets[] = {8, 0x10, 0xff, 0x100, UINT64_MAX};
	uart_write(&uart, SCR, 0x11);
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		uart_write(&uart, offsets[i], 0xff);
		assert_int_equal(uart_read(&uart, offsets[i]), 0);
	}
	assert_int_equal(output_calls, 0);
	assert_int_equal(uart_read(&uart, SCR), 0x11);
	assert_int_equal(uart_read(&uart, LCR), 0);
}

#define PLIC_TEST(fn) cmocka_unit_test_setup(fn, plic_setup)
/* ---- the receiver ---- */

static void test_uart_receive(void **state)
{
	(void)state;
	const uint8_t keys[] = {'o', 'k'};
	assert_int_equal(uart_rx_space(&uart), UART_RX_FIFO);
	assert_int_equal(uart_read(&uart, LSR) & 1, 0);
	assert_int_equal(uart_receive(&uart, keys, 2), 2);
	assert_int_equal(uart_rx_space(&uart), UART_RX_FIFO - 2);
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY | 1); /* data ready */
	assert_int_equal(uart_read(&uart, RBR), 'o');
	assert_int_equal(uart_read(&uart, RBR), 'k');
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
	assert_int_equal(uart_read(&uart, RBR), 0); /* empty: reads zero */
}

static void test_uart_receive_fifo_full(void **state)
{
	(void)state;
	uint8_t many[UART_RX_FIFO + 5];
	for (unsigned i = 0; i < sizeof many; i++)
		many[i] = (uint8_t)i;
	assert_int_equal(uart_receive(&uart, many, sizeof many), UART_RX_FIFO);
	assert_int_equal(uart_rx_space(&uart), 0);
	assert_int_equal(uart_receive(&uart, many, 1), 0);
	/* Order kept across the ring's wrap. */
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(uart_read(&uart, RBR), i);
	assert_int_equal(uart_receive(&uart, many, 10), 10);
	for (unsigned i = 10; i < UART_RX_FIFO; i++)
		assert_int_equal(uart_read(&uart, RBR), i);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(uart_read(&uart, RBR), i);
}

static void test_uart_receive_interrupt(void **state)
{
	(void)state;
	const uint8_t key = 'x';
	uart_receive(&uart, &key, 1);
	assert_false(uart_irq_pending(&uart)); /* not enabled */
	uart_write(&uart, IER, 0x01 | IER_THRI);
	assert_true(uart_irq_pending(&uart));
	/* Received data ranks above the empty transmitter, and reading IIR does not clear it. */
	assert_int_equal(uart_read(&uart, IIR), 0x04);
	assert_int_equal(uart_read(&uart, IIR), 0x04);
	assert_int_equal(uart_read(&uart, RBR), 'x');
	assert_int_equal(uart_read(&uart, IIR), IIR_THRI);
	assert_false(uart_irq_pending(&uart));
}

static void test_uart_receive_fifo_clear(void **state)
{
	(void)state;
	const uint8_t keys[] = {'a', 'b', 'c'};
	uart_receive(&uart, keys, 3);
	uart_write(&uart, FCR, 0x01); /* enabling the FIFOs keeps the data */
	assert_int_equal(uart_rx_space(&uart), UART_RX_FIFO - 3);
	uart_write(&uart, FCR, 0x03); /* clearing the receive FIFO drops it */
	assert_int_equal(uart_rx_space(&uart), UART_RX_FIFO);
	assert_int_equal(uart_read(&uart, LSR), LSR_EMPTY);
}

static void test_uart_idle_on_ier_write(void **state)
{
	(void)state;
	uart_write(&uart, IER, IER_THRI);
	uart_write(&uart, IER, 0);
	assert_int_equal(idle_calls, 2);
	uart_write(&uart, LCR, 0x80); /* with DLAB, IER is the divisor's high byte */
	uart_write(&uart, IER, 0);
	assert_int_equal(idle_calls, 2);
	uart.idle = NULL; /* optional */
	uart_write(&uart, LCR, 0);
	uart_write(&uart, IER, 0);
}

#define UART_TEST(fn) cmocka_unit_test_setup(fn, uart_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PLIC_TEST(test_plic_reset_state),
	    PLIC_TEST(test_plic_priorities),
	    PLIC_TEST(test_plic_source_zero),
	    PLIC_TEST(test_plic_priority_gap),
	    PLIC_TEST(test_plic_enables_per_context),
	    PLIC_TEST(test_plic_enable_of_missing_context),
	    PLIC_TEST(test_plic_threshold),
	    PLIC_TEST(test_plic_pending_bits),
	    PLIC_TEST(test_plic_claim_highest),
	    PLIC_TEST(test_plic_claim_tie_lowest_id),
	    PLIC_TEST(test_plic_threshold_masks),
	    PLIC_TEST(test_plic_priority_zero_never),
	    PLIC_TEST(test_plic_disabled_not_claimed),
	    PLIC_TEST(test_plic_claimed_once),
	    PLIC_TEST(test_plic_complete),
	    PLIC_TEST(test_plic_level_still_high),
	    PLIC_TEST(test_plic_complete_not_enabled_ignored),
	    PLIC_TEST(test_plic_line_per_context),
	    PLIC_TEST(test_plic_misaligned),
	    PLIC_TEST(test_plic_out_of_range),
	    PLIC_TEST(test_plic_reset_clamps_contexts),
	    UART_TEST(test_uart_reset_state),
	    UART_TEST(test_uart_divisor_latch),
	    UART_TEST(test_uart_output),
	    UART_TEST(test_uart_ier),
	    UART_TEST(test_uart_scratch_and_lcr),
	    UART_TEST(test_uart_fifo_bits),
	    UART_TEST(test_uart_loopback),
	    UART_TEST(test_uart_loopback_modem_status),
	    UART_TEST(test_uart_thre_on_enable),
	    UART_TEST(test_uart_thre_on_write),
	    UART_TEST(test_uart_thre_disabled),
	    UART_TEST(test_uart_other_offsets),
	    UART_TEST(test_uart_receive),
	    UART_TEST(test_uart_receive_fifo_full),
	    UART_TEST(test_uart_receive_interrupt),
	    UART_TEST(test_uart_receive_fifo_clear),
	    UART_TEST(test_uart_idle_on_ier_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
