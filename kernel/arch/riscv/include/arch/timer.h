/* Time and the timer on RISC-V: the inline part of fv/arch.h's timer interface. */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

#include <arch/csr.h>
#include <fv/smp.h>

/* Timebase ticks in a time slice (arch_timer_init sets it). */
extern uint64_t riscv_slice_ticks;

/* Arms this hart's timer for `deadline` (stimecmp, or SBI without Sstc). */
void riscv_timer_arm(uint64_t deadline);
void arch_timer_cancel(void); /* fv/arch.h */

static inline uint64_t arch_time_now(void)
{
	return csr_read_time();
}

static inline uint64_t arch_time_slice_ticks(void)
{
	return riscv_slice_ticks;
}

/*
 * A timer that comes earlier is left alone: a thread switch gives a fresh
 * slice, which ends later than the armed one, and so costs no timer write.
 * The early interrupt finds the slice not over and arms the real end.
 */
static inline void arch_timer_set(uint64_t deadline)
{
	if (deadline < this_hart()->timer_deadline)
		riscv_timer_arm(deadline);
}

/*
 * Exactly `deadline`, later ones too (UINT64_MAX: none): before a guest runs,
 * since on QEMU an early interrupt costs the guest its TLB, and may leave it
 * shrunk for the rest of a CPU-bound stretch.
 */
static inline void arch_timer_set_exact(uint64_t deadline)
{
	if (deadline == this_hart()->timer_deadline)
		return;
	if (deadline == UINT64_MAX)
		arch_timer_cancel();
	else
		riscv_timer_arm(deadline);
}

#endif
