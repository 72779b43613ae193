/* Finding this hart's data: tp holds its struct hart while the kernel runs. */
#ifndef ARCH_THIS_HART_H
#define ARCH_THIS_HART_H

#include <arch/csr.h>

struct hart;

static inline struct hart *this_hart(void)
{
	return (struct hart *)read_tp();
}

#endif
