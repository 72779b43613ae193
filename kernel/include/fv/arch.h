/*
 * What the portable kernel core asks of an architecture. Each port
 * implements all of these in kernel/arch/<arch>/.
 */
#ifndef FV_ARCH_H
#define FV_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include <fv/platform.h>
#include <fv/util.h>

/* First thing on the boot hart: trap vector and per-hart data. */
void arch_boot_hart_init(uint64_t hartid, uint64_t kernel_virt_offset);
void arch_console_write(const char *s, size_t len);
/* The boot-time mapping of the device tree at physical address pa. */
const void *arch_boot_fdt(uint64_t pa, size_t *mapped_bytes);
/* Prints the extensions the kernel relies on; returns a missing required one, or NULL. */
const char *arch_check_cpu(const struct platform_info *info);
/* Builds and switches to the kernel's own page tables. */
void arch_mm_init(const struct platform_info *info, uint64_t fdt_pa);
/* Starts every other hart; returns once they reported in or timed out. */
void arch_smp_start(const struct platform_info *info);
/* Sends every other online hart the halt request. */
void arch_stop_other_harts(void);
NORETURN void arch_idle(void);
/* Faults on purpose, to test the panic path. */
void arch_self_test_fault(void);
uint64_t arch_cycle_counter(void);
uint64_t arch_instret_counter(void);

/* True if the kernel can read [pa, pa + len) through kobj_ptr() (RAM, the image). */
bool arch_window_contains(uint64_t pa, uint64_t len);
/* Physical address of something in the kernel image. */
uint64_t arch_kernel_va_to_pa(const void *va);
/* Physical range of the kernel image. */
void arch_kernel_image(uint64_t *base, uint64_t *size);
/*
 * Every switch between threads reads the time and sets the timer, so the
 * port provides these inline in <arch/timer.h>:
 * - uint64_t arch_time_now(void): time in timebase ticks;
 * - uint64_t arch_time_slice_ticks(void): the length of a time slice;
 * - void arch_timer_set(uint64_t deadline): makes this hart's timer
 *   interrupt come no later than `deadline` (it may come earlier: the
 *   scheduler then finds the slice not over and sets the timer again);
 * - void arch_timer_set_exact(uint64_t deadline): at `deadline` exactly,
 *   UINT64_MAX for none.
 */
#include <arch/timer.h>
void arch_timer_init(uint64_t timebase_hz, bool have_sstc);
/* Disarms this hart's timer. */
void arch_timer_cancel(void);
struct tcb;
/* Leaves any user address space: it may be about to be deleted. */
void arch_use_kernel_address_space(void);
/* Restores the thread's registers, releases the kernel lock and enters user mode. */
NORETURN void arch_enter_user(struct tcb *t);

/* Entry points called from the architecture's assembly. */
NORETURN void kernel_main(uint64_t hartid, uint64_t fdt_pa, uint64_t kernel_virt_offset);
NORETURN void secondary_main(uint64_t hartid, uint64_t index);

#endif
