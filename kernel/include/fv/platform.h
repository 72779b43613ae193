/*
 * What the kernel learns about the machine from the flattened device tree it
 * was booted with. Parsing is portable and validates everything it reads:
 * a corrupt or incomplete tree gives an error code and a reason, never a
 * wild read.
 */
#ifndef FV_PLATFORM_H
#define FV_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fv/util.h>

#define PLATFORM_MAX_REGIONS 16
/* A device tree larger than this is not one a firmware hands over. */
#define PLATFORM_MAX_FDT_SIZE (2u << 20)

struct mem_region {
	uint64_t base;
	uint64_t size;
};

struct region_list {
	unsigned count;
	struct mem_region r[PLATFORM_MAX_REGIONS];
};

#define PLATFORM_MAX_IRQ_CONTEXTS 64

/* The platform-level interrupt controller (riscv,plic0), if the tree has one. */
struct plic_info {
	bool present;
	uint64_t base;
	uint64_t size;
	uint32_t ndev; /* interrupt sources 1..ndev */
	unsigned ncontexts;
	/* Hart id whose supervisor external interrupt context i is, or UINT64_MAX. */
	uint64_t s_context_hart[PLATFORM_MAX_IRQ_CONTEXTS];
};

/*
 * The Advanced Interrupt Architecture, if the tree has it: the supervisor-level
 * APLIC domain in MSI delivery mode and the supervisor-level IMSIC interrupt
 * files its messages reach. Each hart owns 2^guest_index_bits pages of
 * the IMSIC region: its own supervisor file, then one file per guest.
 */
struct aia_info {
	bool present;
	uint64_t aplic_base;
	uint64_t aplic_size;
	uint32_t nsources; /* APLIC interrupt sources 1..nsources */
	uint64_t imsic_base;
	uint64_t imsic_size;
	uint32_t num_ids;          /* IMSIC identities 1..num_ids */
	uint32_t guest_index_bits; /* guest files per hart: 2^bits - 1 */
	unsigned nharts;
	/* Hart id of the IMSIC hart index i (the APLIC's target hart index too). */
	uint64_t imsic_hart[PLATFORM_MAX_IRQ_CONTEXTS];
};

struct platform_info {
	unsigned hart_count;                 /* usable harts in the tree */
	uint64_t hart_ids[CONFIG_MAX_HARTS]; /* the first CONFIG_MAX_HARTS of them */
	uint64_t memory_bytes;               /* sum of all memory regions */
	struct region_list memory;           /* RAM as the tree describes it */
	struct region_list reserved;         /* /reserved-memory and memreserve */
	uint32_t timebase_hz;
	const char *isa;      /* hart 0's riscv,isa, pointing into the tree */
	const char *isa_ext;  /* hart 0's riscv,isa-extensions string list, or NULL */
	int isa_ext_len;      /* its length in bytes */
	const char *mmu_type; /* hart 0's mmu-type, or NULL */
	/* hart 0's riscv,cbom/cboz/cbop-block-size: a power of two in bytes, or 0 */
	uint32_t cbom_block_size, cboz_block_size, cbop_block_size;
	const char *bootargs; /* /chosen bootargs, or "" */
	uint32_t fdt_size;    /* totalsize of the tree */
	struct plic_info plic;
	struct aia_info aia;
	uint64_t console_pa;      /* the stdout-path device's registers, or 0 */
	uint32_t console_irq;     /* its interrupt, or 0 */
	struct mem_region initrd; /* /chosen linux,initrd-start/end (the boot module), or size 0 */
};

enum platform_error {
	PLATFORM_OK = 0,
	PLATFORM_EHEADER,   /* not a device tree, or an unsupported version */
	PLATFORM_ETOOBIG,   /* totalsize beyond PLATFORM_MAX_FDT_SIZE */
	PLATFORM_ESTRUCT,   /* the structure block does not parse */
	PLATFORM_ENOCPUS,   /* no /cpus node or no usable cpu in it */
	PLATFORM_ECPU,      /* a cpu node without a valid reg */
	PLATFORM_ETIMEBASE, /* no timebase-frequency */
	PLATFORM_EISA,      /* hart 0 has no rv64 riscv,isa */
	PLATFORM_EMEMORY,   /* no memory node, or a malformed reg */
	PLATFORM_ETOOMANY,  /* more memory or reserved regions than we track */
	PLATFORM_EINITRD,   /* linux,initrd-start/end malformed, reversed or outside RAM */
	PLATFORM_ERROR_COUNT
};

/* Reads everything above from `fdt`; `max_size` bounds how far it may read. */
enum platform_error platform_info_parse(const void *fdt, size_t max_size,
                                        struct platform_info *out);
const char *platform_strerror(enum platform_error err);

/* True if hart 0 implements the named ISA extension ("h", "sstc", ...). */
bool platform_has_extension(const struct platform_info *info, const char *name);
bool isa_string_has_extension(const char *isa, const char *name);

/* The FV_ISA_BIT set of the extensions hart 0 implements (uapi bootinfo.h). */
uint64_t platform_isa_extensions(const struct platform_info *info);

/* RAM minus the reserved regions, sorted by address. */
enum platform_error platform_usable_memory(const struct platform_info *info,
                                           struct region_list *out);
/* Removes [base, base + size) from every region of `list`, splitting as needed. */
enum platform_error region_list_subtract(struct region_list *list, uint64_t base, uint64_t size);

#endif
