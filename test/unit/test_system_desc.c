/*
 * Unit tests of the system description parser (servers/root/system.c).
 *
 * Every input is copied into a heap block of exactly its length, without a
 * terminating NUL, so AddressSanitizer reports any read past the end.
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

#include "system.h"

#define MIB (1024ull * 1024)

/* The longest line the parser takes: a cmdline key and a whole command line, with room. */
#define LINE_MAX_BYTES (SYSTEM_CMDLINE_MAX + 63)

static struct system_desc desc;
static char err[256];

static int parse_len(const char *text, size_t len)
{
	char *copy = malloc(len); /* malloc(0) too: ASan reports any read of it */
	assert_true(copy != NULL || len == 0);
	if (len)
		memcpy(copy, text, len);
	/* Whatever was there before must not survive a failed parse. */
	memset(&desc, 0x5a, sizeof desc);
	memset(err, 'x', sizeof err);
	int rc = system_parse(copy, len, &desc, err, sizeof err);
	free(copy);
	return rc;
}

static void expect_ok_len(const char *text, size_t len)
{
	if (parse_len(text, len) != 0)
		fail_msg("expected to parse (%s):\n%.*s", err, (int)len, text);
	assert_string_equal(err, "");
	assert_in_range(desc.count, 1, SYSTEM_MAX_GUESTS);
	/* The guests not given stay zeroed. */
	static const struct system_guest zero;
	for (unsigned i = desc.count; i < SYSTEM_MAX_GUESTS; i++)
		assert_memory_equal(&desc.guests[i], &zero, sizeof zero);
}

static void expect_ok(const char *text)
{
	expect_ok_len(text, strlen(text));
}

static void expect_emptied(void)
{
	static const struct system_desc zero;
	assert_memory_equal(&desc, &zero, sizeof zero);
}

/* The message names `line` ("system.conf line N: ") and contains `fragment`. */
static void expect_error_len(const char *text, size_t len, unsigned line, const char *fragment)
{
	char prefix[48];
	snprintf(prefix, sizeof prefix, "system.conf line %u: ", line);
	int rc = parse_len(text, len);
	if (rc != -1 || strncmp(err, prefix, strlen(prefix)) != 0 ||
	    !strstr(err + strlen(prefix), fragment))
		fail_msg("expected '%s...%s', got %d '%s' for:\n%.*s", prefix, fragment, rc,
		         rc ? err : "", (int)(len > 200 ? 200 : len), text);
	assert_non_null(memchr(err, '\0', sizeof err));
	expect_emptied();
}

static void expect_error(const char *text, unsigned line, const char *fragment)
{
	expect_error_len(text, strlen(text), line, fragment);
}

/* A complete guest block of three lines, without its `end`. */
#define GUEST_A "guest a\nmemory 2097152\nkernel k\n"

/* ---- accepted descriptions ---- */

static void test_two_guests_read_back(void **state)
{
	(void)state;
	expect_ok("# The system\n"
	          "guest alpha\n"
	          "vcpus 2\n"
	          "memory 134217728\n"
	          "kernel guest-alpha.kernel\n"
	          "initrd guest-alpha.initrd\n"
	          "cmdline console=ttyS0 quiet\n"
	          "end\n"
	          "\n"
	          "guest beta-2\n"
	          "memory 2097152\n"
	          "kernel beta.bin\n"
	          "end\n");
	assert_int_equal(desc.count, 2);
	const struct system_guest *a = &desc.guests[0], *b = &desc.guests[1];
	assert_string_equal(a->name, "alpha");
	assert_int_equal(a->vcpus, 2);
	assert_int_equal(a->memory, 128 * MIB);
	assert_string_equal(a->kernel, "guest-alpha.kernel");
	assert_string_equal(a->initrd, "guest-alpha.initrd");
	assert_string_equal(a->cmdline, "console=ttyS0 quiet");
	/* What a block leaves out takes its default. */
	assert_string_equal(b->name, "beta-2");
	assert_int_equal(b->vcpus, 1);
	assert_int_equal(b->memory, 2 * MIB);
	assert_string_equal(b->kernel, "beta.bin");
	assert_string_equal(b->initrd, "");
	assert_string_equal(b->cmdline, "");
}

