/*
 * Reading a guest's instruction memory from the kernel, as the guest would
 * fetch it (H extension HLVX.HU: both translation stages, execute
 * permission, the privilege hstatus.SPVP names).
 */
#ifndef ARCH_GUEST_FETCH_H
#define ARCH_GUEST_FETCH_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One halfword at guest virtual address `gva` into *out; false if the
 * access faults (the trap handler finds the instruction in the exception
 * table, sets t6 and resumes after it).
 */
static inline bool guest_try_fetch_u16(uint64_t gva, uint64_t *out)
{
	register uint64_t faulted __asm__("t6") = 0;
	uint64_t v = 0;
	__asm__ volatile("1: .insn r 0x73, 4, 0x32, %0, %2, x3\n" /* hlvx.hu %0, (%2) */
	                 "2:\n"
	                 ".pushsection .ex_table, \"a\"\n"
	                 ".balign 8\n"
	                 ".dword 1b, 2b\n"
	                 ".popsection\n"
	                 : "+r"(v), "+r"(faulted)
	                 : "r"(gva)
	                 : "memory");
	*out = v;
	return faulted == 0;
}

#endif
