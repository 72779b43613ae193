/*
 * Unit tests of the Sv39 page-table builder. Tables come from a pool in host
 * memory; their "physical addresses" are fake (POOL_PA + index * 4 KiB) and
 * table_ptr maps them back into the pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/pagetable.h>
#include <fv/util.h>

#define POOL_TABLES 16
#define POOL_PA     0x87654000ull

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull

static uint64_t pool[POOL_TABLES][PT_ENTRIES] __attribute__((aligned(4096)));

struct pool_state {
	unsigned used;  /* tables handed out, the root included */
	unsigned limit; /* alloc_table fails once this many are used */
};

static uint64_t pool_alloc(void *ctx)
{
	struct pool_state *ps = ctx;
	if (ps->used >= ps->limit)
		return 0;
	memset(pool[ps->used], 0, sizeof(pool[0]));
	return POOL_PA + ps->used++ * PT_PAGE_SIZE;
}

static uint64_t *pool_ptr(void *ctx, uint64_t pa)
{
	struct pool_state *ps = ctx;
	assert_true(pa >= POOL_PA && (pa - POOL_PA) % PT_PAGE_SIZE == 0);
	uint64_t index = (pa - POOL_PA) / PT_PAGE_SIZE;
	assert_true(index < ps->used);
	return pool[index];
}

struct fixture {
	struct pool_state ps;
	struct pt_memory mem;
	struct pagetable pt;
};

static struct fixture fx;

static int setup(void **state)
{
	memset(pool, 0xa5, sizeof(pool));
	fx.ps = (struct pool_state){.used = 0, .limit = POOL_TABLES};
	fx.mem = (struct pt_memory){pool_alloc, pool_ptr, &fx.ps};
	fx.pt = (struct pagetable){.root_pa = pool_alloc(&fx.ps), .mem = &fx.mem};
	*state = &fx;
	return fx.pt.root_pa == POOL_PA ? 0 : -1;
}

static struct pagetable *table_of(void **state)
{
	return &((struct fixture *)*state)->pt;
}

static unsigned tables_used(void)
{
	return fx.ps.used;
}

/* Counts the valid leaves of the given page size reachable from the root. */
static unsigned count_leaves(uint64_t page_size)
{
	unsigned n = 0;
	struct {
		uint64_t pa;
		int level;
	} stack[POOL_TABLES];
	stack[0].pa = fx.pt.root_pa;
	stack[0].level = SV39_LEVELS - 1;
	int top = 1;
	while (top > 0) {
		top--;
		uint64_t *t = pool_ptr(&fx.ps, stack[top].pa);
		int level = stack[top].level;
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			uint64_t pte = t[i];
			if (!(pte & PTE_V))
				continue;
			if (pte & (PTE_R | PTE_W | PTE_X)) {
				n += pt_level_size(level) == page_size;
			} else {
				assert_true(level > 0);
				assert_true(top < POOL_TABLES);
				stack[top].pa = (pte >> PTE_PPN_SHIFT) << PT_PAGE_SHIFT;
				stack[top++].level = level - 1;
			}
		}
	}
	return n;
}

/* Raw entry for va at `level`, following pointers from the root. */
static uint64_t raw_pte(uint64_t va, int level)
{
	uint64_t pa = fx.pt.root_pa;
	for (int l = SV39_LEVELS - 1;; l--) {
		uint64_t pte = pool_ptr(&fx.ps, pa)[(va >> (PT_PAGE_SHIFT + 9 * l)) & 511];
		if (l == level)
			return pte;
		assert_true((pte & (PTE_V | PTE_R | PTE_W | PTE_X)) == PTE_V);
		pa = (pte >> PTE_PPN_SHIFT) << PT_PAGE_SHIFT;
	}
}

/* Checks the translation of every 4 KiB page of [va, va + size). */
static void check_translation(const struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size,
                              uint64_t page_size)
{
	for (uint64_t off = 0; off < size; off += PT_PAGE_SIZE) {
		uint64_t got_pa = 0, got_size = 0;
		if (!pt_lookup(pt, va + off, &got_pa, NULL, &got_size))
			fail_msg("va %#llx not mapped", (unsigned long long)(va + off));
		assert_int_equal(got_pa, pa + off);
		assert_int_equal(got_size, page_size);
	}
	/* Offsets inside the last page translate too. */
	uint64_t got_pa = 0;
	assert_true(pt_lookup(pt, va + size - 1, &got_pa, NULL, NULL));
	assert_int_equal(got_pa, pa + size - 1);
}