static void test_keys_in_any_order(void **state)
{
	(void)state;
	expect_ok("guest z\ncmdline x\nkernel k\ninitrd i\nvcpus 8\nmemory 4194304\nend\n");
	assert_int_equal(desc.count, 1);
	assert_int_equal(desc.guests[0].vcpus, 8);
	assert_int_equal(desc.guests[0].memory, 4 * MIB);
	assert_string_equal(desc.guests[0].initrd, "i");
	assert_string_equal(desc.guests[0].cmdline, "x");
}

static void test_on_fault(void **state)
{
	(void)state;
	expect_ok("guest a\nkernel k\nmemory 2097152\non_fault restart\nend\n"
	          "guest b\nkernel k\nmemory 2097152\non_fault stop\nend\n"
	          "guest c\nkernel k\nmemory 2097152\nend\n");
	assert_int_equal(desc.guests[0].restart_on_fault, 1);
	assert_int_equal(desc.guests[1].restart_on_fault, 0);
	assert_int_equal(desc.guests[2].restart_on_fault, 0);
	expect_error("guest a\nkernel k\nmemory 2097152\non_fault reboot\nend\n", 4,
	             "on_fault must be stop or restart");
	expect_error("guest a\nkernel k\nmemory 2097152\non_fault stop\non_fault stop\nend\n", 5,
	             "'on_fault' given twice");
}

static void test_comments_blank_lines_crlf_and_indentation(void **state)
{
	(void)state;
	expect_ok("\n"
	          "# a comment\r\n"
	          "   # an indented comment\n"
	          "\r\n"
	          "    \n"
	          "  guest a\r\n"
	          "   memory 2097152\r\n"
	          " kernel k\r\n"
	          "  cmdline console=ttyS0 earlycon\r\n"
	          "#end is a comment here\n"
	          "end\r\n"
	          "\r\n");
	assert_int_equal(desc.count, 1);
	assert_string_equal(desc.guests[0].name, "a");
	assert_int_equal(desc.guests[0].memory, 2 * MIB);
	assert_string_equal(desc.guests[0].kernel, "k");
	assert_string_equal(desc.guests[0].cmdline, "console=ttyS0 earlycon");
}

static void test_last_line_without_newline(void **state)
{
	(void)state;
	expect_ok(GUEST_A "end");
	assert_int_equal(desc.count, 1);
	expect_ok(GUEST_A "end\r");
	assert_int_equal(desc.count, 1);
	expect_ok(GUEST_A "end\n# trailing comment");
	assert_int_equal(desc.count, 1);
}

/* The command line is the rest of the line, spaces included; an empty one is allowed. */
static void test_cmdline_is_the_rest_of_the_line(void **state)
{
	(void)state;
	expect_ok(
	    "guest a\nmemory 2097152\nkernel k\ncmdline  root=/dev/vda  ro # not a comment\nend\n");
	assert_string_equal(desc.guests[0].cmdline, " root=/dev/vda  ro # not a comment");
	expect_ok(GUEST_A "cmdline\nend\n");
	assert_string_equal(desc.guests[0].cmdline, "");
	expect_ok(GUEST_A "cmdline \nend\n");
	assert_string_equal(desc.guests[0].cmdline, "");
	/* `end ` with a trailing space has an empty value: still an end. */
	expect_ok(GUEST_A "end \n");
}

static void test_limits_are_inclusive(void **state)
{
	(void)state;
	expect_ok("guest a\nvcpus 8\nmemory 68719476736\nkernel k\nend\n");
	assert_int_equal(desc.guests[0].vcpus, SYSTEM_MAX_VCPUS);
	assert_int_equal(desc.guests[0].memory, SYSTEM_MAX_MEMORY);
	expect_ok("guest a\nvcpus 1\nmemory 2097152\nkernel k\nend\n");
	assert_int_equal(desc.guests[0].vcpus, 1);
	assert_int_equal(desc.guests[0].memory, SYSTEM_RAM_BLOCK);
	/* Nineteen digits are a number, leading zeros included. */
	expect_ok(
	    "guest a\nvcpus 0000000000000000008\nmemory 0000000000002097152\nkernel k\nend\n");
	assert_int_equal(desc.guests[0].vcpus, 8);
	assert_int_equal(desc.guests[0].memory, 2 * MIB);
}

