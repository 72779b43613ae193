/*
 * Builder for RISC-V radix page tables (Sv39 now; Sv39x4 stage-2 later).
 * Pure C over caller-provided table memory, so it runs the same in the
 * kernel and in host unit tests.
 */
#ifndef ARCH_PAGETABLE_H
#define ARCH_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_V          (1ull << 0)
#define PTE_R          (1ull << 1)
#define PTE_W          (1ull << 2)
#define PTE_X          (1ull << 3)
#define PTE_U          (1ull << 4)
#define PTE_G          (1ull << 5)
#define PTE_A          (1ull << 6)
#define PTE_D          (1ull << 7)
#define PTE_PPN_SHIFT  10
#define PTE_FLAGS_MASK 0x3ffull

#define PT_PAGE_SHIFT  12
#define PT_PAGE_SIZE   (1ull << PT_PAGE_SHIFT)
#define PT_ENTRIES     512
#define SV39_LEVELS    3
#define SV39_VA_BITS   39
#define PT_PA_BITS     56
#define SATP_MODE_SV39 (8ull << 60)

enum pt_error {
	PT_OK = 0,
	PT_EALIGN, /* address or size not page aligned */
	PT_ERANGE, /* va outside the address space, or pa beyond 56 bits */
	PT_EPERM,  /* no R/W/X bit, or W without R */
	PT_EEXIST, /* the range overlaps an existing mapping */
	PT_ENOMEM, /* no memory for a new table */
};

/* Where tables come from and how the builder reaches them. */
struct pt_memory {
	/* Returns the physical address of a zeroed, page-aligned table, or 0. */
	uint64_t (*alloc_table)(void *ctx);
	/* Returns a pointer through which the table at `pa` can be written. */
	uint64_t *(*table_ptr)(void *ctx, uint64_t pa);
	void *ctx;
};

struct pagetable {
	uint64_t root_pa;
	const struct pt_memory *mem;
};

/*
 * Maps [va, va + size) to [pa, pa + size) with `flags` (PTE_R/W/X/U/G),
 * using the largest pages the alignment of va, pa and size allows.
 * Fails without touching the tables when a range is invalid or overlaps
 * an existing mapping; PT_ENOMEM removes what it mapped but may leave new
 * empty tables behind.
 */
enum pt_error pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);

/* Translates va; on success also gives the leaf's flags and page size. */
bool pt_lookup(const struct pagetable *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
               uint64_t *page_size);

/* Page size mapped by a leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). */
/* The physical address a valid entry points at (a table or a page). */
static inline uint64_t pt_entry_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PT_PAGE_SHIFT;
}

static inline bool pt_entry_is_leaf(uint64_t pte)
{
	return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

static inline uint64_t pt_level_size(int level)
{
	return PT_PAGE_SIZE << (9 * level);
}

static inline uint64_t pt_satp(uint64_t root_pa, uint16_t asid)
{
	return SATP_MODE_SV39 | ((uint64_t)asid << 44) | (root_pa >> PT_PAGE_SHIFT);
}

#endif
