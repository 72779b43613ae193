/*
 * Unit tests of the Linux personality's frame table and free address ranges
 * (libcap/src/posix_tables.c).
 *
 * The frame table is checked entry by entry where the probe order matters
 * (collisions, runs wrapping past the end of the table) and against a plain
 * array indexed by page number in long seeded random runs. The free ranges
 * are checked against hand-worked results and, in random runs, against a
 * bitmap with one state per page of a small area.
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

#include "posix_tables.h"

#define PAGE 4096ull

static uint64_t rng_state;

/* xorshift64*: the same sequence for the same seed on every host. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* ---- frame table ---- */

static struct frame_table *new_table(void)
{
	struct frame_table *t = malloc(sizeof(*t));
	assert_non_null(t);
	memset(t, 0xa5, sizeof(*t)); /* init must not rely on zeroed memory */
	frame_table_init(t);
	return t;
}

static unsigned index_of(struct frame_table *t, struct frame_entry *e)
{
	return (unsigned)(e - t->entries);
}

static struct frame_entry *put(struct frame_table *t, uint64_t va, uint64_t slot, unsigned rights)
{
	struct frame_entry *e = frame_table_insert(t, va);
	assert_non_null(e);
	assert_int_equal(e->va, va);
	e->slot = slot;
	e->rights = rights;
	return e;
}

/* Asserts that `va` is in the table with `slot`, and returns its index. */
static unsigned expect_found(struct frame_table *t, uint64_t va, uint64_t slot)
{
	struct frame_entry *e = frame_table_find(t, va);
	assert_non_null(e);
	assert_int_equal(e->va, va);
	assert_int_equal(e->slot, slot);
	return index_of(t, e);
}

/* The first `n` page addresses, from `after` on, whose probe starts at `home`. */
static void colliding(unsigned home, uint64_t after, uint64_t *out, unsigned n)
{
	for (uint64_t va = after + PAGE; n; va += PAGE) {
		if (frame_table_hash(va) == home) {
			*out++ = va;
			n--;
		}
	}
}

static void test_frame_hash_in_range_and_spread(void **state)
{
	(void)state;
	unsigned first = frame_table_hash(PAGE);
	bool differs = false;
	for (uint64_t va = PAGE; va < 1000 * PAGE; va += PAGE) {
		assert_true(frame_table_hash(va) < FRAME_TABLE_SIZE);
		differs |= frame_table_hash(va) != first;
	}
	assert_true(differs);
	/* Only the page number counts. */
	assert_int_equal(frame_table_hash(0x12345000), frame_table_hash(0x12345fff));
}

static void test_frame_insert_find_remove(void **state)
{
	(void)state;
	struct frame_table *t = new_table();
	assert_null(frame_table_find(t, 0x1000));
	put(t, 0x1000, 11, 1);
	put(t, 0x2000, 12, 3);
	put(t, 0x7fff000, 13, 0);
	assert_int_equal(t->count, 3);
	expect_found(t, 0x1000, 11);
	expect_found(t, 0x2000, 12);
	struct frame_entry *e = frame_table_find(t, 0x7fff000);
	assert_non_null(e);
	assert_int_equal(e->rights, 0);
	assert_int_equal(frame_table_find(t, 0x2000)->rights, 3);
	assert_null(frame_table_find(t, 0x3000));

	frame_table_remove(t, frame_table_find(t, 0x2000));
	assert_int_equal(t->count, 2);
	assert_null(frame_table_find(t, 0x2000));
	expect_found(t, 0x1000, 11);
	expect_found(t, 0x7fff000, 13);

	put(t, 0x2000, 22, 1); /* the same page again, another frame */
	expect_found(t, 0x2000, 22);
	free(t);
}

/* Entries colliding on one bucket sit one after the other in insertion order. */
static void test_frame_collisions_fill_run(void **state)
{
	(void)state;
	struct frame_table *t = new_table();
	uint64_t va[6];
	colliding(100, 0, va, 6);
	for (unsigned i = 0; i < 6; i++)
		put(t, va[i], 1000 + i, 1);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(expect_found(t, va[i], 1000 + i), 100 + i);
	free(t);
}