static void test_eight_guests(void **state)
{
	(void)state;
	char text[1024] = "";
	size_t at = 0;
	for (unsigned i = 0; i < SYSTEM_MAX_GUESTS; i++)
		at += (size_t)snprintf(text + at, sizeof text - at,
		                       "guest g%u\nvcpus %u\nmemory %u\nkernel k%u\nend\n", i,
		                       i + 1, (i + 1) * 2097152u, i);
	expect_ok(text);
	assert_int_equal(desc.count, SYSTEM_MAX_GUESTS);
	for (unsigned i = 0; i < SYSTEM_MAX_GUESTS; i++) {
		char name[8], kernel[8];
		snprintf(name, sizeof name, "g%u", i);
		snprintf(kernel, sizeof kernel, "k%u", i);
		assert_string_equal(desc.guests[i].name, name);
		assert_int_equal(desc.guests[i].vcpus, i + 1);
		assert_int_equal(desc.guests[i].memory, (i + 1) * 2 * MIB);
		assert_string_equal(desc.guests[i].kernel, kernel);
	}
}

/* ---- errors, each with its line ---- */

static void test_structure_errors(void **state)
{
	(void)state;
	expect_error("guest a\nmemroy 2097152\n", 2, "unknown key 'memroy'");
	expect_error("guest a\nMemory 2097152\n", 2, "unknown key 'Memory'");
	expect_error("guest a\n\tmemory 2097152\n", 2, "unknown key");
	expect_error("guest a\nmemory\t2097152\n", 2, "unknown key");
	expect_error("vcpus 1\n", 1, "'vcpus' outside a guest");
	expect_error("# c\nmemory 2097152\n", 2, "'memory' outside a guest");
	expect_error(GUEST_A "end\nkernel x\n", 5, "'kernel' outside a guest");
	expect_error(GUEST_A "end\ninitrd x\n", 5, "'initrd' outside a guest");
	expect_error("\ncmdline x\n", 2, "'cmdline' outside a guest");
	expect_error("end\n", 1, "'end' outside a guest");
	expect_error(GUEST_A "end\nend\n", 5, "'end' outside a guest");
	expect_error(GUEST_A "end now\n", 4, "'end' takes no value");
	expect_error("end x\n", 1, "'end' takes no value");
	expect_error("guest a\nguest b\n", 2, "guest 'b' starts before the previous one ends");
	expect_error("guest a\nmemory 2097152\nend\n", 3, "guest 'a' has no kernel");
	expect_error("guest a\nkernel k\nend\n", 3, "guest 'a' has no memory");
	expect_error("guest a\nend\n", 2, "guest 'a' has no kernel");
	expect_error(GUEST_A "end\nguest a\n", 5, "guest 'a' is named twice");
	expect_error(GUEST_A "end\nguest b\nmemory 2097152\nkernel k\nend\nguest b\n", 9,
	             "guest 'b' is named twice");
}

/* A guest left open is reported at the last line of the text. */
static void test_guest_without_end(void **state)
{
	(void)state;
	expect_error(GUEST_A, 3, "guest 'a' has no 'end'");
	expect_error(GUEST_A "\n\n# more\n", 6, "guest 'a' has no 'end'");
	expect_error(GUEST_A "vcpus 2", 4, "guest 'a' has no 'end'");
	expect_error(GUEST_A "end\nguest b\n", 5, "guest 'b' has no 'end'");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	static const char *const lines[] = {"vcpus 2", "memory 4194304", "kernel k2", "initrd i",
	                                    "cmdline c"};
	static const char *const names[] = {"vcpus", "memory", "kernel", "initrd", "cmdline"};
	for (size_t i = 0; i < 5; i++) {
		char text[128], want[32];
		snprintf(text, sizeof text,
		         "guest a\nvcpus 1\ninitrd i\ncmdline c\n"
		         "memory 2097152\nkernel k\n%s\nend\n",
		         lines[i]);
		snprintf(want, sizeof want, "'%s' given twice", names[i]);
		expect_error(text, 7, want);
	}
	/* An empty command line counts as given. */
	expect_error(GUEST_A "cmdline\ncmdline x\n", 5, "'cmdline' given twice");
	/* Keys are per block: the next guest may give them again. */
	expect_ok(GUEST_A "end\nguest b\nmemory 2097152\nkernel k\nend\n");
}

