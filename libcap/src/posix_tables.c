/*
 * The frame table and the free address ranges of the Linux personality's
 * memory (see posix_tables.h). Portable C: the personality builds it for
 * riscv64, the unit tests for the host.
 */
#include <string.h>

#include "posix_tables.h"

/* ---- the frame table ---- */

#define FRAME_MASK (FRAME_TABLE_SIZE - 1)

void frame_table_init(struct frame_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* Fibonacci hashing of the page number: its top bits index the table, so
 * neighbouring pages land far apart. */
unsigned frame_table_hash(uint64_t va)
{
	return (unsigned)((va >> 12) * 0x9e3779b97f4a7c15ull >> (64 - FRAME_TABLE_BITS)) &
	       FRAME_MASK;
}

struct frame_entry *frame_table_find(struct frame_table *t, uint64_t va)
{
	for (unsigned i = frame_table_hash(va);; i = (i + 1) & FRAME_MASK) {
		if (t->entries[i].va == va)
			return &t->entries[i];
		if (t->entries[i].va == 0)
			return NULL;
	}
}

struct frame_entry *frame_table_insert(struct frame_table *t, uint64_t va)
{
	if (t->count == FRAME_TABLE_SIZE - 1)
		return NULL;
	unsigned i = frame_table_hash(va);
	while (t->entries[i].va != 0)
		i = (i + 1) & FRAME_MASK;
	t->entries[i].va = va;
	t->count++;
	return &t->entries[i];
}

/* True if an entry at `i` whose probe starts at `home` may move to `hole`:
 * it may unless `home` lies cyclically in (hole, i], where a lookup of it
 * starting at `home` would never pass `hole`. */
static bool may_fill(unsigned hole, unsigned i, unsigned home)
{
	bool stays = hole < i ? (home > hole && home <= i) : (home > hole || home <= i);
	return !stays;
}

/* Empties `e` and moves later entries of its probe run back into the holes
 * that leaves, so that every lookup still ends at an unused entry. */
void frame_table_remove(struct frame_table *t, struct frame_entry *e)
{
	unsigned hole = (unsigned)(e - t->entries);
	t->entries[hole].va = 0;
	t->count--;
	for (unsigned i = (hole + 1) & FRAME_MASK; t->entries[i].va; i = (i + 1) & FRAME_MASK) {
		if (!may_fill(hole, i, frame_table_hash(t->entries[i].va)))
			continue;
		t->entries[hole] = t->entries[i];
		t->entries[i].va = 0;
		hole = i;
	}
}

/* ---- free address ranges ---- */

static void remove_at(struct va_ranges *v, unsigned i)
{
	memmove(&v->r[i], &v->r[i + 1], (v->count - i - 1) * sizeof(v->r[0]));
	v->count--;
}

/* False, and nothing stored, when the array is full. */
static bool insert_at(struct va_ranges *v, unsigned i, uint64_t start, uint64_t end)
{
	if (v->count == VA_RANGES_MAX)
		return false;
	memmove(&v->r[i + 1], &v->r[i], (v->count - i) * sizeof(v->r[0]));
	v->r[i] = (struct va_range){start, end};
	v->count++;
	return true;
}

void va_ranges_init(struct va_ranges *v, uint64_t start, uint64_t end)
{
	v->r[0] = (struct va_range){start, end};
	v->count = 1;
}

uint64_t va_ranges_alloc(struct va_ranges *v, uint64_t len)
{
	for (unsigned i = 0; i < v->count; i++) {
		if (v->r[i].end - v->r[i].start < len)
			continue;
		uint64_t va = v->r[i].start;
		v->r[i].start += len;
		if (v->r[i].start == v->r[i].end)
			remove_at(v, i);
		return va;
	}
	return 0;
}

bool va_ranges_take(struct va_ranges *v, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < v->count; i++) {
		struct va_range r = v->r[i];
		if (r.end <= start || r.start >= end)
			continue;
		if (r.start < start && r.end > end) {
			/* The only range [start, end) touches, so nothing is cut yet:
			 * refusing here leaves all as it was. */
			if (v->count == VA_RANGES_MAX)
				return false;
			v->r[i].end = start;
			return insert_at(v, i + 1, end, r.end);
		}
		if (r.start < start)
			v->r[i].end = start;
		else if (r.end > end)
			v->r[i].start = end;
		else
			remove_at(v, i--);
	}
	return true;
}

bool va_ranges_overlaps(const struct va_ranges *v, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < v->count && v->r[i].start < end; i++)
		if (v->r[i].end > start)
			return true;
	return false;
}

bool va_ranges_free(struct va_ranges *v, uint64_t start, uint64_t end)
{
	unsigned i = 0;
	while (i < v->count && v->r[i].start < start)
		i++;
	bool joins_prev = i > 0 && v->r[i - 1].end == start;
	bool joins_next = i < v->count && v->r[i].start == end;
	if (joins_prev && joins_next) {
		v->r[i - 1].end = v->r[i].end;
		remove_at(v, i);
	} else if (joins_prev) {
		v->r[i - 1].end = end;
	} else if (joins_next) {
		v->r[i].start = start;
	} else {
		return insert_at(v, i, start, end);
	}
	return true;
}
