/*
 * The RISC-V PLIC: every routed interrupt goes to the boot hart's
 * supervisor context, which claims it; the IRQHandler holder's
 * acknowledgement completes it there.
 */
#include <arch/csr.h>
#include <arch/kernel_addr.h>
#include <arch/mmio.h>
#include <fv/irq.h>
#include <fv/smp.h>

#define PLIC_PRIORITY(irq)  (4u * (irq))
#define PLIC_ENABLE(ctx)    (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)     (0x200004u + 0x1000u * (ctx))

static uintptr_t plic_base; /* kernel virtual address, 0 if there is no PLIC */
static uint32_t plic_ndev;
static unsigned target_context; /* the boot hart's supervisor context */

void arch_irq_init(const struct platform_info *info)
{
	const struct plic_info *p = &info->plic;
	if (!p->present)
		return;
	for (unsigned i = 0; i < p->ncontexts; i++) {
		if (p->s_context_hart[i] == harts[0].hartid) {
			plic_base = (uintptr_t)phys_window(p->base);
			plic_ndev = p->ndev;
			target_context = i;
			mmio_write32(plic_base + PLIC_THRESHOLD(i), 0);
			csr_set_sie(SIE_SEIE);
			return;
		}
	}
}

uint32_t arch_irq_count(void)
{
	return plic_base ? plic_ndev : 0;
}

static void set_enable(uint32_t irq, int on)
{
	uintptr_t word = plic_base + PLIC_ENABLE(target_context) + 4u * (irq / 32);
	uint32_t bits = mmio_read32(word);
	bits = on ? bits | (1u << (irq % 32)) : bits & ~(1u << (irq % 32));
	mmio_write32(word, bits);
}

void arch_irq_enable(uint32_t irq)
{
	if (!plic_base || irq == 0 || irq > plic_ndev)
		return;
	mmio_write32(plic_base + PLIC_PRIORITY(irq), 1);
	set_enable(irq, 1);
}

void arch_irq_disable(uint32_t irq)
{
	if (!plic_base || irq == 0 || irq > plic_ndev)
		return;
	set_enable(irq, 0);
}

uint32_t arch_irq_claim(void)
{
	if (!plic_base || this_hart()->index != 0)
		return 0;
	return mmio_read32(plic_base + PLIC_CLAIM(target_context));
}

void arch_irq_complete(uint32_t irq)
{
	if (plic_base && irq && irq <= plic_ndev)
		mmio_write32(plic_base + PLIC_CLAIM(target_context), irq);
}