static void test_level_sizes(void **state)
{
	(void)state;
	assert_int_equal(pt_level_size(0), 4 * KIB);
	assert_int_equal(pt_level_size(1), 2 * MIB);
	assert_int_equal(pt_level_size(2), 1 * GIB);
}

/* A single aligned mapping uses exactly one leaf of the largest size that fits. */
static void test_single_mapping_uses_largest_page(void **state)
{
	static const struct {
		uint64_t va, pa, size, page_size;
		unsigned tables;
	} cases[] = {
	    {1 * GIB, 2 * GIB, 1 * GIB, 1 * GIB, 1},
	    {2 * MIB, 0x80200000, 2 * MIB, 2 * MIB, 2},
	    {4 * KIB, 0x80001000, 4 * KIB, 4 * KIB, 3},
	    {0x3fffe00000, 0x80000000, 2 * MIB, 2 * MIB, 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(setup(state), 0);
		struct pagetable *pt = table_of(state);
		assert_int_equal(pt_map(pt, cases[i].va, cases[i].pa, cases[i].size, PTE_R), PT_OK);
		assert_int_equal(tables_used(), cases[i].tables);
		assert_int_equal(count_leaves(cases[i].page_size), 1);
		check_translation(pt, cases[i].va, cases[i].pa, cases[i].size, cases[i].page_size);
	}
}

/*
 * A range starting 4 KiB below a 2 MiB boundary and running 2 MiB + 4 KiB
 * past a 1 GiB page: 4K, 2M, 1G, 2M, 4K leaves in that order.
 */
static void test_mixed_range_uses_each_page_size(void **state)
{
	struct pagetable *pt = table_of(state);
	uint64_t va = 1 * GIB - 2 * MIB - 4 * KIB, pa = va + 2 * GIB;
	uint64_t size = 4 * KIB + 2 * MIB + 1 * GIB + 2 * MIB + 4 * KIB;
	assert_int_equal(pt_map(pt, va, pa, size, PTE_R | PTE_W), PT_OK);
	assert_int_equal(count_leaves(1 * GIB), 1);
	assert_int_equal(count_leaves(2 * MIB), 2);
	assert_int_equal(count_leaves(4 * KIB), 2);
	/* root, L1 and L0 for the head, L1 and L0 for the tail */
	assert_int_equal(tables_used(), 5);
	check_translation(pt, va, pa, 4 * KIB, 4 * KIB);
	check_translation(pt, va + 4 * KIB, pa + 4 * KIB, 2 * MIB, 2 * MIB);
	check_translation(pt, 1 * GIB, pa + 4 * KIB + 2 * MIB, 1 * GIB, 1 * GIB);
	check_translation(pt, 2 * GIB, pa + 4 * KIB + 2 * MIB + 1 * GIB, 2 * MIB, 2 * MIB);
	check_translation(pt, 2 * GIB + 2 * MIB, pa + size - 4 * KIB, 4 * KIB, 4 * KIB);
	assert_false(pt_lookup(pt, va - 4 * KIB, NULL, NULL, NULL));
	assert_false(pt_lookup(pt, va + size, NULL, NULL, NULL));
}

/* The physical side limits page size as much as the virtual side. */
static void test_pa_alignment_limits_page_size(void **state)
{
	static const struct {
		uint64_t pa, size, page_size;
		unsigned leaves, tables;
	} cases[] = {
	    {0x80000000, 2 * GIB, 1 * GIB, 2, 1},
	    {0x80200000, 2 * GIB, 2 * MIB, 2 * 512, 1 + 2},
	    {0x80001000, 4 * MIB, 4 * KIB, 2 * 512, 1 + 1 + 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(setup(state), 0);
		struct pagetable *pt = table_of(state);
		assert_int_equal(pt_map(pt, 0, cases[i].pa, cases[i].size, PTE_R), PT_OK);
		assert_int_equal(count_leaves(cases[i].page_size), cases[i].leaves);
		assert_int_equal(tables_used(), cases[i].tables);
		check_translation(pt, 0, cases[i].pa, cases[i].size, cases[i].page_size);
	}
}

/* The va side likewise: a 2 MiB-aligned va with a 1 GiB-aligned pa. */
static void test_va_alignment_limits_page_size(void **state)
{
	struct pagetable *pt = table_of(state);
	assert_int_equal(pt_map(pt, 0x40200000, 0x80000000, 4 * MIB, PTE_R), PT_OK);
	assert_int_equal(count_leaves(2 * MIB), 2);
	assert_int_equal(count_leaves(1 * GIB), 0);
	check_translation(pt, 0x40200000, 0x80000000, 4 * MIB, 2 * MIB);
}

static void test_leaf_flags_are_requested_plus_a_d_v(void **state)
{
	static const uint64_t flag_sets[] = {
	    PTE_R,
	    PTE_X,
	    PTE_R | PTE_W,
	    PTE_R | PTE_X,
	    PTE_R | PTE_W | PTE_X,
	    PTE_R | PTE_U,
	    PTE_X | PTE_G,
	    PTE_R | PTE_W | PTE_X | PTE_U | PTE_G,
	};
	for (size_t i = 0; i < ARRAY_SIZE(flag_sets); i++) {
		assert_int_equal(setup(state), 0);
		struct pagetable *pt = table_of(state);
		uint64_t va = 0x10000000 + i * 4 * KIB, flags = 0;
		assert_int_equal(pt_map(pt, va, 0x80000000, 4 * KIB, flag_sets[i]), PT_OK);
		assert_true(pt_lookup(pt, va, NULL, &flags, NULL));
		assert_int_equal(flags, flag_sets[i] | PTE_A | PTE_D | PTE_V);
	}
}

/* The exact entries: pointers carry only V, leaves the PPN and their flags. */
static void test_entry_encoding(void **state)
{
	struct pagetable *pt = table_of(state);
	assert_int_equal(pt_map(pt, 0x1000, 0x80001000, 4 * KIB, PTE_R | PTE_W), PT_OK);
	assert_int_equal(raw_pte(0x1000, 2), ((POOL_PA + 1 * PT_PAGE_SIZE) >> 12 << 10) | PTE_V);
	assert_int_equal(raw_pte(0x1000, 1), ((POOL_PA + 2 * PT_PAGE_SIZE) >> 12 << 10) | PTE_V);
	assert_int_equal(raw_pte(0x1000, 0),
	                 (0x80001ull << 10) | PTE_R | PTE_W | PTE_A | PTE_D | PTE_V);
	assert_int_equal(pt_map(pt, 0x40000000, 0xc0000000, 1 * GIB, PTE_X), PT_OK);
	assert_int_equal(raw_pte(0x40000000, 2),
	                 (0xc0000ull << 10) | PTE_X | PTE_A | PTE_D | PTE_V);
}

/* Snapshot of the table pool, to prove a failed map wrote nothing. */
struct snapshot {
	unsigned used;
	uint64_t tables[POOL_TABLES][PT_ENTRIES];
};

static struct snapshot snap;

static void take_snapshot(void)
{
	snap.used = fx.ps.used;
	memcpy(snap.tables, pool, sizeof(pool));
}

static void check_unchanged(void)
{
	assert_int_equal(fx.ps.used, snap.used);
	assert_memory_equal(snap.tables, pool, sizeof(pool));
}

static void test_invalid_requests_fail_without_touching_tables(void **state)
{
	static const struct {
		uint64_t va, pa, size, flags;
		enum pt_error want;
	} cases[] = {
	    {0x1001, 0x80000000, 4 * KIB, PTE_R, PT_EALIGN},
	    {0x1000, 0x80000800, 4 * KIB, PTE_R, PT_EALIGN},
	    {0x1000, 0x80000000, 4 * KIB + 1, PTE_R, PT_EALIGN},
	    {0x1000, 0x80000000, 0, PTE_R, PT_ERANGE},
	    {0x4000000000, 0x80000000, 4 * KIB, PTE_R, PT_ERANGE},
	    {0x8000000000, 0x80000000, 4 * KIB, PTE_R, PT_ERANGE},
	    {0xffffffbffffff000, 0x80000000, 4 * KIB, PTE_R, PT_ERANGE},
	    {0x8000000000000000, 0x80000000, 4 * KIB, PTE_R, PT_ERANGE},
	    {0x3fffffe000, 0x80000000, 3 * 4 * KIB, PTE_R, PT_ERANGE},
	    {0x3ffffff000, 0x80000000, 0xffffffc000001000, PTE_R, PT_ERANGE},
	    {0x1000, 0x80000000, 0xfffffffffffff000, PTE_R, PT_ERANGE},
	    {0xfffffffffffff000, 0x80000000, 2 * 4 * KIB, PTE_R, PT_ERANGE},
	    {0xfffffffffffff000, 0x80000000, 0xfffffffffffff000, PTE_R, PT_ERANGE},
	    {0xffffffffc0000000, 0x80000000, 2 * GIB, PTE_R, PT_ERANGE},
	    {0x1000, 0x80000000, 4 * KIB, 0, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_W, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_W | PTE_X, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_U | PTE_G, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | PTE_V, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | PTE_A, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | PTE_D, PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | (1ull << 8), PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | (1ull << 63), PT_EPERM},
	    {0x1000, 0x80000000, 4 * KIB, PTE_R | (1ull << 10), PT_EPERM},
	};
	struct pagetable *pt = table_of(state);
	assert_int_equal(pt_map(pt, 0x40000000, 0x80000000, 4 * KIB, PTE_R), PT_OK);
	take_snapshot();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum pt_error err =
		    pt_map(pt, cases[i].va, cases[i].pa, cases[i].size, cases[i].flags);
		if (err != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, err, cases[i].want);
		check_unchanged();
	}
}

/* Existing leaves at each level, then new ranges that touch them somewhere. */
static void test_overlap_with_any_leaf_is_eexist_and_changes_nothing(void **state)
{
	static const struct {
		uint64_t va, size;
	} overlaps[] = {
	    {1 * GIB + 4 * KIB, 4 * KIB},           /* inside the 1 GiB leaf */
	    {1 * GIB - 4 * KIB, 8 * KIB},           /* last page reaches into it */
	    {2 * GIB - 2 * MIB, 2 * MIB},           /* its last 2 MiB */
	    {0, 4 * GIB},                           /* covers everything */
	    {3 * GIB + 2 * MIB - 4 * KIB, 8 * KIB}, /* into the 2 MiB leaf */
	    {3 * GIB + 3 * MIB, 4 * KIB},           /* inside the 2 MiB leaf */
	    {3 * GIB, 1 * GIB},                     /* a 1 GiB page over it */
	    {0x5000, 4 * KIB},                      /* the 4 KiB leaf itself */
	    {0, 2 * MIB},                           /* a 2 MiB page over it */
	    {0x1000, 0x10000},                      /* a run across it */
	};
	struct pagetable *pt = table_of(state);
	assert_int_equal(pt_map(pt, 1 * GIB, 0x80000000, 1 * GIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 3 * GIB + 2 * MIB, 0x80000000, 2 * MIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 0x5000, 0x80000000, 4 * KIB, PTE_R), PT_OK);
	take_snapshot();
	for (size_t i = 0; i < ARRAY_SIZE(overlaps); i++) {
		enum pt_error err = pt_map(pt, overlaps[i].va, 0, overlaps[i].size, PTE_R);
		if (err != PT_EEXIST)
			fail_msg("overlap %zu: got %d", i, err);
		check_unchanged();
	}
}

/* Ranges right next to existing leaves, and in empty slots of shared tables, are free. */
static void test_adjacent_ranges_map(void **state)
{
	struct pagetable *pt = table_of(state);
	assert_int_equal(pt_map(pt, 1 * GIB, 0x80000000, 1 * GIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 0x5000, 0x80000000, 4 * KIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 0x4000, 0x90000000, 4 * KIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 0x6000, 0x90001000, 4 * KIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 1 * GIB - 2 * MIB, 0x90200000, 2 * MIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 2 * GIB, 0xc0000000, 1 * GIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 0x7000, 0x90002000, 2 * MIB - 0x7000, PTE_R), PT_OK);
	check_translation(pt, 0x4000, 0x90000000, 4 * KIB, 4 * KIB);
	check_translation(pt, 0x5000, 0x80000000, 4 * KIB, 4 * KIB);
	check_translation(pt, 0x6000, 0x90001000, 2 * MIB - 0x6000, 4 * KIB);
	check_translation(pt, 1 * GIB - 2 * MIB, 0x90200000, 2 * MIB, 2 * MIB);
	check_translation(pt, 2 * GIB, 0xc0000000, 1 * GIB, 1 * GIB);
}

static void test_pool_exhaustion_is_enomem(void **state)
{
	struct pagetable *pt = table_of(state);
	fx.ps.limit = 2; /* the root and one more */
	assert_int_equal(pt_map(pt, 0x1000, 0x80001000, 4 * KIB, PTE_R), PT_ENOMEM);
	assert_false(pt_lookup(pt, 0x1000, NULL, NULL, NULL));
	/* Leftover empty tables do not block a later attempt. */
	fx.ps.limit = POOL_TABLES;
	assert_int_equal(pt_map(pt, 0x1000, 0x80001000, 4 * KIB, PTE_R), PT_OK);
	assert_int_equal(tables_used(), 3);
	check_translation(pt, 0x1000, 0x80001000, 4 * KIB, 4 * KIB);
	/* A 1 GiB leaf needs no table at all, even with the pool empty. */
	fx.ps.limit = fx.ps.used;
	assert_int_equal(pt_map(pt, 1 * GIB, 0x80000000, 1 * GIB, PTE_R), PT_OK);
	assert_int_equal(pt_map(pt, 2 * GIB, 0x80000000, 2 * MIB, PTE_R), PT_ENOMEM);
}

static void test_enomem_midway_unmaps_what_it_mapped(void **state)
{
	struct pagetable *pt = table_of(state);
	/* 0x1ff000 maps with the tables of the first 2 MiB; 0x200000 needs another leaf table. */
	fx.ps.limit = 3;
	assert_int_equal(pt_map(pt, 0x1ff000, 0x90000000, 0x2000, PTE_R), PT_ENOMEM);
	assert_false(pt_lookup(pt, 0x1ff000, NULL, NULL, NULL));
	assert_false(pt_lookup(pt, 0x200000, NULL, NULL, NULL));
	fx.ps.limit = POOL_TABLES;
	assert_int_equal(pt_map(pt, 0x1ff000, 0x90000000, 0x2000, PTE_R), PT_OK);
	check_translation(pt, 0x1ff000, 0x90000000, 0x2000, 4 * KIB);
}

static void test_physical_address_beyond_56_bits_is_erange(void **state)
{
	struct pagetable *pt = table_of(state);
	take_snapshot();
	assert_int_equal(pt_map(pt, 0x40000000, 1ull << 56, 4 * KIB, PTE_R), PT_ERANGE);
	assert_int_equal(pt_map(pt, 0x40000000, (1ull << 56) - 4 * KIB, 8 * KIB, PTE_R), PT_ERANGE);
	assert_int_equal(pt_map(pt, 0x40000000, 0xffffffffc0000000, 2 * GIB, PTE_R), PT_ERANGE);
	check_unchanged();
	assert_int_equal(pt_map(pt, 0x40000000, (1ull << 56) - 4 * KIB, 4 * KIB, PTE_R), PT_OK);
}

static void test_upper_half_kernel_addresses(void **state)
{
	static const struct {
		uint64_t va, pa, size, page_size;
	} cases[] = {
	    {0xffffffff80200000, 0x80200000, 2 * MIB, 2 * MIB},
	    {0xffffffff80000000, 0x80000000, 2 * MIB, 2 * MIB},
	    {0xffffffc000000000, 0x80000000, 1 * GIB, 1 * GIB},
	    {0xffffffd000001000, 0x80001000, 8 * KIB, 4 * KIB},
	};
	struct pagetable *pt = table_of(state);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(pt_map(pt, cases[i].va, cases[i].pa, cases[i].size, PTE_R | PTE_X),
		                 PT_OK);
		check_translation(pt, cases[i].va, cases[i].pa, cases[i].size, cases[i].page_size);
	}
	/* 0xffffffff80200000 sits in root slot 510, 0xffffffc000000000 in slot 256. */
	assert_true(pool[0][510] & PTE_V);
	assert_true(pool[0][256] & PTE_V);
	assert_int_equal(pool[0][0] & PTE_V, 0);
	/* The non-canonical alias with the same low 39 bits does not translate. */
	assert_false(pt_lookup(pt, 0x7f80200000, NULL, NULL, NULL));
}

