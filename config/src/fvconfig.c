/*
 * The system-configuration parser (see fvconfig.h for the accepted subset).
 *
 * The input is checked as a whole first (size, UTF-8, control characters),
 * then read line by line: every line is a comment, the top-level key
 * `guests:`, a sequence item "- ..." opening a guest, or one "key: value" of
 * the open guest. Indentation decides nothing beyond that: the first item
 * fixes the column of every item, the first key of a guest the column of
 * its keys, and any other indentation is an error. Lines are not
 * NUL-terminated; at() returns '\0' past a line's end, which stands for "end
 * of line" since a NUL byte is refused up front.
 */
#include "fvconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

enum key {
	KEY_NAME,
	KEY_VCPUS,
	KEY_MEMORY,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_COMMAND_LINE,
	KEY_ON_FAULT,
	KEY_COUNT
};

static const char *const key_names[KEY_COUNT] = {"name",   "vcpus",        "memory",  "kernel",
                                                 "initrd", "command_line", "on_fault"};
#define KEY_LIST "name, vcpus, memory, kernel, initrd, command_line, on_fault"

#define DISPLAY_MAX       40 /* bytes of a value or key quoted in a message */
#define DEFAULT_FILE_NAME "<input>"

/*
 * A scalar's decoded value. Bytes beyond the buffer are counted but not
 * kept: every key's limit is below the buffer size, so an over-long value
 * is still reported with its real length.
 */
struct scalar {
	char text[CONFIG_CMDLINE_MAX + 2];
	size_t len;
};

struct line {
	const char *text;
	size_t len; /* without the line end */
	unsigned number;
};

struct parser {
	const char *text;
	size_t len;
	size_t next; /* offset of the next line */
	struct line line;
	struct system_config *out;
	struct config_error *err;
	unsigned guests_line;       /* of "guests:", 0 before it */
	int seq_indent;             /* column - 1 of every "-", -1 before the first */
	int map_indent;             /* of the open guest's keys, -1 before its first */
	struct guest_config *guest; /* the open guest, NULL when none */
	unsigned key_lines[KEY_COUNT];
	struct scalar value;
};

static void set_file_name(char *dst, const char *file_name)
{
	snprintf(dst, CONFIG_FILE_NAME_MAX + 1, "%s", file_name ? file_name : DEFAULT_FILE_NAME);
}

PRINTF_LIKE(5, 0)
static int vset_error(struct config_error *err, const char *file_name, unsigned line,
                      unsigned column, const char *fmt, va_list ap)
{
	set_file_name(err->file_name, file_name);
	err->line = line;
	err->column = column;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	return -1;
}

