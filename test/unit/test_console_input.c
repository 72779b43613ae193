/*
 * Unit tests of the console server's input routing (servers/console/input.c):
 * attaching clients, the Ctrl-T key sequences of fv/console_protocol.h, the
 * clients' 1 KiB input buffers and reading them.
 *
 * The last test drives random sequences of attaches, keys and reads and
 * checks every step against a reference model of the routing kept here,
 * written from the documented behaviour alone: seeds 1 to 10, or with
 * TEST_CONSOLE_INPUT_SEED=S in the environment one longer run of seed S.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "input.h"

#define CTRL_T 0x14

/* What the console said, one entry a call of `say`. */
#define SAID_MAX  32
#define SAID_SIZE 128
struct said {
	unsigned count;
	char text[SAID_MAX][SAID_SIZE];
};

static void record(void *ctx, const char *text)
{
	struct said *s = ctx;
	assert_non_null(s);
	assert_true(s->count < SAID_MAX);
	assert_true(strlen(text) < SAID_SIZE);
	strcpy(s->text[s->count++], text);
}

static struct console_input in;
static struct said said;

/* A console whose messages go to `said`. */
static void start(void)
{
	memset(&said, 0, sizeof said);
	memset(&in, 0x5a, sizeof in); /* input_init must not rely on zeroed memory */
	input_init(&in, record, &said);
}

static void attach(uint64_t badge, const char *name, unsigned number)
{
	assert_int_equal(input_attach(&in, badge, name), number);
}

/* Types the bytes of `keys` and returns what the last input_key() returned. */
static unsigned type(const char *keys)
{
	unsigned r = 0;
	for (const char *k = keys; *k; k++)
		r = input_key(&in, (uint8_t)*k);
	return r;
}

static void switch_to(char digit)
{
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, (uint8_t)digit), 0);
}

/* All that `badge` has buffered is exactly `expect`. */
static void expect_buffered(uint64_t badge, const void *expect, size_t n)
{
	uint8_t out[INPUT_BUFFER + 16];
	memset(out, 0xee, sizeof out);
	assert_int_equal(input_read(&in, badge, out, sizeof out), (long)n);
	if (n)
		assert_memory_equal(out, expect, n);
	for (size_t i = n; i < sizeof out; i++)
		assert_int_equal(out[i], 0xee);
}

static void expect_nothing_buffered(uint64_t badge)
{
	expect_buffered(badge, "", 0);
}

static void expect_said(unsigned count, ...)
{
	va_list ap;
	va_start(ap, count);
	for (unsigned i = 0; i < count && i < said.count; i++)
		assert_string_equal(said.text[i], va_arg(ap, const char *));
	va_end(ap);
	assert_int_equal(said.count, count);
	said.count = 0;
}

static const char header[] = "console: Ctrl-T then 1-8 gives the input to:\n";

/* --- attaching ---------------------------------------------------------- */

static void test_init_has_no_clients(void **state)
{
	(void)state;
	start();
	uint8_t out[4];
	assert_int_equal(in.count, 0);
	assert_null(input_name(&in, 0));
	assert_null(input_name(&in, 1));
	assert_int_equal(input_read(&in, 0, out, sizeof out), -1);
	assert_int_equal(input_read(&in, 1, out, sizeof out), -1);
	assert_int_equal(said.count, 0);
}

static void test_attach_numbers_clients_from_one(void **state)
{
	(void)state;
	start();
	attach(10, "alpha", 1);
	attach(20, "beta", 2);
	attach(0, "zero-badge", 3);
	attach(UINT64_MAX, "last-badge", 4);
	assert_string_equal(input_name(&in, 10), "alpha");
	assert_string_equal(input_name(&in, 20), "beta");
	assert_string_equal(input_name(&in, 0), "zero-badge");
	assert_string_equal(input_name(&in, UINT64_MAX), "last-badge");
	assert_null(input_name(&in, 30));
	assert_int_equal(said.count, 0);
}

static void test_attach_refuses_a_full_table(void **state)
{
	(void)state;
	char name[8];
	start();
	for (unsigned i = 1; i <= INPUT_MAX_CLIENTS; i++) {
		snprintf(name, sizeof name, "g%u", i);
		attach(100 + i, name, i);
	}
	attach(200, "ninth", 0);
	assert_int_equal(in.count, INPUT_MAX_CLIENTS);
	assert_null(input_name(&in, 200));
	uint8_t out[1];
	assert_int_equal(input_read(&in, 200, out, sizeof out), -1);
	/* The eight are all there still. */
	for (unsigned i = 1; i <= INPUT_MAX_CLIENTS; i++) {
		snprintf(name, sizeof name, "g%u", i);
		assert_string_equal(input_name(&in, 100 + i), name);
	}
}

