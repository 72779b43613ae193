/* Starting the other harts through SBI HSM and stopping them on panic. */
#include <arch/csr.h>
#include <arch/irqchip.h>
#include <arch/kernel_addr.h>
#include <arch/sbi.h>
#include <arch/trap.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/smp.h>
#include <fv/vcpu.h>

/* How long the boot hart waits for the others to report in. */
#define SMP_START_TIMEOUT_MS 2000

struct hart harts[CONFIG_MAX_HARTS];
char hart_stacks[CONFIG_MAX_HARTS][KERNEL_STACK_SIZE] __attribute__((aligned(16)));
static unsigned hart_slots = 1;
static unsigned online_count = 1;

void secondary_entry(void);

unsigned harts_online(void)
{
	return __atomic_load_n(&online_count, __ATOMIC_ACQUIRE);
}

void secondary_main(uint64_t hartid, uint64_t index)
{
	struct hart *h = &harts[index];
	write_tp((uint64_t)h);
	h->stack_top = (uint64_t)hart_stacks[index + 1];
	csr_write_sscratch(0);
	/* User mode may read cycle, time and instret (benchmarks, timeouts). */
	csr_write_scounteren(7);
	/* IPIs (pokes and stall requests) must reach this hart in user mode too. */
	csr_set_sie(SIE_SSIE);
	csr_write_stvec((uint64_t)trap_entry);
	vcpu_hart_init();
	aia_hart_init();
	kprintf("ferrovisor: hart %lu online\n", hartid);
	__atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&online_count, 1, __ATOMIC_ACQ_REL);
	arch_idle();
}

static void start_hart(uint64_t hartid)
{
	unsigned index = hart_slots++;
	harts[index] = (struct hart){
	    .hartid = hartid, .index = index, .online = false, .timer_deadline = UINT64_MAX};
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	long err = sbi_hart_start(hartid, kernel_image_pa((void *)secondary_entry), index);
	if (err)
		kprintf("ferrovisor: hart %lu did not start: SBI error %ld\n", hartid, err);
}

static void wait_for_harts(unsigned expected, uint32_t timebase_hz)
{
	uint64_t deadline = csr_read_time() + (uint64_t)timebase_hz * SMP_START_TIMEOUT_MS / 1000;
	while (harts_online() < expected && csr_read_time() < deadline)
		;
	for (unsigned i = 1; i < hart_slots; i++)
		if (!__atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			kprintf("ferrovisor: hart %lu did not report in\n", harts[i].hartid);
}

void arch_smp_start(const struct platform_info *info)
{
	if (!sbi_probe_extension(SBI_EXT_HSM)) {
		kprintf("ferrovisor: warning: no SBI HSM: running on the boot hart only\n");
		return;
	}
	unsigned known = MIN(info->hart_count, CONFIG_MAX_HARTS);
	for (unsigned i = 0; i < known && hart_slots < CONFIG_MAX_HARTS; i++)
		if (info->hart_ids[i] != this_hart()->hartid)
			start_hart(info->hart_ids[i]);
	wait_for_harts(hart_slots, info->timebase_hz);
}

void arch_stop_other_harts(void)
{
	struct hart *self = this_hart();
	for (unsigned i = 0; i < hart_slots; i++)
		if (&harts[i] != self && __atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE))
			sbi_send_ipi_to(harts[i].hartid);
}
