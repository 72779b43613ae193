/*
 * What the root task hands the kernel test suite, besides the usual slots
 * of a loaded program (fv/loader.h): capabilities in the parent's slots and
 * read-only copies of the boot info (at FV_ROOT_BOOTINFO) and of the boot
 * archive (at the address the boot info names).
 */
#ifndef KERNELTEST_H
#define KERNELTEST_H

#include <stdbool.h>

#include <fv/loader.h>

enum kerneltest_slot {
	KT_SLOT_POOL = FV_PROCESS_SLOT_FIRST_FREE, /* an Untyped to make test objects from */
	KT_SLOT_IRQ_CONTROL,                       /* the one IRQControl capability */
	KT_SLOT_UART,                              /* a frame over the console UART */
};

#define KT_POOL_BITS 24 /* 16 MiB */

/* Counts one check and prints it with its ID. */
void check(int ok, const char *what);
/* The C library and the Linux personality (libc.c). */
void test_libc(void);

#endif
