/* Trap frames and trap causes of the RISC-V kernel. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

#include <fv/util.h>

struct trap_frame {
	uint64_t regs[32]; /* x0..x31; regs[2] is sp before the trap */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
};
_Static_assert(sizeof(struct trap_frame) == 36 * 8, "trap.S assumes this layout");

#define CAUSE_ILLEGAL_INSTRUCTION 2
#define IRQ_S_SOFT                1

void trap_entry(void);
struct user_context;
NORETURN void restore_user_context(struct user_context *ctx);
NORETURN void riscv_trap_from_user(struct user_context *ctx);
const char *trap_cause_name(uint64_t scause);
void trap_print_frame(const struct trap_frame *f);
void riscv_trap_from_kernel(struct trap_frame *f);
NORETURN void riscv_idle_interrupt(uint64_t code);
/* Idles on a fresh stack, interrupts on, until one arrives. */
NORETURN void idle_on_stack(uint64_t stack_top);

#endif
