/*
 * The two bookkeeping tables of the Linux personality's memory, kept apart
 * from the capability calls so that they build on any host and can be tested
 * there: only the C standard headers are used.
 *
 * - The frame table maps a page address to the Frame capability behind it.
 * - The free address ranges of the mmap area say which addresses mmap may
 *   still hand out.
 *
 * Both have a fixed size, so that the personality needs no allocator of its own.
 */
#ifndef POSIX_TABLES_H
#define POSIX_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the frame table: page address -> frame, open addressing ---- */

/* Twice the frames the personality can own (one per CNode slot it uses, at
 * most 4096), so the load stays at or below one half. A power of two. */
#define FRAME_TABLE_BITS 13u
#define FRAME_TABLE_SIZE (1u << FRAME_TABLE_BITS)

struct frame_entry {
	uint64_t va; /* page address; 0: entry unused */
	uint64_t slot;
	unsigned rights; /* FV_MAP_*; 0: kept unmapped (PROT_NONE) */
};

/* Linear probing with backward-shift deletion: no tombstones, so a lookup
 * stops at the first unused entry. All zero is an empty table. */
struct frame_table {
	struct frame_entry entries[FRAME_TABLE_SIZE];
	unsigned count;
};

void frame_table_init(struct frame_table *t);
/* The entry where the probe for `va` starts. */
unsigned frame_table_hash(uint64_t va);
/* The entry of `va`, or NULL. */
struct frame_entry *frame_table_find(struct frame_table *t, uint64_t va);
/*
 * A new entry for `va` (not 0, not in the table yet), slot and rights for the
 * caller to fill. NULL when the table is full: one entry always stays unused,
 * since lookups end at one.
 */
struct frame_entry *frame_table_insert(struct frame_table *t, uint64_t va);
/* Removes `e`, an entry of `t`. Pointers to other entries may then be stale. */
void frame_table_remove(struct frame_table *t, struct frame_entry *e);

/* ---- free address ranges: sorted, disjoint [start, end) ---- */

#define VA_RANGES_MAX 256u

struct va_range {
	uint64_t start, end;
};

/*
 * Ranges touching each other are always joined, so the array only fills up
 * when the area is fragmented into VA_RANGES_MAX holes. When it is full, a
 * freed range that would need an entry of its own is dropped: those addresses
 * are not handed out again (until munmap frees them once more), which wastes
 * them but breaks nothing. A take that would split a range is refused.
 */
struct va_ranges {
	struct va_range r[VA_RANGES_MAX];
	unsigned count;
};

/* All of [start, end) free; start is not 0 (0 means failure below). */
void va_ranges_init(struct va_ranges *v, uint64_t start, uint64_t end);
/* The start of `len` (> 0) free bytes, the lowest that fit (first fit), now
 * taken; 0 when no free range is long enough. */
uint64_t va_ranges_alloc(struct va_ranges *v, uint64_t len);
/*
 * Takes whatever part of [start, end) is free out of the free ranges. False,
 * and nothing taken, when [start, end) lies strictly inside one free range
 * (so all of it is free) and the array has no room for the piece after it.
 */
bool va_ranges_take(struct va_ranges *v, uint64_t start, uint64_t end);
/* True if any of [start, end) is free. */
bool va_ranges_overlaps(const struct va_ranges *v, uint64_t start, uint64_t end);
/*
 * Frees [start, end), none of which may be free already, joining it to the
 * ranges it touches. False when it touches none and the array is full: then
 * it is dropped.
 */
bool va_ranges_free(struct va_ranges *v, uint64_t start, uint64_t end);

#endif
