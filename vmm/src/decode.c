/*
 * MMIO instruction decoder. The guest chooses the instruction bits, so every
 * field is checked against the encodings of the RISC-V unprivileged spec
 * (RV64GC plus Zcb) and anything not listed there is refused rather than
 * guessed at: a misdecoded access would read or write the wrong register or
 * the wrong number of device bytes.
 */
#include <string.h>

#include <vmm/decode.h>

#define OPCODE_MASK     0x7fu
#define OPCODE_LOAD     0x03u
#define OPCODE_LOAD_FP  0x07u
#define OPCODE_STORE    0x23u
#define OPCODE_STORE_FP 0x27u
#define OPCODE_AMO      0x2fu

/* AMO funct3 values with a defined meaning: B, H (Zabha), W, D, Q (Zacas). */
#define AMO_FUNCT3_LAST 4u

/* Compressed quadrants, bits 1:0 of a 16-bit instruction. */
#define QUADRANT_0 0u
#define QUADRANT_1 1u
#define QUADRANT_2 2u

/* Privileged spec pseudoinstructions for implicit VS-stage walk accesses. */
#define PSEUDO_READ_32  0x00002000u
#define PSEUDO_READ_64  0x00003000u
#define PSEUDO_WRITE_32 0x00002020u
#define PSEUDO_WRITE_64 0x00003020u

#define FIRST_COMPRESSED_REG 8u
#define NAN_BOX_32           0xffffffff00000000ull

/* The scalar accesses the decoder accepts, named after their 32-bit forms. */
enum access_kind {
	LB,
	LH,
	LW,
	LD,
	LBU,
	LHU,
	LWU,
	SB,
	SH,
	SW,
	SD,
	FLW,
	FLD,
	FSW,
	FSD,
	NO_ACCESS,
};

struct kind_info {
	bool is_store;
	bool is_fp;
	bool sign_extend;
	unsigned char width;
	/*
	 * Some RV64GC/Zcb compressed instruction expands to this one, so a
	 * transformed htinst with bit 1 clear may name it.
	 */
	bool compressible;
};

static const struct kind_info kinds[] = {
    [LB] = {.sign_extend = true, .width = 1},
    [LH] = {.sign_extend = true, .width = 2, .compressible = true},
    [LW] = {.sign_extend = true, .width = 4, .compressible = true},
    [LD] = {.width = 8, .compressible = true},
    [LBU] = {.width = 1, .compressible = true},
    [LHU] = {.width = 2, .compressible = true},
    [LWU] = {.width = 4},
    [SB] = {.is_store = true, .width = 1, .compressible = true},
    [SH] = {.is_store = true, .width = 2, .compressible = true},
    [SW] = {.is_store = true, .width = 4, .compressible = true},
    [SD] = {.is_store = true, .width = 8, .compressible = true},
    [FLW] = {.is_fp = true, .width = 4},
    [FLD] = {.is_fp = true, .width = 8, .compressible = true},
    [FSW] = {.is_store = true, .is_fp = true, .width = 4},
    [FSD] = {.is_store = true, .is_fp = true, .width = 8, .compressible = true},
};

/*
 * The accesses of LOAD and STORE by funct3. LOAD 111 and STORE 1xx are
 * reserved on RV64 (RV128 puts LDU and SQ there).
 */
static const enum access_kind load_by_funct3[8] = {LB, LH, LW, LD, LBU, LHU, LWU, NO_ACCESS};
static const enum access_kind store_by_funct3[8] = {SB,        SH,        SW,        SD,
                                                    NO_ACCESS, NO_ACCESS, NO_ACCESS, NO_ACCESS};

/* What a decoding step found: a status and, when DECODE_OK, the access. */
struct decoded {
	enum decode_status status;
	enum access_kind kind;
	unsigned reg;
};

static unsigned field(uint32_t insn, unsigned high, unsigned low)
{
	return (insn >> low) & ((1u << (high - low + 1)) - 1);
}

static struct decoded found(enum access_kind kind, unsigned reg)
{
	return (struct decoded){.status = DECODE_OK, .kind = kind, .reg = reg};
}

static struct decoded rejected(enum decode_status status)
{
	return (struct decoded){.status = status, .kind = NO_ACCESS};
}

static struct decoded found_or_reserved(enum access_kind kind, unsigned reg)
{
	return kind == NO_ACCESS ? rejected(DECODE_RESERVED) : found(kind, reg);
}

