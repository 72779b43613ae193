/*
 * The RISC-V PLIC: every routed interrupt goes to the boot hart's
 * supervisor context, which claims it; the IRQHandler holder's
 * acknowledgement completes it there.
 */
#include <arch/csr.h>
#include <arch/irqchip.h>
#include <arch/kernel_addr.h>
#include <arch/mmio.h>
#include <fv/irq.h>
#include <fv/smp.h>

#define PLIC_PRIORITY(irq)  (4u * (irq))
#define PLIC_ENABLE(ctx)    (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)     (0x200004u + 0x1000u * (ctx))

static uintptr_t plic_base; /* kernel virtual address */
static uint32_t plic_ndev;
static unsigned target_context; /* the boot hart's supervisor context */

static uint32_t plic_count(void)
{
	return plic_ndev;
}

static void set_enable(uint32_t irq, int on)
{
	uintptr_t word = plic_base + PLIC_ENABLE(target_context) + 4u * (irq / 32);
	uint32_t bits = mmio_read32(word);
	bits = on ? bits | (1u << (irq % 32)) : bits & ~(1u << (irq % 32));
	mmio_write32(word, bits);
}

static void plic_enable(uint32_t irq)
{
	mmio_write32(plic_base + PLIC_PRIORITY(irq), 1);
	set_enable(irq, 1);
}

static void plic_disable(uint32_t irq)
{
	set_enable(irq, 0);
}

static uint32_t plic_claim(void)
{
	if (this_hart()->index != 0)
		return 0;
	return mmio_read32(plic_base + PLIC_CLAIM(target_context));
}

static void plic_complete(uint32_t irq)
{
	mmio_write32(plic_base + PLIC_CLAIM(target_context), irq);
}

static const struct irq_chip plic_chip = {
    .name = "PLIC",
    .count = plic_count,
    .enable = plic_enable,
    .disable = plic_disable,
    .claim = plic_claim,
    .complete = plic_complete,
};

const struct irq_chip *plic_probe(const struct platform_info *info)
{
	const struct plic_info *p = &info->plic;
	if (!p->present)
		return NULL;
	for (unsigned i = 0; i < p->ncontexts; i++) {
		if (p->s_context_hart[i] == harts[0].hartid) {
			plic_base = (uintptr_t)phys_window(p->base);
			plic_ndev = p->ndev;
			target_context = i;
			mmio_write32(plic_base + PLIC_THRESHOLD(i), 0);
			csr_set_sie(SIE_SEIE);
			return &plic_chip;
		}
	}
	return NULL;
}