/* Removing any entry of a run of collisions leaves the rest findable and the run
 * without a gap (a gap would end lookups early). */
static void test_frame_remove_middle_of_run(void **state)
{
	(void)state;
	uint64_t va[6];
	colliding(100, 0, va, 6);
	for (unsigned gone = 0; gone < 6; gone++) {
		struct frame_table *t = new_table();
		for (unsigned i = 0; i < 6; i++)
			put(t, va[i], 1000 + i, 1);
		frame_table_remove(t, frame_table_find(t, va[gone]));
		assert_null(frame_table_find(t, va[gone]));
		for (unsigned i = 0; i < 6; i++) {
			if (i == gone)
				continue;
			/* Each later entry moved back by one. */
			unsigned at = expect_found(t, va[i], 1000 + i);
			assert_int_equal(at, 100 + i - (i > gone));
		}
		assert_int_equal(t->entries[105].va, 0);
		free(t);
	}
}

/* A run of mixed homes: an entry may only move back as far as its own home. */
static void test_frame_remove_keeps_entries_after_home(void **state)
{
	(void)state;
	struct frame_table *t = new_table();
	uint64_t a[2], b[1], c[1];
	colliding(200, 0, a, 2);
	colliding(201, 0, b, 1);
	colliding(203, 0, c, 1);
	put(t, a[0], 1, 1); /* 200 */
	put(t, b[0], 2, 1); /* 201 */
	put(t, a[1], 3, 1); /* 202 */
	put(t, c[0], 4, 1); /* 203, at home */
	assert_int_equal(expect_found(t, a[1], 3), 202);
	assert_int_equal(expect_found(t, c[0], 4), 203);

	frame_table_remove(t, frame_table_find(t, b[0]));
	/* a[1] fills 201; c[0] must stay at its home 203, not move to 202. */
	assert_int_equal(expect_found(t, a[0], 1), 200);
	assert_int_equal(expect_found(t, a[1], 3), 201);
	assert_int_equal(expect_found(t, c[0], 4), 203);
	assert_int_equal(t->entries[202].va, 0);
	free(t);
}

/* Five collisions on the second-last bucket: the run wraps to the start. */
static void test_frame_run_wraps_around_end(void **state)
{
	(void)state;
	const unsigned home = FRAME_TABLE_SIZE - 2;
	uint64_t va[5];
	colliding(home, 0, va, 5);
	for (unsigned gone = 0; gone < 5; gone++) {
		struct frame_table *t = new_table();
		for (unsigned i = 0; i < 5; i++)
			put(t, va[i], 50 + i, 1);
		assert_int_equal(expect_found(t, va[4], 54), 2);
		frame_table_remove(t, frame_table_find(t, va[gone]));
		assert_null(frame_table_find(t, va[gone]));
		for (unsigned i = 0; i < 5; i++) {
			if (i == gone)
				continue;
			unsigned at = expect_found(t, va[i], 50 + i);
			assert_int_equal(at, (home + i - (i > gone)) & (FRAME_TABLE_SIZE - 1));
		}
		assert_int_equal(t->entries[2].va, 0);
		free(t);
	}
}

/*
 * The hole at the last bucket, the entries after it wrapped: one whose home is
 * bucket 0 stays there; one whose home is the last bucket moves back across
 * the end of the table.
 */
static void test_frame_remove_across_end(void **state)
{
	(void)state;
	const unsigned last = FRAME_TABLE_SIZE - 1;
	struct frame_table *t = new_table();
	uint64_t p[2], q[1];
	colliding(last, 0, p, 2);
	colliding(0, 0, q, 1);
	put(t, p[0], 1, 1); /* last */
	put(t, q[0], 2, 1); /* 0 */
	put(t, p[1], 3, 1); /* 1 */
	assert_int_equal(expect_found(t, p[1], 3), 1);

	frame_table_remove(t, frame_table_find(t, p[0]));
	assert_int_equal(expect_found(t, q[0], 2), 0);
	assert_int_equal(expect_found(t, p[1], 3), last);
	assert_int_equal(t->entries[1].va, 0);
	assert_null(frame_table_find(t, p[0]));
	free(t);
}

