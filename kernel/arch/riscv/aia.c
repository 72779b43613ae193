/*
 * The RISC-V Advanced Interrupt Architecture as the kernel's interrupt
 * controller. The supervisor-level APLIC domain, in MSI delivery mode, turns
 * each wired interrupt into a message to the boot hart's supervisor IMSIC
 * file; the kernel claims it there through stopei. Identity i stands for
 * APLIC source i.
 *
 * A claimed source is disabled at the APLIC until its IRQHandler holder
 * acknowledges it, as a PLIC keeps a claimed source from firing again. The
 * acknowledgement re-enables it and sets it pending again if its line is
 * still high: in MSI mode a level-triggered source sends one message per
 * rising edge or pending write (AIA spec, 4.7 and 4.9.2).
 *
 * Every source is set up level-triggered, active high, as the devices of
 * QEMU's virt machine are; trigger types from the device tree are not read.
 */
#include <arch/csr.h>
#include <arch/irqchip.h>
#include <arch/kernel_addr.h>
#include <arch/mmio.h>
#include <fv/smp.h>
#include <fv/tcb.h>
#include <fv/vcpu.h>

#define APLIC_DOMAINCFG      0x0000u
#define DOMAINCFG_IE         (1u << 8)
#define DOMAINCFG_DM_MSI     (1u << 2)
#define APLIC_SOURCECFG(i)   (4u * (i))
#define SOURCECFG_INACTIVE   0u
#define SOURCECFG_LEVEL_HIGH 6u
#define APLIC_SETIENUM       0x1edcu
#define APLIC_CLRIENUM       0x1fdcu
#define APLIC_SETIPNUM_LE    0x2000u
#define APLIC_TARGET(i)      (0x3000u + 4u * (i))
#define TARGET_HART_SHIFT    18

/* IMSIC interrupt file registers, reached through siselect and sireg. */
#define IMSIC_EIDELIVERY  0x70u
#define IMSIC_EITHRESHOLD 0x72u
#define IMSIC_EIP0        0x80u
#define IMSIC_EIE0        0xc0u
#define TOPEI_ID_SHIFT    16
#define TOPEI_ID_MASK     0x7ffu

#define GUEST_FILES_MAX 16 /* files 1..15 of each hart are used */

static uintptr_t aplic_base;  /* kernel virtual address */
static uint32_t source_count; /* sources that have an identity of their own */
static uint32_t boot_hart_index;
static uint64_t enabled_sources[1024 / 64];    /* what the kernel enabled; a claim masks only */
static const struct aia_info *aia;             /* the platform's, for the guest files */
static unsigned guest_files;                   /* per hart: files 1..guest_files */
static uint64_t files_taken[CONFIG_MAX_HARTS]; /* bit g: file g's capability was handed out */
static struct vcpu *file_vcpu[CONFIG_MAX_HARTS][GUEST_FILES_MAX];

static void imsic_write(uint32_t reg, uint64_t v)
{
	csr_write_siselect(reg);
	csr_write_sireg(v);
}

static uint64_t imsic_read(uint32_t reg)
{
	csr_write_siselect(reg);
	return csr_read_sireg();
}

/* On RV64 eie registers are 64 bits wide and only the even-numbered exist. */
static void imsic_set_enabled(uint32_t id, bool on)
{
	uint32_t reg = IMSIC_EIE0 + 2u * (id / 64);
	uint64_t bits = imsic_read(reg);
	bits = on ? bits | (1ull << (id % 64)) : bits & ~(1ull << (id % 64));
	imsic_write(reg, bits);
}

static void aplic_write(uint32_t offset, uint32_t v)
{
	mmio_write32(aplic_base + offset, v);
}

static uint32_t aia_count(void)
{
	return source_count;
}

static bool is_enabled(uint32_t irq)
{
	return (enabled_sources[irq / 64] >> (irq % 64)) & 1;
}

static void aia_enable(uint32_t irq)
{
	enabled_sources[irq / 64] |= 1ull << (irq % 64);
	aplic_write(APLIC_SOURCECFG(irq), SOURCECFG_LEVEL_HIGH);
	aplic_write(APLIC_TARGET(irq), boot_hart_index << TARGET_HART_SHIFT | irq);
	imsic_set_enabled(irq, true);
	aplic_write(APLIC_SETIENUM, irq);
}

static void aia_disable(uint32_t irq)
{
	enabled_sources[irq / 64] &= ~(1ull << (irq % 64));
	aplic_write(APLIC_CLRIENUM, irq);
	imsic_set_enabled(irq, false);
}

static uint32_t aia_claim(void)
{
	if (this_hart()->index != 0)
		return 0;
	uint32_t id = (uint32_t)(imsic_claim_top() >> TOPEI_ID_SHIFT) & TOPEI_ID_MASK;
	if (id && id <= source_count)
		aplic_write(APLIC_CLRIENUM, id);
	return id;
}

/*
 * Pending again first, while still disabled, so re-enabling sends one
 * message; a source disabled meanwhile (its handler gone) stays disabled.
 */
static void aia_complete(uint32_t irq)
{
	aplic_write(APLIC_SETIPNUM_LE, irq);
	if (is_enabled(irq))
		aplic_write(APLIC_SETIENUM, irq);
}

static const struct irq_chip aia_chip = {
    .name = "AIA (APLIC in MSI mode, IMSIC)",
    .count = aia_count,
    .enable = aia_enable,
    .disable = aia_disable,
    .claim = aia_claim,
    .complete = aia_complete,
};

