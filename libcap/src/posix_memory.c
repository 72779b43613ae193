/*
 * Memory of the Linux personality: brk, anonymous mmap, munmap, mprotect.
 * Every page is a 4 KiB Frame made from the process's Untyped, mapped
 * eagerly and zeroed. Unmapped frames are kept and reused (an Untyped only
 * gets memory back when all of it is freed), so a program that maps and
 * unmaps in a loop does not run out.
 */
#include <elf.h>
#include <string.h>

#include "posix_internal.h"
#include "posix_tables.h"

#define MAX_SLOTS    4096u /* at most half of FRAME_TABLE_SIZE: its load stays <= 1/2 */
#define MAX_SEGMENTS 8u

struct segment {
	uint64_t start, end;
	bool writable;
};

static struct frame_table frames;
static fv_cptr_t spare_frames[MAX_SLOTS]; /* unmapped, owned by no page */
static unsigned spare_count;
static fv_cptr_t free_slots[MAX_SLOTS];
static unsigned free_slot_count;
static uint64_t next_fresh_slot, slot_end;
static struct va_ranges free_va;
static struct segment segments[MAX_SEGMENTS];
static unsigned segment_count;
static uint64_t brk_current = POSIX_BRK_BASE;

extern const Elf64_Ehdr __ehdr_start;

static uint64_t page_up(uint64_t v)
{
	return (v + POSIX_PAGE - 1) & ~(POSIX_PAGE - 1);
}

/* ---- slots ---- */

fv_cptr_t posix_slot_alloc(void)
{
	if (free_slot_count)
		return free_slots[--free_slot_count];
	return next_fresh_slot < slot_end ? next_fresh_slot++ : 0;
}

static void slot_free(fv_cptr_t slot)
{
	fv_cnode_delete(posix_cfg.cnode, slot, 64);
	if (free_slot_count < MAX_SLOTS)
		free_slots[free_slot_count++] = slot;
}

fv_cptr_t posix_make(fv_object_type_t type)
{
	fv_cptr_t slot = posix_slot_alloc();
	if (!slot && spare_count) {
		/* Out of slots: a spare frame's slot is worth more than its memory. */
		slot_free(spare_frames[--spare_count]);
		slot = posix_slot_alloc();
	}
	if (!slot)
		return 0;
	if (fv_untyped_retype(posix_cfg.untyped, type, 0, posix_cfg.cnode, 0, 0, slot, 1)) {
		slot_free(slot);
		return 0;
	}
	return slot;
}

/* ---- mapping ---- */

/* Maps `frame` at `va`, making page tables as needed. */
static fv_error_t map_at(fv_cptr_t frame, uint64_t va, unsigned rights)
{
	for (;;) {
		fv_error_t err = fv_frame_map(frame, posix_cfg.vspace, va, rights);
		if (err != FV_FAILED_LOOKUP)
			return err;
		fv_cptr_t pt = posix_make(FV_OBJ_PAGE_TABLE);
		if (!pt)
			return FV_NOT_ENOUGH_MEMORY;
		err = fv_page_table_map(pt, posix_cfg.vspace, va);
		if (err) {
			slot_free(pt);
			return err;
		}
	}
}

/*
 * Records the frame of a new page. The table has room for twice the slots
 * the personality can own, so it is never full; if it were, the frame is
 * given up rather than left untracked.
 */
static fv_error_t remember(uint64_t va, fv_cptr_t slot, unsigned rights)
{
	struct frame_entry *f = frame_table_insert(&frames, va);
	if (!f) {
		if (rights)
			fv_frame_unmap(slot);
		slot_free(slot);
		return FV_NOT_ENOUGH_MEMORY;
	}
	f->slot = slot;
	f->rights = rights;
	return FV_OK;
}

