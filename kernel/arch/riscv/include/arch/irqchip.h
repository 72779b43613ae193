/*
 * The interrupt controllers the kernel drives: each probes the platform and,
 * if it finds its hardware, answers for arch_irq_*() (fv/irq.h).
 */
#ifndef ARCH_IRQCHIP_H
#define ARCH_IRQCHIP_H

#include <stdint.h>

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

#endif
