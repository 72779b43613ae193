/* Translating between the kernel's virtual addresses and physical ones. */
#ifndef ARCH_KERNEL_ADDR_H
#define ARCH_KERNEL_ADDR_H

#include <stdint.h>

#include <arch/layout.h>

/* Link address minus load address of the kernel image, set once at boot. */
extern uint64_t kernel_virt_offset;

static inline uint64_t kernel_image_pa(const void *va)
{
	return (uint64_t)va - kernel_virt_offset;
}

static inline void *phys_window(uint64_t pa)
{
	return (void *)(PPTR_BASE + pa);
}

/* kobj_ptr() and kobj_pa() of fv/object.h, inline for the kernel's hot paths. */
static inline void *arch_kobj_ptr(uint64_t pa)
{
	return phys_window(pa);
}

static inline uint64_t arch_kobj_pa(const void *ptr)
{
	return (uint64_t)ptr - PPTR_BASE;
}

#endif
