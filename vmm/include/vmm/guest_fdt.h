/*
 * The flattened device tree a guest's Linux kernel boots with: memory, vCPUs,
 * the interrupt controllers (a PLIC, or the AIA's IMSIC and APLIC) and the
 * UART the VMM emulates, /chosen. Portable (standard C and
 * libfdt only) so it is built into the VMM and tested on the host alike.
 */
#ifndef VMM_GUEST_FDT_H
#define VMM_GUEST_FDT_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_FDT_MAX_VCPUS 64
/* Longest guest name: it becomes part of the root compatible string. */
#define GUEST_FDT_MAX_NAME 32
/* The guest kernel is loaded 2 MiB-aligned from the start of RAM. */
#define GUEST_FDT_RAM_ALIGN (2ull << 20)
#define GUEST_FDT_PAGE_SIZE 4096ull
/* A PLIC has sources 1..1023. */
#define GUEST_FDT_PLIC_MAX_NDEV 1023u
#define GUEST_FDT_UART_SIZE     0x100ull
#define GUEST_FDT_VIRTIO_SIZE   0x1000ull

/*
 * The PLIC registers the tree describes: the global part up to the first
 * context (0x200000) and one 0x1000-byte context per vCPU, context N being
 * vCPU N's supervisor external interrupt.
 */
#define GUEST_FDT_PLIC_SIZE(vcpus) (0x200000ull + 0x1000ull * (uint64_t)(vcpus))

/* AIA: one 4 KiB IMSIC interrupt file per vCPU, and an APLIC domain's registers. */
#define GUEST_FDT_IMSIC_SIZE(vcpus) (0x1000ull * (uint64_t)(vcpus))
#define GUEST_FDT_APLIC_SIZE        0x4000ull
#define GUEST_FDT_APLIC_MAX_SOURCES 1023u

struct guest_fdt_config {
	const char *name;  /* short name, [a-z0-9-]: "ferrovisor,<name>" */
	uint64_t ram_base; /* GUEST_FDT_RAM_ALIGN-aligned */
	uint64_t ram_size; /* non-zero, whole pages */
	unsigned vcpus;    /* 1..GUEST_FDT_MAX_VCPUS: cpu@0..cpu@N-1 */
	const char *isa;   /* riscv,isa, e.g. "rv64imafdc_zicsr_zifencei_sstc" */
	/* riscv,cbom/cboz/cbop-block-size of every cpu: a power of two, or 0 for none */
	uint32_t cbom_block_size, cboz_block_size, cbop_block_size;
	const char *mmu_type;   /* "riscv,sv39", "riscv,sv48" or "riscv,sv57" */
	uint32_t timebase_hz;   /* non-zero */
	const char *bootargs;   /* may be NULL: no bootargs property */
	uint64_t initrd_start;  /* 0, 0: no initrd */
	uint64_t initrd_end;    /* exclusive */
	uint64_t uart_base;     /* an ns16550a, 0x100 bytes of registers */
	uint32_t uart_irq;      /* its PLIC source, 1..plic_ndev */
	uint32_t uart_clock_hz; /* non-zero */
	uint64_t plic_base;     /* GUEST_FDT_PLIC_SIZE(vcpus) bytes of registers */
	uint32_t plic_ndev;     /* 1..GUEST_FDT_PLIC_MAX_NDEV */
	/*
	 * With imsic_base non-zero the guest gets the AIA instead of the PLIC (whose
	 * fields are then ignored): an IMSIC, vCPU N's interrupt file at imsic_base
	 * + N * 4 KiB, and an APLIC in MSI delivery mode for the wired devices, the
	 * UART's source being uart_irq (level-triggered, active high).
	 */
	uint64_t imsic_base;
	uint32_t imsic_ids; /* riscv,num-ids: 63..2047, one less than a multiple of 64 */
	uint64_t aplic_base;
	uint32_t aplic_sources; /* 1..GUEST_FDT_APLIC_MAX_SOURCES */
};

/* Every failure has its own class, so a caller can say what was wrong. */
enum guest_fdt_error {
	GUEST_FDT_OK = 0,
	GUEST_FDT_ENULL = -1,     /* no config or buffer, or a required string is NULL */
	GUEST_FDT_ENAME = -2,     /* name empty, too long or with other than [a-z0-9-] */
	GUEST_FDT_EVCPUS = -3,    /* vcpus is 0 or above GUEST_FDT_MAX_VCPUS */
	GUEST_FDT_ERAM = -4,      /* RAM empty, misaligned or wrapping around */
	GUEST_FDT_EISA = -5,      /* isa not a lowercase rv64i... string, or a bad block size */
	GUEST_FDT_EMMU = -6,      /* mmu_type is not an rv64 paging mode */
	GUEST_FDT_ETIMEBASE = -7, /* timebase_hz is 0 */
	GUEST_FDT_EINITRD = -8,   /* initrd empty, reversed or outside RAM */
	GUEST_FDT_EDEVICE = -9,   /* interrupt controller or UART misconfigured or overlapping */
	GUEST_FDT_ENOSPACE = -10, /* the buffer is too small for the tree */
	GUEST_FDT_EFDT = -11,     /* libfdt failed otherwise, or the tree is not ours */
};

/*
 * Validates `c` and writes the guest's device tree into buf[0..size). Returns
 * 0 or a negative enum guest_fdt_error; never writes at or past buf + size.
 * The finished tree is packed: fdt_totalsize() is all it uses.
 */
int guest_fdt_build(const struct guest_fdt_config *c, void *buf, size_t size);

/*
 * Adds a virtio-mmio device (GUEST_FDT_VIRTIO_SIZE bytes at `base`, source `irq`
 * of the PLIC or APLIC) under /soc of a tree guest_fdt_build() wrote into buf[0..size). Each
 * node goes first under /soc: add devices in descending address order and the
 * guest probes them in ascending order, as on QEMU's virt machine.
 */
int guest_fdt_add_virtio_mmio(void *buf, size_t size, uint64_t base, uint32_t irq);

/* Checks a configuration without writing anything: 0 or the error build would give. */
int guest_fdt_validate(const struct guest_fdt_config *c);

const char *guest_fdt_strerror(int err);

#endif
