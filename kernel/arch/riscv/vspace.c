/*
 * User address spaces on RISC-V (Sv39). A VSpace is a root page table with
 * the kernel's upper half copied in and an ASID of its own; PageTables and
 * Frames are mapped into it by invocation. A mapping is recorded in the
 * capability that made it (address, ASID), and undone through that record
 * only if the table still holds exactly that mapping: stale records of
 * unmapped tables or dead address spaces are harmless.
 */
#include <string.h>

#include <arch/csr.h>
#include <arch/mapping.h>
#include <arch/pagetable.h>
#include <arch/sbi.h>
#include <fv/invocation.h>
#include <fv/object.h>
#include <fv/smp.h>
#include <fv/vspace.h>

#define ASID_COUNT        4096
#define KERNEL_HALF_FIRST (PT_ENTRIES / 2)

const uint64_t USER_TOP = 1ull << (SV39_VA_BITS - 1);
extern uint64_t kernel_root_pa;

/* asid_table[asid] = pa of the VSpace using it; ASID 0 is the kernel's. */
static uint64_t asid_table[ASID_COUNT];
static unsigned asids_used = 1;

static uint64_t *table_at(uint64_t pa)
{
	return kobj_ptr(pa);
}

#define pte_pa      pt_entry_pa
#define pte_is_leaf pt_entry_is_leaf