/* Every entry but one can be used; then insert refuses, and lookups of absent
 * pages still end. */
static void test_frame_table_full(void **state)
{
	(void)state;
	struct frame_table *t = new_table();
	for (uint64_t i = 1; i < FRAME_TABLE_SIZE; i++)
		put(t, i * PAGE, i, 1);
	assert_int_equal(t->count, FRAME_TABLE_SIZE - 1);
	assert_null(frame_table_insert(t, FRAME_TABLE_SIZE * PAGE));
	assert_int_equal(t->count, FRAME_TABLE_SIZE - 1);
	assert_null(frame_table_find(t, FRAME_TABLE_SIZE * PAGE));
	for (uint64_t i = 1; i < FRAME_TABLE_SIZE; i += 97)
		expect_found(t, i * PAGE, i);

	frame_table_remove(t, frame_table_find(t, 5 * PAGE));
	put(t, FRAME_TABLE_SIZE * PAGE, 77, 1);
	expect_found(t, FRAME_TABLE_SIZE * PAGE, 77);
	for (uint64_t i = 1; i < FRAME_TABLE_SIZE; i++)
		if (i != 5)
			expect_found(t, i * PAGE, i);
	free(t);
}

#define POOL_PAGES 12000u /* pages the random runs draw from */
#define MAX_LIVE   7000u  /* load up to 85%: long runs, many wrapping */

/* The model: the slot of each page of the pool, 0 when absent. */
struct frame_model {
	uint64_t slot[POOL_PAGES];
	unsigned live;
};

static uint64_t pool_va(unsigned page)
{
	return 0x100000000ull + (uint64_t)page * PAGE;
}

static void frame_random_step(struct frame_table *t, struct frame_model *m, uint64_t stamp)
{
	unsigned page = rng_below(POOL_PAGES);
	uint64_t va = pool_va(page);
	struct frame_entry *e = frame_table_find(t, va);
	if (!m->slot[page]) {
		assert_null(e);
		if (m->live < MAX_LIVE && rng_below(8) < 5) {
			put(t, va, stamp, (unsigned)stamp & 7);
			m->slot[page] = stamp;
			m->live++;
		}
		return;
	}
	assert_non_null(e);
	assert_int_equal(e->slot, m->slot[page]);
	assert_int_equal(e->rights, (unsigned)m->slot[page] & 7);
	if (rng_below(8) < 4 || m->live == MAX_LIVE) {
		frame_table_remove(t, e);
		m->slot[page] = 0;
		m->live--;
	}
}

static void frame_compare_all(struct frame_table *t, const struct frame_model *m)
{
	assert_int_equal(t->count, m->live);
	for (unsigned page = 0; page < POOL_PAGES; page++) {
		struct frame_entry *e = frame_table_find(t, pool_va(page));
		if (!m->slot[page]) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal(e->slot, m->slot[page]);
	}
	unsigned used = 0;
	for (unsigned i = 0; i < FRAME_TABLE_SIZE; i++)
		used += t->entries[i].va != 0;
	assert_int_equal(used, m->live);
}

static void test_frame_random_against_model(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {1, 42, 0xdeadbeef, 20240601, 0x9e3779b97f4a7c15ull};
	struct frame_model *m = malloc(sizeof(*m));
	assert_non_null(m);
	for (unsigned s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		rng_state = seeds[s];
		struct frame_table *t = new_table();
		memset(m, 0, sizeof(*m));
		unsigned peak = 0;
		for (uint64_t op = 1; op <= 40000; op++) {
			frame_random_step(t, m, op);
			peak = m->live > peak ? m->live : peak;
			if (op % 5000 == 0)
				frame_compare_all(t, m);
		}
		assert_true(peak > MAX_LIVE / 2); /* the run did load the table */
		free(t);
	}
	free(m);
}

