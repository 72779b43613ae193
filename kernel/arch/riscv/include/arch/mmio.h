/* Device register access: the only way the kernel touches MMIO. */
#ifndef ARCH_MMIO_H
#define ARCH_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v = *(volatile uint32_t *)addr;
	__asm__ volatile("fence i, r" ::: "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("fence w, o" ::: "memory");
	*(volatile uint32_t *)addr = v;
}

#endif
