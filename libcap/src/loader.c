/* Loading a program from the boot archive into a new address space (fv/loader.h). */
#include <string.h>

#include <fv/cpio.h>
#include <fv/elf.h>
#include <fv/loader.h>

#define PAGE             4096ul
#define START_INFO_SPACE 128ul /* at the top of the stack, 16-byte aligned */
_Static_assert(sizeof(struct fv_start_info) <= START_INFO_SPACE, "start info fits");

static fv_cptr_t new_object(const struct fv_loader *l, fv_object_type_t type, unsigned bits)
{
	fv_cptr_t slot = fv_slot_alloc(l->slots);
	if (!slot || fv_untyped_retype(l->untyped, type, bits, l->root_cnode, 0, 0, slot, 1))
		return 0;
	return slot;
}

/* Page tables in `vspace` until a 4 KiB frame can go at `va`. */
static fv_error_t ensure_tables(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va)
{
	for (;;) {
		fv_cptr_t pt = new_object(l, FV_OBJ_PAGE_TABLE, 0);
		if (!pt)
			return FV_NOT_ENOUGH_MEMORY;
		fv_error_t err = fv_page_table_map(pt, vspace, va);
		if (err == FV_DELETE_FIRST) {
			fv_cnode_delete(l->root_cnode, pt, 64);
			return FV_OK;
		}
		if (err)
			return err;
	}
}

/* Maps `frame` at `va` of `vspace`, making the page tables the frame's size needs. */
static fv_error_t map_with_tables(const struct fv_loader *l, fv_cptr_t frame, fv_cptr_t vspace,
                                  uint64_t va, unsigned rights)
{
	for (;;) {
		fv_error_t err = fv_frame_map(frame, vspace, va, rights);
		if (err != FV_FAILED_LOOKUP)
			return err;
		fv_cptr_t pt = new_object(l, FV_OBJ_PAGE_TABLE, 0);
		if (!pt)
			return FV_NOT_ENOUGH_MEMORY;
		err = fv_page_table_map(pt, vspace, va);
		if (err)
			return err;
	}
}

/* A new frame at `va` in `vspace`, filled with `len` bytes of `src` (the rest zero). */
static fv_error_t map_page(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va,
                           unsigned rights, const void *src, size_t len, size_t offset)
{
	fv_cptr_t frame = new_object(l, FV_OBJ_FRAME_4K, 0);
	if (!frame)
		return FV_NOT_ENOUGH_MEMORY;
	if (len) {
		fv_error_t err =
		    fv_frame_map(frame, l->root_vspace, l->scratch_va, FV_MAP_READ | FV_MAP_WRITE);
		if (err == FV_FAILED_LOOKUP) { /* the first use of the scratch page */
			err = ensure_tables(l, l->root_vspace, l->scratch_va);
			if (!err)
				err = fv_frame_map(frame, l->root_vspace, l->scratch_va,
				                   FV_MAP_READ | FV_MAP_WRITE);
		}
		if (err)
			return err;
		memcpy((char *)l->scratch_va + offset, src, len);
		fv_frame_unmap(frame);
	}
	fv_error_t err = ensure_tables(l, vspace, va);
	return err ? err : fv_frame_map(frame, vspace, va, rights);
}

static fv_error_t load_segment(const struct fv_loader *l, fv_cptr_t vspace, const char *file,
                               const struct elf_segment *s)
{
	unsigned rights = FV_MAP_READ | (s->flags & ELF_PF_W ? FV_MAP_WRITE : 0) |
	                  (s->flags & ELF_PF_X ? FV_MAP_EXEC : 0);
	uint64_t file_end = s->vaddr + s->filesz;
	for (uint64_t page = s->vaddr & ~(PAGE - 1); page < s->vaddr + s->memsz; page += PAGE) {
		uint64_t from = page > s->vaddr ? page : s->vaddr;
		uint64_t to = page + PAGE < file_end ? page + PAGE : file_end;
		size_t len = from < to ? (size_t)(to - from) : 0;
		fv_error_t err =
		    map_page(l, vspace, page, rights, file + s->offset + (from - s->vaddr), len,
		             (size_t)(from - page));
		if (err)
			return err;
	}
	return FV_OK;
}

/* The stack, with the start info at its top. */
static fv_error_t map_stack(const struct fv_loader *l, const char *name, uint64_t arg,
                            fv_cptr_t vspace)
{
	struct fv_start_info si = {.magic = FV_START_INFO_MAGIC,
	                           .arg = arg,
	                           .timebase_hz = l->timebase_hz,
	                           .hart_count = l->hart_count};
	strncpy(si.name, name, sizeof(si.name) - 1);
	fv_error_t err = FV_OK;
	uint64_t top_page = FV_PROCESS_STACK_TOP - PAGE;
	for (uint64_t va = FV_PROCESS_STACK_TOP - FV_PROCESS_STACK_SIZE; !err && va < top_page;
	     va += PAGE)
		err = map_page(l, vspace, va, FV_MAP_READ | FV_MAP_WRITE, NULL, 0, 0);
	if (!err)
		err = map_page(l, vspace, top_page, FV_MAP_READ | FV_MAP_WRITE, &si, sizeof(si),
		               PAGE - START_INFO_SPACE);
	return err;
}