PRINTF_LIKE(5, 6)
static int set_error(struct config_error *err, const char *file_name, unsigned line,
                     unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_error(err, file_name, line, column, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error on the current line; column 0 when the line says enough. */
PRINTF_LIKE(3, 4)
static int fail(struct parser *p, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_error(p->err, p->out->file_name, p->line.number, column, fmt, ap);
	va_end(ap);
	return -1;
}

PRINTF_LIKE(4, 5)
static int fail_at(struct parser *p, unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_error(p->err, p->out->file_name, line, column, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Copies up to DISPLAY_MAX bytes of s for a message: control characters
 * become '?', and a cut never splits a UTF-8 sequence.
 */
static const char *display(const char *s, size_t len, char buf[DISPLAY_MAX + 4])
{
	size_t n = len;
	if (n > DISPLAY_MAX) {
		n = DISPLAY_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	strcpy(buf + n, n < len ? "..." : "");
	return buf;
}

/* ---- the input as a whole ---- */

/* Length of the valid UTF-8 sequence at s (avail bytes), 0 when invalid. */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp, min;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0fu, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and code points past Unicode's end are invalid. */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Refuses invalid UTF-8 and control characters other than tab and line
 * ends, so that the line reader never meets a NUL and messages stay
 * printable. A carriage return is only accepted before a line feed (or at
 * the very end).
 */
static int check_encoding(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->text;
	unsigned line = 1, column = 1;
	size_t i = 0;
	while (i < p->len) {
		unsigned char c = s[i];
		size_t n = 1;
		if (c == '\n') {
			line++, column = 1, i++;
			continue;
		}
		if (c == '\r' && i + 1 < p->len && s[i + 1] != '\n')
			return fail_at(p, line, column,
			               "carriage return not followed by a line feed");
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return fail_at(p, line, column, "control character 0x%02x", c);
		if (c >= 0x80 && (n = utf8_length(s + i, p->len - i)) == 0)
			return fail_at(p, line, column, "invalid UTF-8");
		i += n, column += (unsigned)n;
	}
	return 0;
}

/* ---- lines and characters ---- */

static bool next_line(struct parser *p)
{
	if (p->next >= p->len)
		return false;
	const char *start = p->text + p->next;
	size_t rest = p->len - p->next;
	const char *newline = memchr(start, '\n', rest);
	size_t n = newline ? (size_t)(newline - start) : rest;
	p->next += newline ? n + 1 : n;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	p->line.text = start;
	p->line.len = n;
	p->line.number++;
	return true;
}

static char at(const struct parser *p, size_t i)
{
	return i < p->line.len ? p->line.text[i] : '\0';
}

static bool is_blank_or_end(char c)
{
	return c == ' ' || c == '\t' || c == '\0';
}

static int skip_spaces(struct parser *p, size_t *i)
{
	while (at(p, *i) == ' ')
		(*i)++;
	if (at(p, *i) == '\t')
		return fail(p, (unsigned)*i + 1, "tab character (use spaces)");
	return 0;
}

/* Whether only spaces and a comment are left from i (after skip_spaces). */
static bool at_line_end(const struct parser *p, size_t i)
{
	return at(p, i) == '\0' || (at(p, i) == '#' && (i == 0 || at(p, i - 1) == ' '));
}

/*
 * Refuses what YAML would read as something other than a plain scalar (or
 * a plain key) at i: flow collections, anchors, aliases, tags, block
 * scalars, directives, nested sequences, complex keys and the reserved
 * indicators.
 */
static int check_scalar_start(struct parser *p, size_t i)
{
	char c = at(p, i);
	unsigned column = (unsigned)i + 1;
	switch (c) {
	case '{':
	case '[':
		return fail(p, column, "flow collections ('{...}', '[...]') are not supported");
	case '&':
		return fail(p, column, "anchors ('&') are not supported");
	case '*':
		return fail(p, column, "aliases ('*') are not supported");
	case '!':
		return fail(p, column, "tags ('!') are not supported");
	case '|':
	case '>':
		return fail(p, column,
		            "block scalars ('|', '>') are not supported: "
		            "multi-line scalars are not supported");
	case '%':
		return fail(p, column, "directives ('%%') are not supported");
	case '}':
	case ']':
	case ',':
	case '@':
	case '`':
		return fail(p, column, "'%c' cannot start a plain scalar: quote the value", c);
	}
	if (!is_blank_or_end(at(p, i + 1)))
		return 0;
	if (c == '-')
		return fail(p, column, "nested sequences are not supported");
	if (c == '?')
		return fail(p, column, "complex keys ('? ') are not supported");
	if (c == ':')
		return fail(p, column, "expected 'key: value'");
	return 0;
}

/* ---- scalars ---- */

static void put(struct scalar *s, char c)
{
	if (s->len < sizeof s->text - 1)
		s->text[s->len] = c;
	s->len++;
}

static void terminate(struct scalar *s)
{
	s->text[s->len < sizeof s->text - 1 ? s->len : sizeof s->text - 1] = '\0';
}

/* After a closing quote only spaces and a comment may follow. */
static int finish_quoted(struct parser *p, size_t i)
{
	size_t j = i;
	if (skip_spaces(p, &j))
		return -1;
	if (at(p, j) == '\0' || (at(p, j) == '#' && j > i))
		return 0;
	return fail(p, (unsigned)j + 1, "unexpected text after the closing quote");
}

static int bad_escape(struct parser *p, size_t i)
{
	char e = at(p, i + 1);
	if (e == '\0')
		return fail(p, (unsigned)i + 1,
		            "backslash at the end of a line: multi-line scalars are not supported");
	if ((unsigned char)e > 0x20 && (unsigned char)e < 0x7f)
		return fail(p, (unsigned)i + 1,
		            "unsupported escape '\\%c' (supported: \\\" \\\\ \\n \\t)", e);
	return fail(p, (unsigned)i + 1, "unsupported escape (supported: \\\" \\\\ \\n \\t)");
}

static int parse_double_quoted(struct parser *p, size_t i)
{
	static const char from[] = "\"\\nt", to[] = "\"\\\n\t";
	unsigned column = (unsigned)i + 1;
	for (i++;; i++) {
		char c = at(p, i);
		if (c == '\0')
			return fail(p, column,
			            "unterminated double-quoted scalar "
			            "(multi-line scalars are not supported)");
		if (c == '"')
			return finish_quoted(p, i + 1);
		if (c != '\\') {
			put(&p->value, c);
			continue;
		}
		const char *e = at(p, i + 1) ? strchr(from, at(p, i + 1)) : NULL;
		if (!e)
			return bad_escape(p, i);
		put(&p->value, to[e - from]);
		i++;
	}
}

static int parse_single_quoted(struct parser *p, size_t i)
{
	unsigned column = (unsigned)i + 1;
	for (i++;; i++) {
		char c = at(p, i);
		if (c == '\0')
			return fail(p, column,
			            "unterminated single-quoted scalar "
			            "(multi-line scalars are not supported)");
		if (c == '\'' && at(p, i + 1) != '\'')
			return finish_quoted(p, i + 1);
		put(&p->value, c);
		if (c == '\'')
			i++; /* '' stands for one quote */
	}
}

static bool is_null(const struct scalar *s)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (s->len == strlen(nulls[i]) && memcmp(s->text, nulls[i], s->len) == 0)
			return true;
	return false;
}

/*
 * A plain scalar runs to the end of the line or to a comment, trailing
 * spaces dropped. ": " and a '#' glued to text are refused: YAML reads the
 * first as a nested mapping and the second as text, both likely mistakes.
 */
static int parse_plain(struct parser *p, size_t i)
{
	size_t start = i, end = i;
	if (check_scalar_start(p, i))
		return -1;
	for (;; i++) {
		char c = at(p, i);
		if (c == '\0' || (c == '#' && at(p, i - 1) == ' '))
			break;
		if (c == '\t')
			return fail(p, (unsigned)i + 1, "tab character (use spaces)");
		if (c == '#')
			return fail(p, (unsigned)i + 1,
			            "'#' inside a plain scalar: quote the value, "
			            "or put a space before a comment");
		if (c == ':' && is_blank_or_end(at(p, i + 1)))
			return fail(p, (unsigned)i + 1,
			            "': ' inside a plain scalar: quote the value "
			            "(nested mappings are not supported)");
		if (c != ' ')
			end = i + 1;
	}
	for (i = start; i < end; i++)
		put(&p->value, at(p, i));
	terminate(&p->value);
	if (is_null(&p->value))
		return fail(p, (unsigned)start + 1,
		            "null values are not supported: leave the key out");
	return 0;
}

/* Reads the value of key_name starting at i (after its ':') into p->value. */
static int parse_value(struct parser *p, size_t i, const char *key_name)
{
	p->value.len = 0;
	if (skip_spaces(p, &i))
		return -1;
	if (at_line_end(p, i))
		return fail(p, 0, "missing value for '%s'", key_name);
	int rc;
	if (at(p, i) == '"')
		rc = parse_double_quoted(p, i);
	else if (at(p, i) == '\'')
		rc = parse_single_quoted(p, i);
	else
		rc = parse_plain(p, i);
	terminate(&p->value);
	return rc;
}

/* ---- values ---- */

/*
 * Reads a decimal number at the start of s: the count of its digits, or 0
 * when there are none, a leading zero is followed by more digits (octal to
 * some YAML readers) or the number overflows (*overflow set).
 */
static size_t read_decimal(const char *s, size_t len, uint64_t *value, bool *overflow)
{
	size_t n = 0;
	*value = 0;
	*overflow = false;
	while (n < len && s[n] >= '0' && s[n] <= '9') {
		unsigned digit = (unsigned)(s[n] - '0');
		if (*value > (UINT64_MAX - digit) / 10) {
			*overflow = true;
			return 0;
		}
		*value = *value * 10 + digit;
		n++;
	}
	return (n > 1 && s[0] == '0') ? 0 : n;
}

static int set_vcpus(struct parser *p)
{
	const struct scalar *v = &p->value;
	char shown[DISPLAY_MAX + 4];
	uint64_t n;
	bool overflow;
	size_t digits = read_decimal(v->text, v->len, &n, &overflow);
	if (overflow)
		return fail(p, 0, "integer overflow in vcpus '%s'",
		            display(v->text, v->len, shown));
	if (digits == 0 || digits != v->len)
		return fail(p, 0, "vcpus must be an integer from %d to %d, not '%s'",
		            CONFIG_MIN_VCPUS, CONFIG_MAX_VCPUS, display(v->text, v->len, shown));
	if (n < CONFIG_MIN_VCPUS || n > CONFIG_MAX_VCPUS)
		return fail(p, 0, "vcpus must be from %d to %d, not %" PRIu64, CONFIG_MIN_VCPUS,
		            CONFIG_MAX_VCPUS, n);
	p->guest->vcpus = (unsigned)n;
	return 0;
}

/* The multiplier of a size suffix, 0 when s is not a known suffix. */
static uint64_t size_unit(const char *s, size_t len)
{
	if (len == 0)
		return CONFIG_MIB;
	if (len > 1)
		return 0;
	switch (s[0]) {
	case 'K':
	case 'k':
		return 1024;
	case 'M':
	case 'm':
		return CONFIG_MIB;
	case 'G':
	case 'g':
		return 1024 * CONFIG_MIB;
	}
	return 0;
}

static int set_memory(struct parser *p)
{
	const struct scalar *v = &p->value;
	char shown[DISPLAY_MAX + 4];
	uint64_t n;
	bool overflow;
	size_t digits = read_decimal(v->text, v->len, &n, &overflow);
	uint64_t unit = digits ? size_unit(v->text + digits, v->len - digits) : 0;
	if (overflow || (unit && n > UINT64_MAX / unit))
		return fail(p, 0, "integer overflow in memory '%s'",
		            display(v->text, v->len, shown));
	if (!unit)
		return fail(p, 0,
		            "memory must be a size: <n> in MiB, or <n>K, <n>M, <n>G; not '%s'",
		            display(v->text, v->len, shown));
	uint64_t bytes = n * unit;
	if (bytes % CONFIG_MEMORY_ALIGNMENT)
		return fail(p, 0, "memory '%s' is not a multiple of 2 MiB", v->text);
	if (bytes < CONFIG_MIN_MEMORY || bytes > CONFIG_MAX_MEMORY)
		return fail(p, 0, "memory '%s' is out of range (16M to 64G)", v->text);
	p->guest->memory_bytes = bytes;
	return 0;
}

static bool is_valid_name(const char *s, size_t len)
{
	if (len < 1 || len > CONFIG_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static int set_name(struct parser *p)
{
	const struct scalar *v = &p->value;
	char shown[DISPLAY_MAX + 4];
	if (!is_valid_name(v->text, v->len))
		return fail(p, 0,
		            "invalid guest name '%s': 1 to %d of a-z, 0-9 and '-', "
		            "starting with a letter",
		            display(v->text, v->len, shown), CONFIG_NAME_MAX);
	for (const struct guest_config *g = p->out->guests; g < p->guest; g++)
		if (strcmp(g->name, v->text) == 0)
			return fail(p, 0, "duplicate guest name '%s' (the guest on line %u)",
			            v->text, g->line);
	memcpy(p->guest->name, v->text, v->len + 1);
	return 0;
}

static int set_path(struct parser *p, const char *key_name, char *dst)
{
	const struct scalar *v = &p->value;
	if (v->len == 0)
		return fail(p, 0, "%s path is empty", key_name);
	if (v->len > CONFIG_PATH_MAX)
		return fail(p, 0, "%s path is %zu bytes long (at most %d)", key_name, v->len,
		            CONFIG_PATH_MAX);
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)v->text[i] < 0x20)
			return fail(p, 0, "%s path contains a control character", key_name);
	memcpy(dst, v->text, v->len + 1);
	return 0;
}

static int set_command_line(struct parser *p)
{
	const struct scalar *v = &p->value;
	if (v->len > CONFIG_CMDLINE_MAX)
		return fail(p, 0, "command_line is %zu bytes long (at most %d)", v->len,
		            CONFIG_CMDLINE_MAX);
	memcpy(p->guest->command_line, v->text, v->len + 1);
	return 0;
}

static int set_on_fault(struct parser *p)
{
	const struct scalar *v = &p->value;
	if (strcmp(v->text, "stop") == 0)
		p->guest->restart_on_fault = false;
	else if (strcmp(v->text, "restart") == 0)
		p->guest->restart_on_fault = true;
	else
		return fail(p, 0, "on_fault must be stop or restart");
	return 0;
}

static int set_field(struct parser *p, enum key k)
{
	struct guest_config *g = p->guest;
	switch (k) {
	case KEY_NAME:
		return set_name(p);
	case KEY_VCPUS:
		return set_vcpus(p);
	case KEY_MEMORY:
		return set_memory(p);
	case KEY_KERNEL:
		g->kernel_line = p->line.number;
		return set_path(p, "kernel", g->kernel);
	case KEY_INITRD:
		g->initrd_line = p->line.number;
		return set_path(p, "initrd", g->initrd);
	case KEY_ON_FAULT:
		return set_on_fault(p);
	default:
		return set_command_line(p);
	}
}

/* ---- structure ---- */

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/*
 * Reads "key:" at *i, leaving *i after the colon; the key (cut for
 * display) goes into key.
 */
static int parse_key(struct parser *p, size_t *i, char key[DISPLAY_MAX + 4])
{
	size_t start = *i;
	char c = at(p, start);
	if (check_scalar_start(p, start))
		return -1;
	if (c == '"' || c == '\'')
		return fail(p, (unsigned)start + 1, "quoted keys are not supported");
	while (is_key_char(at(p, *i)))
		(*i)++;
	if (*i == start || at(p, *i) != ':')
		return fail(p, (unsigned)start + 1, "expected 'key: value'");
	if (!is_blank_or_end(at(p, *i + 1)))
		return fail(p, (unsigned)*i + 2, "expected a space after ':'");
	display(p->line.text + start, *i - start, key);
	(*i)++;
	return 0;
}

static int find_key(const char *key)
{
	for (int k = 0; k < KEY_COUNT; k++)
		if (strcmp(key, key_names[k]) == 0)
			return k;
	return -1;
}

/* One "key: value" of the open guest at column i + 1. */
static int parse_guest_key(struct parser *p, size_t i)
{
	char key[DISPLAY_MAX + 4];
	if (parse_key(p, &i, key))
		return -1;
	int k = find_key(key);
	if (k < 0)
		return fail(p, 0, "unknown key '%s' (expected " KEY_LIST ")", key);
	if (p->key_lines[k])
		return fail(p, 0, "duplicate key '%s' (first on line %u)", key, p->key_lines[k]);
	p->key_lines[k] = p->line.number;
	if (parse_value(p, i, key))
		return -1;
	return set_field(p, (enum key)k);
}

/* Ends the open guest, if any: every required key must have been given. */
static int close_guest(struct parser *p)
{
	static const enum key required[] = {KEY_NAME, KEY_VCPUS, KEY_MEMORY, KEY_KERNEL};
	const struct guest_config *g = p->guest;
	if (!g)
		return 0;
	p->guest = NULL;
	for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
		const char *missing = key_names[required[r]];
		if (p->key_lines[required[r]])
			continue;
		if (!p->key_lines[KEY_NAME])
			return fail_at(p, g->line, 0, "guest %u has no '%s' key",
			               (unsigned)(g - p->out->guests) + 1, missing);
		return fail_at(p, g->line, 0, "guest '%s' has no '%s' key", g->name, missing);
	}
	return 0;
}

static int parse_top_key(struct parser *p)
{
	char key[DISPLAY_MAX + 4];
	size_t i = 0;
	if (close_guest(p) || parse_key(p, &i, key))
		return -1;
	if (strcmp(key, "guests") != 0)
		return fail(p, 0, "unknown key '%s' (expected guests)", key);
	if (p->guests_line)
		return fail(p, 0, "duplicate key 'guests' (first on line %u)", p->guests_line);
	p->guests_line = p->line.number;
	if (skip_spaces(p, &i))
		return -1;
	if (at_line_end(p, i))
		return 0;
	if (check_scalar_start(p, i))
		return -1;
	return fail(p, (unsigned)i + 1,
	            "'guests' takes a block sequence of guests on the following lines");
}

/* A "- " line at column indent + 1: a new guest, maybe with its first key. */
static int parse_item(struct parser *p, size_t indent)
{
	if (!p->guests_line)
		return fail(p, (unsigned)indent + 1,
		            "the top level must be a mapping with the key 'guests'");
	if (p->seq_indent < 0)
		p->seq_indent = (int)indent;
	else if ((int)indent != p->seq_indent)
		return fail(p, (unsigned)indent + 1,
		            "bad indentation: expected %d spaces before '-'", p->seq_indent);
	if (close_guest(p))
		return -1;
	if (p->out->guest_count == CONFIG_MAX_GUESTS)
		return fail(p, 0, "more than %d guests", CONFIG_MAX_GUESTS);
	p->guest = &p->out->guests[p->out->guest_count++];
	p->guest->line = p->line.number;
	memset(p->key_lines, 0, sizeof p->key_lines);
	size_t i = indent + 1;
	if (skip_spaces(p, &i))
		return -1;
	p->map_indent = at_line_end(p, i) ? -1 : (int)i;
	return p->map_indent < 0 ? 0 : parse_guest_key(p, i);
}

/* An indented line that is not "- ": the next key of the open guest. */
static int parse_indented_key(struct parser *p, size_t indent)
{
	unsigned column = (unsigned)indent + 1;
	if (!p->guests_line)
		return fail(p, column, "unexpected indentation");
	if (!p->guest)
		return fail(p, column,
		            "'guests' must be a block sequence: start each guest with '- '");
	if (p->map_indent < 0) {
		if ((int)indent <= p->seq_indent)
			return fail(p, column, "bad indentation: expected more than %d spaces",
			            p->seq_indent);
		p->map_indent = (int)indent;
	} else if ((int)indent > p->map_indent) {
		return fail(p, column,
		            "unexpected indentation: nested collections and multi-line scalars "
		            "are not supported");
	} else if ((int)indent < p->map_indent) {
		return fail(p, column, "bad indentation: expected %d spaces", p->map_indent);
	}
	return parse_guest_key(p, indent);
}

static bool is_document_marker(const struct parser *p)
{
	const char *t = p->line.text;
	return p->line.len >= 3 && (memcmp(t, "---", 3) == 0 || memcmp(t, "...", 3) == 0) &&
	       is_blank_or_end(at(p, 3));
}

static int parse_line(struct parser *p)
{
	size_t indent = 0;
	while (at(p, indent) == ' ')
		indent++;
	char c = at(p, indent);
	if (c == '\t')
		return fail(p, (unsigned)indent + 1, "tab in indentation (indent with spaces)");
	if (c == '\0' || c == '#')
		return 0;
	if (indent == 0 && is_document_marker(p))
		return fail(p, 1,
		            "document markers ('---', '...') are not supported: "
		            "one document per file");
	if (c == '-' && is_blank_or_end(at(p, indent + 1)))
		return parse_item(p, indent);
	if (indent == 0)
		return parse_top_key(p);
	return parse_indented_key(p, indent);
}

static int parse_document(struct parser *p)
{
	if (p->len > CONFIG_MAX_FILE_BYTES)
		return fail_at(p, 0, 0, "file is larger than 1 MiB");
	if (p->len >= 3 && memcmp(p->text, "\xef\xbb\xbf", 3) == 0) {
		p->text += 3;
		p->len -= 3;
	}
	if (check_encoding(p))
		return -1;
	while (next_line(p))
		if (parse_line(p))
			return -1;
	if (close_guest(p))
		return -1;
	if (!p->guests_line)
		return fail_at(p, 0, 0, "no 'guests' key: the file must describe a list of guests");
	if (p->out->guest_count == 0)
		return fail_at(p, p->guests_line, 0, "empty guest list");
	return 0;
}

int config_parse(const char *text, size_t len, const char *file_name, struct system_config *out,
                 struct config_error *err)
{
	static struct parser zero;
	struct parser p = zero;
	p.text = text;
	p.len = len;
	p.out = out;
	p.err = err;
	p.seq_indent = -1;
	p.map_indent = -1;
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	set_file_name(out->file_name, file_name);
	if (parse_document(&p) == 0)
		return 0;
	memset(out, 0, sizeof *out);
	return -1;
}

/* ---- checks against files and the machine ---- */

static int check_file(const struct system_config *config, const struct guest_config *g,
                      const char *what, const char *path, unsigned line, const char *base_dir,
                      struct config_error *err)
{
	char full[4096];
	int n = (path[0] == '/' || !base_dir || !base_dir[0])
	            ? snprintf(full, sizeof full, "%s", path)
	            : snprintf(full, sizeof full, "%s/%s", base_dir, path);
	if (n < 0 || (size_t)n >= sizeof full)
		return set_error(err, config->file_name, line, 0,
		                 "guest '%s': %s path too long with the base directory", g->name,
		                 what);
	FILE *f = fopen(full, "rb");
	if (!f)
		return set_error(err, config->file_name, line, 0,
		                 "guest '%s': cannot open %s '%s': %s", g->name, what, path,
		                 strerror(errno));
	char byte;
	errno = 0;
	size_t got = fread(&byte, 1, 1, f);
	int failed = ferror(f), error = errno;
	fclose(f);
	if (failed)
		return set_error(err, config->file_name, line, 0,
		                 "guest '%s': cannot read %s '%s': %s", g->name, what, path,
		                 strerror(error));
	if (got == 0)
		return set_error(err, config->file_name, line, 0, "guest '%s': %s '%s' is empty",
		                 g->name, what, path);
	return 0;
}

int config_check_files(const struct system_config *config, const char *base_dir,
                       struct config_error *err)
{
	memset(err, 0, sizeof *err);
	for (unsigned i = 0; i < config->guest_count; i++) {
		const struct guest_config *g = &config->guests[i];
		if (check_file(config, g, "kernel", g->kernel, g->kernel_line, base_dir, err))
			return -1;
		if (g->initrd[0] &&
		    check_file(config, g, "initrd", g->initrd, g->initrd_line, base_dir, err))
			return -1;
	}
	return 0;
}

bool config_variable_name_is_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > 31 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(name[i] == '_' || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

static const char *variable_value(const struct config_variables *vars, const char *name, size_t len)
{
	for (unsigned i = 0; vars && i < vars->count && i < CONFIG_MAX_VARIABLES; i++)
		if (strlen(vars->name[i]) == len && memcmp(vars->name[i], name, len) == 0)
			return vars->value[i];
	return NULL;
}

/* Appends len bytes of s to out (*n bytes used); false if the path would grow too long. */
static bool append(char *out, size_t *n, const char *s, size_t len)
{
	if (len > CONFIG_PATH_MAX - *n)
		return false;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
	return true;
}

/* `path` with its variables replaced, into `out` (CONFIG_PATH_MAX + 1 bytes). */
static int expand_path(const struct system_config *config, const struct guest_config *g,
                       const char *what, const char *path, unsigned line,
                       const struct config_variables *vars, char *out, struct config_error *err)
{
	size_t n = 0;
	out[0] = '\0';
	for (const char *p = path; *p;) {
		const char *piece = p, *name = p + 2, *end = NULL;
		size_t len = 1;
		if (p[0] == '$' && p[1] == '{') {
			end = strchr(name, '}');
			if (!end)
				return set_error(err, config->file_name, line, 0,
				                 "guest '%s': %s: '${' without '}'", g->name, what);
			piece = variable_value(vars, name, (size_t)(end - name));
			if (!piece)
				return set_error(err, config->file_name, line, 0,
				                 "guest '%s': %s: ${%.*s} is not defined", g->name,
				                 what, (int)(end - name), name);
			len = strlen(piece);
		}
		if (!append(out, &n, piece, len))
			return set_error(err, config->file_name, line, 0,
			                 "guest '%s': %s: longer than %d bytes once expanded",
			                 g->name, what, CONFIG_PATH_MAX);
		p = end ? end + 1 : p + 1;
	}
	return 0;
}

int config_expand_paths(struct system_config *config, const struct config_variables *vars,
                        struct config_error *err)
{
	char kernels[CONFIG_MAX_GUESTS][CONFIG_PATH_MAX + 1];
	char initrds[CONFIG_MAX_GUESTS][CONFIG_PATH_MAX + 1];
	memset(err, 0, sizeof *err);
	/* Everything first, so that an error leaves the configuration as it was. */
	for (unsigned i = 0; i < config->guest_count; i++) {
		const struct guest_config *g = &config->guests[i];
		if (expand_path(config, g, "kernel", g->kernel, g->kernel_line, vars, kernels[i],
		                err) ||
		    expand_path(config, g, "initrd", g->initrd, g->initrd_line, vars, initrds[i],
		                err))
			return -1;
	}
	for (unsigned i = 0; i < config->guest_count; i++) {
		memcpy(config->guests[i].kernel, kernels[i], sizeof kernels[i]);
		memcpy(config->guests[i].initrd, initrds[i], sizeof initrds[i]);
	}
	return 0;
}

int config_check_fit(const struct system_config *config, uint64_t ram_bytes, unsigned harts,
                     struct config_error *err)
{
	uint64_t max_vcpus = (uint64_t)harts * CONFIG_VCPUS_PER_HART;
	uint64_t needed = CONFIG_RESERVE_BYTES;
	memset(err, 0, sizeof *err);
	for (unsigned i = 0; i < config->guest_count; i++) {
		const struct guest_config *g = &config->guests[i];
		if (g->vcpus > max_vcpus)
			return set_error(err, config->file_name, g->line, 0,
			                 "guest '%s' has %u vCPUs, more than %" PRIu64
			                 " (%d per hart, %u harts)",
			                 g->name, g->vcpus, max_vcpus, CONFIG_VCPUS_PER_HART,
			                 harts);
		/* At most 8 guests of at most 64 GiB each: this cannot overflow. */
		needed += g->memory_bytes + CONFIG_GUEST_OVERHEAD_BYTES;
	}
	if (needed > ram_bytes)
		return set_error(err, config->file_name, 0, 0,
		                 "the guests need %" PRIu64 " MiB (with %" PRIu64
		                 " MiB reserved and %" PRIu64
		                 " MiB per guest), the machine has %" PRIu64 " MiB",
		                 needed / CONFIG_MIB, CONFIG_RESERVE_BYTES / CONFIG_MIB,
		                 CONFIG_GUEST_OVERHEAD_BYTES / CONFIG_MIB, ram_bytes / CONFIG_MIB);
	return 0;
}

int config_error_format(const struct config_error *err, char *buf, size_t size)
{
	const char *file = err->file_name[0] ? err->file_name : DEFAULT_FILE_NAME;
	if (err->line == 0)
		return snprintf(buf, size, "%s: %s", file, err->message);
	if (err->column == 0)
		return snprintf(buf, size, "%s:%u: %s", file, err->line, err->message);
	return snprintf(buf, size, "%s:%u:%u: %s", file, err->line, err->column, err->message);
}