static void test_attach_refuses_a_badge_taken(void **state)
{
	(void)state;
	start();
	attach(7, "first", 1);
	type("ab");
	attach(7, "second", 0);
	attach(7, "first", 0);
	assert_int_equal(in.count, 1);
	assert_string_equal(input_name(&in, 7), "first");
	/* The client keeps its buffered input. */
	expect_buffered(7, "ab", 2);
	attach(8, "first", 2); /* a name may be used twice: badges tell clients apart */
}

static void test_attach_checks_names(void **state)
{
	(void)state;
	static const char *const good[] = {
	    "a", "z", "0", "9", "-", "abc-123", "--", "0123456789", "abcdefghijklmnopqrstuvwxyz",
	};
	/* Empty, or with a byte outside a-z, 0-9 and '-' (those next to the ranges among them). */
	static const char *const bad[] = {
	    "",     "A",    "Z",           "a_b",   "a b", "a.b", ",",    "/",
	    ":",    "`",    "{",           "@",     "[",   "a\n", "\ta",  "a\x7f",
	    "\x80", "\xff", "caf\xc3\xa9", "name!", "a/",  "a:b", "a\r\n"};
	start();
	uint64_t badge = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (input_attach(&in, badge++, bad[i]) != 0)
			fail_msg("the name '%s' was taken", bad[i]);
	assert_int_equal(in.count, 0);
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		start();
		attach(badge, good[i], 1);
		assert_string_equal(input_name(&in, badge), good[i]);
	}
}

static void test_attach_name_length_limit(void **state)
{
	(void)state;
	char name[64];
	start();
	/* 31 bytes: taken. */
	memset(name, 'x', sizeof name);
	name[INPUT_NAME_MAX] = '\0';
	attach(1, name, 1);
	assert_int_equal(strlen(input_name(&in, 1)), INPUT_NAME_MAX);
	assert_string_equal(input_name(&in, 1), name);
	/* 32 and 33 bytes: refused. */
	memset(name, 'y', sizeof name);
	name[INPUT_NAME_MAX + 1] = '\0';
	attach(2, name, 0);
	name[INPUT_NAME_MAX + 1] = 'y';
	name[INPUT_NAME_MAX + 2] = '\0';
	attach(3, name, 0);
	assert_int_equal(in.count, 1);
}

/*
 * The name is read with strnlen(name, INPUT_NAME_MAX + 1): a name with no NUL
 * within 32 bytes is refused without a read past them. The buffers are heap
 * blocks of exactly their size, so AddressSanitizer catches a read beyond.
 */
static void test_attach_unterminated_name(void **state)
{
	(void)state;
	start();
	char *block = malloc(40);
	assert_non_null(block);
	memset(block, 'a', 40);
	attach(1, block, 0);
	/* The shortest block with no NUL that strnlen(name, 32) may be handed. */
	char *exact = malloc(INPUT_NAME_MAX + 1);
	assert_non_null(exact);
	memset(exact, 'b', INPUT_NAME_MAX + 1);
	attach(2, exact, 0);
	assert_int_equal(in.count, 0);
	/* 31 bytes and a NUL in a block of 32: taken, and copied. */
	exact[INPUT_NAME_MAX] = '\0';
	attach(3, exact, 1);
	memset(exact, 'c', INPUT_NAME_MAX);
	assert_int_equal(strspn(input_name(&in, 3), "b"), INPUT_NAME_MAX);
	/* A NUL inside the first 32 bytes of a longer block ends the name there. */
	block[5] = '\0';
	attach(4, block, 2);
	assert_string_equal(input_name(&in, 4), "aaaaa");
	free(exact);
	free(block);
}

static void test_input_name_is_a_copy(void **state)
{
	(void)state;
	char name[] = "guest-a";
	start();
	attach(5, name, 1);
	name[0] = 'X';
	assert_string_equal(input_name(&in, 5), "guest-a");
	assert_null(input_name(&in, 6));
}

/* --- routing keys --------------------------------------------------------- */

static void test_keys_before_any_client_are_dropped(void **state)
{
	(void)state;
	start();
	for (unsigned k = 0; k < 256; k++)
		assert_int_equal(input_key(&in, (uint8_t)k), 0);
	expect_said(1, header); /* 0x14 then 0x15 among them */
	assert_int_equal(type("hello\x14\x14"
	                      "abc"),
	                 0);
	/* The sequences do nothing harmful either: a switch to no one lists. */
	switch_to('1');
	expect_said(1, header);
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, '?'), 0);
	expect_said(1, header);
	/* The first client gets none of what came before. */
	attach(1, "a", 1);
	expect_nothing_buffered(1);
	assert_int_equal(in.clients[0].dropped, 0);
	assert_int_equal(input_key(&in, 'x'), 1);
	expect_buffered(1, "x", 1);
}

