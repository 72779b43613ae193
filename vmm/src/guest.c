/*
 * The guest machine: its RAM (2 MiB frames in the GuestSpace, each also
 * mapped in this process), its boot files placed as firmware would, and its
 * vCPUs' lives (made, reset, started, stopped, restarted).
 */
#include <string.h>

#include <fv/loader.h>
#include <fv/posix.h>
#include <vmm/guest_fdt.h>

#include "vmm.h"

static fv_cptr_t guest_space;

/* Maps `frame` at `addr` of a VSpace or GuestSpace, making page tables as needed. */
static fv_error_t map_with_tables(fv_cptr_t frame, fv_cptr_t space, uint64_t addr, unsigned rights)
{
	for (;;) {
		fv_error_t err = fv_frame_map(frame, space, addr, rights);
		if (err != FV_FAILED_LOOKUP)
			return err;
		fv_cptr_t pt = fv_make(&guest_alloc, FV_OBJ_PAGE_TABLE, 0);
		if (!pt)
			return FV_NOT_ENOUGH_MEMORY;
		err = fv_page_table_map(pt, space, addr);
		if (err)
			return err;
	}
}

/* Where this VMM sees guest-physical address `gpa` of RAM (which the caller checked). */
static void *guest_ram(uint64_t gpa)
{
	return memory.host + (gpa - memory.base);
}

/* One 2 MiB frame of guest RAM at `off`: in the guest space and, through a copy, here. */
static fv_error_t map_ram_block(fv_cptr_t frame, uint64_t off)
{
	fv_cptr_t mine = fv_slot_alloc(&slots);
	if (!mine)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = fv_cnode_copy(FV_PROCESS_SLOT_CNODE, mine, 64, FV_PROCESS_SLOT_CNODE,
	                               frame, 64, FV_RIGHTS_ALL);
	if (!err)
		err = map_with_tables(frame, guest_space, memory.base + off,
		                      FV_MAP_READ | FV_MAP_WRITE | FV_MAP_EXEC);
	if (!err)
		err = map_with_tables(mine, FV_PROCESS_SLOT_VSPACE, VMM_RAM_VA + off,
		                      FV_MAP_READ | FV_MAP_WRITE);
	return err;
}

bool ram_blocks_valid(void)
{
	for (unsigned i = 0; i < boot->ram_blocks; i++)
		if (boot->ram_block_bits[i] < VMM_RAM_BLOCK_BITS || boot->ram_block_bits[i] > 40)
			return false;
	return boot->ram_blocks <= VMM_MAX_RAM_BLOCKS;
}

/* Guest RAM: the frames of every RAM Untyped the root task gave, in order. */
static fv_error_t make_ram(void)
{
	uint64_t off = 0;
	for (unsigned i = 0; i < boot->ram_blocks && i < VMM_MAX_RAM_BLOCKS; i++) {
		struct fv_alloc ram = {VMM_SLOT_GUEST_RAM + i, FV_PROCESS_SLOT_CNODE, &slots};
		uint64_t frames = 1ull << (boot->ram_block_bits[i] - VMM_RAM_BLOCK_BITS);
		for (uint64_t f = 0; f < frames && off < memory.size; f++, off += BLOCK) {
			fv_cptr_t frame = fv_make(&ram, FV_OBJ_FRAME_2M, 0);
			fv_error_t err = frame ? map_ram_block(frame, off) : FV_NOT_ENOUGH_MEMORY;
			if (err)
				return err;
		}
	}
	return off == memory.size ? FV_OK : FV_NOT_ENOUGH_MEMORY;
}

/* A cache-block size in the guest's device tree: the host's, if it has the extension. */
static uint32_t block_size(uint64_t extension, uint32_t host_size)
{
	return guest_isa.extensions & extension ? host_size : 0;
}

static int write_device_tree(const struct guest_layout *at)
{
	const struct guest_fdt_config c = {
	    .name = boot->name,
	    .ram_base = memory.base,
	    .ram_size = memory.size,
	    .vcpus = vcpu_count,
	    .isa = guest_isa.string,
	    .cbom_block_size = block_size(FV_ISA_BIT(ZICBOM), boot->host_cbom_block_size),
	    .cboz_block_size = block_size(FV_ISA_BIT(ZICBOZ), boot->host_cboz_block_size),
	    .cbop_block_size = block_size(FV_ISA_BIT(ZICBOP), boot->host_cbop_block_size),
	    .mmu_type = "riscv,sv39",
	    .timebase_hz = (uint32_t)fv_timebase_hz(),
	    .bootargs = boot->command_line[0] ? boot->command_line : NULL,
	    .initrd_start = at->initrd_gpa,
	    .initrd_end = at->initrd_end,
	    .uart_base = UART_BASE,
	    .uart_irq = UART_IRQ,
	    .uart_clock_hz = 3686400,
	    .plic_base = PLIC_BASE,
	    .plic_ndev = 95,
	    .imsic_base = guest_has_aia ? IMSIC_BASE : 0,
	    .imsic_ids = IMSIC_IDS,
	    .aplic_base = APLIC_BASE,
	    .aplic_sources = APLIC_SOURCES,
	};
	return guest_fdt_build(&c, guest_ram(at->dtb_gpa), LAYOUT_DTB_SPACE);
}

