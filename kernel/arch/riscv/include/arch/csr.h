/*
 * Accessors for RISC-V control and status registers: one macro line per CSR
 * generates them all, so no other code needs inline assembly for a CSR.
 * CSR numbers are used instead of names so the assembler needs no knowledge
 * of optional extensions (H, Sstc, AIA).
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#include <stdbool.h>
#include <stdint.h>

#define CSR_STR2(x) #x
#define CSR_STR(x)  CSR_STR2(x)

/*
 * csr_try_read_<name>() reads a CSR that may not exist: if the read traps as
 * an illegal instruction, the trap handler finds the instruction in the
 * exception table, sets t6 and resumes after it.
 */
#define CSR_ACCESSORS(name, num)                                                               \
	static inline uint64_t csr_read_##name(void)                                           \
	{                                                                                      \
		uint64_t v;                                                                    \
		__asm__ volatile("csrr %0, " CSR_STR(num) : "=r"(v)::"memory");                \
		return v;                                                                      \
	}                                                                                      \
	static inline void csr_write_##name(uint64_t v)                                        \
	{                                                                                      \
		__asm__ volatile("csrw " CSR_STR(num) ", %0" ::"r"(v) : "memory");             \
	}                                                                                      \
	static inline void csr_set_##name(uint64_t bits)                                       \
	{                                                                                      \
		__asm__ volatile("csrs " CSR_STR(num) ", %0" ::"r"(bits) : "memory");          \
	}                                                                                      \
	static inline void csr_clear_##name(uint64_t bits)                                     \
	{                                                                                      \
		__asm__ volatile("csrc " CSR_STR(num) ", %0" ::"r"(bits) : "memory");          \
	}                                                                                      \
	static inline bool csr_try_read_##name(uint64_t *out)                                  \
	{                                                                                      \
		register uint64_t faulted __asm__("t6") = 0;                                   \
		uint64_t v = 0;                                                                \
		__asm__ volatile("1: csrr %0, " CSR_STR(num) "\n"                              \
		                                             "2:\n"                            \
		                                             ".pushsection .ex_table, \"a\"\n" \
		                                             ".balign 8\n"                     \
		                                             ".dword 1b, 2b\n"                 \
		                                             ".popsection\n"                   \
		                 : "+r"(v), "+r"(faulted)::"memory");                          \
		*out = v;                                                                      \
		return faulted == 0;                                                           \
	}

CSR_ACCESSORS(sstatus, 0x100)
CSR_ACCESSORS(sie, 0x104)
CSR_ACCESSORS(stvec, 0x105)
CSR_ACCESSORS(scounteren, 0x106)
CSR_ACCESSORS(sscratch, 0x140)
CSR_ACCESSORS(sepc, 0x141)
CSR_ACCESSORS(scause, 0x142)
CSR_ACCESSORS(stval, 0x143)
CSR_ACCESSORS(sip, 0x144)
CSR_ACCESSORS(stimecmp, 0x14d)
CSR_ACCESSORS(siselect, 0x150)
CSR_ACCESSORS(sireg, 0x151)
CSR_ACCESSORS(satp, 0x180)
CSR_ACCESSORS(stopi, 0xdb0)
CSR_ACCESSORS(senvcfg, 0x10a)
CSR_ACCESSORS(hstatus, 0x600)
CSR_ACCESSORS(hedeleg, 0x602)
CSR_ACCESSORS(hideleg, 0x603)
CSR_ACCESSORS(hie, 0x604)
CSR_ACCESSORS(htimedelta, 0x605)
CSR_ACCESSORS(hcounteren, 0x606)
CSR_ACCESSORS(henvcfg, 0x60a)
CSR_ACCESSORS(htval, 0x643)
CSR_ACCESSORS(hvip, 0x645)
CSR_ACCESSORS(hgeie, 0x607)
CSR_ACCESSORS(hgeip, 0xe12)
CSR_ACCESSORS(vsiselect, 0x250)
CSR_ACCESSORS(vsireg, 0x251)
CSR_ACCESSORS(htinst, 0x64a)
CSR_ACCESSORS(vsstatus, 0x200)
CSR_ACCESSORS(vsie, 0x204)
CSR_ACCESSORS(vstvec, 0x205)
CSR_ACCESSORS(vsscratch, 0x240)
CSR_ACCESSORS(vsepc, 0x241)
CSR_ACCESSORS(vscause, 0x242)
CSR_ACCESSORS(vstval, 0x243)
CSR_ACCESSORS(vsatp, 0x280)
CSR_ACCESSORS(vstimecmp, 0x24d)
CSR_ACCESSORS(hgatp, 0x680)
CSR_ACCESSORS(cycle, 0xc00)
CSR_ACCESSORS(time, 0xc01)
CSR_ACCESSORS(instret, 0xc02)

#define SSTATUS_SIE         (1ull << 1)
#define HSTATUS_SPV         (1ull << 7) /* the trap came from a guest; sret enters one */
#define HSTATUS_SPVP        (1ull << 8)
#define HSTATUS_VTW         (1ull << 21) /* a guest WFI traps */
#define HSTATUS_VGEIN_SHIFT 12           /* which guest interrupt file is the guest's IMSIC */
#define HSTATUS_VGEIN       (0x3full << HSTATUS_VGEIN_SHIFT)
#define SSTATUS_SPIE        (1ull << 5)
#define SSTATUS_SPP         (1ull << 8)
#define SIE_SSIE            (1ull << 1)
#define SIE_STIE            (1ull << 5)
#define SIE_SEIE            (1ull << 9)
#define HIE_SGEIE           (1ull << 12) /* a guest interrupt file has one pending */
#define HIE_VS_ALL          0x444ull     /* VS software, timer and external: the guest's vsie */
#define SIP_SSIP            (1ull << 1)
#define SCAUSE_INTERRUPT    (1ull << 63)

static inline void local_irq_enable(void)
{
	csr_set_sstatus(SSTATUS_SIE);
}

static inline uint64_t local_irq_save(void)
{
	uint64_t old = csr_read_sstatus();
	csr_clear_sstatus(SSTATUS_SIE);
	return old & SSTATUS_SIE;
}

static inline void local_irq_restore(uint64_t flags)
{
	csr_set_sstatus(flags & SSTATUS_SIE);
}

/*
 * Claims the top pending interrupt of this hart's supervisor IMSIC file: a
 * read and write of stopei in one instruction, so a newer interrupt cannot
 * slip in between and be claimed unseen (AIA spec, 3.9).
 */
static inline uint64_t imsic_claim_top(void)
{
	uint64_t v;
	__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(v)::"memory");
	return v;
}

static inline void wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* hfence.gvma zero, vmid: forgets the stage-2 translations of one VMID (raw: no H in -march). */
static inline void hfence_gvma_vmid(uint64_t vmid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"(vmid) : "memory");
}

/* hfence.vvma zero, zero: forgets the guest translations of the VMID in hgatp; fence.i too. */
static inline void hfence_vvma_all_and_fence_i(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0\n\t"
	                 ".insn i 0x0f, 1, x0, x0, 0" ::
	                     : "memory");
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

static inline uint64_t read_tp(void)
{
	uint64_t v;
	__asm__ volatile("mv %0, tp" : "=r"(v));
	return v;
}

static inline void write_tp(uint64_t v)
{
	__asm__ volatile("mv tp, %0" ::"r"(v));
}

/* An instruction that is illegal in every mode: the kernel's self-test fault. */
static inline void raise_illegal_instruction(void)
{
	__asm__ volatile("unimp" ::: "memory");
}

#endif
