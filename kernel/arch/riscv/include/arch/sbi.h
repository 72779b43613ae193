/* Calls into the SBI firmware (OpenSBI) below the kernel. */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE           0x10
#define SBI_EXT_TIME           0x54494d45
#define SBI_EXT_IPI            0x735049
#define SBI_EXT_RFENCE         0x52464e43
#define SBI_EXT_HSM            0x48534d
#define SBI_EXT_SRST           0x53525354
#define SBI_EXT_DBCN           0x4442434e

#define SBI_SUCCESS           0
#define SBI_ERR_NOT_SUPPORTED (-2)

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);

long sbi_spec_version(void);
/* Nonzero if the firmware implements extension `ext`. */
long sbi_probe_extension(uint64_t ext);
/* Writes up to len bytes at physical address pa; returns bytes written or an SBI error. */
struct sbiret sbi_debug_console_write(uint64_t pa, uint64_t len);
void sbi_legacy_putchar(char c);
long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque);
long sbi_send_ipi_to(uint64_t hartid);
long sbi_system_reset(uint32_t type, uint32_t reason);
void sbi_set_timer(uint64_t deadline);
long sbi_remote_sfence_vma_asid(uint64_t hartid, uint64_t start, uint64_t size, uint64_t asid);
/* Stage-2 translations of one VMID on another hart (needs the H extension). */
long sbi_remote_hfence_gvma_vmid(uint64_t hartid, uint64_t start, uint64_t size, uint64_t vmid);

#endif