static void test_bad_names(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "guest \n",
	    "guest\n",
	    "guest Alpha\n",
	    "guest a_b\n",
	    "guest a.b\n",
	    "guest a b\n",
	    "guest  a\n",
	    "guest a \n",
	    "guest caf\xc3\xa9\n",
	    "guest abcdefghijklmnopqrstuvwxyz012345\n", /* 32 bytes */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(bad[i], 1, "is not 1-31 of [a-z0-9-]");
	expect_error(GUEST_A "end\nguest B\n", 5, "guest name 'B'");
	/* 31 bytes and single characters are names. */
	expect_ok("guest abcdefghijklmnopqrstuvwxyz01234\nmemory 2097152\nkernel k\nend\n"
	          "guest 0\nmemory 2097152\nkernel k\nend\n"
	          "guest -\nmemory 2097152\nkernel k\nend\n");
	assert_string_equal(desc.guests[0].name, "abcdefghijklmnopqrstuvwxyz01234");
	assert_string_equal(desc.guests[1].name, "0");
	assert_string_equal(desc.guests[2].name, "-");
}

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(system_name_valid("a"));
	assert_true(system_name_valid("alpha-2"));
	assert_true(system_name_valid("0"));
	assert_true(system_name_valid("-"));
	assert_true(system_name_valid("abcdefghijklmnopqrstuvwxyz01234"));
	assert_false(system_name_valid(""));
	assert_false(system_name_valid("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(system_name_valid("A"));
	assert_false(system_name_valid("a_b"));
	assert_false(system_name_valid("a b"));
	assert_false(system_name_valid("a/b"));
	assert_false(system_name_valid("\xff"));
}

static void test_bad_vcpus(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "0",
	    "9",
	    "10",
	    "x",
	    "1x",
	    "",
	    " 1",
	    "1 ",
	    "-1",
	    "+1",
	    "0x1",
	    "18446744073709551617",
	    "00000000000000000001", /* 20 digits */
	    "99999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[96];
		snprintf(text, sizeof text, "guest a\nmemory 2097152\nvcpus %s\n", bad[i]);
		expect_error(text, 3, "vcpus must be 1-8");
	}
	/* Without any value at all. */
	expect_error("guest a\nvcpus\n", 2, "vcpus must be 1-8");
}

static void test_bad_memory(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "0",
	    "1",
	    "2097151",
	    "2097153",
	    "3145728",
	    "68719476737",
	    "68721573888", /* 64 GiB + 2 MiB */
	    "137438953472",
	    "2M",
	    "",
	    "0x200000",
	    "-2097152",
	    "9223372036854775808", /* 2^63: a multiple of 2 MiB */
	    "18446744073709551616",
	    "00000000000002097152", /* 20 digits */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[96];
		snprintf(text, sizeof text, "guest a\nkernel k\nmemory %s\nend\n", bad[i]);
		expect_error(text, 3,
		             "memory must be a non-zero multiple of 2 MiB, at most 64 GiB");
	}
}

static void test_too_many_guests(void **state)
{
	(void)state;
	char text[1024] = "";
	size_t at = 0;
	for (unsigned i = 0; i <= SYSTEM_MAX_GUESTS; i++)
		at += (size_t)snprintf(text + at, sizeof text - at,
		                       "guest g%u\nmemory 2097152\nkernel k\nend\n", i);
	/* The ninth `guest` line, the 33rd of the text. */
	expect_error(text, 33, "more than 8 guests");
}

static void test_empty_files(void **state)
{
	(void)state;
	expect_error(GUEST_A "kernel\n", 4, "'kernel' given twice");
	expect_error("guest a\nkernel\n", 2, "kernel names no file");
	expect_error("guest a\nkernel \n", 2, "kernel names no file");
	expect_error("guest a\nkernel \r\n", 2, "kernel names no file");
	expect_error("guest a\ninitrd\n", 2, "initrd names no file");
	expect_error("guest a\ninitrd \n", 2, "initrd names no file");
}

static void fill(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
}

