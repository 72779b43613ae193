/*
 * The kernel's own Sv39 address space: the image with W^X permissions at its
 * link address, and usable RAM in the physical window at PPTR_BASE.
 */
#include <arch/csr.h>
#include <arch/kernel_addr.h>
#include <arch/pagetable.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/panic.h>
#include <fv/smp.h>

#define BOOT_TABLES 32

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

static uint64_t table_pool[BOOT_TABLES][PT_ENTRIES] __attribute__((aligned(PT_PAGE_SIZE)));
static unsigned tables_used;
uint64_t secondary_satp;
uint64_t kernel_root_pa;
uint64_t kernel_virt_offset_boot;

static uint64_t alloc_boot_table(void *ctx)
{
	(void)ctx;
	if (tables_used == BOOT_TABLES)
		return 0;
	return kernel_image_pa(table_pool[tables_used++]);
}

static uint64_t *boot_table_ptr(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (uint64_t *)(pa + kernel_virt_offset);
}

static const struct pt_memory boot_tables = {alloc_boot_table, boot_table_ptr, NULL};

static void map_or_panic(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size,
                         uint64_t flags, const char *what)
{
	enum pt_error err = pt_map(pt, va, pa, size, flags);
	if (err)
		panic("cannot map %s (%#lx-%#lx at %#lx): page-table error %d", what, pa, pa + size,
		      va, err);
}

static void map_kernel_image(struct pagetable *pt)
{
	uint64_t start = (uint64_t)__kernel_start, text = (uint64_t)__text_end;
	uint64_t rodata = (uint64_t)__rodata_end, end = (uint64_t)__kernel_end;
	uint64_t pa = kernel_image_pa(__kernel_start);
	map_or_panic(pt, start, pa, text - start, PTE_R | PTE_X | PTE_G, "kernel text");
	map_or_panic(pt, text, pa + (text - start), rodata - text, PTE_R | PTE_G, "kernel rodata");
	map_or_panic(pt, rodata, pa + (rodata - start), end - rodata, PTE_R | PTE_W | PTE_G,
	             "kernel data");
}

/* Maps [base, base + size) into the window, 4 KiB-aligned inwards, if it fits. */
static void map_window(struct pagetable *pt, uint64_t base, uint64_t size, uint64_t flags)
{
	uint64_t start = ALIGN_UP(base, PT_PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(base + size, PT_PAGE_SIZE);
	if (end > PPTR_LIMIT - PPTR_BASE) {
		kprintf("ferrovisor: warning: memory above %#lx is not mapped\n",
		        PPTR_LIMIT - PPTR_BASE);
		end = PPTR_LIMIT - PPTR_BASE;
	}
	if (start < end)
		map_or_panic(pt, PPTR_BASE + start, start, end - start, flags, "physical memory");
}

/* True if [base, base + size) lies inside one region of `list`. */
/* RAM the window maps, for checks on addresses user mode hands the kernel. */
static struct region_list window_regions;

static void region_add_raw(struct region_list *list, uint64_t base, uint64_t size)
{
	if (list->count < PLATFORM_MAX_REGIONS)
		list->r[list->count++] = (struct mem_region){base, size};
}

static bool regions_cover(const struct region_list *list, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < list->count; i++)
		if (base >= list->r[i].base && base + size <= list->r[i].base + list->r[i].size)
			return true;
	return false;
}

static void map_physical_window(struct pagetable *pt, const struct platform_info *info,
                                uint64_t fdt_pa, uint64_t fdt_size)
{
	struct region_list usable;
	if (platform_usable_memory(info, &usable) ||
	    region_list_subtract(&usable, kernel_image_pa(__kernel_start),
	                         (uint64_t)(__kernel_end - __kernel_start)))
		panic("too many memory regions to map");
	for (unsigned i = 0; i < usable.count; i++)
		map_window(pt, usable.r[i].base, usable.r[i].size, PTE_R | PTE_W | PTE_G);
	/* The tree stays readable even where firmware put it in reserved memory. */
	uint64_t fdt_start = ALIGN_DOWN(fdt_pa, PT_PAGE_SIZE);
	uint64_t fdt_end = ALIGN_UP(fdt_pa + fdt_size, PT_PAGE_SIZE);
	if (!regions_cover(&usable, fdt_start, fdt_end - fdt_start))
		map_window(pt, fdt_start, fdt_end - fdt_start, PTE_R | PTE_G);
	/* The interrupt controller belongs to the kernel: mapped here, never given out. */
	if (info->plic.present)
		map_window(pt, info->plic.base, info->plic.size, PTE_R | PTE_W | PTE_G);
	if (info->aia.present)
		map_window(pt, info->aia.aplic_base, info->aia.aplic_size, PTE_R | PTE_W | PTE_G);
	/* A read-only alias of the image: the boot archive and boot tables are read through it. */
	map_window(pt, kernel_image_pa(__kernel_start), (uint64_t)(__kernel_end - __kernel_start),
	           PTE_R | PTE_G);
	window_regions = usable;
	region_add_raw(&window_regions, kernel_image_pa(__kernel_start),
	               (uint64_t)(__kernel_end - __kernel_start));
}

bool arch_window_contains(uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < window_regions.count; i++) {
		const struct mem_region *r = &window_regions.r[i];
		if (pa >= r->base && len <= r->size && pa - r->base <= r->size - len)
			return true;
	}
	return false;
}

uint64_t arch_kernel_va_to_pa(const void *va)
{
	return kernel_image_pa(va);
}

void arch_mm_init(const struct platform_info *info, uint64_t fdt_pa)
{
	struct pagetable pt = {.root_pa = alloc_boot_table(NULL), .mem = &boot_tables};
	map_kernel_image(&pt);
	map_physical_window(&pt, info, fdt_pa, info->fdt_size);
	kernel_root_pa = pt.root_pa;
	uint64_t satp = pt_satp(pt.root_pa, 0);
	csr_write_satp(satp);
	sfence_vma_all();
	secondary_satp = satp;
	kernel_virt_offset_boot = kernel_virt_offset;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (config_set(VERBOSE))
		kprintf("ferrovisor: kernel page tables: %u of %u boot tables used\n", tables_used,
		        BOOT_TABLES);
}

void arch_kernel_image(uint64_t *base, uint64_t *size)
{
	*base = kernel_image_pa(__kernel_start);
	*size = (uint64_t)(__kernel_end - __kernel_start);
}

void arch_use_kernel_address_space(void)
{
	/* secondary_satp is the kernel's own table, as every hart starts on it. */
	if (csr_read_satp() != secondary_satp)
		csr_write_satp(secondary_satp);
	this_hart()->user_root = 0;
}
