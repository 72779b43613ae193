/*
 * Starting programs from the boot archive in address spaces of their own.
 * Used by the root task: it holds the memory and the capabilities.
 */
#ifndef FV_LOADER_H
#define FV_LOADER_H

#include <fv/libcap.h>

/* Fixed addresses in a loaded program's address space (like the root task's). */
#define FV_PROCESS_STACK_TOP   FV_ROOT_STACK_TOP
#define FV_PROCESS_STACK_SIZE  0x10000ul
#define FV_PROCESS_IPC_BUFFER  FV_ROOT_IPC_BUFFER
#define FV_PROCESS_CNODE_RADIX 8

/* Slots of a loaded program's CNode (CPtrs are slot numbers). */
enum fv_process_slot {
	FV_PROCESS_SLOT_CNODE = 1,
	FV_PROCESS_SLOT_VSPACE = 2,
	FV_PROCESS_SLOT_TCB = 3,
	FV_PROCESS_SLOT_FIRST_FREE = 8 /* the parent may put capabilities from here on */
};

/* What the loader needs from its caller. */
struct fv_loader {
	const void *archive; /* the boot archive, mapped */
	unsigned long archive_size;
	fv_cptr_t untyped;               /* memory for every object */
	struct fv_slot_allocator *slots; /* free slots of the caller's root CNode */
	fv_cptr_t root_cnode, root_vspace;
	uint64_t scratch_va; /* a free page of the caller's address space */
};

struct fv_process {
	fv_cptr_t cnode, vspace, tcb; /* in the caller's CNode */
	uint64_t entry;
};

/*
 * Makes a process for the program `name`: address space, image, stack, IPC
 * buffer, CNode and a configured, suspended thread that will start at the
 * entry with a0 = `arg`. Returns FV_OK or the first error.
 */
fv_error_t fv_load_program(const struct fv_loader *l, const char *name, uint64_t arg,
                           struct fv_process *out);

#endif