static void test_first_client_has_the_input(void **state)
{
	(void)state;
	start();
	attach(10, "a", 1);
	attach(20, "b", 2);
	assert_int_equal(input_key(&in, 'h'), 1);
	assert_int_equal(input_key(&in, 'i'), 1);
	expect_buffered(10, "hi", 2);
	expect_nothing_buffered(20);
	assert_int_equal(said.count, 0);
}

/* Every byte but Ctrl-T is handed on as it is, NUL and digits included. */
static void test_every_other_byte_is_delivered(void **state)
{
	(void)state;
	uint8_t expect[256];
	size_t n = 0;
	start();
	attach(1, "a", 1);
	for (unsigned k = 0; k < 256; k++) {
		if (k == CTRL_T)
			continue;
		assert_int_equal(input_key(&in, (uint8_t)k), 1);
		expect[n++] = (uint8_t)k;
	}
	expect_buffered(1, expect, n);
	assert_int_equal(said.count, 0);
}

static void test_switch_gives_the_input(void **state)
{
	(void)state;
	start();
	attach(10, "alpha", 1);
	attach(20, "beta", 2);
	attach(30, "gamma", 3);
	switch_to('2');
	expect_said(1, "console: input goes to beta\n");
	assert_int_equal(in.focus, 1);
	assert_int_equal(input_key(&in, 'x'), 2);
	switch_to('3');
	expect_said(1, "console: input goes to gamma\n");
	assert_int_equal(input_key(&in, 'y'), 3);
	switch_to('1');
	expect_said(1, "console: input goes to alpha\n");
	assert_int_equal(input_key(&in, 'z'), 1);
	/* A switch to the client that has the input says so again. */
	switch_to('1');
	expect_said(1, "console: input goes to alpha\n");
	assert_int_equal(input_key(&in, 'w'), 1);
	expect_buffered(10, "zw", 2);
	expect_buffered(20, "x", 1);
	expect_buffered(30, "y", 1);
}

static void test_switch_to_each_of_eight(void **state)
{
	(void)state;
	char name[8], line[64];
	start();
	for (unsigned i = 1; i <= INPUT_MAX_CLIENTS; i++) {
		snprintf(name, sizeof name, "c%u", i);
		attach(i, name, i);
	}
	for (unsigned i = INPUT_MAX_CLIENTS; i >= 1; i--) {
		switch_to((char)('0' + i));
		snprintf(line, sizeof line, "console: input goes to c%u\n", i);
		expect_said(1, line);
		assert_int_equal(input_key(&in, (uint8_t)('a' + i)), i);
	}
	for (unsigned i = 1; i <= INPUT_MAX_CLIENTS; i++) {
		uint8_t k = (uint8_t)('a' + i);
		expect_buffered(i, &k, 1);
	}
}

/* The listing with `focus` (1-based) marked, of the clients named `names`. */
static void expect_listing(unsigned focus, unsigned count, const char *const *names)
{
	char line[64];
	assert_int_equal(said.count, count + 1);
	assert_string_equal(said.text[0], header);
	for (unsigned i = 1; i <= count; i++) {
		snprintf(line, sizeof line, "console: %u %s%s\n", i, names[i - 1],
		         i == focus ? " (has the input)" : "");
		assert_string_equal(said.text[i], line);
	}
	said.count = 0;
}

static void test_a_digit_for_no_client_lists(void **state)
{
	(void)state;
	static const char *const names[] = {"one", "two"};
	start();
	attach(1, "one", 1);
	attach(2, "two", 2);
	for (char d = '3'; d <= '8'; d++) {
		switch_to(d);
		expect_listing(1, 2, names);
		assert_int_equal(in.focus, 0);
	}
	switch_to('2');
	expect_said(1, "console: input goes to two\n");
	switch_to('5');
	expect_listing(2, 2, names);
	assert_int_equal(input_key(&in, 'k'), 2);
	expect_buffered(2, "k", 1);
	expect_nothing_buffered(1);
}

static void test_zero_and_nine_list(void **state)
{
	(void)state;
	static const char *names[INPUT_MAX_CLIENTS];
	static char buf[INPUT_MAX_CLIENTS][8];
	start();
	for (unsigned i = 0; i < INPUT_MAX_CLIENTS; i++) {
		snprintf(buf[i], sizeof buf[i], "n%u", i + 1);
		names[i] = buf[i];
		attach(i + 1, buf[i], i + 1);
	}
	switch_to('0');
	expect_listing(1, INPUT_MAX_CLIENTS, names);
	switch_to('9');
	expect_listing(1, INPUT_MAX_CLIENTS, names);
	assert_int_equal(in.focus, 0);
	/* Neither key went to a client. */
	expect_nothing_buffered(1);
}

