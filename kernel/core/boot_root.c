/*
 * Making the root task: the first user thread, from the program named
 * "rootserver" in the boot archive. The kernel builds its CNode, address
 * space, thread, stack, IPC buffer and boot-info page from a region of RAM
 * set aside for them, maps its image and the archive, and hands every other
 * byte of usable RAM to it as Untyped capabilities listed in the boot info.
 */
#include <string.h>

#include <ferrovisor/bootinfo.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/cpio.h>
#include <fv/elf.h>
#include <fv/irq.h>
#include <fv/object.h>
#include <fv/panic.h>
#include <fv/root_task.h>
#include <fv/smp.h>
#include <fv/tcb.h>
#include <fv/vspace.h>

#define ROOT_PRIORITY   255
#define ROOT_TABLES_MAX 16
#define ARCHIVE_BLOCK   ROOT_ARCHIVE_BLOCK

extern char __archive_start[], __archive_end[];

struct boot_alloc {
	uint64_t next, end; /* physical, bump allocation */
};

/* The boot archive: the boot module if there is one, else the kernel image's. */
struct archive {
	const char *data;
	uint64_t pa, size;
};

struct root_builder {
	struct boot_alloc mem;
	struct cte *slots; /* the root CNode's slots */
	unsigned next_slot;
	struct cap *vspace;
	struct fv_bootinfo *info;
	const struct elf_image *image;
	const void *elf;
	struct archive archive;
};

