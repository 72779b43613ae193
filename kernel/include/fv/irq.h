/* Physical interrupts: IRQControl, IRQHandler and delivery as notifications. */
#ifndef FV_IRQ_H
#define FV_IRQ_H

#include <stdint.h>

#include <fv/cap.h>
#include <fv/invocation.h>
#include <fv/platform.h>

#define IRQ_MAX 256 /* interrupt numbers the kernel can route: 1..IRQ_MAX-1 */

/* Claims and signals every pending external interrupt of this hart. */
void irq_handle_external(void);

fv_error_t decode_irq_control_invocation(struct invocation *inv);
fv_error_t decode_irq_handler_invocation(struct invocation *inv);
/* The last IRQHandler capability for `irq` is gone: stop routing it. */
void irq_handler_finalize(uint32_t irq);
/* Interrupt numbers that exist on this machine (1..count). */
uint32_t irq_count(void);

/* What an interrupt controller driver provides (arch/<arch>/). */
void arch_irq_init(const struct platform_info *info);
uint32_t arch_irq_count(void);
void arch_irq_enable(uint32_t irq);
void arch_irq_disable(uint32_t irq);
/* Returns the next pending interrupt of this hart, or 0. */
uint32_t arch_irq_claim(void);
void arch_irq_complete(uint32_t irq);
/* Guest interrupt files each hart has (numbered 1..count; 0: none). */
unsigned arch_irq_guest_file_count(void);
/* A frame capability for guest interrupt file `file` of hart slot `hart` (AIA only). */
fv_error_t arch_irq_guest_file(uint64_t hart, uint64_t file, struct cap *out);

#endif
