/* The system description parser (system.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "system.h"

enum key { KEY_VCPUS, KEY_MEMORY, KEY_KERNEL, KEY_INITRD, KEY_CMDLINE, KEY_ON_FAULT, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {"vcpus",  "memory",  "kernel",
                                                 "initrd", "cmdline", "on_fault"};

struct parser {
	struct system_desc *out;
	struct system_guest *open; /* the guest block being read, or NULL */
	bool seen[KEY_COUNT];      /* keys of the open block */
	unsigned line;
	char *err;
	size_t err_size;
};

static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->err_size, "system.conf line %u: ", p->line);
	if (n >= 0 && (size_t)n < p->err_size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int system_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > SYSTEM_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return 0;
	return 1;
}

/* A decimal number of at most 19 digits, the whole value. */
static bool parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n == 19)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	*out = v;
	return n > 0;
}

static int copy_value(struct parser *p, char *dst, size_t size, const char *value, const char *what)
{
	size_t n = strlen(value);
	if (n >= size)
		return fail(p, "%s longer than %zu bytes", what, size - 1);
	memcpy(dst, value, n + 1);
	return 0;
}

static int begin_guest(struct parser *p, const char *name)
{
	if (p->open)
		return fail(p, "guest '%s' starts before the previous one ends", name);
	if (p->out->count == SYSTEM_MAX_GUESTS)
		return fail(p, "more than %d guests", SYSTEM_MAX_GUESTS);
	if (!system_name_valid(name))
		return fail(p, "guest name '%s' is not 1-%d of [a-z0-9-]", name, SYSTEM_NAME_MAX);
	for (unsigned i = 0; i < p->out->count; i++)
		if (strcmp(p->out->guests[i].name, name) == 0)
			return fail(p, "guest '%s' is named twice", name);
	p->open = &p->out->guests[p->out->count++];
	memset(p->open, 0, sizeof(*p->open));
	memset(p->seen, 0, sizeof(p->seen));
	strcpy(p->open->name, name);
	p->open->vcpus = 1;
	return 0;
}

static int end_guest(struct parser *p)
{
	if (!p->open)
		return fail(p, "'end' outside a guest");
	if (!p->seen[KEY_KERNEL])
		return fail(p, "guest '%s' has no kernel", p->open->name);
	if (!p->seen[KEY_MEMORY])
		return fail(p, "guest '%s' has no memory", p->open->name);
	p->open = NULL;
	return 0;
}

static int set_key(struct parser *p, enum key k, const char *value)
{
	struct system_guest *g = p->open;
	uint64_t n = 0;
	switch (k) {
	case KEY_VCPUS:
		if (!parse_number(value, &n) || n < 1 || n > SYSTEM_MAX_VCPUS)
			return fail(p, "vcpus must be 1-%d", SYSTEM_MAX_VCPUS);
		g->vcpus = (unsigned)n;
		return 0;
	case KEY_MEMORY:
		if (!parse_number(value, &n) || n == 0 || n % SYSTEM_RAM_BLOCK ||
		    n > SYSTEM_MAX_MEMORY)
			return fail(p,
			            "memory must be a non-zero multiple of 2 MiB, at most 64 GiB");
		g->memory = n;
		return 0;
	case KEY_KERNEL:
		if (!*value)
			return fail(p, "kernel names no file");
		return copy_value(p, g->kernel, sizeof(g->kernel), value, "a file name");
	case KEY_INITRD:
		if (!*value)
			return fail(p, "initrd names no file");
		return copy_value(p, g->initrd, sizeof(g->initrd), value, "a file name");
	case KEY_CMDLINE:
		return copy_value(p, g->cmdline, sizeof(g->cmdline), value, "the command line");
	case KEY_ON_FAULT:
		if (strcmp(value, "stop") != 0 && strcmp(value, "restart") != 0)
			return fail(p, "on_fault must be stop or restart");
		g->restart_on_fault = strcmp(value, "restart") == 0;
		return 0;
	default:
		return fail(p, "unknown key");
	}
}

static int parse_line(struct parser *p, char *line)
{
	while (*line == ' ')
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	char *value = strchr(line, ' ');
	if (value)
		*value++ = '\0';
	else
		value = line + strlen(line);
	if (strcmp(line, "guest") == 0)
		return begin_guest(p, value);
	if (strcmp(line, "end") == 0)
		return *value ? fail(p, "'end' takes no value") : end_guest(p);
	for (unsigned k = 0; k < KEY_COUNT; k++) {
		if (strcmp(line, key_names[k]) != 0)
			continue;
		if (!p->open)
			return fail(p, "'%s' outside a guest", line);
		if (p->seen[k])
			return fail(p, "'%s' given twice", line);
		p->seen[k] = true;
		return set_key(p, (enum key)k, value);
	}
	return fail(p, "unknown key '%.32s'", line);
}

int system_parse(const char *text, size_t len, struct system_desc *out, char *err, size_t err_size)
{
	char line[SYSTEM_CMDLINE_MAX + 64];
	struct parser p = {.out = out, .err = err, .err_size = err_size};
	memset(out, 0, sizeof(*out));
	if (err_size)
		err[0] = '\0';
	size_t at = 0;
	int rc = 0;
	while (rc == 0 && at < len) {
		p.line++;
		size_t n = 0;
		while (at + n < len && text[at + n] != '\n')
			n++;
		if (n >= sizeof(line))
			rc = fail(&p, "longer than %zu bytes", sizeof(line) - 1);
		else if (memchr(text + at, '\0', n))
			rc = fail(&p, "a NUL byte");
		else {
			memcpy(line, text + at, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			rc = parse_line(&p, line);
		}
		at += n + 1;
	}
	if (rc == 0 && p.open)
		rc = fail(&p, "guest '%s' has no 'end'", p.open->name);
	if (rc == 0 && out->count == 0)
		rc = fail(&p, "no guests");
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}
