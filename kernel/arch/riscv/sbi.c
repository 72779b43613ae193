/* SBI calls (SBI specification v2.0): the one place the kernel uses ecall. */
#include <arch/sbi.h>

static struct sbiret sbi_call5(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
                               uint64_t a3, uint64_t a4)
{
	register uint64_t r_a0 __asm__("a0") = a0;
	register uint64_t r_a1 __asm__("a1") = a1;
	register uint64_t r_a2 __asm__("a2") = a2;
	register uint64_t r_a3 __asm__("a3") = a3;
	register uint64_t r_a4 __asm__("a4") = a4;
	register uint64_t r_a6 __asm__("a6") = fid;
	register uint64_t r_a7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
	                 : "+r"(r_a0), "+r"(r_a1)
	                 : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7)
	                 : "memory");
	return (struct sbiret){.error = (long)r_a0, .value = (long)r_a1};
}

struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return sbi_call5(ext, fid, a0, a1, a2, 0, 0);
}

void sbi_set_timer(uint64_t deadline)
{
	sbi_call(SBI_EXT_TIME, 0, deadline, 0, 0);
}

long sbi_remote_sfence_vma_asid(uint64_t hartid, uint64_t start, uint64_t size, uint64_t asid)
{
	return sbi_call5(SBI_EXT_RFENCE, 2, 1, hartid, start, size, asid).error;
}

long sbi_spec_version(void)
{
	return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0).value;
}

long sbi_probe_extension(uint64_t ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0);
	return r.error ? 0 : r.value;
}

struct sbiret sbi_debug_console_write(uint64_t pa, uint64_t len)
{
	return sbi_call(SBI_EXT_DBCN, 0, len, pa, 0);
}

void sbi_legacy_putchar(char c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)c, 0, 0);
}

long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque).error;
}

long sbi_send_ipi_to(uint64_t hartid)
{
	return sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0).error;
}

long sbi_system_reset(uint32_t type, uint32_t reason)
{
	return sbi_call(SBI_EXT_SRST, 0, type, reason, 0).error;
}

long sbi_remote_hfence_gvma_vmid(uint64_t hartid, uint64_t start, uint64_t size, uint64_t vmid)
{
	return sbi_call5(SBI_EXT_RFENCE, 3, 1, hartid, start, size, vmid).error;
}