/* ---- free address ranges ---- */

#define P(n) (0x100000000ull + (uint64_t)(n) * PAGE) /* page n of a test area */

static void set_ranges(struct va_ranges *v, const struct va_range *r, unsigned n)
{
	memset(v, 0x5a, sizeof(*v));
	va_ranges_init(v, r[0].start, r[0].end);
	for (unsigned i = 1; i < n; i++)
		v->r[i] = r[i];
	v->count = n;
}

static void expect_ranges(const struct va_ranges *v, const struct va_range *r, unsigned n)
{
	assert_int_equal(v->count, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(v->r[i].start, r[i].start);
		assert_int_equal(v->r[i].end, r[i].end);
	}
}

#define RANGES(...)    ((const struct va_range[]){__VA_ARGS__})
#define NRANGES(...)   (sizeof((const struct va_range[]){__VA_ARGS__}) / sizeof(struct va_range))
#define SET(v, ...)    set_ranges(v, RANGES(__VA_ARGS__), NRANGES(__VA_ARGS__))
#define EXPECT(v, ...) expect_ranges(v, RANGES(__VA_ARGS__), NRANGES(__VA_ARGS__))
#define R(a, b)        {P(a), P(b)}

/* Every other page of [P(0), P(2 * VA_RANGES_MAX)) free: the array is full. */
static void set_full(struct va_ranges *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < VA_RANGES_MAX; i++)
		v->r[i] = (struct va_range){P(2 * i), P(2 * i + 1)};
	v->count = VA_RANGES_MAX;
}

static void test_va_init(void **state)
{
	(void)state;
	struct va_ranges v;
	memset(&v, 0xff, sizeof(v));
	va_ranges_init(&v, P(0), P(100));
	EXPECT(&v, R(0, 100));
}

static void test_va_alloc_first_fit(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(1, 2), R(10, 14), R(20, 60));
	/* Not the first range (too short), not the best fit: the first that fits. */
	assert_int_equal(va_ranges_alloc(&v, 2 * PAGE), P(10));
	EXPECT(&v, R(1, 2), R(12, 14), R(20, 60));
	assert_int_equal(va_ranges_alloc(&v, 3 * PAGE), P(20));
	EXPECT(&v, R(1, 2), R(12, 14), R(23, 60));
	assert_int_equal(va_ranges_alloc(&v, PAGE), P(1));
	EXPECT(&v, R(12, 14), R(23, 60));
}

static void test_va_alloc_exact_fit_removes(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(1, 2), R(10, 14), R(20, 24), R(30, 40));
	assert_int_equal(va_ranges_alloc(&v, 4 * PAGE), P(10));
	EXPECT(&v, R(1, 2), R(20, 24), R(30, 40));
	assert_int_equal(va_ranges_alloc(&v, 10 * PAGE), P(30));
	EXPECT(&v, R(1, 2), R(20, 24));
	assert_int_equal(va_ranges_alloc(&v, PAGE), P(1));
	EXPECT(&v, R(20, 24));
	assert_int_equal(va_ranges_alloc(&v, 4 * PAGE), P(20));
	assert_int_equal(v.count, 0);
}

static void test_va_alloc_nothing_fits(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(1, 3), R(10, 14), R(20, 23));
	assert_int_equal(va_ranges_alloc(&v, 5 * PAGE), 0);
	EXPECT(&v, R(1, 3), R(10, 14), R(20, 23)); /* unchanged */
	/* The free pages add up to enough, but not in one piece. */
	assert_int_equal(va_ranges_alloc(&v, 9 * PAGE), 0);
	assert_int_equal(va_ranges_alloc(&v, 4 * PAGE), P(10));
	assert_int_equal(va_ranges_alloc(&v, 4 * PAGE), 0);
	v.count = 0;
	assert_int_equal(va_ranges_alloc(&v, PAGE), 0);
}

static void test_va_take_splits_one_range(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(0, 5), R(10, 20), R(30, 40));
	assert_true(va_ranges_take(&v, P(12), P(15)));
	EXPECT(&v, R(0, 5), R(10, 12), R(15, 20), R(30, 40));
}