/*
 * LOAD-FP and STORE-FP also hold FLH/FSH (funct3 001), FLQ/FSQ (100) and
 * the vector loads and stores (000, 101, 110, 111): real accesses, but not
 * ones MMIO emulation handles.
 */
static struct decoded decode_fp(unsigned funct3, bool is_store, unsigned reg)
{
	if (funct3 == 2)
		return found(is_store ? FSW : FLW, reg);
	if (funct3 == 3)
		return found(is_store ? FSD : FLD, reg);
	return rejected(DECODE_UNSUPPORTED);
}

static struct decoded decode_32(uint32_t insn)
{
	unsigned funct3 = field(insn, 14, 12);
	unsigned rd = field(insn, 11, 7);
	unsigned rs2 = field(insn, 24, 20);

	switch (insn & OPCODE_MASK) {
	case OPCODE_LOAD:
		return found_or_reserved(load_by_funct3[funct3], rd);
	case OPCODE_STORE:
		return found_or_reserved(store_by_funct3[funct3], rs2);
	case OPCODE_LOAD_FP:
		return decode_fp(funct3, false, rd);
	case OPCODE_STORE_FP:
		return decode_fp(funct3, true, rs2);
	case OPCODE_AMO:
		return rejected(funct3 <= AMO_FUNCT3_LAST ? DECODE_ATOMIC : DECODE_RESERVED);
	default:
		return rejected(DECODE_NOT_LOAD_STORE);
	}
}

/* The x8..x15 (or f8..f15) register of a 3-bit rd'/rs1'/rs2' field. */
static unsigned compressed_reg(uint32_t insn, unsigned low)
{
	return FIRST_COMPRESSED_REG + field(insn, low + 2, low);
}

/*
 * Zcb loads and stores, quadrant 0 funct3 100; bits 12:10 pick the access
 * and bit 6 tells C.LH from C.LHU. Every other value there is reserved.
 */
static struct decoded decode_zcb(uint32_t insn)
{
	unsigned reg = compressed_reg(insn, 2);
	bool bit6 = field(insn, 6, 6);

	switch (field(insn, 12, 10)) {
	case 0:
		return found(LBU, reg);
	case 1:
		return found(bit6 ? LH : LHU, reg);
	case 2:
		return found(SB, reg);
	case 3:
		return bit6 ? rejected(DECODE_RESERVED) : found(SH, reg);
	default:
		return rejected(DECODE_RESERVED);
	}
}

/* Quadrant 0: C.ADDI4SPN and the register-based loads and stores. */
static struct decoded decode_quadrant_0(uint32_t insn)
{
	unsigned reg = compressed_reg(insn, 2);

	switch (field(insn, 15, 13)) {
	case 0:
		/* C.ADDI4SPN; with a zero immediate (including 0x0000) reserved. */
		return rejected(field(insn, 12, 5) == 0 ? DECODE_RESERVED : DECODE_NOT_LOAD_STORE);
	case 1:
		return found(FLD, reg);
	case 2:
		return found(LW, reg);
	case 3:
		return found(LD, reg);
	case 4:
		return decode_zcb(insn);
	case 5:
		return found(FSD, reg);
	case 6:
		return found(SW, reg);
	default:
		return found(SD, reg);
	}
}

/* Integer loads from the stack into x0 are reserved encodings. */
static struct decoded stack_load(enum access_kind kind, unsigned rd)
{
	return rd == 0 ? rejected(DECODE_RESERVED) : found(kind, rd);
}

/* Quadrant 2: the sp-based loads and stores among other instructions. */
static struct decoded decode_quadrant_2(uint32_t insn)
{
	unsigned rd = field(insn, 11, 7);
	unsigned rs2 = field(insn, 6, 2);

	switch (field(insn, 15, 13)) {
	case 1:
		return found(FLD, rd);
	case 2:
		return stack_load(LW, rd);
	case 3:
		return stack_load(LD, rd);
	case 5:
		return found(FSD, rs2);
	case 6:
		return found(SW, rs2);
	case 7:
		return found(SD, rs2);
	default:
		return rejected(DECODE_NOT_LOAD_STORE);
	}
}

static struct decoded decode_16(uint32_t insn)
{
	switch (insn & 3) {
	case QUADRANT_0:
		return decode_quadrant_0(insn);
	case QUADRANT_2:
		return decode_quadrant_2(insn);
	default:
		/* Quadrant 1 holds arithmetic and branches only. */
		return rejected(DECODE_NOT_LOAD_STORE);
	}
}