/* A frame for a new page: a spare one (zeroed here) or a fresh one (zero already). */
static fv_error_t map_zero_page(uint64_t va, unsigned rights)
{
	if (spare_count) {
		fv_cptr_t slot = spare_frames[spare_count - 1];
		if (map_at(slot, va, FV_MAP_READ | FV_MAP_WRITE) == FV_OK) {
			spare_count--;
			memset((void *)va, 0, POSIX_PAGE);
			if (rights != (FV_MAP_READ | FV_MAP_WRITE)) {
				fv_frame_unmap(slot);
				if (rights && map_at(slot, va, rights) != FV_OK) {
					spare_frames[spare_count++] =
					    slot; /* zeroed, still spare */
					return FV_NOT_ENOUGH_MEMORY;
				}
			}
			return remember(va, slot, rights);
		}
	}
	fv_cptr_t slot = posix_make(FV_OBJ_FRAME_4K);
	if (!slot)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = rights ? map_at(slot, va, rights) : FV_OK;
	if (err) {
		slot_free(slot);
		return err;
	}
	return remember(va, slot, rights);
}

static void unmap_page(struct frame_entry *f)
{
	if (f->rights)
		fv_frame_unmap(f->slot);
	if (spare_count < MAX_SLOTS)
		spare_frames[spare_count++] = f->slot;
	else
		slot_free(f->slot);
	frame_table_remove(&frames, f);
}

static void unmap_pages(uint64_t start, uint64_t end)
{
	if ((end - start) / POSIX_PAGE > FRAME_TABLE_SIZE) {
		/* A long range: walking the table is shorter than walking the pages. */
		for (unsigned i = 0; i < FRAME_TABLE_SIZE; i++)
			while (frames.entries[i].va >= start && frames.entries[i].va < end)
				unmap_page(&frames.entries[i]);
		return;
	}
	for (uint64_t va = start; va < end; va += POSIX_PAGE) {
		struct frame_entry *f = frame_table_find(&frames, va);
		if (f)
			unmap_page(f);
	}
}

static unsigned rights_of(long prot)
{
	unsigned r = 0;
	if (prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
		r |= FV_MAP_READ;
	if (prot & LX_PROT_WRITE)
		r |= FV_MAP_WRITE;
	if (prot & LX_PROT_EXEC)
		r |= FV_MAP_EXEC;
	return r;
}

static long map_pages(uint64_t start, uint64_t end, unsigned rights)
{
	if (!rights)
		return 0; /* PROT_NONE: addresses only; mprotect makes the pages */
	for (uint64_t va = start; va < end; va += POSIX_PAGE) {
		if (map_zero_page(va, rights) != FV_OK) {
			unmap_pages(start, va);
			return -LX_ENOMEM;
		}
	}
	return 0;
}

/* ---- the calls ---- */

static void find_segments(void)
{
	const Elf64_Phdr *ph =
	    (const Elf64_Phdr *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
	for (unsigned i = 0; i < __ehdr_start.e_phnum && segment_count < MAX_SEGMENTS; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		segments[segment_count++] = (struct segment){
		    ph[i].p_vaddr, ph[i].p_vaddr + ph[i].p_memsz, (ph[i].p_flags & PF_W) != 0};
	}
}

void posix_memory_init(void)
{
	next_fresh_slot = posix_cfg.slot_first;
	slot_end = posix_cfg.slot_first +
	           (posix_cfg.slot_count < MAX_SLOTS ? posix_cfg.slot_count : MAX_SLOTS);
	va_ranges_init(&free_va, POSIX_MMAP_BASE, POSIX_MMAP_END);
	find_segments();
}

long posix_brk(uint64_t addr)
{
	if (addr < POSIX_BRK_BASE || addr > POSIX_BRK_LIMIT)
		return (long)brk_current;
	uint64_t old_end = page_up(brk_current), new_end = page_up(addr);
	if (new_end > old_end && map_pages(old_end, new_end, FV_MAP_READ | FV_MAP_WRITE) != 0)
		return (long)brk_current;
	if (new_end < old_end)
		unmap_pages(new_end, old_end);
	brk_current = addr;
	return (long)brk_current;
}

static bool in_mmap_area(uint64_t start, uint64_t len)
{
	return start >= POSIX_MMAP_BASE && len <= POSIX_MMAP_END - start;
}

long posix_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd)
{
	if (len == 0 || len > POSIX_MMAP_END - POSIX_MMAP_BASE ||
	    !(flags & (LX_MAP_PRIVATE | LX_MAP_SHARED)))
		return -LX_EINVAL;
	if (!(flags & LX_MAP_ANONYMOUS) || fd != -1)
		return -LX_EBADF; /* no files behind this personality */
	len = page_up(len);
	bool fixed = flags & (LX_MAP_FIXED | LX_MAP_FIXED_NORE);
	if (fixed) {
		if (addr & (POSIX_PAGE - 1))
			return -LX_EINVAL;
		if (!in_mmap_area(addr, len))
			return -LX_ENOMEM;
		unmap_pages(addr, addr + len);
		if (!va_ranges_take(&free_va, addr, addr + len))
			return -LX_ENOMEM;
	} else {
		addr = va_ranges_alloc(&free_va, len);
		if (!addr)
			return -LX_ENOMEM;
	}
	long err = map_pages(addr, addr + len, rights_of(prot));
	if (err) {
		va_ranges_free(&free_va, addr, addr + len); /* false: the addresses are lost */
		return err;
	}
	return (long)addr;
}

long posix_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (POSIX_PAGE - 1)) || len == 0 || len > POSIX_MMAP_END)
		return -LX_EINVAL;
	len = page_up(len);
	if (!in_mmap_area(addr, len))
		return -LX_EINVAL;
	unmap_pages(addr, addr + len);
	/* It may be partly free already. A failed take means all of it is. */
	if (va_ranges_take(&free_va, addr, addr + len))
		va_ranges_free(&free_va, addr, addr + len); /* false: the addresses are lost */
	return 0;
}