static void strncpy_bounded(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint64_t alloc_object(struct boot_alloc *a, unsigned bits)
{
	uint64_t pa = ALIGN_UP(a->next, 1ull << bits);
	if (pa + (1ull << bits) > a->end)
		panic("root task: boot region too small");
	a->next = pa + (1ull << bits);
	return pa;
}

static struct cte *new_slot(struct root_builder *b)
{
	if (b->next_slot >= (1u << FV_ROOT_CNODE_RADIX))
		panic("root task: root CNode full");
	return &b->slots[b->next_slot++];
}

static struct cap *make_object(struct root_builder *b, struct cte *slot, fv_object_type_t type)
{
	unsigned bits = object_size_bits(type, 0);
	struct cap cap = object_create(type, alloc_object(&b->mem, bits), 0, false);
	cte_insert(NULL, slot, &cap);
	return &slot->cap;
}

/* Maps page tables until `va` can take a frame at `level` (0: 4 KiB, 1: 2 MiB). */
static void ensure_tables_for(struct root_builder *b, uint64_t va, int level)
{
	while (vspace_missing_level(b->vspace, va) > level) {
		struct cap *pt = make_object(b, new_slot(b), FV_OBJ_PAGE_TABLE);
		if (vspace_map_page_table(b->vspace, pt, va) != FV_OK)
			panic("root task: cannot map a page table at %#lx", va);
	}
}

static void ensure_tables(struct root_builder *b, uint64_t va)
{
	ensure_tables_for(b, va, 0);
}

static void map_new_frame(struct root_builder *b, uint64_t va, unsigned rights, const void *src,
                          size_t len)
{
	struct cap *frame = make_object(b, new_slot(b), FV_OBJ_FRAME_4K);
	if (len)
		memcpy(kobj_ptr(frame->pa), src, len);
	if (vspace_map_frame(b->vspace, frame, va, rights) != FV_OK)
		panic("root task: cannot map a frame at %#lx", va);
}

static unsigned segment_rights(const struct elf_segment *s)
{
	return FV_MAP_READ | (s->flags & ELF_PF_W ? FV_MAP_WRITE : 0) |
	       (s->flags & ELF_PF_X ? FV_MAP_EXEC : 0);
}

/* Copies one page of a segment: the part of the file that falls in it, zeroes after. */
static void map_segment_page(struct root_builder *b, const struct elf_segment *s, uint64_t page)
{
	uint64_t file_start = s->vaddr, file_end = s->vaddr + s->filesz;
	uint64_t from = MAX(page, file_start), to = MIN(page + PAGE_SIZE, file_end);
	struct cap *frame = make_object(b, new_slot(b), FV_OBJ_FRAME_4K);
	if (from < to)
		memcpy((char *)kobj_ptr(frame->pa) + (from - page),
		       (const char *)b->elf + s->offset + (from - file_start), to - from);
	if (vspace_map_frame(b->vspace, frame, page, segment_rights(s)) != FV_OK)
		panic("root task: cannot map its image at %#lx", page);
}

static void for_each_page(uint64_t start, uint64_t size,
                          void (*fn)(struct root_builder *, uint64_t), struct root_builder *b)
{
	for (uint64_t va = ALIGN_DOWN(start, PAGE_SIZE); va < start + size; va += PAGE_SIZE)
		fn(b, va);
}

static struct archive find_archive(const struct platform_info *platform)
{
	if (platform->initrd.size) {
		/* Shared in whole 2 MiB frames: the last one's tail must be RAM too. */
		uint64_t blocks = ALIGN_UP(platform->initrd.size, ARCHIVE_BLOCK);
		if (!arch_window_contains(platform->initrd.base, blocks))
			panic("boot module at %#lx: not in the kernel's window on RAM",
			      platform->initrd.base);
		kprintf("ferrovisor: boot archive: the boot module, %lu KiB at %#lx\n",
		        platform->initrd.size >> 10, platform->initrd.base);
		return (struct archive){kobj_ptr(platform->initrd.base), platform->initrd.base,
		                        platform->initrd.size};
	}
	return (struct archive){__archive_start, arch_kernel_va_to_pa(__archive_start),
	                        (uint64_t)(__archive_end - __archive_start)};
}

static void map_all_tables(struct root_builder *b)
{
	for (unsigned i = 0; i < b->image->nsegments; i++)
		for_each_page(b->image->seg[i].vaddr, b->image->seg[i].memsz, ensure_tables, b);
	for_each_page(FV_ROOT_STACK_TOP - FV_ROOT_STACK_SIZE, FV_ROOT_STACK_SIZE, ensure_tables, b);
	for_each_page(FV_ROOT_IPC_BUFFER, 2 * PAGE_SIZE, ensure_tables, b);
	for (uint64_t off = 0; off < b->archive.size; off += ARCHIVE_BLOCK)
		ensure_tables_for(b, FV_ROOT_ARCHIVE + off, 1);
}

static void map_stack_page(struct root_builder *b, uint64_t va)
{
	map_new_frame(b, va, FV_MAP_READ | FV_MAP_WRITE, NULL, 0);
}

/* The archive stays where the kernel image has it: read-only 2 MiB frames over it. */
static void map_archive(struct root_builder *b)
{
	b->info->archive_frames.first = b->next_slot;
	for (uint64_t off = 0; off < b->archive.size; off += ARCHIVE_BLOCK) {
		struct cap cap = {.type = CAP_FRAME,
		                  .rights = FV_RIGHT_READ,
		                  .size_bits = FV_FRAME_2M_BITS,
		                  .pa = b->archive.pa + off};
		struct cte *slot = new_slot(b);
		cte_insert(NULL, slot, &cap);
		if (vspace_map_frame(b->vspace, &slot->cap, FV_ROOT_ARCHIVE + off, FV_MAP_READ))
			panic("root task: cannot map the archive at %#lx", FV_ROOT_ARCHIVE + off);
	}
	b->info->archive_frames.count = b->next_slot - b->info->archive_frames.first;
	b->info->archive_va = FV_ROOT_ARCHIVE;
	b->info->archive_size = b->archive.size;
}

static void map_image(struct root_builder *b)
{
	b->info->image_frames.first = b->next_slot;
	for (unsigned i = 0; i < b->image->nsegments; i++) {
		const struct elf_segment *s = &b->image->seg[i];
		for (uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz;
		     va += PAGE_SIZE)
			map_segment_page(b, s, va);
	}
	for_each_page(FV_ROOT_STACK_TOP - FV_ROOT_STACK_SIZE, FV_ROOT_STACK_SIZE, map_stack_page,
	              b);
	b->info->image_frames.count = b->next_slot - b->info->image_frames.first;
	map_archive(b);
}

/* Largest power-of-two block at `base` that is aligned and fits in `size`. */
static unsigned block_bits(uint64_t base, uint64_t size)
{
	unsigned bits = FV_UNTYPED_MAX_BITS;
	while (bits > FV_UNTYPED_MIN_BITS &&
	       ((base & ((1ull << bits) - 1)) || (1ull << bits) > size))
		bits--;
	return bits;
}

/* Adds Untyped capabilities covering [base, end) in the largest aligned blocks. */
static void give_range(struct root_builder *b, uint64_t base, uint64_t end, bool device)
{
	struct fv_bootinfo *info = b->info;
	while (base < end && info->untyped.count < FV_BOOTINFO_MAX_UNTYPED) {
		unsigned bits = block_bits(base, end - base);
		struct cap cap = {.type = CAP_UNTYPED,
		                  .rights = FV_RIGHTS_ALL,
		                  .size_bits = (uint8_t)bits,
		                  .flags = device ? CAP_FLAG_DEVICE : 0,
		                  .pa = base};
		cte_insert(NULL, new_slot(b), &cap);
		info->untyped_list[info->untyped.count++] = (struct fv_untyped_desc){
		    .pa = base, .size_bits = (uint8_t)bits, .is_device = device};
		base += 1ull << bits;
	}
}

/*
 * Device memory: the physical space below RAM, less what the kernel keeps
 * (the interrupt controller: a PLIC, or the supervisor-level APLIC and the
 * IMSIC interrupt files, whose pages would let their holder raise any
 * interrupt on any hart). Retyped only into frames, never zeroed.
 */
static void give_device_untyped(struct root_builder *b, const struct platform_info *platform)
{
	uint64_t ram = UINT64_MAX;
	for (unsigned i = 0; i < platform->memory.count; i++)
		ram = MIN(ram, platform->memory.r[i].base);
	struct region_list devices = {.count = 1, .r = {{0, ram}}};
	if (platform->plic.present)
		region_list_subtract(&devices, platform->plic.base, platform->plic.size);
	if (platform->aia.present) {
		region_list_subtract(&devices, platform->aia.aplic_base, platform->aia.aplic_size);
		region_list_subtract(&devices, platform->aia.imsic_base, platform->aia.imsic_size);
	}
	for (unsigned i = 0; i < devices.count; i++)
		give_range(b, ALIGN_UP(devices.r[i].base, PAGE_SIZE),
		           ALIGN_DOWN(devices.r[i].base + devices.r[i].size, PAGE_SIZE), true);
}

static void give_untyped(struct root_builder *b, const struct region_list *usable,
                         const struct platform_info *platform)
{
	b->info->untyped.first = b->next_slot;
	for (unsigned r = 0; r < usable->count; r++)
		give_range(b, ALIGN_UP(usable->r[r].base, PAGE_SIZE),
		           ALIGN_DOWN(usable->r[r].base + usable->r[r].size, PAGE_SIZE), false);
	give_device_untyped(b, platform);
}

/* Bytes the root task's kernel objects and pages need, generously rounded. */
static uint64_t boot_region_size(const struct elf_image *img)
{
	uint64_t pages = 2 + FV_ROOT_STACK_SIZE / PAGE_SIZE + ROOT_TABLES_MAX + 2;
	for (unsigned i = 0; i < img->nsegments; i++)
		pages += img->seg[i].memsz / PAGE_SIZE + 2;
	return (1ull << (FV_ROOT_CNODE_RADIX + FV_SLOT_BITS)) + pages * PAGE_SIZE + 0x10000;
}

/* Takes a 256 KiB-aligned region for the root task out of `usable`. */
static struct boot_alloc take_boot_region(struct region_list *usable, uint64_t size)
{
	uint64_t align = 1ull << (FV_ROOT_CNODE_RADIX + FV_SLOT_BITS);
	for (unsigned i = 0; i < usable->count; i++) {
		uint64_t base = ALIGN_UP(usable->r[i].base, align);
		uint64_t end = usable->r[i].base + usable->r[i].size;
		if (base < end && end - base >= size) {
			region_list_subtract(usable, base, size);
			return (struct boot_alloc){.next = base, .end = base + size};
		}
	}
	panic("root task: no free memory for its %lu KiB", size >> 10);
}

static void load_root_image(const struct archive *archive, const void **elf, struct elf_image *img)
{
	struct cpio_file file;
	enum cpio_error cerr = cpio_find(archive->data, archive->size, ROOT_TASK_NAME, &file);
	if (cerr != CPIO_OK)
		panic("boot archive: no '%s' (%s)", ROOT_TASK_NAME, cpio_strerror(cerr));
	enum elf_error eerr =
	    elf_parse(file.data, file.size, FV_ROOT_STACK_TOP - FV_ROOT_STACK_SIZE, img);
	if (eerr != ELF_OK)
		panic("boot archive: '%s' is not a usable program: %s", ROOT_TASK_NAME,
		      elf_strerror(eerr));
	*elf = file.data;
}

static void make_fixed_objects(struct root_builder *b, struct tcb **thread)
{
	struct cap cnode =
	    object_create(FV_OBJ_CNODE, alloc_object(&b->mem, FV_ROOT_CNODE_RADIX + FV_SLOT_BITS),
	                  FV_ROOT_CNODE_RADIX, false);
	cnode.extra = 64 - FV_ROOT_CNODE_RADIX; /* guard: CPtrs are slot numbers */
	b->slots = cnode_slots(&cnode);
	cte_insert(NULL, &b->slots[FV_ROOT_SLOT_CNODE], &cnode);
	b->vspace = make_object(b, &b->slots[FV_ROOT_SLOT_VSPACE], FV_OBJ_VSPACE);
	struct cap *tcb = make_object(b, &b->slots[FV_ROOT_SLOT_TCB], FV_OBJ_TCB);
	*thread = kobj_ptr(tcb->pa);
	struct cap irq = {.type = CAP_IRQ_CONTROL, .rights = FV_RIGHTS_ALL};
	cte_insert(NULL, &b->slots[FV_ROOT_SLOT_IRQ_CONTROL], &irq);
	b->next_slot = FV_ROOT_SLOT_FIRST_DYNAMIC;
}

static void map_fixed_pages(struct root_builder *b)
{
	struct cap *ipc = make_object(b, &b->slots[FV_ROOT_SLOT_IPC_BUFFER], FV_OBJ_FRAME_4K);
	struct cap *info = make_object(b, &b->slots[FV_ROOT_SLOT_BOOTINFO], FV_OBJ_FRAME_4K);
	if (vspace_map_frame(b->vspace, ipc, FV_ROOT_IPC_BUFFER, FV_MAP_READ | FV_MAP_WRITE) ||
	    vspace_map_frame(b->vspace, info, FV_ROOT_BOOTINFO, FV_MAP_READ))
		panic("root task: cannot map its IPC buffer and boot info");
	b->info = kobj_ptr(info->pa);
}

static void start_thread(struct root_builder *b, struct tcb *t)
{
	struct cap copy;
	const unsigned sources[] = {FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE,
	                            FV_ROOT_SLOT_IPC_BUFFER};
	const enum tcb_slot dests[] = {TCB_SLOT_CSPACE, TCB_SLOT_VSPACE, TCB_SLOT_IPC_BUFFER};
	for (unsigned i = 0; i < ARRAY_SIZE(sources); i++) {
		cap_derive(&b->slots[sources[i]].cap, FV_RIGHTS_ALL, &copy);
		cte_insert(&b->slots[sources[i]], &t->slots[dests[i]], &copy);
	}
	t->ipc_buffer_va = FV_ROOT_IPC_BUFFER;
	t->ctx.sepc = b->image->entry;
	t->ctx.regs[REG_SP] = FV_ROOT_STACK_TOP;
	t->ctx.regs[REG_A0] = FV_ROOT_BOOTINFO;
	t->priority = t->max_priority = ROOT_PRIORITY;
	t->affinity = 0;
	memcpy(t->name, "root", 5);
	sched_make_runnable(t);
}

void root_task_create(const struct platform_info *platform, struct region_list *usable)
{
	struct root_builder b = {0};
	struct elf_image img;
	struct tcb *thread;
	b.archive = find_archive(platform);
	load_root_image(&b.archive, &b.elf, &img);
	b.image = &img;
	b.mem = take_boot_region(usable, boot_region_size(&img));
	make_fixed_objects(&b, &thread);
	unsigned tables_first = b.next_slot;
	map_all_tables(&b);
	map_fixed_pages(&b);
	b.info->page_tables.first = tables_first;
	b.info->page_tables.count = b.next_slot - tables_first;
	map_image(&b);
	give_untyped(&b, usable, platform);
	b.info->magic = FV_BOOTINFO_MAGIC;
	b.info->version = FV_BOOTINFO_VERSION;
	b.info->hart_count = harts_online();
	b.info->timebase_hz = platform->timebase_hz;
	b.info->cnode_radix = FV_ROOT_CNODE_RADIX;
	b.info->console_pa = platform->console_pa;
	b.info->console_irq = platform->console_irq;
	b.info->irq_count = irq_count();
	b.info->guest_irq_files = arch_irq_guest_file_count();
	b.info->isa_extensions = platform_isa_extensions(platform);
	b.info->cbom_block_size = platform->cbom_block_size;
	b.info->cboz_block_size = platform->cboz_block_size;
	b.info->cbop_block_size = platform->cbop_block_size;
	strncpy_bounded(b.info->cmdline, platform->bootargs, sizeof(b.info->cmdline));
	b.info->empty.first = b.next_slot;
	b.info->empty.count = (1u << FV_ROOT_CNODE_RADIX) - b.next_slot;
	start_thread(&b, thread);
	kprintf("ferrovisor: root task: %lu untyped regions, %lu slots used, entry %#lx\n",
	        b.info->untyped.count, (unsigned long)b.next_slot, img.entry);
}
