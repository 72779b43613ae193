/*
 * Fuzzing of the system-configuration parser.
 *
 * LLVMFuzzerTestOneInput() is a libFuzzer entry point: with clang,
 *     clang -fsanitize=fuzzer,address,undefined -DFUZZ_WITH_LIBFUZZER \
 *           -Iconfig/include test/fuzz/fuzz_fvconfig.c config/src/fvconfig.c
 * Without libFuzzer (gcc has none), main() drives it:
 *     fuzz_fvconfig FILE...                      each file once
 *     fuzz_fvconfig --runs N [--seed S] [--kinds] [FILE...]
 *         N inputs made by seeded random mutations of the files (of a
 *         built-in copy of the default configuration when none are given)
 *
 * Every input is handed over in a heap block of exactly its size, so the
 * sanitizers catch a read past the end; a crash, a sanitizer report or a
 * broken invariant of the result (checked below) aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fvconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                    \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz_fvconfig: invariant broken: %s\n", #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)

static bool is_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool is_valid_name(const char *s)
{
	size_t len = strlen(s);
	if (len < 1 || len > CONFIG_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static void check_guest(const struct guest_config *g)
{
	REQUIRE(is_terminated(g->name, sizeof g->name) && is_valid_name(g->name));
	REQUIRE(g->vcpus >= CONFIG_MIN_VCPUS && g->vcpus <= CONFIG_MAX_VCPUS);
	REQUIRE(g->memory_bytes % CONFIG_MEMORY_ALIGNMENT == 0);
	REQUIRE(g->memory_bytes >= CONFIG_MIN_MEMORY && g->memory_bytes <= CONFIG_MAX_MEMORY);
	REQUIRE(is_terminated(g->kernel, sizeof g->kernel) && g->kernel[0] != '\0');
	REQUIRE(is_terminated(g->initrd, sizeof g->initrd));
	REQUIRE(is_terminated(g->command_line, sizeof g->command_line));
	REQUIRE((g->initrd[0] == '\0') == (g->initrd_line == 0));
	REQUIRE(g->line >= 1 && g->kernel_line >= g->line);
}

/*
 * Variables in any accepted configuration: expanded paths stay terminated
 * and within bounds, and a failure names a line and changes nothing.
 */
static void check_expansion(const struct system_config *c, unsigned lines)
{
	static struct system_config copy;
	static const char long_value[200] = {[0 ... 198] = 'x'};
	const struct config_variables vars = {
	    .count = 3, .name = {"A", "FV_CACHE", "LONG"}, .value = {"", "/cache", long_value}};
	struct config_error err;
	copy = *c;
	if (config_expand_paths(&copy, &vars, &err) == 0) {
		for (unsigned i = 0; i < copy.guest_count; i++) {
			REQUIRE(is_terminated(copy.guests[i].kernel, sizeof copy.guests[i].kernel));
			REQUIRE(is_terminated(copy.guests[i].initrd, sizeof copy.guests[i].initrd));
			REQUIRE(strstr(copy.guests[i].kernel, "${") == NULL ||
			        strstr(c->guests[i].kernel, "${") != NULL);
		}
	} else {
		REQUIRE(memcmp(&copy, c, sizeof copy) == 0);
		REQUIRE(err.line >= 1 && err.line <= lines && err.message[0] != '\0');
	}
}

static void check_accepted(const struct system_config *c, unsigned lines)
{
	REQUIRE(c->guest_count >= 1 && c->guest_count <= CONFIG_MAX_GUESTS);
	for (unsigned i = 0; i < c->guest_count; i++) {
		const struct guest_config *g = &c->guests[i];
		check_guest(g);
		REQUIRE(g->line <= lines);
		if (i > 0)
			REQUIRE(g->line > c->guests[i - 1].line);
		for (unsigned j = 0; j < i; j++)
			REQUIRE(strcmp(c->guests[j].name, g->name) != 0);
	}
	struct config_error err;
	/* The fit check must cope with any accepted configuration. */
	(void)config_check_fit(c, UINT64_MAX, 1, &err);
	REQUIRE(config_check_fit(c, 0, 1, &err) == -1 && err.message[0] != '\0');
	check_expansion(c, lines);
}

static void check_rejected(const struct system_config *c, const struct config_error *err,
                           unsigned lines)
{
	static const struct system_config zero;
	REQUIRE(memcmp(c->guests, zero.guests, sizeof zero.guests) == 0 && c->guest_count == 0);
	REQUIRE(is_terminated(err->message, sizeof err->message) && err->message[0] != '\0');
	REQUIRE(is_terminated(err->file_name, sizeof err->file_name));
	REQUIRE(err->line <= lines);
	REQUIRE(err->column == 0 || err->line != 0);
	char text[CONFIG_FILE_NAME_MAX + CONFIG_MESSAGE_MAX + 32];
	REQUIRE(config_error_format(err, text, sizeof text) > 0);
}

