/* SBI calls of a test guest (SBI specification v2.0). */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <stdint.h>

#define SBI_EXT_BASE       0x10
#define SBI_EXT_DBCN       0x4442434e
#define SBI_EXT_SRST       0x53525354
#define SBI_EXT_HSM        0x48534d
#define SBI_LEGACY_PUTCHAR 0x01

#define SBI_SUCCESS           0
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){r0, r1};
}

#endif
