/*
 * What a VMM gets from the root task: the guest's description in a page at
 * VMM_BOOT_VA (read-only), the guest image right after it, and an Untyped
 * for the guest's memory in VMM_SLOT_GUEST_MEMORY.
 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stdint.h>

#include <fv/loader.h>

#define VMM_BOOT_VA           0x30000000ul
#define VMM_IMAGE_VA          (VMM_BOOT_VA + 0x1000)
#define VMM_SLOT_GUEST_MEMORY FV_PROCESS_SLOT_FIRST_FREE

struct vmm_boot {
	char name[32];
	uint64_t image_size;
	uint64_t ram_size;
	uint32_t vcpus;
	char command_line[1024];
};

#endif
