/* Small helpers shared by every part of the kernel. */
#ifndef FV_UTIL_H
#define FV_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <fv/config.h>

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)  ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)    ALIGN_DOWN((x) + (__typeof__(x))(a) - 1, (a))
#define IS_ALIGNED(x, a)  (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define BIT(n)            (1ull << (n))
#define MIN(a, b)         ((a) < (b) ? (a) : (b))
#define MAX(a, b)         ((a) > (b) ? (a) : (b))
#define UNUSED            __attribute__((unused))
#define NORETURN          __attribute__((noreturn))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define SECTION(s)        __attribute__((section(s)))
/* Code and data used only while booting, grouped so it can be reclaimed. */
#define BOOT_CODE SECTION(".boot.text")
#define BOOT_DATA SECTION(".boot.data")

/*
 * The system-call and thread-switch path. Without HOT the compiler takes
 * every function that ends in a NORETURN call (entering user mode) as cold
 * and optimises it for size, inlining nothing.
 */
#define HOT      __attribute__((hot))
#define NOINLINE __attribute__((noinline))
/* For the few small helpers of that path that have more than one caller. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Lets code test build options with a plain `if`, so every branch is compiled. */
#define config_set(opt) (CONFIG_##opt != 0)

#endif
