/* Small per-architecture services the portable core asks for (fv/arch.h). */
#include <arch/csr.h>
#include <arch/kernel_addr.h>
#include <arch/sbi.h>
#include <arch/trap.h>
#include <fv/arch.h>
#include <fv/object.h>
#include <fv/smp.h>
#include <fv/vcpu.h>

extern char hart_stacks[][KERNEL_STACK_SIZE];

uint64_t kernel_virt_offset;
static bool have_dbcn;

void arch_boot_hart_init(uint64_t hartid, uint64_t virt_offset)
{
	kernel_virt_offset = virt_offset;
	csr_write_sscratch(0);
	/* User mode may read cycle, time and instret (benchmarks, timeouts). */
	csr_write_scounteren(7);
	/* IPIs (pokes and stall requests) must reach this hart in user mode too. */
	csr_set_sie(SIE_SSIE);
	csr_write_stvec((uint64_t)trap_entry);
	vcpu_hart_init();
	harts[0] = (struct hart){
	    .hartid = hartid, .index = 0, .online = true, .timer_deadline = UINT64_MAX};
	harts[0].stack_top = (uint64_t)hart_stacks[1];
	write_tp((uint64_t)&harts[0]);
	have_dbcn = sbi_probe_extension(SBI_EXT_DBCN) != 0;
}

/* Prefers the SBI debug console (one call a message) over legacy putchar. */
void arch_console_write(const char *s, size_t len)
{
	while (have_dbcn && len > 0) {
		struct sbiret r = sbi_debug_console_write(kernel_image_pa(s), len);
		if (r.error || r.value <= 0 || (size_t)r.value > len)
			break;
		s += r.value;
		len -= (size_t)r.value;
	}
	for (size_t i = 0; i < len; i++)
		sbi_legacy_putchar(s[i]);
}

const void *arch_boot_fdt(uint64_t pa, size_t *mapped_bytes)
{
	/* head.S mapped the gigapage holding the tree and the one after it. */
	uint64_t giga = 1ull << 30;
	*mapped_bytes = (size_t)(ALIGN_DOWN(pa, giga) + 2 * giga - pa);
	return phys_window(pa);
}

void hart_halt_self(void)
{
	csr_clear_sstatus(SSTATUS_SIE);
	for (;;)
		wait_for_interrupt();
}

void arch_idle(void)
{
	vcpu_hart_idle();
	idle_on_stack(this_hart()->stack_top);
}

void arch_self_test_fault(void)
{
	raise_illegal_instruction();
}

uint64_t arch_cycle_counter(void)
{
	uint64_t v;
	return csr_try_read_cycle(&v) ? v : 0;
}

uint64_t arch_instret_counter(void)
{
	uint64_t v;
	return csr_try_read_instret(&v) ? v : 0;
}

/* Kernel objects live in RAM, which the physical window maps. */
void *kobj_ptr(uint64_t pa)
{
	return arch_kobj_ptr(pa);
}

uint64_t kobj_pa(const void *ptr)
{
	return arch_kobj_pa(ptr);
}
