/*
 * Unit tests of the system-configuration parser (config/src/fvconfig.c).
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fvconfig.h"

#define MIB (1024ull * 1024)

static struct system_config config;
static struct config_error err;

static int parse_len(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int rc = config_parse(copy, len, "test.yaml", &config, &err);
	free(copy);
	return rc;
}

static int parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static void show_error(void)
{
	char text[400];
	config_error_format(&err, text, sizeof text);
	print_message("  error: %s\n", text);
}

static void expect_ok(const char *text)
{
	if (parse(text) != 0) {
		show_error();
		fail_msg("expected to parse:\n%s", text);
	}
}

/* The error's line, column (when not 0) and a fragment of its message. */
static void expect_error_at(const char *text, unsigned line, unsigned column, const char *fragment)
{
	int rc = parse(text);
	if (rc != -1 || err.line != line || (column && err.column != column) ||
	    !strstr(err.message, fragment)) {
		if (rc == 0)
			print_message("  parsed without error\n");
		else
			show_error();
		fail_msg("expected line %u column %u '%s' for:\n%s", line, column, fragment, text);
	}
	/* A failed parse leaves nothing half-filled behind. */
	assert_int_equal(config.guest_count, 0);
}

static void expect_error(const char *text, unsigned line, const char *fragment)
{
	expect_error_at(text, line, 0, fragment);
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[8192];
	*len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return buf;
}

/*
 * One guest whose `key` has `value` (the other keys valid), keys on fixed
 * lines: name 3, vcpus 4, memory 5, kernel 6, initrd 7, command_line 8.
 */
static const char *guest_with(const char *key, const char *value)
{
	static const char *const keys[] = {"name",   "vcpus",  "memory",
	                                   "kernel", "initrd", "command_line"};
	static const char *const defaults[] = {"g", "1", "16M", "k", "i", "c"};
	static char text[4096];
	size_t n = (size_t)snprintf(text, sizeof text, "# test\nguests:\n");
	for (int k = 0; k < 6; k++) {
		const char *v = strcmp(key, keys[k]) == 0 ? value : defaults[k];
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%s: %s\n", k ? "    " : "  - ",
		                      keys[k], v);
	}
	assert_true(n < sizeof text);
	return text;
}

/* ---- valid configurations ---- */

static void test_default_config(void **state)
{
	(void)state;
	size_t len;
	const char *text = read_text(TEST_CONFIG_DIR "/default.yaml", &len);
	assert_int_equal(parse_len(text, len), 0);
	assert_string_equal(config.file_name, "test.yaml");
	assert_int_equal(config.guest_count, 2);
	const struct guest_config *a = &config.guests[0], *b = &config.guests[1];
	assert_string_equal(a->name, "alpha");
	assert_int_equal(a->vcpus, 1);
	assert_int_equal(a->memory_bytes, 256 * MIB);
	assert_string_equal(a->kernel, "${FV_CACHE}/riscv64/Image");
	assert_string_equal(a->initrd, "${FV_BUILD_DIR}/image/config/initramfs.cpio");
	assert_string_equal(a->command_line, "console=ttyS0 no4lvl quiet");
	assert_int_equal(a->line, 6);
	assert_int_equal(a->kernel_line, 9);
	assert_int_equal(a->initrd_line, 10);
	assert_string_equal(b->name, "beta");
	assert_int_equal(b->vcpus, 2);
	assert_int_equal(b->memory_bytes, 256 * MIB);
	assert_string_equal(b->kernel, "${FV_CACHE}/riscv64/Image");
	assert_string_equal(b->initrd, "${FV_BUILD_DIR}/image/config/initramfs.cpio");
	assert_string_equal(b->command_line, "console=ttyS0 no4lvl quiet");
	assert_int_equal(b->line, 12);
}

static void test_examples(void **state)
{
	(void)state;
	static const char *const files[] = {"two-debian-guests.yaml", "single-guest.yaml",
	                                    "four-guests.yaml"};
	static const unsigned counts[] = {2, 1, 4};
	for (size_t i = 0; i < 3; i++) {
		char path[512];
		size_t len;
		snprintf(path, sizeof path, "%s/examples/%s", TEST_CONFIG_DIR, files[i]);
		const char *text = read_text(path, &len);
		if (parse_len(text, len) != 0) {
			show_error();
			fail_msg("%s does not parse", path);
		}
		assert_int_equal(config.guest_count, counts[i]);
	}
}

static void test_brief_example_values(void **state)
{
	(void)state;
	expect_ok("# Two Debian guests\n"
	          "guests:\n"
	          "  - name: alpha\n"
	          "    vcpus: 1\n"
	          "    memory: 256M\n"
	          "    kernel: build/cache/riscv64/root/Image\n"
	          "    initrd: build/guest/initramfs.cpio\n"
	          "    command_line: \"console=ttyS0 earlycon\"\n"
	          "  - name: beta\n"
	          "    vcpus: 2\n"
	          "    memory: 512M\n"
	          "    kernel: build/cache/riscv64/root/Image\n"
	          "    command_line: console=ttyS0\n");
	assert_string_equal(config.guests[0].command_line, "console=ttyS0 earlycon");
	assert_int_equal(config.guests[1].memory_bytes, 512 * MIB);
	assert_string_equal(config.guests[1].initrd, "");
	assert_int_equal(config.guests[1].initrd_line, 0);
	assert_int_equal(config.guests[1].line, 9);
}

