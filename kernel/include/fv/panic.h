/* Stopping the machine when continuing could do harm. */
#ifndef FV_PANIC_H
#define FV_PANIC_H

#include <stdbool.h>

#include <fv/util.h>

struct trap_frame;

/* Prints the reason and halts every hart. For the kernel's own bugs only. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Same, for an unexpected trap: also prints the cause, sepc, stval and registers. */
NORETURN void panic_trap(const struct trap_frame *f, const char *why);
/* Stops with a clear message when the machine cannot run Ferrovisor. */
NORETURN void boot_refuse(const char *fmt, ...) PRINTF_LIKE(1, 2);
bool panic_in_progress(void);
/* Called where a hart enters the kernel, and while it waits for the lock. */
void halt_if_panicking(void);

#define assert(cond)                                                                      \
	do {                                                                              \
		if (config_set(DEBUG) && !(cond))                                         \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
