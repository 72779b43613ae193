/* The boot sequence of the kernel, common to every architecture. */
#include <string.h>

#include <fv/arch.h>
#include <fv/console.h>
#include <fv/irq.h>
#include <fv/panic.h>
#include <fv/platform.h>
#include <fv/root_task.h>
#include <fv/smp.h>
#include <fv/tcb.h>

static struct platform_info platform;

static void print_banner(const struct platform_info *info)
{
	kprintf("ferrovisor: platform=%s harts=%u memory=%lu MiB isa=%s\n", CONFIG_PLATFORM_NAME,
	        info->hart_count, info->memory_bytes >> 20, info->isa);
	if (info->hart_count > CONFIG_MAX_HARTS)
		kprintf("ferrovisor: warning: only the first %u of %u harts will be used\n",
		        CONFIG_MAX_HARTS, info->hart_count);
}

static void print_memory_map(const struct platform_info *info)
{
	for (unsigned i = 0; i < info->memory.count; i++)
		kprintf("ferrovisor: memory   %#014lx-%#014lx\n", info->memory.r[i].base,
		        info->memory.r[i].base + info->memory.r[i].size);
	for (unsigned i = 0; i < info->reserved.count; i++)
		kprintf("ferrovisor: reserved %#014lx-%#014lx\n", info->reserved.r[i].base,
		        info->reserved.r[i].base + info->reserved.r[i].size);
	kprintf("ferrovisor: timebase %u Hz, mmu %s, bootargs \"%s\"\n", info->timebase_hz,
	        info->mmu_type ? info->mmu_type : "(none)", info->bootargs);
}

/* Hands usable RAM (not the kernel image, not the device tree) to the root task and runs it. */
static NORETURN void start_root_task(uint64_t fdt_pa)
{
	struct region_list usable;
	uint64_t image_base, image_size;
	uint64_t fdt_start = ALIGN_DOWN(fdt_pa, 4096);
	uint64_t fdt_end = ALIGN_UP(fdt_pa + platform.fdt_size, 4096);
	arch_kernel_image(&image_base, &image_size);
	if (platform_usable_memory(&platform, &usable) ||
	    region_list_subtract(&usable, image_base, image_size) ||
	    region_list_subtract(&usable, fdt_start, fdt_end - fdt_start))
		boot_refuse("too many memory regions");
	/* The boot module is shared in 2 MiB frames: none of its last block is usable. */
	const struct mem_region *module = &platform.initrd;
	if (module->size && (module->base & (ROOT_ARCHIVE_BLOCK - 1)))
		boot_refuse("the boot module at %#lx is not 2 MiB-aligned", module->base);
	if (module->size &&
	    region_list_subtract(&usable, module->base, ALIGN_UP(module->size, ROOT_ARCHIVE_BLOCK)))
		boot_refuse("too many memory regions");
	root_task_create(&platform, &usable);
	kernel_lock();
	sched_return_to_user();
}

void kernel_main(uint64_t hartid, uint64_t fdt_pa, uint64_t kernel_virt_offset)
{
	arch_boot_hart_init(hartid, kernel_virt_offset);
	uint64_t start_cycles = arch_cycle_counter();
	uint64_t start_instret = arch_instret_counter();

	size_t fdt_bytes;
	const void *fdt = arch_boot_fdt(fdt_pa, &fdt_bytes);
	enum platform_error err = platform_info_parse(fdt, fdt_bytes, &platform);
	if (err)
		boot_refuse("the device tree at %#lx is unusable: %s", fdt_pa,
		            platform_strerror(err));
	print_banner(&platform);
	const char *missing = arch_check_cpu(&platform);
	if (missing)
		boot_refuse(
		    "the CPU lacks the '%s' extension, which Ferrovisor requires%s", missing,
		    strcmp(missing, "h") == 0 ? " to run guests (hypervisor extension)" : "");
	if (config_set(VERBOSE))
		print_memory_map(&platform);

	arch_mm_init(&platform, fdt_pa);
	arch_irq_init(&platform);
	arch_smp_start(&platform);

	if (str_has_word(platform.bootargs, "ferrovisor.selftest=panic"))
		arch_self_test_fault();
	if (config_set(PMU))
		kprintf("ferrovisor: pmu: boot took %lu cycles, %lu instructions on hart %lu\n",
		        arch_cycle_counter() - start_cycles, arch_instret_counter() - start_instret,
		        hartid);
	kprintf("ferrovisor: boot complete: %u of %u harts online\n", harts_online(),
	        MIN(platform.hart_count, CONFIG_MAX_HARTS));
	start_root_task(fdt_pa);
}