static void test_va_take_exact_and_ends(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(0, 5), R(10, 20), R(30, 40));
	assert_true(va_ranges_take(&v, P(10), P(20)));
	EXPECT(&v, R(0, 5), R(30, 40));
	assert_true(va_ranges_take(&v, P(30), P(32))); /* the start of a range */
	EXPECT(&v, R(0, 5), R(32, 40));
	assert_true(va_ranges_take(&v, P(38), P(40))); /* its end */
	EXPECT(&v, R(0, 5), R(32, 38));
}

static void test_va_take_spanning_several(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(0, 3), R(5, 7), R(9, 12), R(14, 15), R(20, 30));
	/* Cuts the end of the first, all of the next three, the start of the last. */
	assert_true(va_ranges_take(&v, P(2), P(22)));
	EXPECT(&v, R(0, 2), R(22, 30));
}

static void test_va_take_partly_or_not_free(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(5, 10), R(20, 30));
	assert_true(va_ranges_take(&v, P(2), P(7))); /* free from 5 on */
	EXPECT(&v, R(7, 10), R(20, 30));
	assert_true(va_ranges_take(&v, P(25), P(40))); /* free up to 30 */
	EXPECT(&v, R(7, 10), R(20, 25));
	assert_true(va_ranges_take(&v, P(10), P(20))); /* none of it free */
	EXPECT(&v, R(7, 10), R(20, 25));
	assert_true(va_ranges_take(&v, P(0), P(100))); /* covers all */
	assert_int_equal(v.count, 0);
}

/* A split needs an entry the full array has not: take reports it. */
static void test_va_take_split_when_full(void **state)
{
	(void)state;
	struct va_ranges v;
	const unsigned last = VA_RANGES_MAX - 1, top = 2 * VA_RANGES_MAX;
	set_full(&v);
	v.r[last].end = P(top + 10); /* the last range: [top - 2, top + 10) */
	/* Not splits: all of the first range; all of one and the start of the last. */
	assert_true(va_ranges_take(&v, P(0), P(1)));
	assert_true(va_ranges_take(&v, P(top - 4), P(top - 1)));
	assert_int_equal(v.count, VA_RANGES_MAX - 2);
	assert_int_equal(v.r[VA_RANGES_MAX - 3].start, P(top - 1));

	set_full(&v);
	v.r[last].end = P(top + 10);
	struct va_ranges before = v;
	assert_false(va_ranges_take(&v, P(top), P(top + 2)));
	/* Nothing taken: all of it is still free. */
	assert_memory_equal(&v, &before, sizeof(v));
	assert_int_equal(v.r[last].start, P(top - 2));
	assert_int_equal(v.r[last].end, P(top + 10));
	/* With room again, the same take splits the range. */
	assert_true(va_ranges_take(&v, P(0), P(1)));
	assert_true(va_ranges_take(&v, P(top), P(top + 2)));
	assert_int_equal(v.count, VA_RANGES_MAX);
	assert_int_equal(v.r[last - 1].start, P(top - 2));
	assert_int_equal(v.r[last - 1].end, P(top));
	assert_int_equal(v.r[last].start, P(top + 2));
	assert_int_equal(v.r[last].end, P(top + 10));
}

static void test_va_overlaps(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(5, 10), R(20, 30));
	assert_false(va_ranges_overlaps(&v, P(0), P(5)));
	assert_true(va_ranges_overlaps(&v, P(0), P(6)));
	assert_true(va_ranges_overlaps(&v, P(9), P(20)));
	assert_false(va_ranges_overlaps(&v, P(10), P(20)));
	assert_true(va_ranges_overlaps(&v, P(11), P(40)));
	assert_true(va_ranges_overlaps(&v, P(22), P(23)));
	assert_false(va_ranges_overlaps(&v, P(30), P(40)));
	v.count = 0;
	assert_false(va_ranges_overlaps(&v, P(0), P(40)));
}

