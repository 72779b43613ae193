/*
 * Guest spaces: a guest's stage-2 translation (guest-physical to physical,
 * Sv39x4). The root table is 16 KiB and indexes 11 bits at its level, so
 * it covers 2^41 bytes of guest-physical space; below it, PageTables and
 * Frames map as in a VSpace, every leaf with U set (the hardware treats
 * stage-2 accesses as user accesses). As in vspace.c, a mapping is
 * recorded in the capability that made it and undone through that record
 * only while the table still holds exactly that mapping.
 */
#include <string.h>

#include <arch/csr.h>
#include <arch/mapping.h>
#include <arch/pagetable.h>
#include <arch/sbi.h>
#include <fv/object.h>
#include <fv/smp.h>
#include <fv/vspace.h>

#define GUEST_ID_COUNT    4096
#define GPA_LIMIT         (1ull << FV_GUEST_PHYS_BITS)
#define HGATP_VMID_SHIFT  44
#define HGATP_VMID_MASK   0x3fffull
#define HGATP_MODE_SV39X4 (8ull << 60)

/* guest_table[id] = pa of the guest space using it; id 0 is never used. */
static uint64_t guest_table[GUEST_ID_COUNT];
static unsigned guest_ids_used = 1;

static uint64_t *table_at(uint64_t pa)
{
	return kobj_ptr(pa);
}

static uint64_t *entry_at(uint64_t root_pa, uint64_t gpa, int level)
{
	return mapping_entry_at(root_pa, SV39X4_ROOT_INDEX_BITS, gpa, level);
}

static uint64_t root_of_id(uint64_t id)
{
	return id > 0 && id < GUEST_ID_COUNT ? guest_table[id] : 0;
}

static bool guest_space_is_live(const struct cap *gs)
{
	return gs->type == CAP_GUEST_SPACE && root_of_id(gs->extra) == gs->pa;
}

/* The VMIDs this hart implements (VMIDLEN), probed as the privileged spec suggests. */
static uint64_t vmid_mask(void)
{
	static uint64_t mask = UINT64_MAX;
	if (mask == UINT64_MAX) {
		csr_write_hgatp(HGATP_VMID_MASK << HGATP_VMID_SHIFT);
		mask = (csr_read_hgatp() >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
		csr_write_hgatp(0);
	}
	return mask;
}

/* Guest spaces whose id exceeds the VMIDs share VMID 0 (flushed on every switch). */
static uint64_t vmid_of(uint64_t id)
{
	return id <= vmid_mask() ? id : 0;
}

static void flush_guest_everywhere(uint64_t id)
{
	uint64_t vmid = vmid_of(id);
	hfence_gvma_vmid(vmid);
	for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
		if (harts[i].online && &harts[i] != this_hart())
			sbi_remote_hfence_gvma_vmid(harts[i].hartid, 0, UINT64_MAX, vmid);
}

bool guest_space_ids_available(unsigned count)
{
	return guest_ids_used + count <= GUEST_ID_COUNT;
}

void guest_space_init(struct cap *cap)
{
	for (uint32_t id = 1; id < GUEST_ID_COUNT; id++) {
		if (!guest_table[id]) {
			guest_table[id] = cap->pa;
			guest_ids_used++;
			cap->extra = id;
			return;
		}
	}
}

void guest_space_finalize(struct cap *cap)
{
	if (!guest_space_is_live(cap))
		return;
	guest_table[cap->extra] = 0;
	guest_ids_used--;
	flush_guest_everywhere(cap->extra);
}

/* Checks a frame mapping without making it. */
static fv_error_t check_frame_map(const struct cap *gs, const struct cap *frame, uint64_t gpa,
                                  unsigned rights, uint64_t **entry)
{
	if (!guest_space_is_live(gs))
		return FV_INVALID_CAPABILITY;
	fv_error_t err = mapping_check_frame(frame, gpa, GPA_LIMIT, rights);
	if (err)
		return err;
	*entry = entry_at(gs->pa, gpa, mapping_frame_level(frame));
	if (!*entry)
		return FV_FAILED_LOOKUP; /* map the page tables first */
	return (**entry & PTE_V) ? FV_DELETE_FIRST : FV_OK;
}

fv_error_t guest_space_map_frame(struct cap *gs, struct cap *frame, uint64_t gpa, unsigned rights)
{
	uint64_t *entry;
	fv_error_t err = check_frame_map(gs, frame, gpa, rights, &entry);
	if (err)
		return err;
	*entry = mapping_frame_pte(frame, rights);
	frame->word = gpa;
	frame->word2 = GUEST_MAPPING | gs->extra;
	/* An invalid entry became valid: no stale translation can exist to flush. */
	return FV_OK;
}

void guest_frame_unmap(struct cap *frame)
{
	uint64_t id = frame->word2 & ~GUEST_MAPPING;
	uint64_t root = root_of_id(id);
	uint64_t *entry = root ? entry_at(root, frame->word, mapping_frame_level(frame)) : NULL;
	if (entry && pt_entry_is_leaf(*entry) && pt_entry_pa(*entry) == frame->pa) {
		*entry = 0;
		flush_guest_everywhere(id);
	}
	frame->word = 0;
	frame->word2 = 0;
}

fv_error_t guest_space_map_page_table(struct cap *gs, struct cap *pt, uint64_t gpa)
{
	if (!guest_space_is_live(gs))
		return FV_INVALID_CAPABILITY;
	if (pt->word2 != 0)
		return FV_ILLEGAL_OPERATION;
	if (gpa >= GPA_LIMIT)
		return FV_RANGE_ERROR;
	int level = mapping_missing_level(gs->pa, SV39X4_ROOT_INDEX_BITS, gpa);
	if (level <= 0)
		return FV_DELETE_FIRST; /* every table on the way is there already */
	uint64_t *entry = entry_at(gs->pa, gpa, level);
	*entry = ((pt->pa >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
	pt->word = ALIGN_DOWN(gpa, pt_level_size(level));
	pt->word2 = GUEST_MAPPING | gs->extra;
	pt->extra = (uint32_t)level;
	return FV_OK;
}

void guest_page_table_unmap(struct cap *pt)
{
	uint64_t id = pt->word2 & ~GUEST_MAPPING;
	uint64_t root = root_of_id(id);
	uint64_t *entry = root ? entry_at(root, pt->word, (int)pt->extra) : NULL;
	if (entry && (*entry & PTE_V) && !pt_entry_is_leaf(*entry) &&
	    pt_entry_pa(*entry) == pt->pa) {
		*entry = 0;
		flush_guest_everywhere(id);
	}
	/* Its entries must not come back if it is mapped again elsewhere. */
	memset(table_at(pt->pa), 0, PT_PAGE_SIZE);
	pt->word = 0;
	pt->word2 = 0;
	pt->extra = 0;
}

bool guest_space_live(const struct cap *gs)
{
	return guest_space_is_live(gs);
}

uint64_t guest_space_hgatp(const struct cap *gs)
{
	uint64_t vmid = vmid_of(gs->extra);
	if (vmid == 0)
		hfence_gvma_vmid(0); /* a shared VMID: nothing cached may carry over */
	return HGATP_MODE_SV39X4 | (vmid << HGATP_VMID_SHIFT) | (gs->pa >> PT_PAGE_SHIFT);
}
