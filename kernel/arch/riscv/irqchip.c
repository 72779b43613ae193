/*
 * arch_irq_*(): the AIA when the platform has one (APLIC and IMSIC), else
 * the PLIC, else no routed interrupts at all.
 */
#include <arch/irqchip.h>
#include <fv/console.h>
#include <fv/irq.h>

static const struct irq_chip *chip;

void arch_irq_init(const struct platform_info *info)
{
	chip = aia_probe(info);
	if (!chip)
		chip = plic_probe(info);
	if (chip)
		kprintf("ferrovisor: interrupts: %s, %u sources\n", chip->name, chip->count());
	else
		kprintf("ferrovisor: interrupts: no controller, none routed\n");
}

uint32_t arch_irq_count(void)
{
	return chip ? chip->count() : 0;
}

void arch_irq_enable(uint32_t irq)
{
	if (chip && irq && irq <= chip->count())
		chip->enable(irq);
}

void arch_irq_disable(uint32_t irq)
{
	if (chip && irq && irq <= chip->count())
		chip->disable(irq);
}

uint32_t arch_irq_claim(void)
{
	return chip ? chip->claim() : 0;
}

void arch_irq_complete(uint32_t irq)
{
	if (chip && irq && irq <= chip->count())
		chip->complete(irq);
}

fv_error_t arch_irq_guest_file(uint64_t hart, uint64_t file, struct cap *out)
{
	return aia_guest_file_take(hart, file, out);
}

unsigned arch_irq_guest_file_count(void)
{
	return aia_guest_file_count();
}
