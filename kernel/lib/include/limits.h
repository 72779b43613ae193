/* Limits for the freestanding kernel (GCC's limits.h wants a libc's beside it). */
#ifndef FV_LIB_LIMITS_H
#define FV_LIB_LIMITS_H

#define CHAR_BIT  __CHAR_BIT__
#define INT_MAX   __INT_MAX__
#define INT_MIN   (-INT_MAX - 1)
#define UINT_MAX  (INT_MAX * 2u + 1u)
#define LONG_MAX  __LONG_MAX__
#define LONG_MIN  (-LONG_MAX - 1L)
#define ULONG_MAX (LONG_MAX * 2ul + 1ul)

#endif