static void test_any_other_key_lists(void **state)
{
	(void)state;
	static const char *const names[] = {"alpha", "beta", "abcdefghijklmnopqrstuvwxyz01234"};
	static const uint8_t keys[] = {'?', 'a', ' ', '\r', '\n', 0, 0x7f, 0x80, 0xff, 0x13, 0x15};
	start();
	attach(1, names[0], 1);
	attach(2, names[1], 2);
	attach(3, names[2], 3);
	switch_to('3');
	expect_said(1, "console: input goes to abcdefghijklmnopqrstuvwxyz01234\n");
	for (size_t i = 0; i < sizeof keys; i++) {
		assert_int_equal(input_key(&in, CTRL_T), 0);
		assert_int_equal(input_key(&in, keys[i]), 0);
		expect_listing(3, 3, names);
	}
	for (unsigned b = 1; b <= 3; b++)
		expect_nothing_buffered(b);
	/* After the listing, keys are keys again: '2' is typed, not a switch. */
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, '?'), 0);
	said.count = 0;
	assert_int_equal(input_key(&in, '2'), 3);
	expect_buffered(3, "2", 1);
	assert_int_equal(in.focus, 2);
}

static void test_ctrl_t_twice_sends_one(void **state)
{
	(void)state;
	start();
	attach(1, "a", 1);
	attach(2, "b", 2);
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, CTRL_T), 1);
	assert_int_equal(input_key(&in, 'x'), 1);
	/* Three: one sent, and the third starts a sequence that the '2' ends. */
	assert_int_equal(type("\x14\x14\x14"
	                      "2"),
	                 0);
	expect_said(1, "console: input goes to b\n");
	assert_int_equal(input_key(&in, 'y'), 2);
	/* Four: two sent, to the client that has the input now. */
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, CTRL_T), 2);
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, CTRL_T), 2);
	expect_buffered(1, "\x14x\x14", 3);
	expect_buffered(2, "y\x14\x14", 3);
	assert_int_equal(said.count, 0);
}

/* Ctrl-T waits for the next key however long it takes, attaches in between. */
static void test_sequence_spans_an_attach(void **state)
{
	(void)state;
	start();
	attach(1, "a", 1);
	assert_int_equal(input_key(&in, CTRL_T), 0);
	attach(2, "b", 2);
	assert_int_equal(input_key(&in, '2'), 0);
	expect_said(1, "console: input goes to b\n");
	assert_int_equal(input_key(&in, 'q'), 2);
}

static void test_say_null_is_safe(void **state)
{
	(void)state;
	memset(&in, 0x5a, sizeof in);
	input_init(&in, NULL, NULL);
	type("\x14"
	     "1\x14?\x14"
	     "9");
	assert_int_equal(input_attach(&in, 1, "a"), 1);
	assert_int_equal(input_attach(&in, 2, "b"), 2);
	type("\x14?\x14"
	     "0\x14"
	     "5");
	assert_int_equal(type("\x14"
	                      "2"),
	                 0);
	assert_int_equal(in.focus, 1);
	assert_int_equal(input_key(&in, 'x'), 2);
	uint8_t out[2];
	assert_int_equal(input_read(&in, 2, out, sizeof out), 1);
	assert_int_equal(out[0], 'x');
}

static int ctx_token;
static unsigned ctx_calls;

static void check_ctx(void *ctx, const char *text)
{
	assert_ptr_equal(ctx, &ctx_token);
	assert_non_null(text);
	ctx_calls++;
}

static void test_say_gets_its_context(void **state)
{
	(void)state;
	input_init(&in, check_ctx, &ctx_token);
	input_attach(&in, 1, "a");
	type("\x14?\x14"
	     "1");
	assert_int_equal(ctx_calls, 3); /* the header, one client, the switch */
}

/* --- buffers -------------------------------------------------------------- */

