/*
 * fvconfig: reads a system configuration, replaces the ${NAME} variables of
 * its paths with the values of --define NAME=VALUE, validates it and, with --print,
 * writes one line per guest for scripts:
 *
 *     name <TAB> vcpus <TAB> memory_bytes <TAB> kernel <TAB> initrd <TAB> command_line
 *
 * An absent initrd or command line is an empty field (read the lines with
 * `cut -f` or `awk -F'\t'`: shell `read` merges empty fields); a backslash,
 * tab or newline inside a field is written as \\, \t or \n.
 *
 * With --emit DIR it writes what the boot archive needs for these guests into
 * DIR: the system description system.conf (servers/root/system.h) and each
 * distinct kernel and initrd file, as kernel-N and initrd-N.
 *
 * Exit status: 0 valid, 1 invalid (the error on stderr), 2 bad usage.
 */
#include "fvconfig.h"

#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct options {
	const char *file;
	const char *files_dir;        /* --files: check kernels and initrds from here */
	const char *emit_dir;         /* --emit: write the archive's system files here */
	struct config_variables vars; /* --define NAME=VALUE */
	uint64_t ram_bytes;           /* --ram, 0 when not given */
	unsigned harts;               /* --harts, 0 when not given */
	bool print;
};

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: fvconfig FILE [--define NAME=VALUE]... [--ram BYTES --harts N] [--files DIR]\n"
	    "                [--print] [--emit DIR]\n"
	    "  --define NAME=VALUE  ${NAME} in a kernel or initrd path stands for VALUE\n"
	    "  --ram BYTES   check that the guests fit a machine of BYTES (K, M, G allowed)\n"
	    "  --harts N     ... with N harts (give both)\n"
	    "  --files DIR   check that kernels and initrds exist, relative to DIR\n"
	    "  --print       print one tab-separated line per guest\n"
	    "  --emit DIR    write system.conf and the guests' files into DIR\n");
	return 2;
}

/* Reads a byte count with an optional K, M or G suffix; false when invalid. */
static bool parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	uint64_t unit = 1;
	if (*end == 'K' || *end == 'k')
		unit = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		unit = 1024 * 1024 * 1024, end++;
	if (errno || *end || n > UINT64_MAX / unit)
		return false;
	*out = n * unit;
	return true;
}

static bool parse_harts(const char *s, unsigned *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || *end || n == 0 || n > 4096)
		return false;
	*out = (unsigned)n;
	return true;
}

/* NAME=VALUE: a valid name, defined once, room for it. */
static bool add_variable(struct config_variables *vars, char *definition)
{
	char *eq = strchr(definition, '=');
	if (!eq || vars->count == CONFIG_MAX_VARIABLES)
		return false;
	*eq = '\0';
	for (unsigned i = 0; i < vars->count; i++)
		if (strcmp(vars->name[i], definition) == 0)
			return false;
	if (!config_variable_name_is_valid(definition))
		return false;
	vars->name[vars->count] = definition;
	vars->value[vars->count++] = eq + 1;
	return true;
}

/* One "--option [value]" at argv[*i]; *i moves past its value. */
static bool parse_option(int argc, char **argv, int *i, struct options *o)
{
	const char *name = argv[*i];
	char *value = *i + 1 < argc ? argv[*i + 1] : NULL;
	if (strcmp(name, "--print") == 0) {
		o->print = true;
		return true;
	}
	if (!value)
		return false;
	(*i)++;
	if (strcmp(name, "--ram") == 0)
		return parse_bytes(value, &o->ram_bytes) && o->ram_bytes > 0;
	if (strcmp(name, "--harts") == 0)
		return parse_harts(value, &o->harts);
	if (strcmp(name, "--define") == 0)
		return add_variable(&o->vars, value);
	if (strcmp(name, "--files") == 0) {
		o->files_dir = value;
		return true;
	}
	if (strcmp(name, "--emit") == 0) {
		o->emit_dir = value;
		return true;
	}
	return false;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if (!parse_option(argc, argv, &i, o))
				return false;
		} else if (o->file) {
			return false;
		} else {
			o->file = argv[i];
		}
	}
	/* --ram and --harts go together. */
	return o->file && (o->ram_bytes == 0) == (o->harts == 0);
}

/*
 * Reads at most one byte more than the parser accepts, so that it reports
 * an over-large file without the whole of it being read.
 */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(CONFIG_MAX_FILE_BYTES + 1);
	if (buf)
		*len = fread(buf, 1, CONFIG_MAX_FILE_BYTES + 1, f);
	if (!buf || ferror(f)) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void print_field(const char *s, char after)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
	putchar(after);
}