static void test_edges_of_both_halves(void **state)
{
	static const struct {
		uint64_t va, size, page_size;
	} cases[] = {
	    {0xfffffffffffff000, 4 * KIB, 4 * KIB},
	    {0xffffffffffe00000, 2 * MIB - 4 * KIB, 4 * KIB},
	    {0xffffffff40000000, 1 * GIB, 1 * GIB},
	    {0x3ffffff000, 4 * KIB, 4 * KIB},
	    {0, 4 * KIB, 4 * KIB},
	};
	struct pagetable *pt = table_of(state);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(pt_map(pt, cases[i].va, 0x80000000, cases[i].size, PTE_R), PT_OK);
		check_translation(pt, cases[i].va, 0x80000000, cases[i].size, cases[i].page_size);
	}
	uint64_t pa = 0;
	assert_true(pt_lookup(pt, UINT64_MAX, &pa, NULL, NULL));
	assert_int_equal(pa, 0x80000fff);
	/* The last GiB is partly mapped, so a 1 GiB page there overlaps. */
	assert_int_equal(pt_map(pt, 0xffffffffc0000000, 0, 1 * GIB, PTE_R), PT_EEXIST);
}

static void test_lookup_misses(void **state)
{
	struct pagetable *pt = table_of(state);
	uint64_t pa = 0x1234, flags = 0x5678, size = 0x9abc;
	assert_false(pt_lookup(pt, 0, &pa, &flags, &size));
	assert_int_equal(pa, 0x1234);
	assert_int_equal(flags, 0x5678);
	assert_int_equal(size, 0x9abc);
	assert_int_equal(pt_map(pt, 0x200000, 0x80200000, 2 * MIB, PTE_R), PT_OK);
	assert_false(pt_lookup(pt, 0x1ff000, NULL, NULL, NULL));
	assert_false(pt_lookup(pt, 0x400000, NULL, NULL, NULL));
	/* Non-canonical addresses never translate, whatever their low bits. */
	assert_false(pt_lookup(pt, 0x4000200000, NULL, NULL, NULL));
	assert_false(pt_lookup(pt, 0xff00000000200000, NULL, NULL, NULL));
}

