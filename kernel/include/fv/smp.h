/* Harts: the per-hart data and bringing harts up and down. */
#ifndef FV_SMP_H
#define FV_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include <fv/util.h>

struct hart {
	uint64_t hartid;
	unsigned index; /* 0 is the boot hart */
	bool online;
};

extern struct hart harts[CONFIG_MAX_HARTS];

struct hart *this_hart(void);
unsigned harts_online(void);
/* Halts the calling hart for good, interrupts off. */
NORETURN void hart_halt_self(void);

#endif