/* The outcome of the last input, for the driver's statistics. */
static int last_result;
static char last_message[CONFIG_MESSAGE_MAX + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct system_config config;
	struct config_error err;
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	/* libFuzzer's buffers are exact already; the driver's too (see run_one). */
	last_result = config_parse((const char *)data, size, "fuzz.yaml", &config, &err);
	REQUIRE(last_result == 0 || last_result == -1);
	if (last_result == 0) {
		check_accepted(&config, lines);
	} else {
		check_rejected(&config, &err, lines);
		memcpy(last_message, err.message, sizeof last_message);
	}
	return 0;
}

#ifndef FUZZ_WITH_LIBFUZZER

#define MAX_INPUT  8192
#define MAX_SEEDS  64
#define POOL_SIZE  64
#define MAX_KINDS  256
#define KIND_BYTES 40

static const char default_config[] = "# The default system\n"
                                     "guests:\n"
                                     "  - name: alpha\n"
                                     "    vcpus: 1\n"
                                     "    memory: 256M\n"
                                     "    kernel: build/cache/riscv64/root/Image\n"
                                     "    initrd: build/guest/initramfs.cpio\n"
                                     "    command_line: console=ttyS0\n"
                                     "  - name: beta\n"
                                     "    vcpus: 2\n"
                                     "    memory: 256M\n"
                                     "    kernel: build/cache/riscv64/root/Image\n"
                                     "    initrd: build/guest/initramfs.cpio\n"
                                     "    command_line: \"console=ttyS0 earlycon\"\n";

/* Bytes and fragments that the grammar gives a meaning to. */
static const char special_bytes[] = " \t\n\r#:-\"'\\{}[],&*!|>%@`?~0123456789MKGabz\x00\x7f\x80"
                                    "\xc3\xef\xbb\xbf\xff";
static const char *const tokens[] = {
    "guests:",
    "guests",
    "- ",
    "-\n",
    "  ",
    "    ",
    "name: ",
    "vcpus: ",
    "memory: ",
    "kernel: ",
    "initrd: ",
    "command_line: ",
    "memroy: ",
    "#",
    " # c",
    "\"",
    "'",
    "''",
    "\\\"",
    "\\\\",
    "\\n",
    "\\t",
    "\\x",
    "\r\n",
    "---",
    "...",
    "%YAML 1.2",
    "{a: b}",
    "[a]",
    "&a ",
    "*a",
    "!!str ",
    "|",
    ">-",
    "~",
    "null",
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "99999999999999999999G",
    "64G",
    "65G",
    "16M",
    "15M",
    "0",
    "9",
    "\xef\xbb\xbf",
    "\xc3\xa9",
    "\xed\xa0\x80",
    "\xf4\x90\x80\x80",
    "\xc0\x80",
};

struct input {
	size_t len;
	unsigned char data[MAX_INPUT];
};

#include "fuzz_random.h"

static void insert(struct input *in, size_t at, const void *bytes, size_t n)
{
	if (in->len + n > MAX_INPUT)
		return;
	memmove(in->data + at + n, in->data + at, in->len - at);
	memcpy(in->data + at, bytes, n);
	in->len += n;
}

static void erase(struct input *in, size_t at, size_t n)
{
	if (at + n > in->len)
		n = in->len - at;
	memmove(in->data + at, in->data + at + n, in->len - at - n);
	in->len -= n;
}

/* Start of the line holding offset at. */
static size_t line_start(const struct input *in, size_t at)
{
	while (at > 0 && in->data[at - 1] != '\n')
		at--;
	return at;
}

static size_t line_end(const struct input *in, size_t at)
{
	while (at < in->len && in->data[at] != '\n')
		at++;
	return at;
}

/* Replaces the value after the first ": " of a random line with a token. */
static void replace_value(struct input *in, size_t at)
{
	size_t start = line_start(in, at), end = line_end(in, at);
	unsigned char *colon = memchr(in->data + start, ':', end - start);
	if (!colon)
		return;
	size_t from = (size_t)(colon - in->data) + 1;
	erase(in, from, end - from);
	const char *token = tokens[below(sizeof tokens / sizeof tokens[0])];
	insert(in, from, " ", 1);
	insert(in, from + 1, token, strlen(token));
}

/* Copies a random line (with its line end) to the start of another. */
static void duplicate_line(struct input *in, size_t at)
{
	unsigned char line[256];
	size_t start = line_start(in, at), end = line_end(in, at);
	size_t n = end - start + (end < in->len);
	if (n > sizeof line)
		return;
	memcpy(line, in->data + start, n);
	insert(in, line_start(in, below(in->len + 1)), line, n);
}