static void test_satp_encoding(void **state)
{
	(void)state;
	static const struct {
		uint64_t root_pa;
		uint16_t asid;
		uint64_t want;
	} cases[] = {
	    {0x80201000, 0, 0x8000000000080201},
	    {0x80201000, 1, 0x8000100000080201},
	    {0x80201000, 0xffff, 0x8ffff00000080201},
	    {0xfffffffffff000, 0x1234, 0x81234fffffffffff},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(pt_satp(cases[i].root_pa, cases[i].asid), cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_sizes),
	    cmocka_unit_test(test_single_mapping_uses_largest_page),
	    cmocka_unit_test_setup(test_mixed_range_uses_each_page_size, setup),
	    cmocka_unit_test(test_pa_alignment_limits_page_size),
	    cmocka_unit_test_setup(test_va_alignment_limits_page_size, setup),
	    cmocka_unit_test(test_leaf_flags_are_requested_plus_a_d_v),
	    cmocka_unit_test_setup(test_entry_encoding, setup),
	    cmocka_unit_test_setup(test_invalid_requests_fail_without_touching_tables, setup),
	    cmocka_unit_test_setup(test_overlap_with_any_leaf_is_eexist_and_changes_nothing, setup),
	    cmocka_unit_test_setup(test_adjacent_ranges_map, setup),
	    cmocka_unit_test_setup(test_pool_exhaustion_is_enomem, setup),
	    cmocka_unit_test_setup(test_enomem_midway_unmaps_what_it_mapped, setup),
	    cmocka_unit_test_setup(test_physical_address_beyond_56_bits_is_erange, setup),
	    cmocka_unit_test_setup(test_upper_half_kernel_addresses, setup),
	    cmocka_unit_test_setup(test_edges_of_both_halves, setup),
	    cmocka_unit_test_setup(test_lookup_misses, setup),
	    cmocka_unit_test(test_satp_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