static void test_va_free_coalesces(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(0, 5), R(10, 15), R(20, 25));
	assert_true(va_ranges_free(&v, P(5), P(7))); /* joins the previous */
	EXPECT(&v, R(0, 7), R(10, 15), R(20, 25));
	assert_true(va_ranges_free(&v, P(18), P(20))); /* joins the next */
	EXPECT(&v, R(0, 7), R(10, 15), R(18, 25));
	assert_true(va_ranges_free(&v, P(7), P(10))); /* joins both */
	EXPECT(&v, R(0, 15), R(18, 25));
	assert_true(va_ranges_free(&v, P(16), P(17))); /* joins none */
	EXPECT(&v, R(0, 15), R(16, 17), R(18, 25));
	assert_true(va_ranges_free(&v, P(15), P(16)));
	EXPECT(&v, R(0, 17), R(18, 25));
	assert_true(va_ranges_free(&v, P(17), P(18)));
	EXPECT(&v, R(0, 25));
}

static void test_va_free_before_first_and_after_last(void **state)
{
	(void)state;
	struct va_ranges v;
	SET(&v, R(10, 15));
	assert_true(va_ranges_free(&v, P(2), P(4)));
	assert_true(va_ranges_free(&v, P(30), P(31)));
	EXPECT(&v, R(2, 4), R(10, 15), R(30, 31));
	v.count = 0;
	assert_true(va_ranges_free(&v, P(3), P(9)));
	EXPECT(&v, R(3, 9));
}

static void test_va_free_into_full_array(void **state)
{
	(void)state;
	struct va_ranges v;
	set_full(&v);
	/* Touching nothing: it needs an entry, and is dropped. */
	assert_false(va_ranges_free(&v, P(2 * VA_RANGES_MAX + 5), P(2 * VA_RANGES_MAX + 6)));
	assert_int_equal(v.count, VA_RANGES_MAX);
	assert_int_equal(v.r[VA_RANGES_MAX - 1].end, P(2 * VA_RANGES_MAX - 1));
	/* Touching a range: joined, no entry needed. */
	assert_true(va_ranges_free(&v, P(2 * VA_RANGES_MAX - 1), P(2 * VA_RANGES_MAX + 3)));
	assert_int_equal(v.count, VA_RANGES_MAX);
	assert_int_equal(v.r[VA_RANGES_MAX - 1].end, P(2 * VA_RANGES_MAX + 3));
	/* Bridging two: one entry fewer, and then there is room again. */
	assert_true(va_ranges_free(&v, P(1), P(2)));
	assert_int_equal(v.count, VA_RANGES_MAX - 1);
	assert_int_equal(v.r[0].end, P(3));
	assert_int_equal(v.r[1].start, P(4));
	assert_true(va_ranges_free(&v, P(2 * VA_RANGES_MAX + 5), P(2 * VA_RANGES_MAX + 6)));
	assert_int_equal(v.count, VA_RANGES_MAX);
}

/*
 * The random model: each page of a small area is free, held by the test
 * (allocated or taken), or lost (dropped from a full array). Free ranges must
 * always be exactly the maximal runs of free pages.
 */
#define AREA_PAGES 800u

enum page_state { FREE, HELD, LOST };

struct va_model {
	unsigned char page[AREA_PAGES];
	unsigned full_frees; /* frees the full array dropped */
	unsigned full_takes; /* takes the full array could not split */
};

static unsigned model_runs(const struct va_model *m, struct va_range *out)
{
	unsigned n = 0;
	for (unsigned p = 0; p < AREA_PAGES; p++) {
		if (m->page[p] != FREE)
			continue;
		unsigned q = p;
		while (q < AREA_PAGES && m->page[q] == FREE)
			q++;
		if (out)
			out[n] = (struct va_range){P(p), P(q)};
		n++;
		p = q;
	}
	return n;
}

static void va_compare(const struct va_ranges *v, const struct va_model *m)
{
	static struct va_range runs[AREA_PAGES];
	unsigned n = model_runs(m, runs);
	expect_ranges(v, runs, n);
}

