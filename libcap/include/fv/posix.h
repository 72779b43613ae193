/*
 * The Linux personality of a Ferrovisor process. The C library (musl) makes
 * Linux system calls; the kernel turns each into a fault message, and a
 * thread of the same process (the personality thread) serves it: memory
 * (brk, mmap, munmap, mprotect), console output through the console server,
 * time, thread ids and exit. docs/architecture.md lists what is served.
 */
#ifndef FV_POSIX_H
#define FV_POSIX_H

#include <fv/libcap.h>

/* What the personality thread works with: capabilities of its own process. */
struct fv_posix_config {
	fv_cptr_t cnode, vspace, tcb; /* the process's CNode, address space and first thread */
	fv_cptr_t untyped;            /* memory for frames, page tables and its own objects */
	uint64_t slot_first;          /* free CNode slots it may use */
	uint64_t slot_count;
	uint64_t stack_lo, stack_hi; /* the first thread's stack */
	fv_cptr_t console;           /* endpoint of the console server, or 0 */
	fv_cptr_t supervisor;        /* gets the faults that are not system calls, or 0 */
	uint64_t timebase_hz;        /* rdtime ticks per second */
	const char *name;            /* for messages about the process */
};

/* Starts the personality thread and makes it the fault handler of config->tcb. */
fv_error_t fv_posix_start(const struct fv_posix_config *config);

/*
 * Requests served by the personality thread beyond Linux's: system-call
 * numbers in a range Linux does not use. They go through it so that its
 * memory bookkeeping has one owner.
 */
enum fv_posix_request {
	FV_POSIX_MAP_FRAME = 0x46560001, /* a0 frame, a1 FV_MAP_* rights: the address, or -errno */
	FV_POSIX_ADOPT = 0x46560002,     /* a0 TCB of this process: it serves its system calls */
	FV_POSIX_SET_CONSOLE = 0x46560003, /* a0 console endpoint (0: the kernel console) */
};

/* A Linux-ABI system call with up to 6 arguments (no errno: -errno comes back). */
long fv_linux_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Maps a frame capability somewhere free; returns its address or NULL. */
void *fv_posix_map_frame(fv_cptr_t frame, unsigned rights);
/* Lets the personality serve the Linux system calls of another thread of this process. */
fv_error_t fv_posix_adopt(fv_cptr_t tcb);
/* Sends console output to `endpoint` (a console server) from now on. */
void fv_posix_set_console(fv_cptr_t endpoint);

#endif
