/*
 * The ISA a guest is told about: what the host harts implement that a guest
 * gets with no help from the hypervisor (instructions, and features of the
 * VS-stage page-table walk), plus what the hypervisor provides on top (Sstc,
 * and Ssaia when the guest has interrupt files). The device tree must list
 * only what the guest really gets, and all of that: a guest kernel chooses
 * its code paths from it (Linux skips an SFENCE.VMA after every page fault
 * with Svvptc, and clears pages with cbo.zero with Zicboz).
 */
#ifndef VMM_GUEST_ISA_H
#define VMM_GUEST_ISA_H

#include <stddef.h>
#include <stdint.h>

#include <ferrovisor/bootinfo.h>

/* henvcfg bits the guest's extensions need (privileged spec, henvcfg). */
#define GUEST_HENVCFG_CBIE_FLUSH (1ull << 4) /* cbo.inval acts as cbo.flush */
#define GUEST_HENVCFG_CBCFE      (1ull << 6)
#define GUEST_HENVCFG_CBZE       (1ull << 7)
#define GUEST_HENVCFG_PBMTE      (1ull << 62)
#define GUEST_HENVCFG_STCE       (1ull << 63)

struct guest_isa_host {
	uint64_t extensions;      /* FV_ISA_BIT set of the host harts */
	uint32_t cbom_block_size; /* bytes, 0: none (then no Zicbom for the guest) */
	uint32_t cboz_block_size;
	uint32_t cbop_block_size;
};

struct guest_isa {
	uint64_t extensions; /* what the guest gets (FV_ISA_BIT) */
	uint64_t henvcfg;    /* what its vCPUs' henvcfg must enable for them */
	char string[640];    /* riscv,isa: "rv64i" letters, then "_"-separated names */
};

/* The guest's ISA on `host`; with `interrupt_files`, it has its own IMSIC files. */
void guest_isa_build(const struct guest_isa_host *host, int interrupt_files, struct guest_isa *out);

#endif