static bool is_free(const struct va_model *m, int p)
{
	return p >= 0 && p < (int)AREA_PAGES && m->page[p] == FREE;
}

static void set_pages(struct va_model *m, unsigned from, unsigned to, enum page_state s)
{
	for (unsigned p = from; p < to; p++)
		m->page[p] = (unsigned char)s;
}

/* First fit over the bitmap: the lowest run of `len` free pages. */
static void va_random_alloc(struct va_ranges *v, struct va_model *m)
{
	unsigned len = 1 + rng_below(rng_below(4) ? 3 : 40);
	int expect = -1;
	for (unsigned p = 0, run = 0; p < AREA_PAGES && expect < 0; p++) {
		run = m->page[p] == FREE ? run + 1 : 0;
		if (run == len)
			expect = (int)(p + 1 - len);
	}
	uint64_t got = va_ranges_alloc(v, len * PAGE);
	if (expect < 0) {
		assert_int_equal(got, 0);
		return;
	}
	assert_int_equal(got, P(expect));
	set_pages(m, (unsigned)expect, (unsigned)expect + len, HELD);
}

/* Frees a run of up to `max` held pages, starting at a random held one. */
static void va_random_free(struct va_ranges *v, struct va_model *m, unsigned max)
{
	unsigned p = rng_below(AREA_PAGES), len = 1 + rng_below(max), q = p;
	if (m->page[p] != HELD)
		return;
	while (q < AREA_PAGES && q < p + len && m->page[q] == HELD)
		q++;
	bool needs_entry = !is_free(m, (int)p - 1) && !is_free(m, (int)q);
	bool full = model_runs(m, NULL) == VA_RANGES_MAX;
	bool ok = va_ranges_free(v, P(p), P(q));
	assert_int_equal(ok, !(needs_entry && full));
	m->full_frees += needs_entry && full;
	set_pages(m, p, q, ok ? FREE : LOST);
}

/* Takes [p, q), whatever its pages are; then frees it if `then_free`. */
static void va_take_span(struct va_ranges *v, struct va_model *m, unsigned p, unsigned q,
                         bool then_free)
{
	bool inside = is_free(m, (int)p - 1) && is_free(m, (int)q);
	for (unsigned i = p; i < q; i++)
		inside &= m->page[i] == FREE;
	bool any_free = false;
	for (unsigned i = p; i < q; i++)
		any_free |= m->page[i] == FREE;
	assert_int_equal(va_ranges_overlaps(v, P(p), P(q)), any_free);
	bool full = model_runs(m, NULL) == VA_RANGES_MAX;
	bool ok = va_ranges_take(v, P(p), P(q));
	assert_int_equal(ok, !(inside && full));
	m->full_takes += inside && full;
	if (!ok) /* nothing taken */
		return;
	for (unsigned i = p; i < q; i++)
		if (m->page[i] == FREE)
			m->page[i] = HELD;
	if (!then_free)
		return;
	/* As munmap does: everything of the span free again, lost pages too. */
	bool touches = is_free(m, (int)p - 1) || is_free(m, (int)q);
	bool freed = va_ranges_free(v, P(p), P(q));
	assert_int_equal(freed, touches || model_runs(m, NULL) < VA_RANGES_MAX);
	set_pages(m, p, q, freed ? FREE : LOST);
}

static void va_random_take(struct va_ranges *v, struct va_model *m, bool then_free)
{
	unsigned p = rng_below(AREA_PAGES), q = p + 1 + rng_below(12);
	va_take_span(v, m, p, q > AREA_PAGES ? AREA_PAGES : q, then_free);
}

/* Takes one page in the middle of a free range: a split. */
static void va_random_take_inside(struct va_ranges *v, struct va_model *m)
{
	unsigned p = rng_below(AREA_PAGES);
	if (is_free(m, (int)p - 1) && is_free(m, (int)p) && is_free(m, (int)p + 1))
		va_take_span(v, m, p, p + 1, rng_below(2));
}

