/*
 * An emulated APLIC (RISC-V AIA, chapter 4): one supervisor-level interrupt
 * domain in MSI delivery mode, without child domains, as a guest whose harts
 * have IMSICs sees it. Devices say the level of their wires; the VMM takes
 * the messages that are due and writes each EIID into the IMSIC of its hart.
 */
#ifndef VMM_APLIC_H
#define VMM_APLIC_H

#include <stdbool.h>
#include <stdint.h>

#define APLIC_SOURCES   96     /* sources 1..96, as on QEMU's virt (riscv,num-sources) */
#define APLIC_SIZE      0x4000 /* the register region: target[1023] ends here */
#define APLIC_MAX_HARTS 64
#define APLIC_WORDS     (APLIC_SOURCES / 32 + 1) /* bit words of sources 0..APLIC_SOURCES */

/* A message: EIID `eiid` for the IMSIC (supervisor file) of hart `hart`. */
struct aplic_msi {
	unsigned hart;
	uint32_t eiid;
};

struct aplic {
	uint32_t sourcecfg[APLIC_SOURCES + 1]; /* the mode (SM); [0] unused */
	uint32_t target[APLIC_SOURCES + 1];    /* [0] unused */
	uint32_t wire[APLIC_WORDS];            /* what the devices say */
	uint32_t pending[APLIC_WORDS];
	uint32_t enabled[APLIC_WORDS];
	uint32_t genmsi;  /* hart index and EIID of the last accepted genmsi write */
	bool genmsi_busy; /* its message is not yet taken */
	bool ie;          /* domaincfg.IE */
	unsigned harts;   /* the guest's harts, at most APLIC_MAX_HARTS */
};

/* Everything zero: IE off, every source inactive. */
void aplic_reset(struct aplic *a, unsigned harts);
/* A device's wire; sources outside 1..APLIC_SOURCES are ignored. */
void aplic_set_level(struct aplic *a, unsigned source, bool high);
/*
 * 32-bit register accesses at `offset`; false if there is no such register
 * (offset >= APLIC_SIZE or not 4-aligned), and then a read gives 0.
 */
bool aplic_read(struct aplic *a, uint64_t offset, uint32_t *value);
bool aplic_write(struct aplic *a, uint64_t offset, uint32_t value);
/*
 * Takes up to `max` of the messages now due into `out` and returns how many:
 * first a genmsi write's message, then, while domaincfg.IE is on, one for each
 * active source that is pending and enabled, lowest number first. Taking a
 * source's message clears its pending bit, as forwarding does; the rest stay
 * due for the next call. Hart indexes are as the guest wrote them, so they
 * may name harts past the last.
 */
unsigned aplic_take_messages(struct aplic *a, struct aplic_msi *out, unsigned max);

#endif