static void test_file_name_length(void **state)
{
	(void)state;
	char name[SYSTEM_FILE_MAX + 2], text[256];
	fill(name, 'f', SYSTEM_FILE_MAX);
	snprintf(text, sizeof text, "guest a\nmemory 2097152\nkernel %s\ninitrd %s\nend\n", name,
	         name);
	expect_ok(text);
	assert_string_equal(desc.guests[0].kernel, name);
	assert_string_equal(desc.guests[0].initrd, name);
	fill(name, 'f', SYSTEM_FILE_MAX + 1);
	snprintf(text, sizeof text, "guest a\nmemory 2097152\nkernel %s\n", name);
	expect_error(text, 3, "a file name longer than 63 bytes");
	snprintf(text, sizeof text, "guest a\nmemory 2097152\nkernel k\ninitrd %s\n", name);
	expect_error(text, 4, "a file name longer than 63 bytes");
}

static void test_cmdline_length(void **state)
{
	(void)state;
	static char cmdline[SYSTEM_CMDLINE_MAX + 2], text[SYSTEM_CMDLINE_MAX + 128];
	fill(cmdline, 'c', SYSTEM_CMDLINE_MAX);
	cmdline[0] = ' '; /* spaces count too */
	snprintf(text, sizeof text, GUEST_A "cmdline %s\r\nend\n", cmdline);
	expect_ok(text);
	assert_string_equal(desc.guests[0].cmdline, cmdline);
	fill(cmdline, 'c', SYSTEM_CMDLINE_MAX + 1);
	snprintf(text, sizeof text, GUEST_A "cmdline %s\nend\n", cmdline);
	expect_error(text, 4, "the command line longer than 1023 bytes");
}

static void test_line_length(void **state)
{
	(void)state;
	static char line[LINE_MAX_BYTES + 2], text[LINE_MAX_BYTES + 64];
	/* The longest line, a comment, is read; one byte more is not. */
	fill(line, '#', LINE_MAX_BYTES);
	snprintf(text, sizeof text, GUEST_A "%s\nend\n", line);
	expect_ok(text);
	snprintf(text, sizeof text, GUEST_A "%s\nend", line); /* the last line of the text */
	expect_ok(text);
	fill(line, '#', LINE_MAX_BYTES + 1);
	snprintf(text, sizeof text, GUEST_A "%s\nend\n", line);
	expect_error(text, 4, "longer than 1086 bytes");
	snprintf(text, sizeof text, GUEST_A "end\n%s", line);
	expect_error(text, 5, "longer than 1086 bytes");
	/* A carriage return is part of the line until the line is read. */
	fill(line, '#', LINE_MAX_BYTES);
	snprintf(text, sizeof text, "%s\r\n" GUEST_A "end\n", line);
	expect_error(text, 1, "longer than 1086 bytes");
}

static void test_nul_bytes(void **state)
{
	(void)state;
	static const char with_nul[] = "guest a\nmem\0ory 2097152\nkernel k\nend\n";
	expect_error_len(with_nul, sizeof with_nul - 1, 2, "a NUL byte");
	static const char in_comment[] = GUEST_A "# \0\nend\n";
	expect_error_len(in_comment, sizeof in_comment - 1, 4, "a NUL byte");
	static const char at_end[] = GUEST_A "end\n\0";
	expect_error_len(at_end, sizeof at_end - 1, 5, "a NUL byte");
	static const char first[] = "\0";
	expect_error_len(first, 1, 1, "a NUL byte");
}

static void test_no_guests(void **state)
{
	(void)state;
	expect_error("# nothing\n\n", 2, "no guests");
	expect_error("\n", 1, "no guests");
	/* Empty input has no line: the message says line 0. */
	expect_error("", 0, "no guests");
	/* With nothing to read, the text is never touched. */
	assert_int_equal(system_parse(NULL, 0, &desc, err, sizeof err), -1);
	assert_string_equal(err, "system.conf line 0: no guests");
}