static void test_buffer_holds_exactly_1024(void **state)
{
	(void)state;
	static uint8_t expect[INPUT_BUFFER];
	start();
	attach(1, "a", 1);
	attach(2, "b", 2);
	for (unsigned i = 0; i < INPUT_BUFFER; i++) {
		expect[i] = (uint8_t)(i * 7 + 1) == CTRL_T ? 0 : (uint8_t)(i * 7 + 1);
		assert_int_equal(input_key(&in, expect[i]), 1);
	}
	assert_int_equal(in.clients[0].dropped, 0);
	/* The 1025th is dropped and counted, and so is every one after it. */
	assert_int_equal(input_key(&in, 'X'), 0);
	assert_int_equal(in.clients[0].dropped, 1);
	for (unsigned i = 0; i < 99; i++)
		assert_int_equal(input_key(&in, 'Y'), 0);
	assert_int_equal(in.clients[0].dropped, 100);
	/* A Ctrl-T sent to a full buffer is dropped alike. */
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(input_key(&in, CTRL_T), 0);
	assert_int_equal(in.clients[0].dropped, 101);
	/* The switch sequences still work, and the other client's buffer is its own. */
	switch_to('2');
	expect_said(1, "console: input goes to b\n");
	assert_int_equal(input_key(&in, 'b'), 2);
	assert_int_equal(in.clients[1].dropped, 0);
	expect_buffered(2, "b", 1);
	/* The full buffer lost nothing of the first 1024. */
	switch_to('1');
	said.count = 0;
	uint8_t one;
	assert_int_equal(input_read(&in, 1, &one, 1), 1);
	assert_int_equal(one, expect[0]);
	assert_int_equal(input_key(&in, 'Z'), 1); /* room for one */
	assert_int_equal(input_key(&in, 'W'), 0);
	assert_int_equal(in.clients[0].dropped, 102);
	memmove(expect, expect + 1, INPUT_BUFFER - 1);
	expect[INPUT_BUFFER - 1] = 'Z';
	expect_buffered(1, expect, INPUT_BUFFER);
	/* Emptied, it takes 1024 again. */
	for (unsigned i = 0; i < INPUT_BUFFER; i++)
		assert_int_equal(input_key(&in, 'e'), 1);
	assert_int_equal(input_key(&in, 'e'), 0);
	assert_int_equal(in.clients[0].dropped, 103);
}

static void test_read_takes_in_order(void **state)
{
	(void)state;
	uint8_t out[8];
	start();
	attach(1, "a", 1);
	type("abcdefghij");
	assert_int_equal(input_read(&in, 1, out, 3), 3);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(input_read(&in, 1, out, 1), 1);
	assert_memory_equal(out, "d", 1);
	type("kl");
	assert_int_equal(input_read(&in, 1, out, sizeof out), 8);
	assert_memory_equal(out, "efghijkl", 8);
	assert_int_equal(input_read(&in, 1, out, sizeof out), 0);
	type("m");
	expect_buffered(1, "m", 1);
}

static void test_read_of_zero(void **state)
{
	(void)state;
	uint8_t out[4] = {0xee, 0xee, 0xee, 0xee};
	start();
	attach(1, "a", 1);
	assert_int_equal(input_read(&in, 1, out, 0), 0);
	type("ab");
	assert_int_equal(input_read(&in, 1, out, 0), 0);
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0xee);
	/* Nothing was taken; an unknown badge is still -1. */
	assert_int_equal(input_read(&in, 2, out, 0), -1);
	expect_buffered(1, "ab", 2);
}

static void test_read_of_an_unknown_badge(void **state)
{
	(void)state;
	uint8_t out[4] = {0xee, 0xee, 0xee, 0xee};
	start();
	assert_int_equal(input_read(&in, 0, out, sizeof out), -1);
	attach(1, "a", 1);
	type("abcd");
	assert_int_equal(input_read(&in, 0, out, sizeof out), -1);
	assert_int_equal(input_read(&in, 2, out, sizeof out), -1);
	assert_int_equal(input_read(&in, UINT64_MAX, out, sizeof out), -1);
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0xee);
	/* A refused attach leaves the badge unknown. */
	attach(2, "Bad", 0);
	assert_int_equal(input_read(&in, 2, out, sizeof out), -1);
	expect_buffered(1, "abcd", 4);
}

static void test_read_takes_only_its_own(void **state)
{
	(void)state;
	start();
	attach(1, "a", 1);
	attach(2, "b", 2);
	type("one\x14"
	     "2two");
	said.count = 0;
	expect_buffered(2, "two", 3);
	expect_buffered(1, "one", 3);
	expect_nothing_buffered(2);
}

