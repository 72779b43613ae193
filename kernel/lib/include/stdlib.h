/* Nothing from stdlib is used by the kernel; libfdt_env.h includes this header. */
#ifndef FV_LIB_STDLIB_H
#define FV_LIB_STDLIB_H

#include <stddef.h>

#endif