static void print_guests(const struct system_config *config)
{
	for (unsigned i = 0; i < config->guest_count; i++) {
		const struct guest_config *g = &config->guests[i];
		printf("%s\t%u\t%" PRIu64 "\t", g->name, g->vcpus, g->memory_bytes);
		print_field(g->kernel, '\t');
		print_field(g->initrd, '\t');
		print_field(g->command_line, '\n');
	}
}

static int report(const struct config_error *err)
{
	char text[CONFIG_FILE_NAME_MAX + CONFIG_MESSAGE_MAX + 32];
	config_error_format(err, text, sizeof text);
	fprintf(stderr, "%s\n", text);
	return 1;
}

static int check(const struct options *o, const struct system_config *config)
{
	struct config_error err;
	if (o->files_dir && config_check_files(config, o->files_dir, &err))
		return report(&err);
	if (o->harts && config_check_fit(config, o->ram_bytes, o->harts, &err))
		return report(&err);
	return 0;
}

/* ---- --emit ---- */

#define MAX_FILES (2 * CONFIG_MAX_GUESTS)

struct emitted {
	const char *path; /* as the configuration names it */
	char name[16];    /* in the archive */
};

struct emitter {
	const struct options *o;
	struct emitted files[MAX_FILES];
	unsigned count;
};

static void full_path(const struct options *o, const char *path, char *out, size_t size)
{
	if (path[0] == '/' || !o->files_dir)
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "%s/%s", o->files_dir, path);
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = in ? fopen(to, "wb") : NULL;
	char buf[1 << 16];
	size_t n = 0;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (rc == 0 && ferror(in))
		rc = -1;
	if (out && fclose(out))
		rc = -1;
	if (in)
		fclose(in);
	if (rc)
		fprintf(stderr, "fvconfig: cannot copy %s to %s: %s\n", from, to, strerror(errno));
	return rc;
}

/* The archive name of `path` (kind "kernel" or "initrd"), copying it the first time. */
static const char *emit_file(struct emitter *e, const char *kind, const char *path)
{
	for (unsigned i = 0; i < e->count; i++)
		if (strcmp(e->files[i].path, path) == 0)
			return e->files[i].name;
	struct emitted *f = &e->files[e->count];
	snprintf(f->name, sizeof f->name, "%s-%u", kind, e->count);
	char from[CONFIG_PATH_MAX + 4096 + 2], to[4096 + 32];
	full_path(e->o, path, from, sizeof from);
	snprintf(to, sizeof to, "%s/%s", e->o->emit_dir, f->name);
	if (copy_file(from, to))
		return NULL;
	f->path = path;
	e->count++;
	return f->name;
}

/* A command line goes on one line of system.conf: no control characters. */
static bool command_line_fits(const struct system_config *config, const struct guest_config *g)
{
	for (const char *c = g->command_line; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			fprintf(stderr,
			        "%s:%u: guest '%s': the command line has a control character\n",
			        config->file_name, g->line, g->name);
			return false;
		}
	}
	return true;
}

static int emit_guest(struct emitter *e, const struct system_config *config,
                      const struct guest_config *g, FILE *out)
{
	if (!command_line_fits(config, g))
		return 1;
	const char *kernel = emit_file(e, "kernel", g->kernel);
	const char *initrd = g->initrd[0] ? emit_file(e, "initrd", g->initrd) : "";
	if (!kernel || !initrd)
		return 1;
	fprintf(out, "guest %s\nvcpus %u\nmemory %" PRIu64 "\nkernel %s\n", g->name, g->vcpus,
	        g->memory_bytes, kernel);
	if (*initrd)
		fprintf(out, "initrd %s\n", initrd);
	if (g->restart_on_fault)
		fputs("on_fault restart\n", out);
	fprintf(out, "cmdline %s\nend\n", g->command_line);
	return 0;
}

static int emit_system(const struct options *o, const struct system_config *config)
{
	static struct emitter e;
	char path[4096 + 32];
	e.o = o;
	if (mkdir(o->emit_dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "fvconfig: cannot make %s: %s\n", o->emit_dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/system.conf", o->emit_dir);
	FILE *out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "fvconfig: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	fputs("# Ferrovisor system description, written by fvconfig\n", out);
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < config->guest_count; i++)
		rc = emit_guest(&e, config, &config->guests[i], out);
	if (fclose(out) && rc == 0) {
		fprintf(stderr, "fvconfig: cannot write %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	static struct system_config config;
	struct config_error err;
	size_t len = 0;
	if (!parse_options(argc, argv, &o))
		return usage();
	char *text = read_file(o.file, &len);
	if (!text)
		return 1;
	int rc = config_parse(text, len, o.file, &config, &err);
	free(text);
	if (rc || config_expand_paths(&config, &o.vars, &err))
		return report(&err);
	if (check(&o, &config))
		return 1;
	if (o.print)
		print_guests(&config);
	return o.emit_dir ? emit_system(&o, &config) : 0;
}