/* Keys and small reads around the ring's end, many times over: the order holds. */
static void test_reads_across_the_wrap(void **state)
{
	(void)state;
	uint8_t out[INPUT_BUFFER];
	uint8_t next_in = 0, next_out = 0;
	size_t buffered = 0;
	start();
	attach(1, "a", 1);
	/* Bring the ring's start close to its end. */
	for (unsigned i = 0; i < INPUT_BUFFER - 3; i++)
		input_key(&in, 'p');
	assert_int_equal(input_read(&in, 1, out, INPUT_BUFFER - 3), INPUT_BUFFER - 3);
	for (unsigned round = 0; round < 40; round++) {
		/* Fill it up (skipping Ctrl-T), then read it in pieces of 1 to 13 bytes. */
		while (buffered < INPUT_BUFFER) {
			if (next_in == CTRL_T)
				next_in++;
			assert_int_equal(input_key(&in, next_in), 1);
			next_in++;
			buffered++;
		}
		size_t keep = (round * 97) % INPUT_BUFFER;
		while (buffered > keep) {
			size_t want = 1 + (buffered + round) % 13;
			long n = input_read(&in, 1, out, want);
			assert_int_equal(n, want < buffered ? want : buffered);
			for (long i = 0; i < n; i++) {
				if (next_out == CTRL_T)
					next_out++;
				assert_int_equal(out[i], next_out);
				next_out++;
			}
			buffered -= (size_t)n;
		}
	}
	assert_int_equal(in.clients[0].dropped, 0);
}

/* A read asking for more than is buffered, even much more, gets what there is. */
static void test_read_of_more_than_buffered(void **state)
{
	(void)state;
	static uint8_t out[INPUT_BUFFER + 64];
	start();
	attach(1, "a", 1);
	for (unsigned i = 0; i < INPUT_BUFFER; i++)
		input_key(&in, 'f');
	memset(out, 0xee, sizeof out);
	assert_int_equal(input_read(&in, 1, out, sizeof out), INPUT_BUFFER);
	assert_int_equal(out[INPUT_BUFFER - 1], 'f');
	assert_int_equal(out[INPUT_BUFFER], 0xee);
	type("gh");
	assert_int_equal(input_read(&in, 1, out, SIZE_MAX), 2);
	assert_memory_equal(out, "gh", 2);
}

/* --- random sequences against a model --------------------------------------- */

/* The routing as documented, kept plainly: a byte array a client, shifted on reads. */
struct model_client {
	uint64_t badge;
	char name[INPUT_NAME_MAX + 1];
	size_t n;
	uint8_t bytes[INPUT_BUFFER];
	uint64_t dropped;
};

struct model {
	unsigned count, focus;
	bool pending; /* a Ctrl-T came */
	bool speaks;  /* a say callback was given */
	struct model_client c[INPUT_MAX_CLIENTS];
	/* What the console should have said at this step. */
	unsigned said;
	char text[SAID_MAX][SAID_SIZE];
};

static void model_say(struct model *m, const char *fmt, ...)
{
	va_list ap;
	if (!m->speaks)
		return;
	assert_true(m->said < SAID_MAX);
	va_start(ap, fmt);
	vsnprintf(m->text[m->said++], SAID_SIZE, fmt, ap);
	va_end(ap);
}

static unsigned model_deliver(struct model *m, uint8_t key)
{
	if (m->count == 0)
		return 0;
	struct model_client *c = &m->c[m->focus];
	if (c->n == INPUT_BUFFER) {
		c->dropped++;
		return 0;
	}
	c->bytes[c->n++] = key;
	return m->focus + 1;
}

static unsigned model_key(struct model *m, uint8_t key)
{
	if (!m->pending) {
		if (key == CTRL_T) {
			m->pending = true;
			return 0;
		}
		return model_deliver(m, key);
	}
	m->pending = false;
	if (key == CTRL_T)
		return model_deliver(m, key);
	unsigned digit = key >= '0' && key <= '9' ? (unsigned)(key - '0') : 0;
	if (digit >= 1 && digit <= 8 && digit <= m->count) {
		m->focus = digit - 1;
		model_say(m, "console: input goes to %s\n", m->c[m->focus].name);
		return 0;
	}
	model_say(m, "%s", header);
	for (unsigned i = 0; i < m->count; i++)
		model_say(m, "console: %u %s%s\n", i + 1, m->c[i].name,
		          i == m->focus ? " (has the input)" : "");
	return 0;
}

static struct model_client *model_find(struct model *m, uint64_t badge)
{
	for (unsigned i = 0; i < m->count; i++)
		if (m->c[i].badge == badge)
			return &m->c[i];
	return NULL;
}

