/* The kernel's own console output (boot messages, panics, traces). */
#ifndef FV_CONSOLE_H
#define FV_CONSOLE_H

#include <fv/util.h>

/* Formats one message and writes it whole, never interleaved with another hart's. */
void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Takes the console from whoever holds it: for the panic path only. */
void console_force_unlock(void);

#endif