static const void *archive_file(const struct vmm_file *f)
{
	return (const void *)(VMM_ARCHIVE_VA + f->offset);
}

/* Kernel, initrd and device tree in guest RAM, where firmware would put them. */
static fv_error_t load_boot_files(struct guest_layout *at)
{
	const void *kernel = archive_file(&boot->kernel);
	int err = guest_layout_plan(memory.base, memory.size, kernel, boot->kernel.size,
	                            boot->initrd.size, at);
	if (err) {
		fv_printf("vmm: %s: %s\n", boot->name, guest_layout_strerror(err));
		return FV_RANGE_ERROR;
	}
	memcpy(guest_ram(at->kernel_gpa), kernel, boot->kernel.size);
	if (boot->initrd.size)
		memcpy(guest_ram(at->initrd_gpa), archive_file(&boot->initrd), boot->initrd.size);
	err = write_device_tree(at);
	if (err) {
		fv_printf("vmm: %s: device tree: %s\n", boot->name, guest_fdt_strerror(err));
		return FV_INVALID_ARGUMENT;
	}
	return FV_OK;
}

/*
 * vCPU n's guest interrupt file: its IMSIC at IMSIC_BASE + n * 4 KiB of the
 * guest, where the guest's own stores (its IPIs among them) need no exit, and
 * mapped here, where a store is this VMM delivering a device's interrupt.
 */
static fv_error_t give_irq_file(unsigned n)
{
	struct vcpu_state *v = &vcpus[n];
	fv_cptr_t mine = fv_slot_alloc(&slots);
	v->irq_file = VMM_SLOT_IRQ_FILES + n;
	if (!mine)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = fv_cnode_copy(FV_PROCESS_SLOT_CNODE, mine, 64, FV_PROCESS_SLOT_CNODE,
	                               v->irq_file, 64, FV_RIGHTS_ALL);
	if (!err)
		err = map_with_tables(v->irq_file, guest_space, IMSIC_BASE + 0x1000ul * n,
		                      FV_MAP_READ | FV_MAP_WRITE);
	if (!err) {
		v->irq_file_page = fv_posix_map_frame(mine, FV_MAP_READ | FV_MAP_WRITE);
		if (!v->irq_file_page)
			err = FV_NOT_ENOUGH_MEMORY;
	}
	return err ? err : fv_vcpu_set_irq_file(v->vcpu, v->irq_file);
}

/*
 * vCPU `n`'s thread: bound to a VCPU and the guest space, its faults are VM
 * exits here (badge n + 1), spread over the physical harts. Stopped until
 * started: vCPU 0 by this VMM, the others by the guest (SBI HSM).
 */
static fv_error_t make_vcpu(unsigned n)
{
	struct vcpu_state *v = &vcpus[n];
	v->vcpu = fv_make(&guest_alloc, FV_OBJ_VCPU, 0);
	v->tcb = fv_make(&guest_alloc, FV_OBJ_TCB, 0);
	v->exits = fv_make(&guest_alloc, FV_OBJ_ENDPOINT, 0);
	fv_cptr_t ipc = fv_make(&guest_alloc, FV_OBJ_FRAME_4K, 0);
	fv_cptr_t fault = fv_slot_alloc(&slots);
	v->hart = n % (unsigned)fv_hart_count();
	if (!v->vcpu || !v->tcb || !v->exits || !ipc || !fault)
		return FV_NOT_ENOUGH_MEMORY;
	void *ipc_va = fv_posix_map_frame(ipc, FV_MAP_READ | FV_MAP_WRITE);
	fv_error_t err = ipc_va ? FV_OK : FV_NOT_ENOUGH_MEMORY;
	if (!err)
		err = fv_tcb_configure(v->tcb, FV_PROCESS_SLOT_CNODE, FV_PROCESS_SLOT_VSPACE, ipc,
		                       (uint64_t)ipc_va);
	if (!err)
		err = fv_tcb_bind_vcpu(v->tcb, v->vcpu, guest_space);
	if (!err)
		err = fv_cnode_mint(FV_PROCESS_SLOT_CNODE, fault, 64, FV_PROCESS_SLOT_CNODE,
		                    v->exits, 64, FV_RIGHT_WRITE, n + 1);
	if (!err)
		err = fv_tcb_set_fault_handler(v->tcb, fault);
	if (!err)
		err = fv_tcb_set_priority(v->tcb, 255, 255);
	if (!err && fv_hart_count() > 1)
		err = fv_tcb_set_affinity(v->tcb, v->hart);
	if (!err && guest_has_aia)
		err = give_irq_file(n);
	return err;
}

