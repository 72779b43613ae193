/*
 * Decoder of the guest instruction behind an MMIO trap.
 *
 * When a guest load or store hits a region the VMM emulates, the VMM is given
 * the trapped instruction either as the htinst value the hart wrote (when
 * nonzero) or as bits it read from guest memory itself. decode_trapped() and
 * decode_insn() turn those into a struct mmio_access: what to read or write,
 * how wide, which register, and how far to advance the pc.
 *
 * Only scalar integer and floating-point loads and stores of RV64GC and the
 * Zcb compressed loads and stores are accepted. Everything else is rejected
 * with a status saying why, so that the VMM faults the guest (or stops it)
 * instead of emulating something it misunderstood.
 *
 * RV64 meanings are assumed throughout: quadrant 0 funct3 011 is C.LD (not
 * C.FLW) and quadrant 2 funct3 011/111 are C.LDSP/C.SDSP. Quadrant 0/2 funct3
 * 001/101 are C.FLD/C.FSD/C.FLDSP/C.FSDSP (the D extension of RV64GC); harts
 * with Zcmp or Zcmt, which reuse those encodings, are not supported.
 */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum decode_status {
	/* A load or store MMIO can emulate; the access is in *out. */
	DECODE_OK,
	/*
	 * htinst held a pseudoinstruction: the trap came from an implicit
	 * access of the hart's walk of the guest's own page tables (VS-stage),
	 * not from the instruction at the pc. *out has is_store and width
	 * (4 or 8) of that access; reg and insn_len are 0.
	 */
	DECODE_PAGE_TABLE_WALK,
	/* A valid instruction that is not a load or store. */
	DECODE_NOT_LOAD_STORE,
	/* An AMO, LR or SC: not emulated on MMIO. */
	DECODE_ATOMIC,
	/*
	 * A memory access of an extension MMIO emulation does not handle:
	 * vector loads/stores, FLH/FSH (Zfh), FLQ/FSQ (Q).
	 */
	DECODE_UNSUPPORTED,
	/*
	 * A reserved or illegal encoding (e.g. C.LWSP with rd = x0, the
	 * all-zero instruction, a reserved htinst value, a transformed
	 * load or store with a nonzero immediate, or one marked compressed
	 * that no compressed instruction expands to).
	 */
	DECODE_RESERVED,
	/* htinst was zero and no raw instruction bits were supplied. */
	DECODE_NO_INSTRUCTION,
};

struct mmio_access {
	bool is_store;
	/* reg names an f register (FLW, FLD, FSW, FSD and compressed forms). */
	bool is_fp;
	/* Loads narrower than 8 bytes: sign- (true) or zero-extend (false). */
	bool sign_extend;
	/* Access width in bytes: 1, 2, 4 or 8. */
	unsigned width;
	/*
	 * Destination register of a load, source register of a store
	 * (0..31). A load into x0 is still a load: the device read happens
	 * (it may have side effects) and the VMM discards the value.
	 */
	unsigned reg;
	/* Length of the trapped instruction in bytes, 2 or 4: the pc step. */
	unsigned insn_len;
	/*
	 * Transformed htinst only: its Addr. Offset field (bits 19:15), the
	 * distance from the original access address to the faulting address,
	 * nonzero only for a misaligned access that faulted part way. 0 for
	 * raw instructions.
	 */
	unsigned addr_offset;
};

/*
 * Decodes the instruction of an MMIO guest-page fault from what the trap
 * provides. htinst is used when nonzero: a value with bit 0 set is a
 * transformed instruction (bit 1 clear: the original was 16 bits long), one
 * of 0x00002000, 0x00003000, 0x00002020, 0x00003020 is a page-table-walk
 * pseudoinstruction, and any other nonzero value is reserved. When htinst is
 * zero, raw (bits read from guest memory at the pc) is decoded if have_raw,
 * as by decode_insn(). *out is zeroed unless filled in.
 */
enum decode_status decode_trapped(uint32_t htinst, uint32_t raw, bool have_raw,
                                  struct mmio_access *out);

/*
 * Decodes raw instruction bits: a 16-bit instruction in the low half if
 * (insn & 3) != 3 (the high half, the next instruction, is then ignored),
 * a 32-bit one otherwise. *out is zeroed unless filled in.
 */
enum decode_status decode_insn(uint32_t insn, struct mmio_access *out);

/* The low width bytes of value, sign- or zero-extended to 64 bits. */
uint64_t mmio_extend(uint64_t value, unsigned width, bool sign_extend);

/*
 * The value a load writes to its register given the bytes read from the
 * device (in the low width bytes of data): integer loads are extended as
 * the instruction says, a 4-byte FP load is NaN-boxed as in a 64-bit f
 * register.
 */
uint64_t mmio_load_value(const struct mmio_access *access, uint64_t data);

/* The bytes a store writes to the device: the low width bytes of the register. */
uint64_t mmio_store_value(const struct mmio_access *access, uint64_t reg_value);

#endif