/* The IMSIC hart index of hart slot `hart`, or -1. */
static int imsic_index(unsigned hart)
{
	for (unsigned i = 0; i < aia->nharts; i++)
		if (aia->imsic_hart[i] == harts[hart].hartid)
			return (int)i;
	return -1;
}

const struct irq_chip *aia_probe(const struct platform_info *info)
{
	aia = &info->aia;
	/* Without Ssaia the hart has no stopei or siselect to reach its file with. */
	int index = aia->present ? imsic_index(0) : -1;
	if (index < 0 || !platform_has_extension(info, "ssaia"))
		return NULL;
	boot_hart_index = (uint32_t)index;
	aplic_base = (uintptr_t)phys_window(aia->aplic_base);
	source_count = aia->nsources < aia->num_ids ? aia->nsources : aia->num_ids;
	aplic_write(APLIC_DOMAINCFG, 0);
	for (uint32_t i = 1; i <= aia->nsources; i++)
		aplic_write(APLIC_SOURCECFG(i), SOURCECFG_INACTIVE);
	aplic_write(APLIC_DOMAINCFG, DOMAINCFG_IE | DOMAINCFG_DM_MSI);
	imsic_write(IMSIC_EITHRESHOLD, 0);
	imsic_write(IMSIC_EIDELIVERY, 1);
	csr_set_sie(SIE_SEIE);
	if (platform_has_extension(info, "h")) {
		unsigned per_hart = (1u << aia->guest_index_bits) - 1;
		guest_files = per_hart < GUEST_FILES_MAX - 1 ? per_hart : GUEST_FILES_MAX - 1;
	}
	aia_hart_init();
	return &aia_chip;
}

/* ---- guest interrupt files ---- */

unsigned aia_guest_file_count(void)
{
	return guest_files;
}

void aia_hart_init(void)
{
	if (!guest_files)
		return;
	csr_write_hgeie(0);
	csr_set_hie(HIE_SGEIE); /* hie, not sie: the H extension's own interrupt */
}

static uint64_t file_pa(int index, unsigned guest)
{
	return aia->imsic_base + ((uint64_t)index << (aia->guest_index_bits + 12)) +
	       ((uint64_t)guest << 12);
}

fv_error_t aia_guest_file_take(uint64_t hart, uint64_t guest, struct cap *out)
{
	if (hart >= CONFIG_MAX_HARTS || !harts[hart].online || guest == 0 || guest > guest_files)
		return FV_RANGE_ERROR;
	int index = imsic_index((unsigned)hart);
	if (index < 0)
		return FV_RANGE_ERROR;
	if (files_taken[hart] & (1ull << guest))
		return FV_ILLEGAL_OPERATION; /* once a boot: its holder hands out copies */
	files_taken[hart] |= 1ull << guest;
	*out = (struct cap){.type = CAP_FRAME,
	                    .rights = FV_RIGHT_READ | FV_RIGHT_WRITE,
	                    .size_bits = 12,
	                    .flags = CAP_FLAG_DEVICE,
	                    .pa = file_pa(index, (unsigned)guest)};
	return FV_OK;
}

bool aia_guest_file_at(const struct cap *frame, uint16_t *hart, uint8_t *guest)
{
	if (!guest_files || frame->type != CAP_FRAME || frame->size_bits != 12)
		return false;
	for (unsigned h = 0; h < CONFIG_MAX_HARTS; h++) {
		int index = harts[h].online ? imsic_index(h) : -1;
		for (unsigned g = 1; index >= 0 && g <= guest_files; g++) {
			if (file_pa(index, g) == frame->pa) {
				*hart = (uint16_t)h;
				*guest = (uint8_t)g;
				return true;
			}
		}
	}
	return false;
}

bool aia_guest_file_bind(uint16_t hart, uint8_t guest, struct vcpu *v)
{
	struct vcpu **owner = &file_vcpu[hart][guest];
	if (*owner && *owner != v)
		return false;
	*owner = v;
	return true;
}

void aia_guest_file_unbind(uint16_t hart, uint8_t guest, const struct vcpu *v)
{
	if (file_vcpu[hart][guest] == v)
		file_vcpu[hart][guest] = NULL;
}

void aia_guest_interrupt(void)
{
	unsigned hart = this_hart()->index;
	uint64_t ready = csr_read_hgeip() & csr_read_hgeie();
	csr_clear_hgeie(ready); /* armed again by the next WFI */
	for (unsigned g = 1; g <= guest_files; g++) {
		struct vcpu *v = file_vcpu[hart][g];
		if ((ready & (1ull << g)) && v && v->tcb)
			sched_wake(v->tcb);
	}
}

/* Delivery off, threshold 0, nothing pending or enabled (AIA spec, 3.8). */
void aia_guest_file_reset(void)
{
	csr_write_vsiselect(IMSIC_EIDELIVERY);
	csr_write_vsireg(0);
	csr_write_vsiselect(IMSIC_EITHRESHOLD);
	csr_write_vsireg(0);
	for (uint32_t id = 0; id <= aia->num_ids; id += 64) {
		csr_write_vsiselect(IMSIC_EIP0 + 2u * (id / 64));
		csr_write_vsireg(0);
		csr_write_vsiselect(IMSIC_EIE0 + 2u * (id / 64));
		csr_write_vsireg(0);
	}
}