static enum decode_status report(struct decoded d, unsigned insn_len, struct mmio_access *out)
{
	memset(out, 0, sizeof(*out));
	if (d.status != DECODE_OK)
		return d.status;
	const struct kind_info *info = &kinds[d.kind];
	out->is_store = info->is_store;
	out->is_fp = info->is_fp;
	out->sign_extend = info->sign_extend;
	out->width = info->width;
	out->reg = d.reg;
	out->insn_len = insn_len;
	return DECODE_OK;
}

static bool is_compressed(uint32_t insn)
{
	return (insn & 3) != 3;
}

enum decode_status decode_insn(uint32_t insn, struct mmio_access *out)
{
	if (is_compressed(insn))
		return report(decode_16(insn & 0xffffu), 2, out);
	return report(decode_32(insn), 4, out);
}

static enum decode_status decode_pseudo(uint32_t htinst, struct mmio_access *out)
{
	memset(out, 0, sizeof(*out));
	switch (htinst) {
	case PSEUDO_READ_32:
	case PSEUDO_WRITE_32:
		out->width = 4;
		break;
	case PSEUDO_READ_64:
	case PSEUDO_WRITE_64:
		out->width = 8;
		break;
	default:
		return DECODE_RESERVED;
	}
	out->is_store = htinst == PSEUDO_WRITE_32 || htinst == PSEUDO_WRITE_64;
	return DECODE_PAGE_TABLE_WALK;
}

/*
 * The immediate of a transformed load or store is zero; a value with one
 * set is the untransformed instruction or garbage, whose rs1 field would be
 * misread as the Addr. Offset.
 */
static bool immediate_is_zero(uint32_t htinst, bool is_store)
{
	if (is_store)
		return field(htinst, 31, 25) == 0 && field(htinst, 11, 7) == 0;
	return field(htinst, 31, 20) == 0;
}

/*
 * On RV64 no compressed instruction expands to LB, LWU, FLW or FSW, so a
 * transformed one with bit 1 clear (compressed original) cannot name them.
 */
static struct decoded check_transformed(struct decoded d, uint32_t htinst, bool from_compressed)
{
	if (d.status != DECODE_OK)
		return d;
	if (!immediate_is_zero(htinst, kinds[d.kind].is_store))
		return rejected(DECODE_RESERVED);
	if (from_compressed && !kinds[d.kind].compressible)
		return rejected(DECODE_RESERVED);
	return d;
}

/*
 * A transformed instruction is the 32-bit form of the trapping one with
 * bit 1 cleared if that was compressed, its rs1 field replaced by the
 * Addr. Offset and its immediate zeroed. Neither field matters to the
 * access, so the rest decodes like a raw 32-bit instruction.
 */
static enum decode_status decode_transformed(uint32_t htinst, struct mmio_access *out)
{
	bool from_compressed = !(htinst & 2);
	struct decoded d = check_transformed(decode_32(htinst | 2), htinst, from_compressed);
	enum decode_status status = report(d, from_compressed ? 2 : 4, out);
	if (status == DECODE_OK)
		out->addr_offset = field(htinst, 19, 15);
	return status;
}

enum decode_status decode_trapped(uint32_t htinst, uint32_t raw, bool have_raw,
                                  struct mmio_access *out)
{
	if (htinst & 1)
		return decode_transformed(htinst, out);
	if (htinst != 0)
		return decode_pseudo(htinst, out);
	if (have_raw)
		return decode_insn(raw, out);
	memset(out, 0, sizeof(*out));
	return DECODE_NO_INSTRUCTION;
}

uint64_t mmio_extend(uint64_t value, unsigned width, bool sign_extend)
{
	if (width == 0)
		return 0;
	if (width >= 8)
		return value;
	unsigned bits = width * 8;
	uint64_t mask = (1ull << bits) - 1;
	uint64_t low = value & mask;
	if (sign_extend && (low >> (bits - 1)) != 0)
		return low | ~mask;
	return low;
}

uint64_t mmio_load_value(const struct mmio_access *access, uint64_t data)
{
	if (access->is_fp && access->width == 4)
		return (data & 0xffffffffull) | NAN_BOX_32;
	return mmio_extend(data, access->width, access->sign_extend);
}

uint64_t mmio_store_value(const struct mmio_access *access, uint64_t reg_value)
{
	return mmio_extend(reg_value, access->width, false);
}