/* A failure after a guest was read leaves nothing of it behind. */
static void test_error_empties_out(void **state)
{
	(void)state;
	expect_error(GUEST_A "vcpus 2\ninitrd i\ncmdline c\nend\nguest b\nvcpus 9\n", 9,
	             "vcpus must be 1-8");
	expect_error(GUEST_A "end\n" GUEST_A, 5, "guest 'a' is named twice");
	/* And a success after a failure starts from nothing. */
	expect_ok("guest b\nmemory 2097152\nkernel k\nend\n");
	assert_int_equal(desc.count, 1);
	assert_string_equal(desc.guests[0].initrd, "");
}

static void test_small_error_buffers(void **state)
{
	(void)state;
	static const char text[] = "guest a\nvcpus 0\n";
	const size_t len = sizeof text - 1;
	char *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, text, len);

	char buf[64];
	memset(buf, 'x', sizeof buf);
	assert_int_equal(system_parse(copy, len, &desc, buf, 1), -1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	expect_emptied();

	assert_int_equal(system_parse(copy, len, &desc, NULL, 0), -1);
	memset(buf, 'x', sizeof buf);
	assert_int_equal(system_parse(copy, len, &desc, buf, 0), -1);
	assert_int_equal(buf[0], 'x');

	/* Cut inside the line prefix, and inside the message: NUL-terminated, no byte more. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(system_parse(copy, len, &desc, buf, 8), -1);
	assert_string_equal(buf, "system.");
	assert_int_equal(buf[8], 'x');
	memset(buf, 'x', sizeof buf);
	assert_int_equal(system_parse(copy, len, &desc, buf, 26), -1);
	assert_string_equal(buf, "system.conf line 2: vcpus");
	assert_int_equal(buf[26], 'x');
	/* The prefix exactly: nothing of the message fits. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(system_parse(copy, len, &desc, buf, 21), -1);
	assert_string_equal(buf, "system.conf line 2: ");
	assert_int_equal(buf[21], 'x');

	/* A success with no error buffer at all. */
	static const char good[] = GUEST_A "end\n";
	char *ok = malloc(sizeof good - 1);
	assert_non_null(ok);
	memcpy(ok, good, sizeof good - 1);
	assert_int_equal(system_parse(ok, sizeof good - 1, &desc, NULL, 0), 0);
	assert_int_equal(desc.count, 1);
	free(ok);
	free(copy);
}

/* Every prefix of a valid text is parsed without reading past its end. */
static void test_every_prefix_stays_in_bounds(void **state)
{
	(void)state;
	static const char text[] = "# c\r\n"
	                           "guest alpha\r\n"
	                           "  vcpus 2\n"
	                           "memory 134217728\n"
	                           "kernel guest-alpha.kernel\n"
	                           "initrd guest-alpha.initrd\n"
	                           "cmdline console=ttyS0\n"
	                           "end\n";
	const size_t len = sizeof text - 1;
	for (size_t n = 0; n <= len; n++) {
		int rc = parse_len(text, n);
		assert_non_null(memchr(err, '\0', sizeof err));
		/* Only the whole text, or all of it but its last newline, has its `end`. */
		if (n >= len - 1) {
			assert_int_equal(rc, 0);
			assert_int_equal(desc.count, 1);
		} else {
			assert_int_equal(rc, -1);
			expect_emptied();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_guests_read_back),
	    cmocka_unit_test(test_keys_in_any_order),
	    cmocka_unit_test(test_on_fault),
	    cmocka_unit_test(test_comments_blank_lines_crlf_and_indentation),
	    cmocka_unit_test(test_last_line_without_newline),
	    cmocka_unit_test(test_cmdline_is_the_rest_of_the_line),
	    cmocka_unit_test(test_limits_are_inclusive),
	    cmocka_unit_test(test_eight_guests),
	    cmocka_unit_test(test_structure_errors),
	    cmocka_unit_test(test_guest_without_end),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_name_valid),
	    cmocka_unit_test(test_bad_vcpus),
	    cmocka_unit_test(test_bad_memory),
	    cmocka_unit_test(test_too_many_guests),
	    cmocka_unit_test(test_empty_files),
	    cmocka_unit_test(test_file_name_length),
	    cmocka_unit_test(test_cmdline_length),
	    cmocka_unit_test(test_line_length),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_no_guests),
	    cmocka_unit_test(test_error_empties_out),
	    cmocka_unit_test(test_small_error_buffers),
	    cmocka_unit_test(test_every_prefix_stays_in_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
