/*
 * Threads of a program's own address space that run libcap code: the
 * kernel's view of a thread (a TCB) with an IPC buffer, a stack the caller
 * provides, and the Linux personality serving its system calls (so
 * fv_printf works). They do not get the C library's thread-local storage:
 * they must not call C library functions that use it (errno, stdio locks).
 */
#ifndef FV_THREAD_H
#define FV_THREAD_H

#include <fv/libcap.h>

/* Where a program's objects come from: an Untyped and free slots of its CNode. */
struct fv_alloc {
	fv_cptr_t untyped;
	fv_cptr_t cnode; /* the program's CNode, CPtrs 64 bits deep */
	struct fv_slot_allocator *slots;
};

/* One object of `type` in a fresh slot; 0 on failure. */
fv_cptr_t fv_make(const struct fv_alloc *a, fv_object_type_t type, unsigned size_bits);

struct fv_thread {
	fv_cptr_t tcb;
	struct fv_thread_info info;
};

struct fv_thread_params {
	void (*entry)(uint64_t);
	uint64_t arg;
	void *stack_top;  /* 16-byte aligned */
	fv_cptr_t cspace; /* the thread's CSpace root (a CNode capability) */
	unsigned priority;
	int hart; /* -1: wherever the kernel puts it */
};

/* Makes, configures and starts a thread of this address space. */
fv_error_t fv_thread_start(struct fv_thread *t, const struct fv_alloc *a,
                           const struct fv_thread_params *p);

#endif
