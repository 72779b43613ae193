/*
 * Starting programs from the boot archive in address spaces of their own.
 * Used by the root task: it holds the memory and the capabilities.
 */
#ifndef FV_LOADER_H
#define FV_LOADER_H

#include <fv/libcap.h>

/* Fixed addresses in a loaded program's address space (like the root task's). */
#define FV_PROCESS_STACK_TOP      FV_ROOT_STACK_TOP
#define FV_PROCESS_STACK_SIZE     FV_ROOT_STACK_SIZE
#define FV_PROCESS_IPC_BUFFER     FV_ROOT_IPC_BUFFER
#define FV_PROCESS_CNODE_RADIX    12
#define FV_PROCESS_DEFAULT_MEMORY 22 /* 4 MiB */

/*
 * Slots of a loaded program's CNode (CPtrs are slot numbers). The upper
 * half belongs to the program's Linux personality (fv/posix.h).
 */
enum fv_process_slot {
	FV_PROCESS_SLOT_CNODE = 1,
	FV_PROCESS_SLOT_VSPACE = 2,
	FV_PROCESS_SLOT_TCB = 3,
	FV_PROCESS_SLOT_UNTYPED = 4,    /* the program's memory */
	FV_PROCESS_SLOT_CONSOLE = 5,    /* the console server's endpoint, if the parent gives one */
	FV_PROCESS_SLOT_SUPERVISOR = 6, /* where faults other than system calls go, if given */
	FV_PROCESS_SLOT_FIRST_FREE = 8, /* the parent may put capabilities in 8-31 */
	FV_PROCESS_SLOT_PROGRAM = 32    /* the program's own from here (fv_program_slots) */
};

/* What a loaded program finds at the top of its stack; a0 points at it. */
#define FV_START_INFO_MAGIC 0x4656535441525400ul /* "FVSTART" */
struct fv_start_info {
	uint64_t magic;
	uint64_t arg; /* the parent's argument: fv_start_arg() */
	uint64_t timebase_hz;
	uint64_t hart_count;
	char name[32];
};

/* What the loader needs from its caller. */
struct fv_loader {
	const void *archive; /* the boot archive, mapped */
	unsigned long archive_size;
	fv_cptr_t untyped;               /* memory for every object */
	struct fv_slot_allocator *slots; /* free slots of the caller's root CNode */
	fv_cptr_t root_cnode, root_vspace;
	uint64_t scratch_va;  /* a free page of the caller's address space */
	unsigned memory_bits; /* the program gets an Untyped of this size (0: the default) */
	uint64_t timebase_hz, hart_count;
};

struct fv_process {
	fv_cptr_t cnode, vspace, tcb; /* in the caller's CNode */
	fv_cptr_t untyped;            /* the program's memory: revoke it to reclaim all of it */
	unsigned untyped_bits;
	uint64_t entry;
};

/*
 * Makes a process for the program `name`: address space, image, stack, IPC
 * buffer, CNode, memory and a configured, suspended thread whose
 * fv_start_arg() is `arg`. Returns FV_OK or the first error.
 */
fv_error_t fv_load_program(const struct fv_loader *l, const char *name, uint64_t arg,
                           struct fv_process *out);

/* Maps a copy of `len` bytes of `data` at `va` (page-aligned) of another address space. */
fv_error_t fv_load_data(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va, const void *data,
                        size_t len, unsigned rights);

/*
 * Maps read-only copies of `count` frames of 2^frame_bits bytes, slots
 * first.. of the caller's CNode, one after another from `va` (aligned) of
 * another address space: how programs share the boot archive's blocks.
 */
fv_error_t fv_share_frames(const struct fv_loader *l, fv_cptr_t vspace, uint64_t va,
                           fv_cptr_t first, unsigned count, unsigned frame_bits);

#endif
