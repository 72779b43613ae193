/*
 * Unit tests of fv_snprintf / fv_vsnprintf. The host C library is the oracle:
 * for every format the kernel supports, both must produce the same characters
 * and the same return value. %p is checked against fixed strings, since the
 * kernel prints NULL as 0x0 where glibc prints (nil).
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

#include <fv/format.h>

#define BUF_SIZE 512

typedef int (*printer_fn)(char *buf, size_t size, const char *fmt, ...);

/* Formats with the kernel and with libc; fails unless text and return value agree. */
static void PRINTF_LIKE(1, 2) check_same(const char *fmt, ...)
{
	char want[BUF_SIZE], got[BUF_SIZE];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int want_n = vsnprintf(want, sizeof(want), fmt, ap);
	int got_n = fv_vsnprintf(got, sizeof(got), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	if (want_n != got_n || memcmp(want, got, (size_t)MIN(want_n, BUF_SIZE - 1) + 1) != 0)
		fail_msg("format \"%s\": libc \"%s\" (%d), fv \"%s\" (%d)", fmt, want, want_n, got,
		         got_n);
}

enum length { LEN_HH, LEN_H, LEN_NONE, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

static const struct {
	const char *text;
	enum length length;
} lengths[] = {
    {"hh", LEN_HH}, {"h", LEN_H}, {"", LEN_NONE}, {"l", LEN_L},
    {"ll", LEN_LL}, {"z", LEN_Z}, {"t", LEN_T},   {"j", LEN_J},
};

static const int64_t int_values[] = {
    0,
    1,
    -1,
    7,
    -42,
    127,
    128,
    -128,
    255,
    256,
    32767,
    -32768,
    65535,
    INT32_MAX,
    INT32_MIN,
    (int64_t)UINT32_MAX,
    0x123456789abcdefll,
    -0x123456789abcdefll,
    INT64_MAX,
    INT64_MIN,
};

/* Passes `v` as the type the length modifier expects. */
static int print_int(printer_fn print, char *buf, const char *fmt, enum length length,
                     bool is_signed, int64_t v)
{
	switch (length) {
	case LEN_HH:
	case LEN_H:
	case LEN_NONE:
		return is_signed ? print(buf, BUF_SIZE, fmt, (int)v)
		                 : print(buf, BUF_SIZE, fmt, (unsigned)v);
	case LEN_L:
		return is_signed ? print(buf, BUF_SIZE, fmt, (long)v)
		                 : print(buf, BUF_SIZE, fmt, (unsigned long)v);
	case LEN_LL:
		return is_signed ? print(buf, BUF_SIZE, fmt, (long long)v)
		                 : print(buf, BUF_SIZE, fmt, (unsigned long long)v);
	case LEN_Z:
		return is_signed ? print(buf, BUF_SIZE, fmt, (ptrdiff_t)v)
		                 : print(buf, BUF_SIZE, fmt, (size_t)v);
	case LEN_T:
		return print(buf, BUF_SIZE, fmt, (ptrdiff_t)v);
	case LEN_J:
		return is_signed ? print(buf, BUF_SIZE, fmt, (intmax_t)v)
		                 : print(buf, BUF_SIZE, fmt, (uintmax_t)v);
	}
	return -1;
}

/*
 * Every combination of flags, width, precision, length and value for the
 * given conversions. '#' is left out of d, i and u, where C leaves it undefined.
 */
static void check_int_conversions(const char *convs)
{
	static const char flag_chars[] = "-0+ #";
	static const char *const widths[] = {"", "1", "2", "7", "24"};
	static const char *const precisions[] = {"", ".", ".0", ".1", ".3", ".21"};
	unsigned checked = 0;

	for (const char *conv = convs; *conv; conv++) {
		bool is_signed = *conv == 'd' || *conv == 'i';
		bool alt_ok = strchr("xXo", *conv) != NULL;
		for (unsigned mask = 0; mask < 32; mask++) {
			char flags[8] = "";
			size_t nflags = 0;
			for (unsigned b = 0; b < 5; b++)
				if (mask & (1u << b))
					flags[nflags++] = flag_chars[b];
			if (!alt_ok && strchr(flags, '#'))
				continue;
			for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
				for (size_t p = 0; p < ARRAY_SIZE(precisions); p++)
					for (size_t l = 0; l < ARRAY_SIZE(lengths); l++) {
						char fmt[32], want[BUF_SIZE], got[BUF_SIZE];
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flags,
						         widths[w], precisions[p], lengths[l].text,
						         *conv);
						for (size_t v = 0; v < ARRAY_SIZE(int_values);
						     v++) {
							int64_t value = int_values[v];
							int want_n = print_int(snprintf, want, fmt,
							                       lengths[l].length,
							                       is_signed, value);
							int got_n = print_int(fv_snprintf, got, fmt,
							                      lengths[l].length,
							                      is_signed, value);
							if (want_n != got_n ||
							    strcmp(want, got) != 0)
								fail_msg(
								    "format \"%s\" value %lld: "
								    "libc "
								    "\"%s\" (%d), fv \"%s\" (%d)",
								    fmt, (long long)value, want,
								    want_n, got, got_n);
							checked++;
						}
					}
		}
	}
	assert_true(checked > 10000);
}

static void test_signed_conversions_match_libc(void **state)
{
	(void)state;
	check_int_conversions("di");
}

static void test_unsigned_conversions_match_libc(void **state)
{
	(void)state;
	check_int_conversions("uxXo");
}

static void test_integer_edge_cases_print_exact_text(void **state)
{
	(void)state;
	static const struct {
		const char *want;
		const char *fmt;
		enum length length;
		bool is_signed;
		int64_t value;
	} cases[] = {
	    {"-9223372036854775808", "%lld", LEN_LL, true, INT64_MIN},
	    {"-9223372036854775808", "%jd", LEN_J, true, INT64_MIN},
	    {"-9223372036854775808", "%ld", LEN_L, true, INT64_MIN},
	    {"9223372036854775807", "%zd", LEN_Z, true, INT64_MAX},
	    {"18446744073709551615", "%llu", LEN_LL, false, -1},
	    {"1777777777777777777777", "%llo", LEN_LL, false, -1},
	    {"FFFFFFFFFFFFFFFF", "%jX", LEN_J, false, -1},
	    {"-2147483648", "%d", LEN_NONE, true, INT32_MIN},
	    {"-128", "%hhd", LEN_HH, true, 128},
	    {"255", "%hhu", LEN_HH, false, -1},
	    {"-1", "%hd", LEN_H, true, 0xffff},
	    {"65535", "%hu", LEN_H, false, -1},
	    {"[]", "[%.0d]", LEN_NONE, true, 0},
	    {"[   ]", "[%3.0x]", LEN_NONE, false, 0},
	    {"[+]", "[%+.0d]", LEN_NONE, true, 0},
	    {"[0]", "[%#.0o]", LEN_NONE, false, 0},
	    {"[0]", "[%#x]", LEN_NONE, false, 0},
	    {"[0x00ff]", "[%#06x]", LEN_NONE, false, 0xff},
	    {"[-0042]", "[%05d]", LEN_NONE, true, -42},
	    {"[   -042]", "[%07.3d]", LEN_NONE, true, -42},
	    {"[-42   ]", "[%-06d]", LEN_NONE, true, -42},
	    {"[ 42]", "[% d]", LEN_NONE, true, 42},
	    {"[+42]", "[%+ d]", LEN_NONE, true, 42},
	    {"[017]", "[%#o]", LEN_NONE, false, 15},
	    {"[0X2A]", "[%#X]", LEN_NONE, false, 42},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char got[BUF_SIZE];
		int n = print_int(fv_snprintf, got, cases[i].fmt, cases[i].length,
		                  cases[i].is_signed, cases[i].value);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
}

static void test_char_conversion_matches_libc(void **state)
{
	(void)state;
	static const char *const fmts[] = {"<%c>", "<%1c>", "<%3c>", "<%-3c>", "<%12c>", "<%-12c>"};
	static const int values[] = {'a', 'Z', ' ', '%', 0, 0xff, 0x141};
	for (size_t f = 0; f < ARRAY_SIZE(fmts); f++)
		for (size_t v = 0; v < ARRAY_SIZE(values); v++)
			check_same(fmts[f], values[v]);
}

static void test_string_conversion_matches_libc(void **state)
{
	(void)state;
	static const char *const strings[] = {"", "x", "hello", "thirty characters of some text"};
	static const char *const flags[] = {"", "-"};
	static const char *const widths[] = {"", "1", "5", "40"};
	static const char *const precisions[] = {"", ".", ".0", ".2", ".5", ".40"};
	for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++)
				for (size_t s = 0; s < ARRAY_SIZE(strings); s++) {
					char fmt[32];
					snprintf(fmt, sizeof(fmt), "<%%%s%s%ss>", flags[f],
					         widths[w], precisions[p]);
					check_same(fmt, strings[s]);
				}
}

static void test_null_string_prints_null_marker(void **state)
{
	(void)state;
	static const struct {
		const char *fmt, *want;
	} cases[] = {
	    {"%s", "(null)"},
	    {"[%8s]", "[  (null)]"},
	    {"[%-8s]", "[(null)  ]"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char got[32];
		int n = fv_snprintf(got, sizeof(got), cases[i].fmt, (const char *)NULL);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
}

static void test_star_width_and_precision_match_libc(void **state)
{
	(void)state;
	static const char *const int_fmts[] = {"<%*d>",   "<%-*d>", "<%0*d>",  "<%.*d>",
	                                       "<%+.*d>", "<%#*x>", "<%#.*o>", "<%0*X>"};
	static const int values[] = {0, 5, -5, 123456, INT32_MIN};
	for (int n = -12; n <= 12; n++)
		for (size_t f = 0; f < ARRAY_SIZE(int_fmts); f++)
			for (size_t v = 0; v < ARRAY_SIZE(values); v++)
				check_same(int_fmts[f], n, values[v]);
	static const char *const int_pair_fmts[] = {"<%*.*d>", "<%0*.*x>", "<%-#*.*o>"};
	static const char *const str_pair_fmts[] = {"<%*.*s>", "<%-*.*s>"};
	for (int w = -12; w <= 12; w += 3)
		for (int p = -3; p <= 12; p++) {
			for (size_t f = 0; f < ARRAY_SIZE(int_pair_fmts); f++)
				check_same(int_pair_fmts[f], w, p, -77);
			for (size_t f = 0; f < ARRAY_SIZE(str_pair_fmts); f++)
				check_same(str_pair_fmts[f], w, p, "string");
		}
}

static void test_percent_and_literal_text_match_libc(void **state)
{
	(void)state;
	check_same("%s", "");
	check_same("plain text%s", "");
	check_same("%%");
	check_same("100%% done");
	check_same("%%d %d%%", 5);
	check_same("a%db%sc%xd%ce%%f%lluz", -1, "mid", 0xbeefu, '!', 18446744073709551615ull);
	check_same("%5d|%-5d|%05d|%+d|% d|%#x|%#o", 1, 2, 3, 4, 5, 6u, 7u);
}

static void test_empty_format_gives_empty_string(void **state)
{
	(void)state;
	char buf[4] = "xyz";
	assert_int_equal(fv_snprintf(buf, sizeof(buf), "%s", ""), 0);
	assert_string_equal(buf, "");
}

/* Unsupported conversions are printed as written and consume no argument. */
static void test_unknown_conversion_printed_as_written(void **state)
{
	(void)state;
	char buf[32];
	const char *fmt = "%y|%d|";
	assert_int_equal(fv_snprintf(buf, sizeof(buf), fmt, 5), 5);
	assert_string_equal(buf, "%y|5|");
	const char *trailing = "end%";
	assert_int_equal(fv_snprintf(buf, sizeof(buf), trailing, 0), 4);
	assert_string_equal(buf, "end%");
}

static void test_pointer_conversion_prints_hex_with_prefix(void **state)
{
	(void)state;
	static const struct {
		const char *fmt;
		uintptr_t value;
		const char *want;
	} cases[] = {
	    {"%p", 0, "0x0"},
	    {"%p", 0x1234, "0x1234"},
	    {"%p", 0xffffffff80200000u, "0xffffffff80200000"},
	    {"%p", UINTPTR_MAX, "0xffffffffffffffff"},
	    {"[%6p]", 0, "[   0x0]"},
	    {"[%-6p]", 0, "[0x0   ]"},
	    {"[%10p]", 0xabc, "[     0xabc]"},
	    {"[%-10p]", 0xabc, "[0xabc     ]"},
	    {"[%.6p]", 0xabc, "[0x000abc]"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[64];
		int n = fv_snprintf(buf, sizeof(buf), cases[i].fmt, (void *)cases[i].value);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
}

/* For non-NULL pointers glibc prints the same as the kernel. */
static void test_nonnull_pointer_matches_libc(void **state)
{
	(void)state;
	static const char *const fmts[] = {"<%p>", "<%20p>", "<%-20p>", "<%3p>", "<%.12p>"};
	static const uintptr_t values[] = {1, 0x80200000, 0xffffffc000000000u, UINTPTR_MAX};
	for (size_t f = 0; f < ARRAY_SIZE(fmts); f++)
		for (size_t v = 0; v < ARRAY_SIZE(values); v++)
			check_same(fmts[f], (void *)values[v]);
}

/* Every buffer size from 0 up: same return, a NUL-terminated prefix, nothing past size. */
static void check_truncation(const char *fmt, int value, const char *str)
{
	char text[BUF_SIZE];
	int full = snprintf(text, sizeof(text), fmt, value, str);
	assert_in_range(full, 1, BUF_SIZE - 8);
	for (size_t size = 0; size <= (size_t)full + 3; size++) {
		char want[BUF_SIZE], got[BUF_SIZE];
		memset(want, 0x5a, sizeof(want));
		memset(got, 0x5a, sizeof(got));
		assert_int_equal(fv_snprintf(got, size, fmt, value, str), full);
		assert_int_equal(snprintf(want, size, fmt, value, str), full);
		assert_memory_equal(got, want, sizeof(got));
		if (size > 0) {
			size_t kept = MIN(size - 1, (size_t)full);
			assert_memory_equal(got, text, kept);
			assert_int_equal(got[kept], '\0');
		}
		assert_int_equal((unsigned char)got[size], 0x5a);
	}
}

static void test_truncation_matches_libc_for_every_size(void **state)
{
	(void)state;
	check_truncation("%d:%s", -12345, "truncated output");
	check_truncation("%-300d|%s", 7, "tail");
	check_truncation("%#030x%s", 0xbeef, "");
	check_truncation("%.0d%s", 0, "only the string");
}

static void test_size_zero_writes_nothing_and_returns_length(void **state)
{
	(void)state;
	char buf[4] = "abc";
	assert_int_equal(fv_snprintf(buf, 0, "%d-%s", 12345, "xyz"), 9);
	assert_memory_equal(buf, "abc", 4);
	assert_int_equal(fv_snprintf(NULL, 0, "%llx", 0xfedcba9876543210ull), 16);
}

static void test_output_is_nul_terminated_when_exactly_full(void **state)
{
	(void)state;
	char buf[6];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fv_snprintf(buf, sizeof(buf), "%s", "12345"), 5);
	assert_string_equal(buf, "12345");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fv_snprintf(buf, sizeof(buf), "%s", "123456"), 6);
	assert_string_equal(buf, "12345");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fv_snprintf(buf, 1, "%s", "123456"), 6);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
}

static void test_huge_widths_are_capped_and_consume_their_digits(void **state)
{
	(void)state;
	char buf[64];
	int n = fv_snprintf(buf, sizeof(buf), "[%1234567d|%s]", 1, "x");
	assert_int_equal(n, FORMAT_MAX_FIELD + 4);
	assert_string_equal(buf + strlen(buf) - 1, " ");
	char *big = malloc(FORMAT_MAX_FIELD + 16);
	assert_non_null(big);
	n = fv_snprintf(big, FORMAT_MAX_FIELD + 16, "[%1234567d|%s]", 1, "x");
	assert_string_equal(big + n - 4, "1|x]");
	free(big);
	volatile int lowest = INT32_MIN, highest = INT32_MAX;
	n = fv_snprintf(buf, sizeof(buf), "%*d|%.*d", lowest, 7, highest, 8);
	assert_int_equal(n, FORMAT_MAX_FIELD + 1 + FORMAT_MAX_FIELD);
	assert_int_equal(buf[0], '7');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_conversions_match_libc),
	    cmocka_unit_test(test_unsigned_conversions_match_libc),
	    cmocka_unit_test(test_integer_edge_cases_print_exact_text),
	    cmocka_unit_test(test_char_conversion_matches_libc),
	    cmocka_unit_test(test_string_conversion_matches_libc),
	    cmocka_unit_test(test_null_string_prints_null_marker),
	    cmocka_unit_test(test_star_width_and_precision_match_libc),
	    cmocka_unit_test(test_percent_and_literal_text_match_libc),
	    cmocka_unit_test(test_empty_format_gives_empty_string),
	    cmocka_unit_test(test_unknown_conversion_printed_as_written),
	    cmocka_unit_test(test_pointer_conversion_prints_hex_with_prefix),
	    cmocka_unit_test(test_nonnull_pointer_matches_libc),
	    cmocka_unit_test(test_truncation_matches_libc_for_every_size),
	    cmocka_unit_test(test_size_zero_writes_nothing_and_returns_length),
	    cmocka_unit_test(test_output_is_nul_terminated_when_exactly_full),
	    cmocka_unit_test(test_huge_widths_are_capped_and_consume_their_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
