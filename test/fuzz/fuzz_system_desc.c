/*
 * Fuzzing of the root task's system description parser (servers/root/system.c).
 *
 * LLVMFuzzerTestOneInput() is a libFuzzer entry point: with clang,
 *     clang -fsanitize=fuzzer,address,undefined -DFUZZ_WITH_LIBFUZZER \
 *           -Iservers/root test/fuzz/fuzz_system_desc.c servers/root/system.c
 * Without libFuzzer (gcc has none), main() drives it:
 *     fuzz_system_desc FILE...                      each file once
 *     fuzz_system_desc --runs N [--seed S] [--kinds] [FILE...]
 *         N inputs: seeded random mutations of the files (of built-in
 *         descriptions when none are given) and random descriptions
 *         put together from the keys and values of the format
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

#include "system.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                       \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "fuzz_system_desc: invariant broken: %s\n", #cond); \
			abort();                                                            \
		}                                                                           \
	} while (0)

#define ERR_SIZE 256
#define CANARY   0xa5

static bool is_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The documented name rule, spelled out independently of system_name_valid(). */
static bool is_valid_name(const char *s)
{
	size_t len = strlen(s);
	return len >= 1 && len <= SYSTEM_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* True if `needle` occurs in data[0..size). */
static bool contains(const uint8_t *data, size_t size, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n <= size && i <= size - n; i++)
		if (memcmp(data + i, needle, n) == 0)
			return true;
	return false;
}

static void check_guest(const struct system_guest *g, const uint8_t *data, size_t size)
{
	char line[SYSTEM_NAME_MAX + 8];
	REQUIRE(is_terminated(g->name, sizeof g->name) && is_valid_name(g->name));
	REQUIRE(system_name_valid(g->name));
	REQUIRE(g->vcpus >= 1 && g->vcpus <= SYSTEM_MAX_VCPUS);
	REQUIRE(g->memory != 0 && g->memory % SYSTEM_RAM_BLOCK == 0);
	REQUIRE(g->memory <= SYSTEM_MAX_MEMORY);
	REQUIRE(is_terminated(g->kernel, sizeof g->kernel) && g->kernel[0] != '\0');
	REQUIRE(is_terminated(g->initrd, sizeof g->initrd));
	REQUIRE(is_terminated(g->cmdline, sizeof g->cmdline));
	/* What was read came from the text. */
	snprintf(line, sizeof line, "guest %s", g->name);
	REQUIRE(contains(data, size, line));
	REQUIRE(contains(data, size, g->kernel));
	REQUIRE(contains(data, size, g->initrd));
	REQUIRE(contains(data, size, g->cmdline));
}