static void mutate_once(struct input *in)
{
	size_t at = below(in->len + 1);
	switch (below(9)) {
	case 0:
		if (at < in->len)
			in->data[at] ^= (unsigned char)(1u << below(8));
		break;
	case 1:
		if (at < in->len)
			in->data[at] = (unsigned char)next_random();
		break;
	case 2:
		insert(in, at, &special_bytes[below(sizeof special_bytes - 1)], 1);
		break;
	case 3: {
		const char *token = tokens[below(sizeof tokens / sizeof tokens[0])];
		insert(in, at, token, strlen(token));
		break;
	}
	case 4:
		erase(in, at, 1 + below(16));
		break;
	case 5:
		duplicate_line(in, at);
		break;
	case 6:
		replace_value(in, at);
		break;
	case 7:
		in->len = at; /* truncate */
		break;
	default:
		if (below(2))
			insert(in, line_start(in, at), "  ", 1 + below(2));
		else if (line_start(in, at) < in->len && in->data[line_start(in, at)] == ' ')
			erase(in, line_start(in, at), 1);
		break;
	}
}

struct stats {
	unsigned long runs, accepted;
	unsigned kinds;
	char kind[MAX_KINDS][KIND_BYTES + 1];
};

/*
 * Counts distinct errors, a rough measure of how much of the parser the
 * mutations reach. A message is cut before its first quote or digit, where
 * the values it names begin.
 */
static void count_kind(struct stats *s)
{
	char kind[KIND_BYTES + 1] = {0};
	size_t n = strcspn(last_message, "'0123456789");
	memcpy(kind, last_message, n < KIND_BYTES ? n : KIND_BYTES);
	for (unsigned i = 0; i < s->kinds; i++)
		if (strcmp(s->kind[i], kind) == 0)
			return;
	if (s->kinds < MAX_KINDS)
		memcpy(s->kind[s->kinds++], kind, sizeof kind);
}

/* Runs one input from an exact-size copy, so reads past its end are caught. */
static void run_one(const unsigned char *data, size_t len, struct stats *s)
{
	unsigned char *copy = malloc(len ? len : 1);
	REQUIRE(copy != NULL);
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	s->runs++;
	if (last_result == 0)
		s->accepted++;
	else
		count_kind(s);
}

static bool load(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return false;
	}
	in->len = fread(in->data, 1, sizeof in->data, f);
	fclose(f);
	return true;
}

/*
 * Mutates inputs from the pool: the seeds, and mutants the parser accepted
 * (those reach deeper than the ones it rejects at the first byte).
 */
static void run_mutations(struct input *pool, size_t seeds, unsigned long runs, struct stats *s)
{
	static struct input in;
	size_t pool_len = seeds;
	for (unsigned long r = 0; r < runs; r++) {
		in = pool[below(pool_len)];
		for (size_t m = 1 + below(6); m > 0; m--)
			mutate_once(&in);
		run_one(in.data, in.len, s);
		if (last_result == 0 && below(4) == 0)
			pool[pool_len < POOL_SIZE ? pool_len++ : seeds + below(POOL_SIZE - seeds)] =
			    in;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: fuzz_fvconfig FILE...\n"
	                "       fuzz_fvconfig --runs N [--seed S] [--kinds] [SEED_FILE...]\n"
	                "  --kinds  list the kinds of error the inputs met\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct input pool[POOL_SIZE];
	static struct stats stats;
	unsigned long runs = 0, seed = 1;
	bool list_kinds = false;
	size_t seeds = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--kinds") == 0)
			list_kinds = true;
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] == '-' || seeds == MAX_SEEDS / 2)
			return usage();
		else if (!load(argv[i], &pool[seeds++]))
			return 1;
	}
	if (seeds == 0) {
		pool[0].len = sizeof default_config - 1;
		memcpy(pool[0].data, default_config, pool[0].len);
		seeds = 1;
	}
	for (size_t i = 0; i < seeds; i++)
		run_one(pool[i].data, pool[i].len, &stats);
	rng_state = seed;
	clock_t start = clock();
	run_mutations(pool, seeds, runs, &stats);
	double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	printf("fuzz_fvconfig: %lu inputs (seed %lu), %lu accepted, %u kinds of error", stats.runs,
	       seed, stats.accepted, stats.kinds);
	if (runs)
		printf(", %.2f s, %.0f inputs/s", seconds,
		       seconds > 0 ? (double)runs / seconds : 0.0);
	printf("\n");
	for (unsigned i = 0; list_kinds && i < stats.kinds; i++)
		printf("  %s\n", stats.kind[i]);
	return 0;
}

#endif