/* Frees one held page between two pages that are not free: one range more. */
static void va_random_free_isolated(struct va_ranges *v, struct va_model *m)
{
	unsigned p = rng_below(AREA_PAGES), tries = 1;
	while (m->page[p] != HELD || is_free(m, (int)p - 1) || is_free(m, (int)p + 1)) {
		if (tries++ == 32)
			return;
		p = rng_below(AREA_PAGES);
	}
	bool full = model_runs(m, NULL) == VA_RANGES_MAX;
	bool ok = va_ranges_free(v, P(p), P(p + 1));
	assert_int_equal(ok, !full);
	m->full_frees += full;
	m->page[p] = ok ? FREE : LOST;
}

/* Cuts the area into as many ranges as the array holds, and more. */
static void va_fragment_step(struct va_ranges *v, struct va_model *m)
{
	unsigned r = rng_below(10);
	if (r < 5)
		va_random_free_isolated(v, m);
	else if (r < 7)
		va_random_free(v, m, 1); /* may join ranges, making long ones to split */
	else
		va_random_take_inside(v, m);
}

/* One random operation; phase 0 fills the area, 1 fragments it, 2 mixes
 * everything, 3 joins it up again. */
static void va_random_step(struct va_ranges *v, struct va_model *m, unsigned phase)
{
	unsigned r = rng_below(10);
	if (phase == 0)
		r < 7 ? va_random_alloc(v, m) : va_random_take(v, m, false);
	else if (phase == 1)
		va_fragment_step(v, m);
	else if (phase == 2 && r < 3)
		va_random_alloc(v, m);
	else if (r < 7)
		va_random_free(v, m, r < 5 ? 2 : 30);
	else
		va_random_take(v, m, r > 7);
}

static void va_random_run(uint64_t seed, struct va_model *m)
{
	struct va_ranges v;
	rng_state = seed;
	memset(m, 0, sizeof(*m));
	va_ranges_init(&v, P(0), P(AREA_PAGES));
	for (unsigned op = 0; op < 24000; op++) {
		va_random_step(&v, m, op / 1500 % 4);
		va_compare(&v, m);
	}
}

static void test_va_random_against_bitmap(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {7, 99, 12345, 0xfeedface, 31337, 2718281828};
	struct va_model m;
	unsigned full_frees = 0, full_takes = 0;
	for (unsigned s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		va_random_run(seeds[s], &m);
		full_frees += m.full_frees;
		full_takes += m.full_takes;
	}
	/* The runs did reach the capacity limit, both ways. */
	assert_true(full_frees > 0);
	assert_true(full_takes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frame_hash_in_range_and_spread),
	    cmocka_unit_test(test_frame_insert_find_remove),
	    cmocka_unit_test(test_frame_collisions_fill_run),
	    cmocka_unit_test(test_frame_remove_middle_of_run),
	    cmocka_unit_test(test_frame_remove_keeps_entries_after_home),
	    cmocka_unit_test(test_frame_run_wraps_around_end),
	    cmocka_unit_test(test_frame_remove_across_end),
	    cmocka_unit_test(test_frame_table_full),
	    cmocka_unit_test(test_frame_random_against_model),
	    cmocka_unit_test(test_va_init),
	    cmocka_unit_test(test_va_alloc_first_fit),
	    cmocka_unit_test(test_va_alloc_exact_fit_removes),
	    cmocka_unit_test(test_va_alloc_nothing_fits),
	    cmocka_unit_test(test_va_take_splits_one_range),
	    cmocka_unit_test(test_va_take_exact_and_ends),
	    cmocka_unit_test(test_va_take_spanning_several),
	    cmocka_unit_test(test_va_take_partly_or_not_free),
	    cmocka_unit_test(test_va_take_split_when_full),
	    cmocka_unit_test(test_va_overlaps),
	    cmocka_unit_test(test_va_free_coalesces),
	    cmocka_unit_test(test_va_free_before_first_and_after_last),
	    cmocka_unit_test(test_va_free_into_full_array),
	    cmocka_unit_test(test_va_random_against_bitmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