static void test_double_quoted_escapes(void **state)
{
	(void)state;
	expect_ok(guest_with("command_line", "\"a\\\"b\\\\c\\nd\\te # not a comment 'x'\""));
	assert_string_equal(config.guests[0].command_line, "a\"b\\c\nd\te # not a comment 'x'");
	expect_ok(guest_with("command_line", "\"\""));
	assert_string_equal(config.guests[0].command_line, "");
	expect_ok(guest_with("name", "\"alpha\""));
	assert_string_equal(config.guests[0].name, "alpha");
	/* A literal tab is fine inside quotes. */
	expect_ok(guest_with("command_line", "\"a\tb\""));
	assert_string_equal(config.guests[0].command_line, "a\tb");
}

static void test_single_quoted(void **state)
{
	(void)state;
	expect_ok(guest_with("command_line", "'it''s \"x\" \\n # no comment'"));
	assert_string_equal(config.guests[0].command_line, "it's \"x\" \\n # no comment");
	expect_ok(guest_with("command_line", "''''"));
	assert_string_equal(config.guests[0].command_line, "'");
	expect_ok(guest_with("kernel", "'/boot/my image'"));
	assert_string_equal(config.guests[0].kernel, "/boot/my image");
	expect_ok(guest_with("vcpus", "'3'"));
	assert_int_equal(config.guests[0].vcpus, 3);
}

static void test_plain_scalars(void **state)
{
	(void)state;
	expect_ok(guest_with("command_line", "console=ttyS0 root=/dev/vda a:b c-d  "));
	assert_string_equal(config.guests[0].command_line, "console=ttyS0 root=/dev/vda a:b c-d");
	expect_ok(guest_with("kernel", "-k"));
	assert_string_equal(config.guests[0].kernel, "-k");
	expect_ok(guest_with("kernel", "a'b\"c"));
	assert_string_equal(config.guests[0].kernel, "a'b\"c");
	expect_ok(guest_with("kernel", "caf\xc3\xa9"));
	assert_string_equal(config.guests[0].kernel, "caf\xc3\xa9");
}

static void test_comments_everywhere(void **state)
{
	(void)state;
	expect_ok("# c\nguests: # c\n  - # c\n    name: a # c\n    vcpus: 2 # c\n"
	          "    memory: '32M' # c\n    kernel: \"k # inside\"   # c\n# c\n  # c\n"
	          "  - name: b\n    vcpus: 1\n    memory: 16M\n    kernel: k\n# last, no newline");
	assert_int_equal(config.guest_count, 2);
	assert_string_equal(config.guests[0].name, "a");
	assert_int_equal(config.guests[0].vcpus, 2);
	assert_int_equal(config.guests[0].memory_bytes, 32 * MIB);
	assert_string_equal(config.guests[0].kernel, "k # inside");
	assert_int_equal(config.guests[0].line, 3);
	assert_string_equal(config.guests[1].name, "b");
}

static void test_layouts(void **state)
{
	(void)state;
	/* Items at the key's column, keys on the lines after a bare "-". */
	expect_ok("guests:\n- name: a\n  vcpus: 1\n  memory: 16M\n  kernel: k\n"
	          "-\n      name: b\n      vcpus: 1\n      memory: 16M\n      kernel: k\n");
	assert_int_equal(config.guest_count, 2);
	assert_string_equal(config.guests[1].name, "b");
	assert_int_equal(config.guests[1].line, 6);
	/* Extra spaces after "-" and after ':'. */
	expect_ok("guests:\n    -     name:    a\n          vcpus: 1\n          memory: 16M\n"
	          "          kernel:   k   \n");
	assert_string_equal(config.guests[0].name, "a");
	assert_string_equal(config.guests[0].kernel, "k");
}

static void test_crlf_bom_no_final_newline(void **state)
{
	(void)state;
	expect_ok("\xef\xbb\xbfguests:\r\n  - name: a\r\n    vcpus: 1\r\n    memory: 16M\r\n"
	          "    kernel: k\r\n    command_line: \"x y\"  \r\n");
	assert_string_equal(config.guests[0].kernel, "k");
	assert_string_equal(config.guests[0].command_line, "x y");
	expect_ok("guests:\n  - name: a\n    vcpus: 1\n    memory: 16M\n    kernel: k\r");
	assert_string_equal(config.guests[0].kernel, "k");
	expect_ok("guests:\n  - name: a\n    vcpus: 1\n    memory: 16M\n    kernel: k");
	assert_string_equal(config.guests[0].kernel, "k");
	/* A byte-order mark does not count in columns. */
	expect_error_at("\xef\xbb\xbfguests:\n\t- name: a\n", 2, 1, "tab");
	expect_error_at("\xef\xbb\xbf  guests:\n", 1, 3, "unexpected indentation");
}