static unsigned va_index(uint64_t va, int level)
{
	return (unsigned)(va >> (PT_PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

/* The entry for va at `level`, walking down from the root; NULL if a table is missing. */
static uint64_t *entry_at(uint64_t root_pa, uint64_t va, int level)
{
	return mapping_entry_at(root_pa, SV39_ROOT_INDEX_BITS, va, level);
}

/* The root table of a live VSpace named by `asid`, or 0. */
static uint64_t root_of_asid(uint64_t asid)
{
	return asid > 0 && asid < ASID_COUNT ? asid_table[asid] : 0;
}

static bool vspace_cap_is_live(const struct cap *vspace)
{
	return vspace->type == CAP_VSPACE && root_of_asid(vspace->extra) == vspace->pa;
}

static void flush_asid_everywhere(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
	for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
		if (harts[i].online && &harts[i] != this_hart())
			sbi_remote_sfence_vma_asid(harts[i].hartid, 0, UINT64_MAX, asid);
}

static void flush_page_local(uint64_t va, uint64_t asid)
{
	__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(asid) : "memory");
}

bool vspace_asids_available(unsigned count)
{
	return asids_used + count <= ASID_COUNT;
}

void vspace_init(struct cap *cap)
{
	uint64_t *root = table_at(cap->pa);
	const uint64_t *kernel = table_at(kernel_root_pa);
	memcpy(&root[KERNEL_HALF_FIRST], &kernel[KERNEL_HALF_FIRST],
	       (PT_ENTRIES - KERNEL_HALF_FIRST) * sizeof(uint64_t));
	for (uint32_t asid = 1; asid < ASID_COUNT; asid++) {
		if (!asid_table[asid]) {
			asid_table[asid] = cap->pa;
			asids_used++;
			cap->extra = asid;
			return;
		}
	}
}

void vspace_finalize(struct cap *cap)
{
	if (!vspace_cap_is_live(cap))
		return;
	/* A hart running a guest may still hold it in satp: entering a guest keeps satp. */
	for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
		if (harts[i].online && harts[i].user_root == cap->pa)
			hart_leave_address_space(&harts[i]);
	asid_table[cap->extra] = 0;
	asids_used--;
	flush_asid_everywhere(cap->extra);
}

void vspace_activate(const struct cap *vspace)
{
	uint64_t satp = pt_satp(vspace->pa, (uint16_t)vspace->extra);
	/* Threads of one address space switch without touching satp. */
	if (csr_read_satp() != satp) {
		csr_write_satp(satp);
		this_hart()->user_root = vspace->pa;
	}
}

bool vspace_user_translate(const struct cap *vspace, uint64_t va, bool write, uint64_t *pa)
{
	if (vspace->type != CAP_VSPACE || va >= USER_TOP)
		return false;
	uint64_t table = vspace->pa;
	for (int level = SV39_LEVELS - 1; level >= 0; level--) {
		uint64_t pte = table_at(table)[va_index(va, level)];
		if (!(pte & PTE_V))
			return false;
		if (pte_is_leaf(pte)) {
			if (!(pte & PTE_U) || !(pte & PTE_R) || (write && !(pte & PTE_W)))
				return false;
			*pa = pte_pa(pte) + (va & (pt_level_size(level) - 1));
			return true;
		}
		table = pte_pa(pte);
	}
	return false;
}

int vspace_missing_level(const struct cap *vspace, uint64_t va)
{
	return mapping_missing_level(vspace->pa, SV39_ROOT_INDEX_BITS, va);
}

/* Checks a frame mapping without making it. */
static fv_error_t check_frame_map(const struct cap *vspace, const struct cap *frame, uint64_t va,
                                  unsigned rights, uint64_t **entry)
{
	if (!vspace_cap_is_live(vspace))
		return FV_INVALID_CAPABILITY;
	fv_error_t err = mapping_check_frame(frame, va, USER_TOP, rights);
	if (err)
		return err;
	if (va < PAGE_SIZE)
		return FV_RANGE_ERROR; /* page 0 stays unmapped: null pointers fault */
	*entry = entry_at(vspace->pa, va, mapping_frame_level(frame));
	if (!*entry)
		return FV_FAILED_LOOKUP; /* map the page tables first */
	return (**entry & PTE_V) ? FV_DELETE_FIRST : FV_OK;
}

fv_error_t vspace_map_frame(struct cap *vspace, struct cap *frame, uint64_t va, unsigned rights)
{
	uint64_t *entry;
	fv_error_t err = check_frame_map(vspace, frame, va, rights, &entry);
	if (err)
		return err;
	*entry = mapping_frame_pte(frame, rights);
	frame->word = va;
	frame->word2 = vspace->extra;
	flush_page_local(va, vspace->extra);
	return FV_OK;
}

void frame_unmap_cap(struct cap *frame)
{
	if (frame->word2 & GUEST_MAPPING) {
		guest_frame_unmap(frame);
		return;
	}
	if (frame->word2 == 0)
		return;
	uint64_t root = root_of_asid(frame->word2);
	uint64_t *entry = root ? entry_at(root, frame->word, mapping_frame_level(frame)) : NULL;
	if (entry && pte_is_leaf(*entry) && pte_pa(*entry) == frame->pa) {
		*entry = 0;
		flush_asid_everywhere(frame->word2);
	}
	frame->word = 0;
	frame->word2 = 0;
}

fv_error_t vspace_map_page_table(struct cap *vspace, struct cap *pt, uint64_t va)
{
	if (!vspace_cap_is_live(vspace))
		return FV_INVALID_CAPABILITY;
	if (pt->word2 != 0)
		return FV_ILLEGAL_OPERATION;
	if (va >= USER_TOP)
		return FV_RANGE_ERROR;
	int level = vspace_missing_level(vspace, va);
	if (level <= 0)
		return FV_DELETE_FIRST; /* every table on the way is there already */
	uint64_t *entry = entry_at(vspace->pa, va, level);
	*entry = ((pt->pa >> PT_PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
	pt->word = ALIGN_DOWN(va, pt_level_size(level));
	pt->word2 = vspace->extra;
	pt->extra = (uint32_t)level;
	return FV_OK;
}

void page_table_unmap_cap(struct cap *pt)
{
	if (pt->word2 & GUEST_MAPPING) {
		guest_page_table_unmap(pt);
		return;
	}
	if (pt->word2 == 0)
		return;
	uint64_t root = root_of_asid(pt->word2);
	uint64_t *entry = root ? entry_at(root, pt->word, (int)pt->extra) : NULL;
	if (entry && (*entry & PTE_V) && !pte_is_leaf(*entry) && pte_pa(*entry) == pt->pa) {
		*entry = 0;
		flush_asid_everywhere(pt->word2);
	}
	/* Its entries must not come back if it is mapped again elsewhere. */
	memset(table_at(pt->pa), 0, PT_PAGE_SIZE);
	pt->word = 0;
	pt->word2 = 0;
	pt->extra = 0;
}

fv_error_t decode_frame_invocation(struct invocation *inv)
{
	struct cap *frame = &inv->target->cap;
	switch (inv->label) {
	case FV_FRAME_MAP:
		if (inv->nargs < 2 || inv->ncaps < 1)
			return FV_TRUNCATED_MESSAGE;
		if (inv->caps[0]->cap.type == CAP_GUEST_SPACE)
			return guest_space_map_frame(&inv->caps[0]->cap, frame, inv->args[0],
			                             (unsigned)inv->args[1]);
		return vspace_map_frame(&inv->caps[0]->cap, frame, inv->args[0],
		                        (unsigned)inv->args[1]);
	case FV_FRAME_UNMAP:
		frame_unmap_cap(frame);
		return FV_OK;
	case FV_FRAME_GET_ADDRESS:
		inv->ret[0] = frame->pa;
		inv->nret = 1;
		return FV_OK;
	default:
		return FV_ILLEGAL_OPERATION;
	}
}

fv_error_t decode_page_table_invocation(struct invocation *inv)
{
	struct cap *pt = &inv->target->cap;
	switch (inv->label) {
	case FV_PAGE_TABLE_MAP:
		if (inv->nargs < 1 || inv->ncaps < 1)
			return FV_TRUNCATED_MESSAGE;
		if (inv->caps[0]->cap.type == CAP_GUEST_SPACE)
			return guest_space_map_page_table(&inv->caps[0]->cap, pt, inv->args[0]);
		return vspace_map_page_table(&inv->caps[0]->cap, pt, inv->args[0]);
	case FV_PAGE_TABLE_UNMAP:
		page_table_unmap_cap(pt);
		return FV_OK;
	default:
		return FV_ILLEGAL_OPERATION;
	}
}