/* New rights for one page: a mapped or kept frame is remapped, a missing one made. */
static long protect_page(uint64_t va, unsigned rights)
{
	struct frame_entry *f = frame_table_find(&frames, va);
	if (!f)
		return map_zero_page(va, rights) == FV_OK ? 0 : -LX_ENOMEM;
	if (f->rights == rights)
		return 0;
	if (f->rights)
		fv_frame_unmap(f->slot);
	/* Recorded as it really is: kept unmapped if the new mapping cannot be made. */
	bool mapped = rights && map_at(f->slot, va, rights) == FV_OK;
	f->rights = mapped ? rights : 0;
	return !rights || mapped ? 0 : -LX_ENOMEM;
}

long posix_mprotect(uint64_t addr, uint64_t len, long prot)
{
	if ((addr & (POSIX_PAGE - 1)) || len > POSIX_MMAP_END)
		return -LX_EINVAL;
	len = page_up(len);
	/* len <= POSIX_MMAP_END, so addr + len cannot wrap for any addr below the brk limit. */
	bool in_brk =
	    addr >= POSIX_BRK_BASE && addr < POSIX_BRK_LIMIT && addr + len <= page_up(brk_current);
	/* Pages at free addresses would be found by a later mmap there. */
	if (!in_brk && (!in_mmap_area(addr, len) || va_ranges_overlaps(&free_va, addr, addr + len)))
		return -LX_ENOMEM;
	unsigned rights = rights_of(prot);
	for (uint64_t va = addr; va < addr + len; va += POSIX_PAGE) {
		long err = protect_page(va, rights);
		if (err)
			return err;
	}
	return 0;
}

long posix_map_frame(fv_cptr_t frame, unsigned rights)
{
	uint64_t va = va_ranges_alloc(&free_va, POSIX_PAGE);
	if (!va)
		return -LX_ENOMEM;
	if (map_at(frame, va, rights) != FV_OK) {
		va_ranges_free(&free_va, va, va + POSIX_PAGE);
		return -LX_EINVAL;
	}
	return (long)va;
}

static bool page_accessible(uint64_t va, bool write)
{
	for (unsigned i = 0; i < segment_count; i++)
		if (va >= segments[i].start && va < segments[i].end)
			return !write || segments[i].writable;
	if (va >= posix_cfg.stack_lo && va < posix_cfg.stack_hi)
		return true;
	struct frame_entry *f = frame_table_find(&frames, va & ~(POSIX_PAGE - 1));
	return f && (f->rights & (write ? FV_MAP_WRITE : FV_MAP_READ));
}

bool posix_user_range(uint64_t va, uint64_t len, bool write)
{
	if (len == 0)
		return true;
	if (va + len < va)
		return false;
	for (uint64_t page = va & ~(POSIX_PAGE - 1); page < va + len; page += POSIX_PAGE)
		if (!page_accessible(page, write))
			return false;
	return true;
}