static void check_accepted(const struct system_desc *d, const char *err, const uint8_t *data,
                           size_t size)
{
	static const struct system_guest zero;
	REQUIRE(err[0] == '\0');
	REQUIRE(d->count >= 1 && d->count <= SYSTEM_MAX_GUESTS);
	for (unsigned i = 0; i < d->count; i++) {
		check_guest(&d->guests[i], data, size);
		for (unsigned j = 0; j < i; j++)
			REQUIRE(strcmp(d->guests[j].name, d->guests[i].name) != 0);
	}
	for (unsigned i = d->count; i < SYSTEM_MAX_GUESTS; i++)
		REQUIRE(memcmp(&d->guests[i], &zero, sizeof zero) == 0);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The message names a line of the text; errors found at the end name the last one. */
static void check_rejected(const struct system_desc *d, const char *err, unsigned lines)
{
	static const struct system_desc zero;
	REQUIRE(memcmp(d, &zero, sizeof zero) == 0);
	REQUIRE(is_terminated(err, ERR_SIZE));
	unsigned line = 0;
	int used = 0;
	REQUIRE(sscanf(err, "system.conf line %u: %n", &line, &used) == 1 && used > 0);
	REQUIRE(err[used] != '\0');
	REQUIRE(line <= lines && (line >= 1 || lines == 0));
	const char *m = err + used;
	if (strcmp(m, "no guests") == 0)
		REQUIRE(line == lines);
	/* "guest 'NAME' has no 'end'", NAME a guest name (so not a bad name echoed back). */
	size_t n = strlen(m);
	if (strncmp(m, "guest '", 7) == 0 && ends_with(m, "' has no 'end'") && n > 21) {
		char name[ERR_SIZE];
		memcpy(name, m + 7, n - 21);
		name[n - 21] = '\0';
		if (is_valid_name(name))
			REQUIRE(line == lines);
	}
}

/* The outcome of the last input, for the driver's statistics. */
static int last_result;
static char last_message[ERR_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct system_desc desc;
	static char err[ERR_SIZE + 16];
	unsigned lines = 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	lines += size > 0 && data[size - 1] != '\n';

	/* A full error buffer, with guard bytes behind it; *out starts as garbage. */
	memset(&desc, CANARY, sizeof desc);
	memset(err, CANARY, sizeof err);
	last_result = system_parse((const char *)data, size, &desc, err, ERR_SIZE);
	REQUIRE(last_result == 0 || last_result == -1);
	for (size_t i = ERR_SIZE; i < sizeof err; i++)
		REQUIRE((unsigned char)err[i] == CANARY);
	if (last_result == 0) {
		check_accepted(&desc, err, data, size);
	} else {
		check_rejected(&desc, err, lines);
		memcpy(last_message, err, sizeof last_message);
	}

	/* A short buffer gets the start of the same message, NUL-terminated, and nothing past it.
	 */
	static char full[ERR_SIZE];
	memcpy(full, err, sizeof full);
	size_t small = size % 40;
	memset(err, CANARY, sizeof err);
	int again = system_parse((const char *)data, size, &desc, err, small);
	REQUIRE(again == last_result);
	for (size_t i = small; i < sizeof err; i++)
		REQUIRE((unsigned char)err[i] == CANARY);
	if (small) {
		REQUIRE(is_terminated(err, small));
		REQUIRE(strncmp(err, full, strlen(err)) == 0);
		REQUIRE(strlen(err) == (strlen(full) < small ? strlen(full) : small - 1));
	}
	if (again == 0)
		check_accepted(&desc, small ? err : "", data, size);
	return 0;
}

#ifndef FUZZ_WITH_LIBFUZZER

#define MAX_INPUT  16384
#define MAX_SEEDS  64
#define POOL_SIZE  64
#define MAX_KINDS  256
#define KIND_BYTES 40

static const char *const default_seeds[] = {
    "# The default system\n"
    "guest alpha\n"
    "vcpus 2\n"
    "memory 268435456\n"
    "kernel guest-alpha.kernel\n"
    "initrd guest-alpha.initrd\n"
    "cmdline console=ttyS0 earlycon=sbi\n"
    "end\n"
    "\n"
    "guest beta\n"
    "memory 134217728\n"
    "kernel guest-beta.kernel\n"
    "end\n",

    "  # indented, CRLF\r\n"
    "guest a-1\r\n"
    "  vcpus 8\r\n"
    "  memory 68719476736\r\n"
    "  kernel k\r\n"
    "  cmdline \r\n"
    "end",

    "guest g0\nmemory 2097152\nkernel k\nend\n"
    "guest g1\nmemory 4194304\nkernel k\nend\n"
    "guest g2\nmemory 6291456\nkernel k\nend\n"
    "guest g3\nmemory 8388608\nkernel k\nend\n"
    "guest g4\nmemory 2097152\nkernel k\nend\n"
    "guest g5\nmemory 2097152\nkernel k\nend\n"
    "guest g6\nmemory 2097152\nkernel k\nend\n"
    "guest g7\nvcpus 1\nmemory 2097152\nkernel k\ninitrd i\nend\n",
};

/* Bytes and fragments that the format gives a meaning to. */
static const char special_bytes[] = " \t\n\r#-_0123456789azAZ\x00\x7f\x80\xc3\xff";
static const char *const tokens[] = {
    "guest ",
    "guest",
    "end",
    "end ",
    "vcpus ",
    "memory ",
    "kernel ",
    "initrd ",
    "cmdline ",
    "\n",
    "\r\n",
    "\r",
    "#",
    " ",
    "  ",
    "0",
    "1",
    "8",
    "9",
    "2097152",
    "2097151",
    "68719476736",
    "68721573888",
    "9223372036854775808",
    "9999999999999999999",
    "99999999999999999999",
    "18446744073709551615",
    "-",
    "alpha",
    "Alpha",
    "abcdefghijklmnopqrstuvwxyz01234",
    "abcdefghijklmnopqrstuvwxyz012345",
};

/* The values a generated line may take. */
static const char *const values[] = {
    "",
    "0",
    "1",
    "2",
    "8",
    "9",
    "2097152",
    "4194304",
    "3145728",
    "68719476736",
    "68721573888",
    "0000000000000000008",
    "00000000000000000008",
    "a",
    "b",
    "c",
    "guest-a.kernel",
    "a_b",
    "A",
    "console=ttyS0 quiet",
    "abcdefghijklmnopqrstuvwxyz01234",
    "abcdefghijklmnopqrstuvwxyz012345",
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

static void append(struct input *in, const char *s)
{
	insert(in, in->len, s, strlen(s));
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

/* Replaces what follows the first space of a random line with a value or a token. */
static void replace_value(struct input *in, size_t at)
{
	size_t start = line_start(in, at), end = line_end(in, at);
	unsigned char *space = memchr(in->data + start, ' ', end - start);
	if (!space)
		return;
	size_t from = (size_t)(space - in->data) + 1;
	erase(in, from, end - from);
	const char *v = below(2) ? values[below(sizeof values / sizeof values[0])]
	                         : tokens[below(sizeof tokens / sizeof tokens[0])];
	insert(in, from, v, strlen(v));
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

/* A run of bytes around the length limits: file names, the command line, a line. */
static void insert_run(struct input *in, size_t at)
{
	static const size_t lengths[] = {31, 32, 63, 64, 1023, 1024, 1078, 1079, 1086, 1087, 2000};
	static unsigned char run[2048];
	size_t n = lengths[below(sizeof lengths / sizeof lengths[0])];
	memset(run, below(2) ? 'c' : '#', n);
	if (in->len < MAX_INPUT / 4)
		insert(in, at, run, n);
}

/* A whole guest block, named at random, at the start of a line. */
static void insert_block(struct input *in, size_t at)
{
	char block[96];
	int n = snprintf(block, sizeof block, "guest n%u\nmemory 2097152\nkernel k\nend\n",
	                 (unsigned)below(16));
	insert(in, line_start(in, at), block, (size_t)n);
}

static void mutate_once(struct input *in)
{
	size_t at = below(in->len + 1);
	switch (below(12)) {
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
	case 7:
		replace_value(in, at);
		break;
	case 8:
		in->len = at; /* truncate */
		break;
	case 9:
		if (below(8) == 0)
			insert_run(in, at);
		break;
	case 10:
		insert_block(in, at);
		break;
	default:
		if (below(2))
			insert(in, line_start(in, at), "  ", 1 + below(2));
		else if (line_start(in, at) < in->len && in->data[line_start(in, at)] == ' ')
			erase(in, line_start(in, at), 1);
		break;
	}
}

/*
 * A random description from the format's pieces: 0-10 guest blocks of
 * random keys and values, now and then a line out of place.
 */
static void generate(struct input *in)
{
	static const char *const keys[] = {"vcpus ",  "memory ",  "kernel ",
	                                   "initrd ", "cmdline ", "end"};
	static const char *const names[] = {"a", "b", "c", "alpha", "x-1", "0"};
	in->len = 0;
	for (size_t g = below(11); g > 0; g--) {
		if (below(8))
			append(in, "guest ");
		append(in, below(16) ? names[below(sizeof names / sizeof names[0])]
		                     : values[below(sizeof values / sizeof values[0])]);
		append(in, below(8) ? "\n" : "\r\n");
		if (below(2))
			append(in, "memory 2097152\n");
		if (below(2))
			append(in, "kernel k\n");
		for (size_t k = below(5); k > 0; k--) {
			if (below(4) == 0)
				append(in, "  ");
			append(in, keys[below(sizeof keys / sizeof keys[0])]);
			append(in, values[below(sizeof values / sizeof values[0])]);
			append(in, below(4) ? "\n" : below(2) ? "\r\n" : "\n\n# c\n");
		}
		if (below(8))
			append(in, "end\n");
	}
}

struct stats {
	unsigned long runs, accepted;
	unsigned kinds;
	char kind[MAX_KINDS][KIND_BYTES + 1];
};

/*
 * Counts distinct errors, a rough measure of how much of the parser the
 * mutations reach. A message is taken after its line prefix, without the
 * values it names: digits, and all from its first quote to its last (to
 * its end when it was cut short inside a value).
 */
static void count_kind(struct stats *s)
{
	char kind[KIND_BYTES + 1] = {0};
	const char *m = strstr(last_message, ": ");
	m = m ? m + 2 : last_message;
	const char *first = strchr(m, '\''), *last = strrchr(m, '\'');
	if (first == last && first)
		last = first + strlen(first); /* cut short inside a value */
	size_t n = 0;
	for (; *m && n < KIND_BYTES; m++)
		if ((m <= first || m >= last) && (*m < '0' || *m > '9'))
			kind[n++] = *m;
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
 * (those reach deeper than the ones it rejects at the first line), as long
 * as they stay small enough to keep the runs fast. One input in eight is a
 * generated description instead, mutated or not.
 */
static void run_mutations(struct input *pool, size_t seeds, unsigned long runs, struct stats *s)
{
	static struct input in;
	size_t pool_len = seeds;
	for (unsigned long r = 0; r < runs; r++) {
		if (below(8) == 0)
			generate(&in);
		else
			in = pool[below(pool_len)];
		for (size_t m = below(7); m > 0; m--)
			mutate_once(&in);
		run_one(in.data, in.len, s);
		if (last_result == 0 && in.len <= MAX_INPUT / 4 && below(4) == 0)
			pool[pool_len < POOL_SIZE ? pool_len++ : seeds + below(POOL_SIZE - seeds)] =
			    in;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: fuzz_system_desc FILE...\n"
	                "       fuzz_system_desc --runs N [--seed S] [--kinds] [SEED_FILE...]\n"
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
	if (seeds == 0)
		for (; seeds < sizeof default_seeds / sizeof default_seeds[0]; seeds++) {
			pool[seeds].len = strlen(default_seeds[seeds]);
			memcpy(pool[seeds].data, default_seeds[seeds], pool[seeds].len);
		}
	for (size_t i = 0; i < seeds; i++)
		run_one(pool[i].data, pool[i].len, &stats);
	rng_state = seed;
	clock_t start = clock();
	run_mutations(pool, seeds, runs, &stats);
	double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	printf("fuzz_system_desc: %lu inputs (seed %lu), %lu accepted, %u kinds of error",
	       stats.runs, seed, stats.accepted, stats.kinds);
	if (runs)
		printf(", %.2f s, %.0f inputs/s", seconds,
		       seconds > 0 ? (double)runs / seconds : 0.0);
	printf("\n");
	for (unsigned i = 0; list_kinds && i < stats.kinds; i++)
		printf("  %s\n", stats.kind[i]);
	return 0;
}

#endif
