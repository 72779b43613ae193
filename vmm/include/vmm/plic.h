/*
 * An emulated PLIC (SiFive layout, as QEMU's virt machine has it) with one
 * S-mode context per vCPU. Sources are level-triggered: a device says its
 * level; claim and complete work as the specification says.
 */
#ifndef VMM_PLIC_H
#define VMM_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#define PLIC_SOURCES  96 /* sources 1..95 exist, as on QEMU's virt */
#define PLIC_CONTEXTS 8
#define PLIC_WORDS    ((PLIC_SOURCES + 31) / 32)

struct plic {
	uint32_t priority[PLIC_SOURCES];
	uint32_t level[PLIC_WORDS];   /* what the devices say */
	uint32_t claimed[PLIC_WORDS]; /* claimed, not yet completed */
	uint32_t enable[PLIC_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_CONTEXTS];
	unsigned contexts;
};

void plic_reset(struct plic *p, unsigned contexts);
void plic_set_level(struct plic *p, unsigned source, bool high);
/* 32-bit register accesses at `offset`; false if there is no such register. */
bool plic_read(struct plic *p, uint64_t offset, uint32_t *value);
bool plic_write(struct plic *p, uint64_t offset, uint32_t value);
/* True if `context` has an interrupt to take (its external interrupt line). */
bool plic_line(const struct plic *p, unsigned context);

#endif