/* `name` is a block of `size` bytes; with no NUL in it, size is at least 32. */
static unsigned model_attach(struct model *m, uint64_t badge, const char *name, size_t size)
{
	size_t look = size < INPUT_NAME_MAX + 1 ? size : INPUT_NAME_MAX + 1;
	const char *nul = memchr(name, '\0', look);
	if (!nul)
		return 0;
	size_t len = (size_t)(nul - name);
	if (len == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
		return 0;
	if (m->count == INPUT_MAX_CLIENTS || model_find(m, badge))
		return 0;
	struct model_client *c = &m->c[m->count++];
	memset(c, 0, sizeof *c);
	c->badge = badge;
	memcpy(c->name, name, len + 1);
	return m->count;
}

static long model_read(struct model *m, uint64_t badge, uint8_t *out, size_t max)
{
	struct model_client *c = model_find(m, badge);
	if (!c)
		return -1;
	size_t n = max < c->n ? max : c->n;
	memcpy(out, c->bytes, n);
	memmove(c->bytes, c->bytes + n, c->n - n);
	c->n -= n;
	return (long)n;
}

static uint64_t rng;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* Where a failure happened, for the message. */
static uint64_t run_seed;
static unsigned long run_step;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("seed %llu step %lu: %s", (unsigned long long)run_seed, run_step, \
			         #cond);                                                           \
	} while (0)

/* The state after each step: clients, focus, buffers, drops, what was said. */
static void compare(const struct model *m, bool contents)
{
	CHECK(in.count == m->count);
	CHECK(in.after_switch == m->pending);
	if (m->count)
		CHECK(in.focus == m->focus);
	for (unsigned i = 0; i < m->count; i++) {
		const struct input_client *c = &in.clients[i];
		const struct model_client *e = &m->c[i];
		CHECK(c->badge == e->badge);
		CHECK(strcmp(c->name, e->name) == 0);
		CHECK(input_name(&in, e->badge) == c->name);
		CHECK(c->count == e->n);
		CHECK(c->dropped == e->dropped);
		for (size_t j = 0; contents && j < e->n; j++)
			CHECK(c->buf[(c->head + j) % INPUT_BUFFER] == e->bytes[j]);
	}
	CHECK(said.count == m->said);
	for (unsigned i = 0; i < m->said && i < said.count; i++)
		if (strcmp(said.text[i], m->text[i]) != 0)
			fail_msg("seed %llu step %lu: said '%s', not '%s'",
			         (unsigned long long)run_seed, run_step, said.text[i], m->text[i]);
}

static uint64_t random_badge(void)
{
	static const uint64_t odd[] = {0, UINT64_MAX, 1ull << 63, 0x100000001ull};
	return below(8) ? 1 + below(11) : odd[below(4)];
}

/*
 * A name in a heap block of exactly its size: mostly good names, some empty,
 * too long, with a stray byte, with a NUL inside, or with no NUL at all.
 */
static char *random_name(size_t *size)
{
	static const char good[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	static const char stray[] = "AZ_ .,/:`{@[\n\x7f\x80\xff";
	char name[48];
	size_t len;
	switch (below(8)) {
	case 0:
		len = INPUT_NAME_MAX - 1 + below(4); /* 30 to 33 */
		break;
	case 1:
		len = below(2) ? 0 : 1;
		break;
	default:
		len = 1 + below(12);
	}
	for (size_t i = 0; i < len; i++)
		name[i] = good[below(sizeof good - 1)];
	name[len] = '\0';
	*size = len + 1;
	switch (below(10)) {
	case 0:
		if (len)
			name[below(len)] = stray[below(sizeof stray - 1)];
		break;
	case 1:
		if (len)
			name[below(len)] = (char)(1 + below(255));
		break;
	case 2:
		if (len > 1)
			name[below(len)] = '\0'; /* the name ends early */
		break;
	case 3:
		/* No NUL: at least 32 bytes, so that strnlen(name, 32) stays inside. */
		*size = INPUT_NAME_MAX + 1 + below(sizeof name - INPUT_NAME_MAX);
		for (size_t i = 0; i < *size; i++)
			name[i] = good[below(sizeof good - 1)];
		break;
	default:
		break;
	}
	char *block = malloc(*size);
	assert_non_null(block);
	memcpy(block, name, *size);
	return block;
}

static uint8_t random_key(const struct model *m)
{
	static const uint8_t special[] = {'0', '9', '?', 0, 0xff, '\r', '\n'};
	switch (below(10)) {
	case 0:
	case 1:
		return CTRL_T;
	case 2:
	case 3:
		/* A digit, mostly of a client there is. */
		return (uint8_t)('1' + below(m->count && below(4) ? m->count : 8));
	case 4:
		return special[below(sizeof special)];
	default:
		return (uint8_t)rnd();
	}
}

static void random_run(uint64_t seed, unsigned long steps)
{
	static struct model m;
	static uint8_t out[INPUT_BUFFER + 64], expect[INPUT_BUFFER + 64];
	run_seed = rng = seed;
	memset(&m, 0, sizeof m);
	m.speaks = true;
	start();
	for (run_step = 0; run_step < steps; run_step++) {
		said.count = 0;
		m.said = 0;
		bool contents = run_step % 64 == 0;
		size_t op = below(1000);
		if (op < 2) {
			/* Start over, now and then with no say callback. */
			memset(&m, 0, sizeof m);
			m.speaks = below(4) != 0;
			memset(&in, 0x5a, sizeof in);
			input_init(&in, m.speaks ? record : NULL, m.speaks ? &said : NULL);
		} else if (op < 40) {
			size_t size;
			uint64_t badge = random_badge();
			char *name = random_name(&size);
			unsigned want = model_attach(&m, badge, name, size);
			CHECK(input_attach(&in, badge, name) == want);
			free(name);
		} else if (op < 600) {
			uint8_t key = random_key(&m);
			CHECK(input_key(&in, key) == model_key(&m, key));
		} else if (op < 700) {
			/* A burst of typing, enough to fill a buffer now and then. */
			for (size_t k = 1 + below(below(4) ? 40 : 700); k > 0; k--) {
				uint8_t key = below(50) ? (uint8_t)('a' + below(26)) : CTRL_T;
				unsigned got = input_key(&in, key);
				CHECK(got == model_key(&m, key));
				compare(&m, false);
				said.count = 0;
				m.said = 0;
			}
		} else if (op < 950) {
			uint64_t badge =
			    m.count && below(8) ? m.c[below(m.count)].badge : random_badge();
			size_t max;
			switch (below(6)) {
			case 0:
				max = 0;
				break;
			case 1:
				max = INPUT_BUFFER + below(64);
				break;
			case 2:
				max = 1 + below(INPUT_BUFFER);
				break;
			default:
				max = 1 + below(16);
			}
			memset(out, 0xee, sizeof out);
			long want = model_read(&m, badge, expect, max);
			long got = input_read(&in, badge, out, max);
			CHECK(got == want);
			if (want > 0)
				CHECK(memcmp(out, expect, (size_t)want) == 0);
			for (size_t i = want > 0 ? (size_t)want : 0; i < sizeof out; i++)
				CHECK(out[i] == 0xee);
			contents = true;
		} else {
			uint64_t badge = random_badge();
			struct model_client *c = model_find(&m, badge);
			const char *name = input_name(&in, badge);
			CHECK((name == NULL) == (c == NULL));
			if (c)
				CHECK(strcmp(name, c->name) == 0);
		}
		compare(&m, contents);
	}
	compare(&m, true);
}

static void test_random_sequences_match_the_model(void **state)
{
	(void)state;
	unsigned long steps = 20000, seeds = 10;
	const char *env = getenv("TEST_CONSOLE_INPUT_SEED");
	if (env) {
		/* One long run of a chosen seed. */
		random_run(strtoull(env, NULL, 0), 20 * steps);
		return;
	}
	for (uint64_t seed = 1; seed <= seeds; seed++)
		random_run(seed, steps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_has_no_clients),
	    cmocka_unit_test(test_attach_numbers_clients_from_one),
	    cmocka_unit_test(test_attach_refuses_a_full_table),
	    cmocka_unit_test(test_attach_refuses_a_badge_taken),
	    cmocka_unit_test(test_attach_checks_names),
	    cmocka_unit_test(test_attach_name_length_limit),
	    cmocka_unit_test(test_attach_unterminated_name),
	    cmocka_unit_test(test_input_name_is_a_copy),
	    cmocka_unit_test(test_keys_before_any_client_are_dropped),
	    cmocka_unit_test(test_first_client_has_the_input),
	    cmocka_unit_test(test_every_other_byte_is_delivered),
	    cmocka_unit_test(test_switch_gives_the_input),
	    cmocka_unit_test(test_switch_to_each_of_eight),
	    cmocka_unit_test(test_a_digit_for_no_client_lists),
	    cmocka_unit_test(test_zero_and_nine_list),
	    cmocka_unit_test(test_any_other_key_lists),
	    cmocka_unit_test(test_ctrl_t_twice_sends_one),
	    cmocka_unit_test(test_sequence_spans_an_attach),
	    cmocka_unit_test(test_say_null_is_safe),
	    cmocka_unit_test(test_say_gets_its_context),
	    cmocka_unit_test(test_buffer_holds_exactly_1024),
	    cmocka_unit_test(test_read_takes_in_order),
	    cmocka_unit_test(test_read_of_zero),
	    cmocka_unit_test(test_read_of_an_unknown_badge),
	    cmocka_unit_test(test_read_takes_only_its_own),
	    cmocka_unit_test(test_reads_across_the_wrap),
	    cmocka_unit_test(test_read_of_more_than_buffered),
	    cmocka_unit_test(test_random_sequences_match_the_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
