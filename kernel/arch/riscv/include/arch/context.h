/* A user thread's saved registers on RISC-V; trap.S knows the layout. */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#ifndef __ASSEMBLER__
#include <stdint.h>

struct user_context {
	uint64_t regs[32]; /* x0..x31; regs[0] is unused */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t kernel_sp; /* this hart's kernel stack top, for the next trap */
	uint64_t kernel_tp; /* this hart's struct hart */
	uint64_t fp[32];
	uint64_t fcsr;
};
#endif

#define CTX_SEPC      (32 * 8)
#define CTX_SSTATUS   (33 * 8)
#define CTX_SCAUSE    (34 * 8)
#define CTX_STVAL     (35 * 8)
#define CTX_KERNEL_SP (36 * 8)
#define CTX_KERNEL_TP (37 * 8)

#define REG_RA 1
#define REG_SP 2
#define REG_GP 3
#define REG_TP 4
#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A7 17

/* Where the system-call ABI puts things (docs/abi.md). */
#define REG_SYSCALL REG_A7
#define REG_CPTR    REG_A0
#define REG_MSGINFO REG_A1
#define REG_MR(i)   (REG_A2 + (i))

#endif