static fv_error_t make_cnode(const struct fv_loader *l, struct fv_process *p)
{
	fv_cptr_t raw = new_object(l, FV_OBJ_CNODE, FV_PROCESS_CNODE_RADIX);
	p->cnode = fv_slot_alloc(l->slots);
	if (!raw || !p->cnode)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err =
	    fv_cnode_mint(l->root_cnode, p->cnode, 64, l->root_cnode, raw, 64, FV_RIGHTS_ALL,
	                  FV_CNODE_GUARD(64 - FV_PROCESS_CNODE_RADIX, 0));
	const struct {
		unsigned slot;
		fv_cptr_t cap;
	} own[] = {{FV_PROCESS_SLOT_CNODE, p->cnode},
	           {FV_PROCESS_SLOT_VSPACE, p->vspace},
	           {FV_PROCESS_SLOT_TCB, p->tcb}};
	for (unsigned i = 0; !err && i < sizeof(own) / sizeof(own[0]); i++)
		err = fv_cnode_copy(p->cnode, own[i].slot, 64, l->root_cnode, own[i].cap, 64,
		                    FV_RIGHTS_ALL);
	/*
	 * The program's memory: an Untyped made from the one its parent keeps,
	 * so that revoking the parent's destroys everything the program made.
	 */
	if (!err)
		err = fv_untyped_retype(p->untyped, FV_OBJ_UNTYPED, p->untyped_bits, p->cnode, 0, 0,
		                        FV_PROCESS_SLOT_UNTYPED, 1);
	return err;
}

fv_error_t fv_load_program(const struct fv_loader *l, const char *name, uint64_t arg,
                           struct fv_process *out)
{
	struct cpio_file file;
	struct elf_image img;
	if (cpio_find(l->archive, l->archive_size, name, &file) != CPIO_OK ||
	    elf_parse(file.data, file.size, FV_PROCESS_STACK_TOP - FV_PROCESS_STACK_SIZE, &img) !=
	        ELF_OK)
		return FV_INVALID_ARGUMENT;
	out->vspace = new_object(l, FV_OBJ_VSPACE, 0);
	out->tcb = new_object(l, FV_OBJ_TCB, 0);
	out->untyped_bits = l->memory_bits ? l->memory_bits : FV_PROCESS_DEFAULT_MEMORY;
	out->untyped = new_object(l, FV_OBJ_UNTYPED, out->untyped_bits);
	if (!out->vspace || !out->tcb || !out->untyped)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = FV_OK;
	for (unsigned i = 0; !err && i < img.nsegments; i++)
		err = load_segment(l, out->vspace, file.data, &img.seg[i]);
	if (!err)
		err = map_stack(l, name, arg, out->vspace);
	fv_cptr_t ipc = new_object(l, FV_OBJ_FRAME_4K, 0);
	if (!err && !ipc)
		err = FV_NOT_ENOUGH_MEMORY;
	if (!err)
		err = ensure_tables(l, out->vspace, FV_PROCESS_IPC_BUFFER);
	if (!err)
		err = fv_frame_map(ipc, out->vspace, FV_PROCESS_IPC_BUFFER,
		                   FV_MAP_READ | FV_MAP_WRITE);
	if (!err)
		err = make_cnode(l, out);
	if (!err)
		err =
		    fv_tcb_configure(out->tcb, out->cnode, out->vspace, ipc, FV_PROCESS_IPC_BUFFER);
	uint64_t start_info = FV_PROCESS_STACK_TOP - START_INFO_SPACE;
	uint64_t regs[] = {img.entry, start_info, start_info};
	if (!err)
		err = fv_tcb_write_registers(out->tcb, regs, 3);
	out->entry = img.entry;
	return err;
}

fv_error_t fv_load_data(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va, const void *data,
                        size_t len, unsigned rights)
{
	if (va & (PAGE - 1))
		return FV_ALIGNMENT_ERROR;
	const char *src = data;
	for (size_t done = 0; done < len; done += PAGE) {
		size_t n = len - done < PAGE ? len - done : PAGE;
		fv_error_t err = map_page(l, vspace, va + done, rights, src + done, n, 0);
		if (err)
			return err;
	}
	return FV_OK;
}

fv_error_t fv_share_frames(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va,
                           fv_cptr_t first, unsigned count, unsigned frame_bits)
{
	for (unsigned i = 0; i < count; i++) {
		fv_cptr_t copy = fv_slot_alloc(l->slots);
		if (!copy)
			return FV_NOT_ENOUGH_MEMORY;
		fv_error_t err = fv_cnode_copy(l->root_cnode, copy, 64, l->root_cnode, first + i,
		                               64, FV_RIGHT_READ);
		if (!err)
			err = map_with_tables(l, copy, vspace, va + ((uint64_t)i << frame_bits),
			                      FV_MAP_READ);
		if (err)
			return err;
	}
	return FV_OK;
}
