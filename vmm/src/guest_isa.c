/*
 * A guest's ISA, derived from the host's (vmm/guest_isa.h).
 */
#include <stdio.h>
#include <string.h>

#include <vmm/guest_isa.h>

static const char *const names[] = {
#define NAME(id, name) [FV_ISA_##id] = name,
    FV_ISA_EXTENSIONS(NAME)
#undef NAME
};

#define BIT(id) (1ull << FV_ISA_##id)

/*
 * Passed through when the host has them: unprivileged instructions, which a
 * guest executes directly, and VS-stage translation features (Svpbmt needs
 * henvcfg.PBMTE). Zicbom/Zicboz need henvcfg bits and a block size too.
 * Zawrs too: a WRS that traps (hstatus.VTW) ends in the kernel at once.
 * Not passed: V (the kernel keeps no vector state), H (no nested guests),
 * Zihpm (no counters beyond cycle, time and instret), Svadu (hardware A/D
 * updates need henvcfg.ADUE and the SBI FWFT extension), Ssaia and Sstc
 * (added below on their terms).
 */
static const uint64_t passed_through =
    BIT(M) | BIT(A) | BIT(F) | BIT(D) | BIT(C) | BIT(ZIC64B) | BIT(ZICBOM) | BIT(ZICBOP) |
    BIT(ZICBOZ) | BIT(ZICCAMOA) | BIT(ZICCIF) | BIT(ZICCLSM) | BIT(ZICCRSE) | BIT(ZICOND) |
    BIT(ZIHINTNTL) | BIT(ZIHINTPAUSE) | BIT(ZIMOP) | BIT(ZMMUL) | BIT(ZA64RS) | BIT(ZAAMO) |
    BIT(ZABHA) | BIT(ZACAS) | BIT(ZALRSC) | BIT(ZAWRS) | BIT(ZFA) | BIT(ZFH) | BIT(ZFHMIN) |
    BIT(ZCA) | BIT(ZCB) | BIT(ZCD) | BIT(ZCMOP) | BIT(ZBA) | BIT(ZBB) | BIT(ZBC) | BIT(ZBKB) |
    BIT(ZBKC) | BIT(ZBKX) | BIT(ZBS) | BIT(ZKND) | BIT(ZKNE) | BIT(ZKNH) | BIT(ZKT) | BIT(ZTSO) |
    BIT(SVINVAL) | BIT(SVNAPOT) | BIT(SVPBMT) | BIT(SVVPTC);

/* Every guest gets these: the kernel gives cycle, time and instret (hcounteren). */
static const uint64_t always = BIT(ZICNTR) | BIT(ZICSR) | BIT(ZIFENCEI);

/* Extensions that mean nothing without another one. */
static uint64_t drop_orphans(uint64_t set)
{
	if (!(set & BIT(F)))
		set &= ~(BIT(D) | BIT(ZFA) | BIT(ZFH) | BIT(ZFHMIN));
	if (!(set & BIT(D)))
		set &= ~BIT(ZCD);
	return set;
}

static uint64_t guest_extensions(const struct guest_isa_host *host, int interrupt_files)
{
	uint64_t set = (host->extensions & passed_through) | always;
	if (!host->cbom_block_size)
		set &= ~BIT(ZICBOM);
	if (!host->cboz_block_size)
		set &= ~BIT(ZICBOZ);
	if (!host->cbop_block_size)
		set &= ~BIT(ZICBOP);
	if (host->extensions & BIT(SSTC))
		set |= BIT(SSTC); /* the kernel enables the guest's stimecmp */
	if (interrupt_files && (host->extensions & BIT(SSAIA)))
		set |= BIT(SSAIA);
	return drop_orphans(set);
}

/*
 * cbo.inval acts as cbo.flush: a real invalidate could discard the zeroes
 * the hypervisor wrote over a previous owner's data before the write-back.
 */
static uint64_t guest_henvcfg(uint64_t set)
{
	uint64_t cfg = GUEST_HENVCFG_STCE;
	if (set & BIT(ZICBOM))
		cfg |= GUEST_HENVCFG_CBIE_FLUSH | GUEST_HENVCFG_CBCFE;
	if (set & BIT(ZICBOZ))
		cfg |= GUEST_HENVCFG_CBZE;
	if (set & BIT(SVPBMT))
		cfg |= GUEST_HENVCFG_PBMTE;
	return cfg;
}

void guest_isa_build(const struct guest_isa_host *host, int interrupt_files, struct guest_isa *out)
{
	out->extensions = guest_extensions(host, interrupt_files);
	out->henvcfg = guest_henvcfg(out->extensions);
	size_t len = (size_t)snprintf(out->string, sizeof(out->string), "rv64i");
	for (unsigned i = 0; i < FV_ISA_COUNT; i++) {
		if (!(out->extensions & (1ull << i)))
			continue;
		/* Single letters run on; the first multi-letter name starts the '_' list. */
		const char *sep = names[i][1] ? "_" : "";
		if (len < sizeof(out->string)) /* always: every name fits (unit test) */
			len += (size_t)snprintf(out->string + len, sizeof(out->string) - len,
			                        "%s%s", sep, names[i]);
	}
}
