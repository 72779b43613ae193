/* Sv39 page-table builder; see arch/pagetable.h. */
#include <arch/pagetable.h>

static uint64_t pte_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PT_PAGE_SHIFT;
}

static bool pte_is_leaf(uint64_t pte)
{
	return (pte & (PTE_R | PTE_W | PTE_X)) != 0;
}

static unsigned va_index(uint64_t va, int level)
{
	return (unsigned)(va >> (PT_PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

/* Sv39 addresses are sign-extended from bit 38. */
static bool va_is_canonical(uint64_t va)
{
	int64_t high = (int64_t)va >> (SV39_VA_BITS - 1);
	return high == 0 || high == -1;
}

/* Sv39 PTEs hold a 44-bit PPN: physical addresses below 2^56. */
static bool pa_range_is_valid(uint64_t pa, uint64_t size)
{
	return pa + size - 1 >= pa && ((pa + size - 1) >> PT_PA_BITS) == 0;
}

static uint64_t *table(const struct pagetable *pt, uint64_t pa)
{
	return pt->mem->table_ptr(pt->mem->ctx, pa);
}

/* The largest level whose page fits va, pa and the remaining size. */
static int best_level(uint64_t va, uint64_t pa, uint64_t remaining)
{
	for (int level = SV39_LEVELS - 1; level > 0; level--) {
		uint64_t sz = pt_level_size(level);
		if ((va & (sz - 1)) == 0 && (pa & (sz - 1)) == 0 && remaining >= sz)
			return level;
	}
	return 0;
}

/* True if no part of [va, va + size) is mapped yet. */
static bool range_is_free(const struct pagetable *pt, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;
	for (;;) {
		uint64_t table_pa = pt->root_pa;
		int level = SV39_LEVELS - 1;
		for (;; level--) {
			uint64_t pte = table(pt, table_pa)[va_index(va, level)];
			if (!(pte & PTE_V))
				break;
			if (pte_is_leaf(pte) || level == 0)
				return false;
			table_pa = pte_pa(pte);
		}
		/* Nothing mapped in the whole slot at this level: skip past it. */
		uint64_t slot = pt_level_size(level);
		uint64_t next = (va & ~(slot - 1)) + slot;
		if (next == 0 || next > last)
			return true;
		va = next;
	}
}

static enum pt_error map_one(struct pagetable *pt, uint64_t va, uint64_t pa, int leaf_level,
                             uint64_t flags)
{
	uint64_t table_pa = pt->root_pa;
	for (int level = SV39_LEVELS - 1; level > leaf_level; level--) {
		uint64_t *entry = &table(pt, table_pa)[va_index(va, level)];
		if (!(*entry & PTE_V)) {
			uint64_t next = pt->mem->alloc_table(pt->mem->ctx);
			if (!next)
				return PT_ENOMEM;
			*entry = ((next >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
		}
		table_pa = pte_pa(*entry);
	}
	table(pt, table_pa)[va_index(va, leaf_level)] =
	    ((pa >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | flags | PTE_A | PTE_D | PTE_V;
	return PT_OK;
}

/* Clears the leaves pt_map wrote for [va, va + size): the range was free before. */
static void unmap_leaves(struct pagetable *pt, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;
	while (va != end) {
		uint64_t table_pa = pt->root_pa;
		for (int level = SV39_LEVELS - 1; level >= 0; level--) {
			uint64_t *entry = &table(pt, table_pa)[va_index(va, level)];
			if (pte_is_leaf(*entry)) {
				*entry = 0;
				va += pt_level_size(level);
				break;
			}
			table_pa = pte_pa(*entry);
		}
	}
}

enum pt_error pt_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if ((va | pa | size) & (PT_PAGE_SIZE - 1))
		return PT_EALIGN;
	if (size == 0 || va + size - 1 < va || !va_is_canonical(va) ||
	    !va_is_canonical(va + size - 1) || ((va ^ (va + size - 1)) >> 63) != 0)
		return PT_ERANGE;
	if (!(flags & (PTE_R | PTE_X)) || (flags & ~(PTE_R | PTE_W | PTE_X | PTE_U | PTE_G)) ||
	    ((flags & PTE_W) && !(flags & PTE_R)))
		return PT_EPERM;
	if (!pa_range_is_valid(pa, size))
		return PT_ERANGE;
	if (!range_is_free(pt, va, size))
		return PT_EEXIST;
	for (uint64_t done = 0; done < size;) {
		int level = best_level(va + done, pa + done, size - done);
		enum pt_error err = map_one(pt, va + done, pa + done, level, flags);
		if (err) {
			unmap_leaves(pt, va, done);
			return err;
		}
		done += pt_level_size(level);
	}
	return PT_OK;
}

bool pt_lookup(const struct pagetable *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
               uint64_t *page_size)
{
	if (!va_is_canonical(va))
		return false;
	uint64_t table_pa = pt->root_pa;
	for (int level = SV39_LEVELS - 1; level >= 0; level--) {
		uint64_t pte = table(pt, table_pa)[va_index(va, level)];
		if (!(pte & PTE_V))
			return false;
		if (pte_is_leaf(pte)) {
			uint64_t sz = pt_level_size(level);
			if (pa)
				*pa = pte_pa(pte) + (va & (sz - 1));
			if (flags)
				*flags = pte & PTE_FLAGS_MASK;
			if (page_size)
				*page_size = sz;
			return true;
		}
		table_pa = pte_pa(pte);
	}
	return false;
}
