/*
 * The VMM server: one process per guest, holding only that guest's
 * capabilities. It builds the guest (guest.c), serves its VM exits with a
 * thread per vCPU (exits.c) and connects its UART to the console
 * (console_io.c).
 */
#include <fv/loader.h>
#include <fv/posix.h>

#include "vmm.h"

const struct vmm_boot *const boot = (const struct vmm_boot *)VMM_BOOT_VA;
struct fv_slot_allocator slots;
struct fv_alloc guest_alloc;
struct guest_memory memory;
struct vcpu_state vcpus[MAX_VCPUS];
unsigned vcpu_count;
struct vcpu_state *current;
struct uart uart0;
struct plic plic;
struct aplic aplic;
bool guest_has_aia;
struct guest_isa guest_isa;

int main(void)
{
	fv_slots_init(&slots, fv_program_slots.first, fv_program_slots.count);
	guest_alloc = (struct fv_alloc){VMM_SLOT_GUEST_OBJECTS, FV_PROCESS_SLOT_CNODE, &slots};
	memory = (struct guest_memory){GUEST_RAM_BASE, boot->ram_size, (uint8_t *)VMM_RAM_VA};
	vcpu_count = boot->vcpus >= 1 && boot->vcpus <= MAX_VCPUS ? boot->vcpus : 1;
	machine.harts = vcpu_count;
	uart_reset(&uart0);
	plic_reset(&plic, vcpu_count);
	aplic_reset(&aplic, vcpu_count);
	guest_has_aia = boot->irq_files == vcpu_count;
	const struct guest_isa_host host = {boot->host_isa_extensions, boot->host_cbom_block_size,
	                                    boot->host_cboz_block_size, boot->host_cbop_block_size};
	guest_isa_build(&host, guest_has_aia, &guest_isa);
	uart0.output = guest_console;
	uart0.idle = flush_output;
	if (memory.size == 0 || memory.size % BLOCK || !ram_blocks_valid()) {
		fv_printf("vmm: %s: guest RAM must be whole 2 MiB blocks\n", boot->name);
		return 1;
	}
	fv_error_t err = build_guest();
	if (err) {
		fv_printf("vmm: %s: cannot build the guest: %s\n", boot->name, fv_strerror(err));
		return 1;
	}
	fv_printf("vmm: %s: started, %lu MiB at 0x%lx\n", boot->name,
	          (unsigned long)(memory.size >> 20), (unsigned long)memory.base);
	struct fv_msg ready = {.info = FV_MSGINFO(VMM_READY_LABEL, 0, 0)};
	fv_send(FV_PROCESS_SLOT_SUPERVISOR, &ready);
	serve_input();
	return 0;
}
