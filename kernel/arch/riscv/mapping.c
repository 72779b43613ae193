/* What VSpace and GuestSpace mappings share (arch/mapping.h). */
#include <arch/mapping.h>
#include <arch/pagetable.h>
#include <fv/object.h>

static uint64_t *table_at(uint64_t pa)
{
	return kobj_ptr(pa);
}

static unsigned index_at(uint64_t addr, int level, unsigned root_bits)
{
	unsigned bits = level == SV39_LEVELS - 1 ? root_bits : 9;
	return (unsigned)(addr >> (PT_PAGE_SHIFT + 9 * level)) & ((1u << bits) - 1);
}

uint64_t *mapping_entry_at(uint64_t root_pa, unsigned root_bits, uint64_t addr, int level)
{
	uint64_t table = root_pa;
	for (int l = SV39_LEVELS - 1; l > level; l--) {
		uint64_t pte = table_at(table)[index_at(addr, l, root_bits)];
		if (!(pte & PTE_V) || pt_entry_is_leaf(pte))
			return NULL;
		table = pt_entry_pa(pte);
	}
	return &table_at(table)[index_at(addr, level, root_bits)];
}

int mapping_missing_level(uint64_t root_pa, unsigned root_bits, uint64_t addr)
{
	uint64_t table = root_pa;
	for (int level = SV39_LEVELS - 1; level > 0; level--) {
		uint64_t pte = table_at(table)[index_at(addr, level, root_bits)];
		if (!(pte & PTE_V))
			return level;
		if (pt_entry_is_leaf(pte))
			return -1;
		table = pt_entry_pa(pte);
	}
	return -1;
}

int mapping_frame_level(const struct cap *frame)
{
	return frame->size_bits == FV_FRAME_2M_BITS ? 1 : 0;
}

fv_error_t mapping_check_frame(const struct cap *frame, uint64_t addr, uint64_t limit,
                               unsigned rights)
{
	uint64_t size = 1ull << frame->size_bits;
	if (frame->word2 != 0)
		return FV_ILLEGAL_OPERATION; /* one mapping per capability: copy it for more */
	if (addr & (size - 1))
		return FV_ALIGNMENT_ERROR;
	if (addr >= limit || limit - addr < size)
		return FV_RANGE_ERROR;
	if (!(rights & FV_MAP_READ) || (rights & ~(FV_MAP_READ | FV_MAP_WRITE | FV_MAP_EXEC)))
		return FV_INVALID_ARGUMENT;
	if (!(frame->rights & FV_RIGHT_READ) ||
	    ((rights & FV_MAP_WRITE) && !(frame->rights & FV_RIGHT_WRITE)))
		return FV_INSUFFICIENT_RIGHTS;
	return FV_OK;
}

uint64_t mapping_frame_pte(const struct cap *frame, unsigned rights)
{
	uint64_t flags = PTE_U | PTE_R | PTE_A | PTE_D | PTE_V;
	if (rights & FV_MAP_WRITE)
		flags |= PTE_W;
	if (rights & FV_MAP_EXEC)
		flags |= PTE_X;
	return ((frame->pa >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | flags;
}
