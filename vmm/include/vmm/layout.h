/*
 * Where a guest's boot files go in its RAM, as firmware places them on
 * QEMU's virt machine: the kernel at RAM base + 2 MiB, the device tree in
 * the last 64 KiB, the initrd page-aligned just below the device tree. A
 * Linux Image header (riscv boot protocol) gives the kernel's whole
 * footprint, its .bss included; a flat binary's footprint is its size.
 * Portable: unit-tested on the host.
 */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_KERNEL_OFFSET 0x200000ull
#define LAYOUT_DTB_SPACE     0x10000ull
#define LAYOUT_PAGE          0x1000ull

struct guest_layout {
	uint64_t kernel_gpa, kernel_end; /* [kernel_gpa, kernel_end): the kernel's footprint */
	uint64_t initrd_gpa, initrd_end; /* both 0 without an initrd */
	uint64_t dtb_gpa;                /* LAYOUT_DTB_SPACE bytes */
};

enum layout_error {
	LAYOUT_OK = 0,
	LAYOUT_ERAM = -1,    /* RAM too small for kernel offset and device tree, or misaligned */
	LAYOUT_EKERNEL = -2, /* empty kernel, or its footprint does not fit below the device tree */
	LAYOUT_EINITRD = -3, /* the initrd does not fit between the kernel and the device tree */
};

/*
 * Plans the layout for a kernel of `kernel_size` bytes starting with
 * `kernel` (at least min(kernel_size, 64) bytes readable) and an initrd of
 * `initrd_size` bytes (0: none). Returns 0 or a negative enum layout_error.
 */
int guest_layout_plan(uint64_t ram_base, uint64_t ram_size, const void *kernel,
                      uint64_t kernel_size, uint64_t initrd_size, struct guest_layout *out);

/* The footprint of a kernel image: a Linux Image's image_size if larger than the file. */
uint64_t guest_kernel_footprint(const void *kernel, uint64_t kernel_size);

const char *guest_layout_strerror(int err);

#endif
