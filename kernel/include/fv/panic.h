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
/* Nonzero once a hart panics. */
extern int panicking;
/* Says so and halts this hart for good. */
NORETURN void halt_for_panic(void);

static inline bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

/* Called where a hart enters the kernel (inline: every system call), and while it waits for the
 * lock. */
static inline void halt_if_panicking(void)
{
	if (panic_in_progress())
		halt_for_panic();
}

#define assert(cond)                                                                      \
	do {                                                                              \
		if (config_set(DEBUG) && !(cond))                                         \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
