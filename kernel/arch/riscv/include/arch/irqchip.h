/*
 * The interrupt controllers the kernel drives: each probes the platform and,
 * if it finds its hardware, answers for arch_irq_*() (fv/irq.h).
 */
#ifndef ARCH_IRQCHIP_H
#define ARCH_IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>

#include <fv/cap.h>
#include <ferrovisor/abi.h>
#include <fv/platform.h>

struct irq_chip {
	const char *name;
	uint32_t (*count)(void);
	void (*enable)(uint32_t irq);
	void (*disable)(uint32_t irq);
	uint32_t (*claim)(void); /* on the hart that receives them; 0 if none */
	void (*complete)(uint32_t irq);
};

/* Set up the controller on the boot hart; NULL if the platform has none. */
const struct irq_chip *aia_probe(const struct platform_info *info);
const struct irq_chip *plic_probe(const struct platform_info *info);

/*
 * AIA guest interrupt files (aia.c). File g (1..) of hart slot h is one page
 * of the IMSIC region; a VCPU bound to it gets it as its own IMSIC while it
 * runs on that hart (hstatus.VGEIN = g), and a vCPU waiting in WFI is woken
 * by a supervisor guest external interrupt when the file has one pending.
 */
struct vcpu;
unsigned aia_guest_file_count(void);
/* Per hart: SGEI on, no file armed. */
void aia_hart_init(void);
/* The device frame capability of a file, handed out once a boot (FV_ILLEGAL_OPERATION after). */
fv_error_t aia_guest_file_take(uint64_t hart, uint64_t guest, struct cap *out);
/* Which file a frame capability covers: false if it covers none. */
bool aia_guest_file_at(const struct cap *frame, uint16_t *hart, uint8_t *guest);
/* Makes v the file's vCPU: false if another vCPU has it. */
bool aia_guest_file_bind(uint16_t hart, uint8_t guest, struct vcpu *v);
void aia_guest_file_unbind(uint16_t hart, uint8_t guest, const struct vcpu *v);
/* A supervisor guest external interrupt on this hart: wakes the waiting vCPUs. */
void aia_guest_interrupt(void);
/* Clears the file selected by hstatus.VGEIN, on its hart: a new guest finds nothing left. */
void aia_guest_file_reset(void);

#endif