/* Every VS register as at power-on: no timer, no interrupts, supervisor mode. */
static fv_error_t reset_vcpu(const struct vcpu_state *v)
{
	const uint64_t zeros[FV_VCPU_VSATP - FV_VCPU_VSSTATUS + 1] = {0};
	const uint64_t no_timer = UINT64_MAX, no_interrupts = 0, supervisor = 1;
	fv_error_t err =
	    fv_vcpu_write_regs(v->vcpu, FV_VCPU_VSSTATUS, sizeof(zeros) / sizeof(zeros[0]), zeros);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_VSTIMECMP, 1, &no_timer);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_HVIP, 1, &no_interrupts);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_MODE, 1, &supervisor);
	if (!err) /* what the guest's extensions need enabled (vmm/guest_isa.h) */
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_HENVCFG, 1, &guest_isa.henvcfg);
	if (!err && guest_has_aia) /* given again: the kernel clears it before the vCPU runs */
		err = fv_vcpu_set_irq_file(v->vcpu, v->irq_file);
	return err;
}

/* Starts vCPU `n` at `pc` with a0 = n, a1 = `a1`, reset, as SBI HSM hart_start says. */
long start_vcpu(unsigned n, uint64_t pc, uint64_t a1)
{
	struct vcpu_state *v = &vcpus[n];
	if (v->started)
		return SBI_ERR_ALREADY_AVAILABLE;
	const uint64_t regs[] = {
	    [FV_REG_PC] = pc, [FV_REG_SP] = 0, [FV_REG_A0] = n, [FV_REG_A1] = a1};
	if (fv_tcb_write_registers(v->tcb, regs, 4) != FV_OK || reset_vcpu(v) != FV_OK ||
	    fv_tcb_resume(v->tcb) != FV_OK)
		return SBI_ERR_FAILED;
	v->started = true;
	return SBI_SUCCESS;
}

long vcpu_status(unsigned n)
{
	return vcpus[n].started ? SBI_HSM_STARTED : SBI_HSM_STOPPED;
}

void send_ipi(unsigned n)
{
	fv_vcpu_set_interrupts(vcpus[n].vcpu, FV_VCPU_IRQ_SOFT, 0);
}

void remote_fence(unsigned n)
{
	fv_vcpu_fence(vcpus[n].vcpu);
}

/* Every vCPU stops: the guest is off. */
void stop_all_vcpus(void)
{
	for (unsigned n = 0; n < vcpu_count; n++) {
		fv_tcb_suspend(vcpus[n].tcb);
		vcpus[n].started = false;
	}
}

/*
 * SBI system reset, reboot: this guest alone starts again as it first
 * booted (fresh kernel, initrd and device tree, devices and vCPUs reset).
 */
void restart_guest(void)
{
	flush_output();
	fv_printf("vmm: %s: the guest restarts\n", boot->name);
	stop_all_vcpus();
	uart_reset(&uart0);
	plic_reset(&plic, vcpu_count);
	aplic_reset(&aplic, vcpu_count);
	struct guest_layout at;
	fv_error_t err = load_boot_files(&at);
	for (unsigned n = 0; n < vcpu_count; n++)
		vcpus[n].external_line = false; /* each vCPU is reset as it starts */
	if (!err && start_vcpu(0, at.kernel_gpa, at.dtb_gpa) != SBI_SUCCESS)
		err = FV_ILLEGAL_OPERATION;
	if (err)
		fv_printf("vmm: %s: cannot restart the guest: %s\n", boot->name, fv_strerror(err));
}

fv_error_t build_guest(void)
{
	guest_space = fv_make(&guest_alloc, FV_OBJ_GUEST_SPACE, 0);
	if (!guest_space)
		return FV_NOT_ENOUGH_MEMORY;
	struct guest_layout at;
	fv_error_t err = make_exit_lock();
	if (!err)
		err = make_ram();
	if (!err)
		err = load_boot_files(&at);
	for (unsigned n = 0; !err && n < vcpu_count; n++)
		err = make_vcpu(n);
	for (unsigned n = 0; !err && n < vcpu_count; n++)
		err = start_exit_handler(n);
	if (!err && start_vcpu(0, at.kernel_gpa, at.dtb_gpa) != SBI_SUCCESS)
		err = FV_ILLEGAL_OPERATION;
	return err;
}