static void test_memory_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t bytes;
	} good[] = {
	    {"16", 16 * MIB},           {"16M", 16 * MIB},     {"16m", 16 * MIB},
	    {"16384K", 16 * MIB},       {"16384k", 16 * MIB},  {"1G", 1024 * MIB},
	    {"2g", 2048 * MIB},         {"64G", 65536 * MIB},  {"65536", 65536 * MIB},
	    {"67108864K", 65536 * MIB}, {"'256M'", 256 * MIB}, {"\"18M\"", 18 * MIB},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		expect_ok(guest_with("memory", good[i].text));
		assert_int_equal(config.guests[0].memory_bytes, good[i].bytes);
	}
	static const struct {
		const char *text, *fragment;
	} bad[] = {
	    {"15M", "multiple of 2 MiB"},
	    {"3", "multiple of 2 MiB"},
	    {"16385K", "multiple of 2 MiB"},
	    {"14M", "out of range"},
	    {"0", "out of range"},
	    {"0M", "out of range"},
	    {"66G", "out of range"},
	    {"65538M", "out of range"},
	    {"1T", "must be a size"},
	    {"256MB", "must be a size"},
	    {"256MiB", "must be a size"},
	    {"-2M", "must be a size"},
	    {"+2M", "must be a size"},
	    {"0x10", "must be a size"},
	    {"'256 M'", "must be a size"},
	    {"010M", "must be a size"},
	    {"M", "must be a size"},
	    {"''", "must be a size"},
	    {"1.5G", "must be a size"},
	    {"18446744073709551616", "integer overflow"},
	    {"99999999999999999999999999M", "integer overflow"},
	    {"18014398509481984G", "integer overflow"},
	    {"17592186044416M", "integer overflow"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(guest_with("memory", bad[i].text), 5, bad[i].fragment);
}

static void test_vcpus(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		char text[4];
		snprintf(text, sizeof text, "%u", n);
		expect_ok(guest_with("vcpus", text));
		assert_int_equal(config.guests[0].vcpus, n);
	}
	static const struct {
		const char *text, *fragment;
	} bad[] = {
	    {"0", "from 1 to 8, not 0"},
	    {"9", "from 1 to 8, not 9"},
	    {"4294967297", "from 1 to 8, not 4294967297"},
	    {"-1", "integer from 1 to 8"},
	    {"1.0", "integer from 1 to 8"},
	    {"01", "integer from 1 to 8"},
	    {"two", "integer from 1 to 8"},
	    {"'2 '", "integer from 1 to 8"},
	    {"2 cpus", "integer from 1 to 8"},
	    {"18446744073709551615", "from 1 to 8"},
	    {"18446744073709551616", "integer overflow"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(guest_with("vcpus", bad[i].text), 4, bad[i].fragment);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const good[] = {"a", "a-1", "z9", "abcdefghijklmnopqrstuvwxyz01234",
	                                   "a--"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		expect_ok(guest_with("name", good[i]));
		assert_string_equal(config.guests[0].name, good[i]);
	}
	static const char *const bad[] = {"''",
	                                  "1a",
	                                  "A",
	                                  "alphA",
	                                  "a_b",
	                                  "-a",
	                                  "a.b",
	                                  "'a b'",
	                                  "abcdefghijklmnopqrstuvwxyz012345",
	                                  "\xc3\xa9t\xc3\xa9",
	                                  "\"a\\n\""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_error(guest_with("name", bad[i]), 3, "invalid guest name");
}

static void test_paths_and_command_line(void **state)
{
	(void)state;
	char value[1100];
	memset(value, 'p', 255);
	value[255] = '\0';
	expect_ok(guest_with("kernel", value));
	assert_int_equal(strlen(config.guests[0].kernel), 255);
	expect_ok(guest_with("initrd", value));
	assert_int_equal(strlen(config.guests[0].initrd), 255);
	assert_int_equal(config.guests[0].initrd_line, 7);
	value[255] = 'p', value[256] = '\0';
	expect_error(guest_with("kernel", value), 6, "kernel path is 256 bytes long (at most 255)");
	expect_error(guest_with("initrd", value), 7, "initrd path is 256 bytes long");
	expect_error(guest_with("kernel", "''"), 6, "kernel path is empty");
	expect_error(guest_with("initrd", "\"\""), 7, "initrd path is empty");
	expect_error(guest_with("kernel", "\"a\\tb\""), 6, "control character");

	memset(value, 'c', 1023);
	value[1023] = '\0';
	expect_ok(guest_with("command_line", value));
	assert_int_equal(strlen(config.guests[0].command_line), 1023);
	value[1023] = 'c', value[1024] = '\0';
	expect_error(guest_with("command_line", value), 8, "1024 bytes long (at most 1023)");
	/* Limits apply to the decoded value: 1022 bytes and an escaped newline fit. */
	value[0] = '"', value[1023] = '\\', value[1024] = 'n', value[1025] = '"', value[1026] = 0;
	expect_ok(guest_with("command_line", value));
	assert_int_equal(strlen(config.guests[0].command_line), 1023);
	assert_int_equal(config.guests[0].command_line[1022], '\n');
	value[0] = '"';
	memset(value + 1, 'c', 1023);
	memcpy(value + 1024, "\\t\"", 4);
	expect_error(guest_with("command_line", value), 8, "command_line is 1024 bytes long");
}

/* ---- errors ---- */

#define HEAD    "guests:\n  - name: g\n    vcpus: 1\n    memory: 16M\n    kernel: k\n"
#define GUEST_B "  - name: b\n    vcpus: 1\n    memory: 16M\n    kernel: k\n"

static const struct config_variables build_vars = {
    .count = 2, .name = {"FV_CACHE", "FV_BUILD_DIR"}, .value = {"/var/cache/fv", "out"}};

static void test_variables(void **state)
{
	(void)state;
	assert_int_equal(
	    parse(guest_with("initrd", "'${FV_BUILD_DIR}/a-$-${FV_CACHE}${FV_CACHE}'")), 0);
	assert_int_equal(config_expand_paths(&config, &build_vars, &err), 0);
	assert_string_equal(config.guests[0].initrd, "out/a-$-/var/cache/fv/var/cache/fv");
	assert_string_equal(config.guests[0].kernel, "k"); /* no variable: unchanged */
	/* Expanded once: a value is not expanded again. */
	const struct config_variables tricky = {.count = 1, .name = {"V"}, .value = {"${V}"}};
	assert_int_equal(parse(guest_with("kernel", "${V}")), 0);
	assert_int_equal(config_expand_paths(&config, &tricky, &err), 0);
	assert_string_equal(config.guests[0].kernel, "${V}");
}

static void test_variable_errors(void **state)
{
	(void)state;
	const struct {
		const char *key, *value, *fragment;
	} cases[] = {
	    {"kernel", "${FV_OTHER}/Image", "kernel: ${FV_OTHER} is not defined"},
	    {"initrd", "${FV_CACHE", "initrd: '${' without '}'"},
	    {"kernel", "${}", "kernel: ${} is not defined"},
	    {"kernel", "${fv_cache}", "kernel: ${fv_cache} is not defined"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(guest_with(cases[i].key, cases[i].value)), 0);
		struct system_config before = config;
		assert_int_equal(config_expand_paths(&config, &build_vars, &err), -1);
		assert_non_null(strstr(err.message, cases[i].fragment));
		assert_int_equal(err.line, strcmp(cases[i].key, "kernel") == 0
		                               ? config.guests[0].kernel_line
		                               : config.guests[0].initrd_line);
		assert_memory_equal(&before, &config, sizeof config); /* nothing changed */
	}
	/* Too long once expanded: 250 bytes of value and 10 more. */
	static char value[251];
	memset(value, 'v', 250);
	const struct config_variables big = {.count = 1, .name = {"BIG"}, .value = {value}};
	assert_int_equal(parse(guest_with("kernel", "${BIG}/0123456789")), 0);
	assert_int_equal(config_expand_paths(&config, &big, &err), -1);
	assert_non_null(strstr(err.message, "longer than 255 bytes once expanded"));
	assert_int_equal(parse(guest_with("kernel", "${BIG}/abcd")), 0); /* 255: fits */
	assert_int_equal(config_expand_paths(&config, &big, &err), 0);
	assert_int_equal(strlen(config.guests[0].kernel), 255);
}

static void test_variable_names(void **state)
{
	(void)state;
	assert_true(config_variable_name_is_valid("FV_CACHE"));
	assert_true(config_variable_name_is_valid("_X9"));
	assert_false(config_variable_name_is_valid(""));
	assert_false(config_variable_name_is_valid("9X"));
	assert_false(config_variable_name_is_valid("fv"));
	assert_false(config_variable_name_is_valid("A-B"));
	assert_false(config_variable_name_is_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE")); /* 32 */
}

static void test_on_fault(void **state)
{
	(void)state;
	const char *text = HEAD "    on_fault: restart\n" GUEST_B "    on_fault: stop\n";
	assert_int_equal(parse_len(text, strlen(text)), 0);
	assert_true(config.guests[0].restart_on_fault);
	assert_false(config.guests[1].restart_on_fault);
	text = HEAD;
	assert_int_equal(parse_len(text, strlen(text)), 0);
	assert_false(config.guests[0].restart_on_fault); /* stop unless asked */
}

static void test_key_errors(void **state)
{
	(void)state;
	expect_error(HEAD "    memroy: 256M\n", 6,
	             "unknown key 'memroy' (expected name, vcpus, memory, kernel, initrd, "
	             "command_line, on_fault)");
	expect_error(HEAD "    on_fault: reboot\n", 6, "on_fault must be stop or restart");
	expect_error(HEAD "    on_fault: stop\n    on_fault: stop\n", 7,
	             "duplicate key 'on_fault' (first on line 6)");
	expect_error(HEAD "    Name: x\n", 6, "unknown key 'Name'");
	expect_error(HEAD "    vcpus: 2\n", 6, "duplicate key 'vcpus' (first on line 3)");
	expect_error(HEAD "    command_line: a\n    command_line: a\n", 7,
	             "duplicate key 'command_line' (first on line 6)");
	expect_error("guests:\n  - name: g\n    memory: 16M\n    kernel: k\n", 2,
	             "guest 'g' has no 'vcpus' key");
	expect_error("guests:\n  - name: g\n    vcpus: 1\n    kernel: k\n", 2,
	             "guest 'g' has no 'memory' key");
	expect_error("guests:\n  - name: g\n    vcpus: 1\n    memory: 16M\n", 2,
	             "guest 'g' has no 'kernel' key");
	expect_error(HEAD "  - vcpus: 1\n    memory: 16M\n    kernel: k\n", 6,
	             "guest 2 has no 'name' key");
	/* Missing keys are found when the guest ends: at the next guest or a top-level key. */
	expect_error("guests:\n  - name: g\n    vcpus: 1\n" GUEST_B, 2, "no 'memory'");
	expect_error("guests:\n  -\n  - name: g\n", 2, "guest 1 has no 'name' key");
	expect_error(HEAD "    kernel:\n", 6, "duplicate key 'kernel'");
	expect_error(HEAD "    initrd:\n", 6, "missing value for 'initrd'");
	expect_error(HEAD "    initrd:   # none\n", 6, "missing value for 'initrd'");
	expect_error(HEAD "    initrd: ~\n", 6, "null values are not supported");
	expect_error(HEAD "    initrd: null\n", 6, "null values are not supported");
	expect_error(HEAD "    \"initrd\": i\n", 6, "quoted keys are not supported");
	expect_error(HEAD "    initrd:i\n", 6, "expected a space after ':'");
	expect_error(HEAD "    initrd : i\n", 6, "expected 'key: value'");
	expect_error(HEAD "    just text\n", 6, "expected 'key: value'");
	expect_error(HEAD "    : i\n", 6, "expected 'key: value'");
	expect_error(HEAD "    ? initrd\n", 6, "complex keys");
}

static void test_guest_list_errors(void **state)
{
	(void)state;
	expect_error("guests:\n", 1, "empty guest list");
	expect_error("# nothing\nguests:   # here\n# either\n", 2, "empty guest list");
	expect_error("", 0, "no 'guests' key");
	expect_error("# only a comment\n\n", 0, "no 'guests' key");
	expect_error(HEAD "  - name: g\n    vcpus: 2\n    memory: 16M\n    kernel: k\n", 6,
	             "duplicate guest name 'g' (the guest on line 2)");
	expect_error(HEAD GUEST_B "  - name: c\n    vcpus: 1\n    memory: 16M\n    kernel: k\n"
	                          "  - vcpus: 1\n    name: b\n",
	             15, "duplicate guest name 'b' (the guest on line 6)");

	static char text[2048];
	size_t n = (size_t)snprintf(text, sizeof text, "guests:\n");
	for (int i = 0; i < 8; i++)
		n += (size_t)snprintf(
		    text + n, sizeof text - n,
		    "  - name: g%d\n    vcpus: 1\n    memory: 16M\n    kernel: k\n", i);
	expect_ok(text);
	assert_int_equal(config.guest_count, 8);
	assert_string_equal(config.guests[7].name, "g7");
	assert_int_equal(config.guests[7].line, 30);
	snprintf(text + n, sizeof text - n, "# ninth\n  - name: g8\n");
	expect_error(text, 35, "more than 8 guests");
}

static void test_top_level_errors(void **state)
{
	(void)state;
	expect_error("guest:\n", 1, "unknown key 'guest' (expected guests)");
	expect_error(HEAD "version: 1\n", 6, "unknown key 'version'");
	expect_error(HEAD "guests:\n", 6, "duplicate key 'guests' (first on line 1)");
	expect_error("guests: alpha\n", 1, "'guests' takes a block sequence");
	expect_error("guests: 'alpha'\n", 1, "'guests' takes a block sequence");
	expect_error("- name: g\n", 1, "top level must be a mapping with the key 'guests'");
	expect_error("# c\nalpha\n", 2, "expected 'key: value'");
	expect_error("guests:\n  name: g\n", 2, "start each guest with '- '");
	expect_error("  guests:\n", 1, "unexpected indentation");
	expect_error("guests\n", 1, "expected 'key: value'");
}

static void test_indentation_errors(void **state)
{
	(void)state;
	expect_error_at(HEAD "   vcpus: 1\n", 6, 4, "bad indentation: expected 4 spaces");
	expect_error_at(HEAD "      more\n", 6, 7, "unexpected indentation");
	expect_error_at(HEAD "   - name: b\n", 6, 4,
	                "bad indentation: expected 2 spaces before '-'");
	expect_error_at(HEAD "- name: b\n", 6, 1, "bad indentation");
	expect_error_at("guests:\n  -\n  name: g\n", 3, 3, "expected more than 2 spaces");
	expect_error_at("guests:\n  - name: g\n    - x\n", 3, 5, "bad indentation");
	expect_error_at("guests:\n  - - name: g\n", 2, 5, "nested sequences are not supported");
	expect_error(HEAD "    initrd:\n      x: y\n", 6, "missing value for 'initrd'");
	expect_error(HEAD "    kernel2: a: b\n", 6, "unknown key");
	expect_error(HEAD "    initrd: a: b\n", 6, "': ' inside a plain scalar");
	expect_error(HEAD "    initrd: a:\n", 6, "': ' inside a plain scalar");
}

static void test_tabs(void **state)
{
	(void)state;
	expect_error_at("guests:\n\t- name: g\n", 2, 1, "tab in indentation");
	expect_error_at("guests:\n  \t- name: g\n", 2, 3, "tab in indentation");
	expect_error_at("guests:\n  -\tname: g\n", 2, 4, "tab character");
	expect_error_at(HEAD "    initrd:\ti\n", 6, 12, "tab character");
	expect_error_at(HEAD "    initrd: a\tb\n", 6, 14, "tab character");
	expect_error_at(HEAD "    initrd: 'i'\t# c\n", 6, 16, "tab character");
	expect_error_at(HEAD "\t# comment\n", 6, 1, "tab in indentation");
	expect_ok(HEAD "    initrd: i # a\ttab in a comment is fine\n");
}

static void test_unsupported_yaml(void **state)
{
	(void)state;
	expect_error_at("guests: []\n", 1, 9, "flow collections");
	expect_error_at("guests:\n  - {name: g}\n", 2, 5, "flow collections");
	expect_error_at(HEAD "    initrd: [a, b]\n", 6, 13, "flow collections");
	expect_error_at("{guests: x}\n", 1, 1, "flow collections");
	expect_error_at(HEAD "    initrd: &a i\n", 6, 13, "anchors");
	expect_error_at("guests: &list\n", 1, 9, "anchors");
	expect_error_at(HEAD "    initrd: *a\n", 6, 13, "aliases");
	expect_error_at(HEAD "    initrd: !!str i\n", 6, 13, "tags");
	expect_error_at("guests: !!seq\n", 1, 9, "tags");
	expect_error_at(HEAD "    command_line: |\n      a\n", 6, 19, "block scalars");
	expect_error_at(HEAD "    command_line: >-\n      a\n", 6, 19, "multi-line scalars");
	expect_error_at("---\nguests:\n", 1, 1, "document markers");
	expect_error_at(HEAD "---\n" HEAD, 6, 1, "one document per file");
	expect_error_at(HEAD "...\n", 6, 1, "document markers");
	expect_error_at("%YAML 1.2\n---\nguests:\n", 1, 1, "directives");
	expect_error_at(HEAD "    initrd: }\n", 6, 13, "'}' cannot start a plain scalar");
	expect_error_at(HEAD "    initrd: @i\n", 6, 13, "'@' cannot start");
	expect_error_at(HEAD "    initrd: `i\n", 6, 13, "'`' cannot start");
	expect_error_at(HEAD "    initrd: - i\n", 6, 13, "nested sequences");
	expect_error_at(HEAD "    initrd: ? i\n", 6, 13, "complex keys");
}

static void test_scalar_errors(void **state)
{
	(void)state;
	expect_error_at(HEAD "    command_line: \"a b\n      c\"\n", 6, 19,
	                "unterminated double-quoted scalar (multi-line");
	expect_error_at(HEAD "    command_line: 'a b\n      c'\n", 6, 19,
	                "unterminated single-quoted scalar");
	expect_error_at(HEAD "    command_line: \"a\\\n", 6, 21, "backslash at the end of a line");
	expect_error_at(HEAD "    command_line: \"a\\x41\"\n", 6, 21, "unsupported escape '\\x'");
	expect_error_at(HEAD "    command_line: \"\\0\"\n", 6, 20, "unsupported escape '\\0'");
	expect_error_at(HEAD "    command_line: \"\\\xc3\xa9\"\n", 6, 20, "unsupported escape (");
	expect_error_at(HEAD "    command_line: \"a\"b\n", 6, 22,
	                "unexpected text after the closing");
	expect_error_at(HEAD "    command_line: 'a'#c\n", 6, 22,
	                "unexpected text after the closing");
	expect_error_at(HEAD "    command_line: 'a' 'b'\n", 6, 23, "unexpected text");
	expect_error_at(HEAD "    initrd: a#b\n", 6, 14, "'#' inside a plain scalar");
	expect_error_at(HEAD "    command_line: a b\n      c d\n", 7, 7,
	                "multi-line scalars are not supported");
}

static void test_encoding_errors(void **state)
{
	(void)state;
	expect_error_at(HEAD "    initrd: a\xff\n", 6, 14, "invalid UTF-8");
	expect_error_at(HEAD "    initrd: \xc0\x80\n", 6, 13, "invalid UTF-8");     /* overlong */
	expect_error_at(HEAD "    initrd: \xe0\x80\xaf\n", 6, 13, "invalid UTF-8"); /* overlong */
	expect_error_at(HEAD "    initrd: \xed\xa0\x80\n", 6, 13, "invalid UTF-8"); /* surrogate */
	expect_error_at(HEAD "    initrd: \xf4\x90\x80\x80\n", 6, 13,
	                "invalid UTF-8"); /* > U+10FFFF */
	expect_error_at(HEAD "    initrd: \xf8\x88\x80\x80\x80\n", 6, 13, "invalid UTF-8");
	expect_error_at(HEAD "    initrd: a\xc3\n", 6, 14, "invalid UTF-8");
	expect_error_at(HEAD "    initrd: a\xe2\x82", 6, 14, "invalid UTF-8"); /* cut at the end */
	expect_error_at(HEAD "# \x80 in a comment too\n", 6, 3, "invalid UTF-8");
	expect_error_at("guests:\n  - name: a\rb\n", 2, 12, "carriage return not followed");
	expect_error_at(HEAD "    initrd: a\x01\n", 6, 14, "control character 0x01");
	expect_error_at(HEAD "    initrd: a\x7f\n", 6, 14, "control character 0x7f");
	expect_error_at(HEAD "    initrd: a\x1b[0m\n", 6, 14, "control character 0x1b");
	/* A NUL inside the buffer is a control character, not the end. */
	assert_int_equal(parse_len(HEAD "    initrd: a\0b\n", sizeof HEAD + 15), -1);
	assert_int_equal(err.line, 6);
	assert_int_equal(err.column, 14);
	assert_non_null(strstr(err.message, "control character 0x00"));
	/* A byte-order mark is only skipped at the start. */
	expect_ok(HEAD "    initrd: a\xef\xbb\xbf\n");
}

/* The default configuration padded with a comment to exactly size bytes. */
static char *padded_default(size_t size)
{
	size_t len;
	const char *text = read_text(TEST_CONFIG_DIR "/default.yaml", &len);
	char *big = malloc(size);
	assert_non_null(big);
	memcpy(big, text, len);
	big[len] = '#';
	memset(big + len + 1, 'x', size - len - 2);
	big[size - 1] = '\n';
	return big;
}

static void test_file_size_limit(void **state)
{
	(void)state;
	char *big = padded_default(CONFIG_MAX_FILE_BYTES);
	assert_int_equal(config_parse(big, CONFIG_MAX_FILE_BYTES, "big.yaml", &config, &err), 0);
	assert_int_equal(config.guest_count, 2);
	free(big);
	big = padded_default(CONFIG_MAX_FILE_BYTES + 1);
	assert_int_equal(config_parse(big, CONFIG_MAX_FILE_BYTES + 1, "big.yaml", &config, &err),
	                 -1);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "file is larger than 1 MiB");
	free(big);
}

/* ---- robustness ---- */

static void test_every_prefix_of_default(void **state)
{
	(void)state;
	size_t len;
	const char *text = read_text(TEST_CONFIG_DIR "/default.yaml", &len);
	unsigned parsed = 0;
	for (size_t n = 0; n <= len; n++) {
		int rc = parse_len(text, n);
		if (rc == 0) {
			parsed++;
			assert_in_range(config.guest_count, 1, 2);
			assert_true(config.guests[config.guest_count - 1].kernel[0] != '\0');
		} else {
			assert_int_equal(rc, -1);
			assert_true(err.message[0] != '\0');
			assert_int_equal(config.guest_count, 0);
		}
	}
	/* Cuts inside the last values of each guest still parse, shorter. */
	assert_true(parsed > 20);
	assert_int_equal(parse_len(text, len), 0);
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* Only the first len bytes count: the rest of the string is never read. */
	static const char text[] = HEAD "    initrd: i\n  - name: b\n";
	size_t len = sizeof(HEAD) - 1 + strlen("    initrd: i");
	assert_int_equal(parse_len(text, len), 0);
	assert_int_equal(config.guest_count, 1);
	assert_string_equal(config.guests[0].initrd, "i");
	/* A value cut by the buffer's end, in each style. */
	assert_int_equal(parse_len(HEAD "    command_line: abc", sizeof HEAD - 1 + 20), 0);
	assert_string_equal(config.guests[0].command_line, "ab");
	assert_int_equal(parse_len(HEAD "    command_line: \"abc\"", sizeof HEAD - 1 + 22), -1);
	assert_non_null(strstr(err.message, "unterminated"));
	assert_int_equal(parse_len(HEAD "    command_line: 'a''", sizeof HEAD - 1 + 22), -1);
	assert_non_null(strstr(err.message, "unterminated"));
	assert_int_equal(parse_len(HEAD "    command_line: \"a\\\"", sizeof HEAD - 1 + 21), -1);
	assert_non_null(strstr(err.message, "backslash at the end"));
	/* Empty and NULL buffers. */
	assert_int_equal(config_parse(NULL, 0, NULL, &config, &err), -1);
	assert_string_equal(err.file_name, "<input>");
}

/* ---- messages ---- */

static void test_error_format(void **state)
{
	(void)state;
	char text[400];
	expect_error(HEAD "    memroy: 256M\n", 6, "unknown key");
	config_error_format(&err, text, sizeof text);
	assert_string_equal(text, "test.yaml:6: unknown key 'memroy' (expected name, vcpus, "
	                          "memory, kernel, initrd, command_line, on_fault)");
	expect_error_at("guests:\n\t- name: a\n", 2, 1, "tab");
	config_error_format(&err, text, sizeof text);
	assert_string_equal(text, "test.yaml:2:1: tab in indentation (indent with spaces)");
	expect_error("", 0, "no 'guests'");
	config_error_format(&err, text, sizeof text);
	assert_string_equal(text, "test.yaml: no 'guests' key: the file must describe a list of "
	                          "guests");
	/* Truncated, but terminated. */
	assert_true(config_error_format(&err, text, 8) > 8);
	assert_string_equal(text, "test.ya");
	/* Values in messages are cut and made printable. */
	expect_error(HEAD "    vcpus2: 1\n", 6, "'vcpus2'");
	expect_error(guest_with("memory", "\"1\\n2\""), 5, "not '1?2'");
	char long_value[100];
	memset(long_value, 'x', 99);
	long_value[99] = '\0';
	expect_error(guest_with("memory", long_value), 5,
	             "not 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
}

/* ---- files and machine fit ---- */

static char temp_dir[64];

static void write_file(const char *name, const char *content)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", temp_dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int make_temp_dir(void **state)
{
	(void)state;
	snprintf(temp_dir, sizeof temp_dir, "/tmp/test_fvconfig.XXXXXX");
	if (!mkdtemp(temp_dir))
		return -1;
	write_file("Image", "kernel");
	write_file("initrd.cpio", "070701");
	write_file("empty", "");
	char path[256];
	snprintf(path, sizeof path, "%s/dir", temp_dir);
	return mkdir(path, 0700);
}

static int remove_temp_dir(void **state)
{
	(void)state;
	static const char *const names[] = {"Image", "initrd.cpio", "empty", "dir"};
	char path[256];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
		remove(path);
	}
	return remove(temp_dir);
}

#define FILES_GUEST(kernel, initrd)                                                \
	"guests:\n  - name: a\n    vcpus: 1\n    memory: 16M\n    kernel: Image\n" \
	"  - name: b\n    vcpus: 1\n    memory: 16M\n    kernel: " kernel "\n" initrd

static void test_check_files(void **state)
{
	(void)state;
	expect_ok(FILES_GUEST("Image", "    initrd: initrd.cpio\n"));
	assert_int_equal(config_check_files(&config, temp_dir, &err), 0);

	expect_ok(FILES_GUEST("Imagex", ""));
	assert_int_equal(config_check_files(&config, temp_dir, &err), -1);
	assert_int_equal(err.line, 9);
	assert_string_equal(err.file_name, "test.yaml");
	assert_non_null(strstr(err.message, "guest 'b': cannot open kernel 'Imagex'"));

	expect_ok(FILES_GUEST("Image", "    command_line: c\n    initrd: nothing.cpio\n"));
	assert_int_equal(config_check_files(&config, temp_dir, &err), -1);
	assert_int_equal(err.line, 11);
	assert_non_null(strstr(err.message, "cannot open initrd 'nothing.cpio'"));

	expect_ok(FILES_GUEST("empty", ""));
	assert_int_equal(config_check_files(&config, temp_dir, &err), -1);
	assert_int_equal(err.line, 9);
	assert_non_null(strstr(err.message, "kernel 'empty' is empty"));

	expect_ok(FILES_GUEST("dir", ""));
	assert_int_equal(config_check_files(&config, temp_dir, &err), -1);
	assert_int_equal(err.line, 9);
	assert_non_null(strstr(err.message, "'dir'"));

	/* Relative paths are taken from the base directory only. */
	expect_ok(FILES_GUEST("Image", ""));
	assert_int_equal(config_check_files(&config, "/nonexistent", &err), -1);
	assert_int_equal(err.line, 5);

	/* Absolute paths ignore it; no base directory is the current one. */
	char text[512];
	snprintf(text, sizeof text,
	         "guests:\n  - name: a\n    vcpus: 1\n    memory: 16M\n    kernel: %s/Image\n",
	         temp_dir);
	expect_ok(text);
	assert_int_equal(config_check_files(&config, "/nonexistent", &err), 0);
	assert_int_equal(config_check_files(&config, NULL, &err), 0);
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(temp_dir), 0);
	expect_ok(FILES_GUEST("Image", "    initrd: initrd.cpio\n"));
	int in_temp = config_check_files(&config, NULL, &err);
	int in_temp_empty = config_check_files(&config, "", &err);
	assert_int_equal(chdir("/"), 0);
	int in_root = config_check_files(&config, NULL, &err);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(in_temp, 0);
	assert_int_equal(in_temp_empty, 0);
	assert_int_equal(in_root, -1);
}

static void test_check_fit(void **state)
{
	(void)state;
	size_t len;
	const char *text = read_text(TEST_CONFIG_DIR "/default.yaml", &len);
	assert_int_equal(parse_len(text, len), 0);
	uint64_t needed = 512 * MIB + CONFIG_RESERVE_BYTES + 2 * CONFIG_GUEST_OVERHEAD_BYTES;
	assert_int_equal(config_check_fit(&config, needed, 1, &err), 0);
	assert_int_equal(config_check_fit(&config, UINT64_MAX, 1, &err), 0);
	assert_int_equal(config_check_fit(&config, needed - 1, 1, &err), -1);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "the guests need 584 MiB"));
	assert_non_null(strstr(err.message, "the machine has 583 MiB"));

	expect_ok(guest_with("vcpus", "8"));
	assert_int_equal(config_check_fit(&config, UINT64_MAX, 2, &err), 0);
	assert_int_equal(config_check_fit(&config, UINT64_MAX, 1, &err), -1);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.message, "guest 'g' has 8 vCPUs, more than 4"));
	assert_int_equal(config_check_fit(&config, UINT64_MAX, 0, &err), -1);

	/* Eight guests of the largest size add up without overflow. */
	static char big[2048];
	size_t n = (size_t)snprintf(big, sizeof big, "guests:\n");
	for (int i = 0; i < 8; i++)
		n += (size_t)snprintf(
		    big + n, sizeof big - n,
		    "  - name: g%d\n    vcpus: 8\n    memory: 64G\n    kernel: k\n", i);
	expect_ok(big);
	assert_int_equal(config_check_fit(&config, 512ull * 1024 * MIB, 64, &err), -1);
	assert_int_equal(config_check_fit(&config, UINT64_MAX, 2, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_config),
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_brief_example_values),
	    cmocka_unit_test(test_double_quoted_escapes),
	    cmocka_unit_test(test_single_quoted),
	    cmocka_unit_test(test_plain_scalars),
	    cmocka_unit_test(test_comments_everywhere),
	    cmocka_unit_test(test_layouts),
	    cmocka_unit_test(test_crlf_bom_no_final_newline),
	    cmocka_unit_test(test_memory_sizes),
	    cmocka_unit_test(test_vcpus),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_paths_and_command_line),
	    cmocka_unit_test(test_key_errors),
	    cmocka_unit_test(test_variables),
	    cmocka_unit_test(test_variable_errors),
	    cmocka_unit_test(test_variable_names),
	    cmocka_unit_test(test_on_fault),
	    cmocka_unit_test(test_guest_list_errors),
	    cmocka_unit_test(test_top_level_errors),
	    cmocka_unit_test(test_indentation_errors),
	    cmocka_unit_test(test_tabs),
	    cmocka_unit_test(test_unsupported_yaml),
	    cmocka_unit_test(test_scalar_errors),
	    cmocka_unit_test(test_encoding_errors),
	    cmocka_unit_test(test_file_size_limit),
	    cmocka_unit_test(test_every_prefix_of_default),
	    cmocka_unit_test(test_not_nul_terminated),
	    cmocka_unit_test(test_error_format),
	    cmocka_unit_test_setup_teardown(test_check_files, make_temp_dir, remove_temp_dir),
	    cmocka_unit_test(test_check_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
