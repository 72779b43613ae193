/*
 * What a VMM gets from the root task: the guest's description in a page at
 * VMM_BOOT_VA (read-only); read-only 2 MiB blocks of the boot archive that
 * hold the guest's kernel and initrd, at VMM_ARCHIVE_VA plus their offset in
 * the archive; an Untyped for the guest's objects (its GuestSpace, page
 * tables, vCPUs) in VMM_SLOT_GUEST_OBJECTS; and Untypeds that together are
 * exactly the guest's RAM from VMM_SLOT_GUEST_RAM on; and in VMM_SLOT_INPUT a
 * notification the console server signals when it has input for the guest
 * (read with FV_CONSOLE_READ on the console endpoint), if the console takes
 * input. With the AIA, the frames of one guest interrupt file per vCPU from
 * VMM_SLOT_IRQ_FILES on, vCPU n's on hart n % harts (irq_files says how many:
 * all vCPUs' or none, and without them the guest gets the emulated PLIC).
 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stdint.h>

#include <fv/loader.h>

#define VMM_BOOT_VA            0x30000000ul
#define VMM_ARCHIVE_VA         0x40000000ul
#define VMM_SLOT_GUEST_OBJECTS FV_PROCESS_SLOT_FIRST_FREE
#define VMM_SLOT_GUEST_RAM     (FV_PROCESS_SLOT_FIRST_FREE + 1)
#define VMM_MAX_RAM_BLOCKS     5 /* slots 9-13 */
#define VMM_SLOT_INPUT         (VMM_SLOT_GUEST_RAM + VMM_MAX_RAM_BLOCKS)
#define VMM_SLOT_IRQ_FILES     (VMM_SLOT_INPUT + 1) /* up to VMM_MAX_VCPUS: slots 15-22 */
#define VMM_MAX_VCPUS          8
#define VMM_OBJECT_BITS        21 /* 2 MiB for the guest's objects */
#define VMM_RAM_BLOCK_BITS     21 /* guest RAM is mapped in 2 MiB frames */

/* Sent (not called) on the supervisor endpoint once the guest is built and running. */
#define VMM_READY_LABEL 0x564d4d52ul /* "VMMR" */

/* A file of the archive: `size` bytes at VMM_ARCHIVE_VA + offset; size 0: none. */
struct vmm_file {
	uint64_t offset, size;
};

struct vmm_boot {
	char name[32];
	uint64_t ram_size;
	uint32_t vcpus;
	uint32_t ram_blocks;                        /* Untypeds from VMM_SLOT_GUEST_RAM on */
	uint8_t ram_block_bits[VMM_MAX_RAM_BLOCKS]; /* their sizes */
	struct vmm_file kernel, initrd;
	uint32_t
	    restart_on_fault; /* a fault restarts the guest (a few times) instead of stopping it */
	uint32_t irq_files;   /* guest interrupt files from VMM_SLOT_IRQ_FILES on: vcpus or 0 */
	/* The host harts' ISA (FV_ISA_BIT) and cache-block sizes, as the kernel reports them. */
	uint64_t host_isa_extensions;
	uint32_t host_cbom_block_size, host_cboz_block_size, host_cbop_block_size;
	char command_line[1024];
};

#endif
