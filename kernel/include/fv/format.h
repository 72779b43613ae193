/*
 * Formatted output without a C library: the subset of printf the kernel uses.
 * Conversions: d i u x X o c s p %; flags - 0 + space #; width and precision
 * (also as *); length modifiers hh h l ll z t j. Widths and precisions are
 * capped at FORMAT_MAX_FIELD, so no format string can make formatting slow.
 */
#ifndef FV_FORMAT_H
#define FV_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#include <fv/util.h>

#define FORMAT_MAX_FIELD 4096

/*
 * Writes at most size - 1 characters and a terminating NUL (when size > 0).
 * Returns the length the whole output would have had, like C's vsnprintf.
 */
int fv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fv_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
