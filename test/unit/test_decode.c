/*
 * Unit tests of the MMIO instruction decoder of the VMM.
 *
 * The expected results never come from the decoder's own tables: 32-bit
 * instructions are built here field by field from the RISC-V unprivileged
 * spec, a few of each are pinned to what an assembler produces (llvm-mc, or
 * the riscv-opcodes description for the Zcb forms it lacks), and every one
 * of the 65536 16-bit values is checked against a separate mask/match table
 * of the compressed loads and stores.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/decode.h>

#define OP_LOAD     0x03u
#define OP_LOAD_FP  0x07u
#define OP_STORE    0x23u
#define OP_STORE_FP 0x27u
#define OP_AMO      0x2fu

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- 32-bit encoders and the expected meaning of each load/store ---- */

static uint32_t i_type(uint32_t opcode, uint32_t funct3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfffu) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static uint32_t s_type(uint32_t opcode, uint32_t funct3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	uint32_t u = (uint32_t)imm & 0xfffu;
	return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (u & 0x1fu) << 7 | opcode;
}

struct expected_access {
	const char *name;
	uint32_t opcode;
	uint32_t funct3;
	bool is_store;
	bool is_fp;
	bool sign_extend;
	unsigned width;
};

static const struct expected_access standard[] = {
    {"lb", OP_LOAD, 0, false, false, true, 1},     {"lh", OP_LOAD, 1, false, false, true, 2},
    {"lw", OP_LOAD, 2, false, false, true, 4},     {"ld", OP_LOAD, 3, false, false, false, 8},
    {"lbu", OP_LOAD, 4, false, false, false, 1},   {"lhu", OP_LOAD, 5, false, false, false, 2},
    {"lwu", OP_LOAD, 6, false, false, false, 4},   {"sb", OP_STORE, 0, true, false, false, 1},
    {"sh", OP_STORE, 1, true, false, false, 2},    {"sw", OP_STORE, 2, true, false, false, 4},
    {"sd", OP_STORE, 3, true, false, false, 8},    {"flw", OP_LOAD_FP, 2, false, true, false, 4},
    {"fld", OP_LOAD_FP, 3, false, true, false, 8}, {"fsw", OP_STORE_FP, 2, true, true, false, 4},
    {"fsd", OP_STORE_FP, 3, true, true, false, 8},
};

static uint32_t encode(const struct expected_access *e, uint32_t reg, uint32_t rs1, int32_t imm)
{
	if (e->is_store)
		return s_type(e->opcode, e->funct3, rs1, reg, imm);
	return i_type(e->opcode, e->funct3, reg, rs1, imm);
}

/* The htinst form: rs1 replaced by the address offset, immediate zeroed. */
static uint32_t transform(const struct expected_access *e, uint32_t reg, uint32_t addr_offset)
{
	return encode(e, reg, addr_offset, 0);
}

static void check_access(const struct mmio_access *got, const struct expected_access *e,
                         unsigned reg, unsigned insn_len)
{
	assert_int_equal(got->is_store, e->is_store);
	assert_int_equal(got->is_fp, e->is_fp);
	assert_int_equal(got->sign_extend, e->sign_extend);
	assert_int_equal(got->width, e->width);
	assert_int_equal(got->reg, reg);
	assert_int_equal(got->insn_len, insn_len);
}

static void check_zeroed(const struct mmio_access *got)
{
	const struct mmio_access zero = {0};
	assert_memory_equal(got, &zero, sizeof(zero));
}

static void check_insn(uint32_t insn, const struct expected_access *e, unsigned reg,
                       unsigned insn_len)
{
	struct mmio_access got;
	memset(&got, 0xa5, sizeof(got));
	if (decode_insn(insn, &got) != DECODE_OK)
		fail_msg("%s 0x%08x not decoded", e->name, insn);
	check_access(&got, e, reg, insn_len);
	assert_int_equal(got.addr_offset, 0);
}

static void check_status(uint32_t insn, enum decode_status want)
{
	struct mmio_access got;
	memset(&got, 0xa5, sizeof(got));
	enum decode_status status = decode_insn(insn, &got);
	if (status != want)
		fail_msg("0x%08x: status %d, expected %d", insn, status, want);
	check_zeroed(&got);
}

static const struct expected_access *standard_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(standard); i++) {
		if (strcmp(standard[i].name, name) == 0)
			return &standard[i];
	}
	fail_msg("no access %s", name);
	return NULL;
}

/* ---- 32-bit loads and stores ---- */

static const unsigned test_regs[] = {0, 1, 2, 5, 8, 10, 15, 16, 30, 31};
static const int32_t test_imms[] = {0, 1, -1, 8, -8, 2047, -2048, 0x555, -0x556};

static void test_encoders_match_assembler(void **state)
{
	(void)state;
	/* Values from llvm-mc -triple=riscv64 -show-encoding. */
	assert_int_equal(encode(standard_named("lb"), 10, 2, -2048), 0x80010503);
	assert_int_equal(encode(standard_named("lh"), 31, 31, 2047), 0x7fff9f83);
	assert_int_equal(encode(standard_named("lw"), 0, 1, -1), 0xfff0a003);
	assert_int_equal(encode(standard_named("ld"), 31, 10, 8), 0x00853f83);
	assert_int_equal(encode(standard_named("lhu"), 12, 8, -16), 0xff045603);
	assert_int_equal(encode(standard_named("lwu"), 5, 6, 1000), 0x3e836283);
	assert_int_equal(encode(standard_named("sb"), 31, 0, -2048), 0x81f00023);
	assert_int_equal(encode(standard_named("sh"), 0, 31, 2047), 0x7e0f9fa3);
	assert_int_equal(encode(standard_named("sw"), 10, 2, -4), 0xfea12e23);
	assert_int_equal(encode(standard_named("sd"), 1, 2, 16), 0x00113823);
	assert_int_equal(encode(standard_named("flw"), 0, 10, -8), 0xff852007);
	assert_int_equal(encode(standard_named("fld"), 31, 31, 2040), 0x7f8fbf87);
	assert_int_equal(encode(standard_named("fsw"), 1, 0, -2048), 0x80102027);
	assert_int_equal(encode(standard_named("fsd"), 27, 2, 24), 0x01b13c27);
}

static void test_assembled_loads_and_stores(void **state)
{
	(void)state;
	check_insn(0x80010503, standard_named("lb"), 10, 4);
	check_insn(0x7fff9f83, standard_named("lh"), 31, 4);
	check_insn(0xfff0a003, standard_named("lw"), 0, 4);
	check_insn(0x00853f83, standard_named("ld"), 31, 4);
	check_insn(0x00004483, standard_named("lbu"), 9, 4);
	check_insn(0xff045603, standard_named("lhu"), 12, 4);
	check_insn(0x3e836283, standard_named("lwu"), 5, 4);
	check_insn(0x81f00023, standard_named("sb"), 31, 4);
	check_insn(0x7e0f9fa3, standard_named("sh"), 0, 4);
	check_insn(0xfea12e23, standard_named("sw"), 10, 4);
	check_insn(0x00113823, standard_named("sd"), 1, 4);
	check_insn(0xff852007, standard_named("flw"), 0, 4);
	check_insn(0x7f8fbf87, standard_named("fld"), 31, 4);
	check_insn(0x80102027, standard_named("fsw"), 1, 4);
	check_insn(0x01b13c27, standard_named("fsd"), 27, 4);
}

static void check_standard_all_operands(const struct expected_access *e)
{
	for (size_t r = 0; r < ARRAY_LEN(test_regs); r++) {
		for (size_t b = 0; b < ARRAY_LEN(test_regs); b++) {
			for (size_t i = 0; i < ARRAY_LEN(test_imms); i++) {
				uint32_t insn = encode(e, test_regs[r], test_regs[b], test_imms[i]);
				check_insn(insn, e, test_regs[r], 4);
			}
		}
	}
}

static void test_standard_loads_and_stores(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(standard); i++)
		check_standard_all_operands(&standard[i]);
}

static void check_transformed(uint32_t htinst, const struct expected_access *e, unsigned reg,
                              unsigned insn_len, unsigned addr_offset)
{
	struct mmio_access got;
	memset(&got, 0xa5, sizeof(got));
	/* The raw bits must be ignored when htinst is usable. */
	if (decode_trapped(htinst, 0x00000013, true, &got) != DECODE_OK)
		fail_msg("transformed %s 0x%08x not decoded", e->name, htinst);
	check_access(&got, e, reg, insn_len);
	assert_int_equal(got.addr_offset, addr_offset);
}

static void test_transformed_standard(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(standard); i++) {
		for (size_t r = 0; r < ARRAY_LEN(test_regs); r++) {
			unsigned reg = test_regs[r];
			check_transformed(transform(&standard[i], reg, 0), &standard[i], reg, 4, 0);
			/* A misaligned access that faulted part way. */
			check_transformed(transform(&standard[i], reg, 3), &standard[i], reg, 4, 3);
		}
	}
}

static void test_raw_used_when_htinst_is_zero(void **state)
{
	(void)state;
	struct mmio_access got;
	assert_int_equal(decode_trapped(0, 0xfea12e23, true, &got), DECODE_OK);
	check_access(&got, standard_named("sw"), 10, 4);
	/* c.lw a5, 0(a5) with the next instruction in the high half. */
	assert_int_equal(decode_trapped(0, 0x1234439c, true, &got), DECODE_OK);
	check_access(&got, standard_named("lw"), 15, 2);
	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(decode_trapped(0, 0xfea12e23, false, &got), DECODE_NO_INSTRUCTION);
	check_zeroed(&got);
}

static void test_non_load_store_rejected(void **state)
{
	(void)state;
	check_status(0x00150513, DECODE_NOT_LOAD_STORE); /* addi a0, a0, 1 */
	check_status(0x010000ef, DECODE_NOT_LOAD_STORE); /* jal ra, 16 */
	check_status(0x100312f3, DECODE_NOT_LOAD_STORE); /* csrrw t0, sstatus, t1 */
	check_status(0x12345537, DECODE_NOT_LOAD_STORE); /* lui a0, 0x12345 */
	check_status(0x00000073, DECODE_NOT_LOAD_STORE); /* ecall */
	check_status(0x0330000f, DECODE_NOT_LOAD_STORE); /* fence rw, rw */
	check_status(0x02c58533, DECODE_NOT_LOAD_STORE); /* mul a0, a1, a2 */
	check_status(0x02c5f553, DECODE_NOT_LOAD_STORE); /* fadd.d fa0, fa1, fa2 */
	check_status(0x0045200f, DECODE_NOT_LOAD_STORE); /* cbo.zero (a0) */
	check_status(0xffffffff, DECODE_NOT_LOAD_STORE); /* longer than 32 bits */
}

static void test_atomics_rejected(void **state)
{
	(void)state;
	check_status(0x1005a52f, DECODE_ATOMIC); /* lr.w a0, (a1) */
	check_status(0x18d7262f, DECODE_ATOMIC); /* sc.w a2, a3, (a4) */
	check_status(0x1605b52f, DECODE_ATOMIC); /* lr.d.aqrl a0, (a1) */
	check_status(0x19f5b52f, DECODE_ATOMIC); /* sc.d a0, t6, (a1) */
	check_status(0x08b6252f, DECODE_ATOMIC); /* amoswap.w a0, a1, (a2) */
	check_status(0x0400bfaf, DECODE_ATOMIC); /* amoadd.d.aq t6, zero, (ra) */
	check_status(0x42b6252f, DECODE_ATOMIC); /* amoor.w.rl a0, a1, (a2) */
	check_status(0x08b6052f, DECODE_ATOMIC); /* amoswap.b (Zabha) */
	check_status(0x08b6152f, DECODE_ATOMIC); /* amoswap.h (Zabha) */
	check_status(0x28b6452f, DECODE_ATOMIC); /* amocas.q (Zacas) */
	for (uint32_t funct3 = 5; funct3 < 8; funct3++)
		check_status(0x08b6052f | funct3 << 12, DECODE_RESERVED);
}

static void test_transformed_atomics_rejected(void **state)
{
	(void)state;
	struct mmio_access got;
	/* amoswap.w a0, a1, (x0): the transformed form of any amoswap.w. */
	assert_int_equal(decode_trapped(0x08b0252f, 0, false, &got), DECODE_ATOMIC);
	check_zeroed(&got);
	assert_int_equal(decode_trapped(0x1000352f, 0, false, &got), DECODE_ATOMIC);
	check_zeroed(&got);
}

static void test_reserved_and_unsupported_32(void **state)
{
	(void)state;
	check_status(i_type(OP_LOAD, 7, 10, 11, 0), DECODE_RESERVED);
	for (uint32_t funct3 = 4; funct3 < 8; funct3++)
		check_status(s_type(OP_STORE, funct3, 11, 10, 0), DECODE_RESERVED);
	check_status(0x00251007, DECODE_UNSUPPORTED);                        /* flh ft0, 2(a0) */
	check_status(0x00051127, DECODE_UNSUPPORTED);                        /* fsh ft0, 2(a0) */
	check_status(i_type(OP_LOAD_FP, 4, 0, 10, 16), DECODE_UNSUPPORTED);  /* flq */
	check_status(s_type(OP_STORE_FP, 4, 10, 0, 16), DECODE_UNSUPPORTED); /* fsq */
	check_status(0x02056087, DECODE_UNSUPPORTED);                        /* vle32.v v1, (a0) */
	check_status(0x02058127, DECODE_UNSUPPORTED);                        /* vse8.v v2, (a1) */
}

/*
 * Independent reference for every major opcode and funct3 of a 32-bit
 * instruction; the other bits must not matter.
 */
static enum decode_status reference_32(uint32_t opcode, uint32_t funct3,
                                       const struct expected_access **access)
{
	*access = NULL;
	for (size_t i = 0; i < ARRAY_LEN(standard); i++) {
		if (standard[i].opcode == opcode && standard[i].funct3 == funct3) {
			*access = &standard[i];
			return DECODE_OK;
		}
	}
	if (opcode == OP_LOAD || opcode == OP_STORE)
		return DECODE_RESERVED;
	if (opcode == OP_LOAD_FP || opcode == OP_STORE_FP)
		return DECODE_UNSUPPORTED;
	if (opcode == OP_AMO)
		return funct3 <= 4 ? DECODE_ATOMIC : DECODE_RESERVED;
	return DECODE_NOT_LOAD_STORE;
}

static const uint32_t fill_patterns[] = {0, 0xffffffffu, 0xa5a5a5a5u, 0x5a5a5a5au, 0x12345678u};

static void check_opcode_funct3(uint32_t opcode, uint32_t funct3, uint32_t fill)
{
	uint32_t insn = (fill & ~0x707fu) | funct3 << 12 | opcode;
	const struct expected_access *e;
	enum decode_status want = reference_32(opcode, funct3, &e);
	if (want != DECODE_OK) {
		check_status(insn, want);
		return;
	}
	unsigned reg = e->is_store ? (insn >> 20) & 31 : (insn >> 7) & 31;
	check_insn(insn, e, reg, 4);
}

static void test_sweep_32_bit_opcodes(void **state)
{
	(void)state;
	for (uint32_t op = 3; op < 128; op += 4) {
		for (uint32_t funct3 = 0; funct3 < 8; funct3++) {
			for (size_t f = 0; f < ARRAY_LEN(fill_patterns); f++)
				check_opcode_funct3(op, funct3, fill_patterns[f]);
		}
	}
}

/* ---- compressed loads and stores ---- */

/* Where each compressed format scatters its unsigned offset. */
enum c_format {
	CL_WORD,    /* C.LW, C.SW: uimm[5:3] 12:10, uimm[2] 6, uimm[6] 5 */
	CL_DOUBLE,  /* C.LD, C.SD, C.FLD, C.FSD: uimm[5:3] 12:10, uimm[7:6] 6:5 */
	CI_WORD,    /* C.LWSP: uimm[5] 12, uimm[4:2] 6:4, uimm[7:6] 3:2 */
	CI_DOUBLE,  /* C.LDSP, C.FLDSP: uimm[5] 12, uimm[4:3] 6:5, uimm[8:6] 4:2 */
	CSS_WORD,   /* C.SWSP: uimm[5:2] 12:9, uimm[7:6] 8:7 */
	CSS_DOUBLE, /* C.SDSP, C.FSDSP: uimm[5:3] 12:10, uimm[8:6] 9:7 */
	ZCB_BYTE,   /* C.LBU, C.SB: uimm[0] 6, uimm[1] 5 */
	ZCB_HALF,   /* C.LHU, C.LH, C.SH: uimm[1] 5 */
};

/* Register fields, by bit position. */
enum c_reg {
	REG_PRIME_4_2, /* rd' or rs2' in 4:2, x8..x15 */
	REG_11_7,      /* rd in 11:7 */
	REG_6_2,       /* rs2 in 6:2 */
};

struct compressed_form {
	const char *name;
	uint16_t mask;
	uint16_t match;
	enum c_format format;
	enum c_reg reg;
	bool rd_nonzero; /* rd = 0 is reserved */
	const char *expands_to;
};

static const struct compressed_form compressed[] = {
    {"c.fld", 0xe003, 0x2000, CL_DOUBLE, REG_PRIME_4_2, false, "fld"},
    {"c.lw", 0xe003, 0x4000, CL_WORD, REG_PRIME_4_2, false, "lw"},
    {"c.ld", 0xe003, 0x6000, CL_DOUBLE, REG_PRIME_4_2, false, "ld"},
    {"c.lbu", 0xfc03, 0x8000, ZCB_BYTE, REG_PRIME_4_2, false, "lbu"},
    {"c.lhu", 0xfc43, 0x8400, ZCB_HALF, REG_PRIME_4_2, false, "lhu"},
    {"c.lh", 0xfc43, 0x8440, ZCB_HALF, REG_PRIME_4_2, false, "lh"},
    {"c.sb", 0xfc03, 0x8800, ZCB_BYTE, REG_PRIME_4_2, false, "sb"},
    {"c.sh", 0xfc43, 0x8c00, ZCB_HALF, REG_PRIME_4_2, false, "sh"},
    {"c.fsd", 0xe003, 0xa000, CL_DOUBLE, REG_PRIME_4_2, false, "fsd"},
    {"c.sw", 0xe003, 0xc000, CL_WORD, REG_PRIME_4_2, false, "sw"},
    {"c.sd", 0xe003, 0xe000, CL_DOUBLE, REG_PRIME_4_2, false, "sd"},
    {"c.fldsp", 0xe003, 0x2002, CI_DOUBLE, REG_11_7, false, "fld"},
    {"c.lwsp", 0xe003, 0x4002, CI_WORD, REG_11_7, true, "lw"},
    {"c.ldsp", 0xe003, 0x6002, CI_DOUBLE, REG_11_7, true, "ld"},
    {"c.fsdsp", 0xe003, 0xa002, CSS_DOUBLE, REG_6_2, false, "fsd"},
    {"c.swsp", 0xe003, 0xc002, CSS_WORD, REG_6_2, false, "sw"},
    {"c.sdsp", 0xe003, 0xe002, CSS_DOUBLE, REG_6_2, false, "sd"},
};

static uint32_t bit(uint32_t value, unsigned from, unsigned to)
{
	return ((value >> from) & 1u) << to;
}

static uint32_t bits_to(uint32_t value, unsigned high, unsigned low, unsigned to)
{
	return ((value >> low) & ((1u << (high - low + 1)) - 1)) << to;
}

static uint32_t place_offset(enum c_format format, uint32_t u)
{
	switch (format) {
	case CL_WORD:
		return bits_to(u, 5, 3, 10) | bit(u, 2, 6) | bit(u, 6, 5);
	case CL_DOUBLE:
		return bits_to(u, 5, 3, 10) | bits_to(u, 7, 6, 5);
	case CI_WORD:
		return bit(u, 5, 12) | bits_to(u, 4, 2, 4) | bits_to(u, 7, 6, 2);
	case CI_DOUBLE:
		return bit(u, 5, 12) | bits_to(u, 4, 3, 5) | bits_to(u, 8, 6, 2);
	case CSS_WORD:
		return bits_to(u, 5, 2, 9) | bits_to(u, 7, 6, 7);
	case CSS_DOUBLE:
		return bits_to(u, 5, 3, 10) | bits_to(u, 8, 6, 7);
	case ZCB_BYTE:
		return bit(u, 0, 6) | bit(u, 1, 5);
	default:
		return bit(u, 1, 5);
	}
}

static uint32_t place_reg(enum c_reg kind, unsigned reg)
{
	switch (kind) {
	case REG_PRIME_4_2:
		return (uint32_t)(reg - 8) << 2;
	case REG_11_7:
		return (uint32_t)reg << 7;
	default:
		return (uint32_t)reg << 2;
	}
}

static unsigned reg_of(enum c_reg kind, uint32_t insn)
{
	switch (kind) {
	case REG_PRIME_4_2:
		return 8 + ((insn >> 2) & 7);
	case REG_11_7:
		return (insn >> 7) & 31;
	default:
		return (insn >> 2) & 31;
	}
}

/* Register-based forms also take rs1' in 9:7; stack forms have none. */
static uint32_t encode_c(const struct compressed_form *c, unsigned reg, unsigned rs1,
                         uint32_t offset)
{
	uint32_t insn = c->match | place_reg(c->reg, reg) | place_offset(c->format, offset);
	if (c->reg == REG_PRIME_4_2)
		insn |= (uint32_t)(rs1 - 8) << 7;
	return insn;
}

static const struct compressed_form *compressed_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(compressed); i++) {
		if (strcmp(compressed[i].name, name) == 0)
			return &compressed[i];
	}
	fail_msg("no compressed form %s", name);
	return NULL;
}

static void test_compressed_encoders_match_assembler(void **state)
{
	(void)state;
	/* llvm-mc -triple=riscv64 -mattr=+c,+d -show-encoding */
	assert_int_equal(encode_c(compressed_named("c.lw"), 8, 9, 124), 0x5ce0);
	assert_int_equal(encode_c(compressed_named("c.ld"), 10, 15, 248), 0x7fe8);
	assert_int_equal(encode_c(compressed_named("c.fld"), 10, 11, 8), 0x2588);
	assert_int_equal(encode_c(compressed_named("c.sw"), 10, 11, 4), 0xc1c8);
	assert_int_equal(encode_c(compressed_named("c.sd"), 10, 11, 8), 0xe588);
	assert_int_equal(encode_c(compressed_named("c.fsd"), 8, 15, 248), 0xbfe0);
	assert_int_equal(encode_c(compressed_named("c.lwsp"), 1, 0, 252), 0x50fe);
	assert_int_equal(encode_c(compressed_named("c.ldsp"), 31, 0, 504), 0x7ffe);
	assert_int_equal(encode_c(compressed_named("c.fldsp"), 0, 0, 504), 0x307e);
	assert_int_equal(encode_c(compressed_named("c.swsp"), 0, 0, 252), 0xdf82);
	assert_int_equal(encode_c(compressed_named("c.sdsp"), 31, 0, 504), 0xfffe);
	assert_int_equal(encode_c(compressed_named("c.fsdsp"), 31, 0, 504), 0xbffe);
	assert_int_equal(encode_c(compressed_named("c.sdsp"), 1, 0, 16), 0xe806);
	assert_int_equal(encode_c(compressed_named("c.fsdsp"), 27, 0, 24), 0xac6e);
	/* Zcb, from the riscv-opcodes description (LLVM test values). */
	assert_int_equal(encode_c(compressed_named("c.lbu"), 15, 14, 2), 0x833c);
	assert_int_equal(encode_c(compressed_named("c.lhu"), 15, 14, 2), 0x873c);
	assert_int_equal(encode_c(compressed_named("c.lh"), 15, 14, 2), 0x877c);
	assert_int_equal(encode_c(compressed_named("c.sb"), 15, 14, 2), 0x8b3c);
	assert_int_equal(encode_c(compressed_named("c.sh"), 15, 14, 2), 0x8f3c);
}

static void check_compressed(const struct compressed_form *c, unsigned reg, unsigned rs1,
                             uint32_t offset)
{
	uint32_t insn = encode_c(c, reg, rs1, offset);
	const struct expected_access *e = standard_named(c->expands_to);
	check_insn(insn, e, reg, 2);
	/* Whatever follows in the high half must not matter. */
	check_insn(insn | 0xffff0000u, e, reg, 2);
	check_insn(insn | 0x00130000u, e, reg, 2);
	/* The htinst form is the 32-bit expansion with bit 1 cleared. */
	check_transformed(transform(e, reg, 0) & ~2u, e, reg, 2, 0);
}

static const unsigned compressed_offsets[] = {0, 1, 2, 4, 8, 0x3c, 0x7c, 0xf8, 0x1f8, 0x1ff};

static void check_compressed_all_operands(const struct compressed_form *c)
{
	for (size_t r = 0; r < ARRAY_LEN(test_regs); r++) {
		unsigned reg = test_regs[r];
		if (c->reg == REG_PRIME_4_2 && (reg < 8 || reg > 15))
			continue;
		if (c->rd_nonzero && reg == 0)
			continue;
		for (size_t o = 0; o < ARRAY_LEN(compressed_offsets); o++) {
			check_compressed(c, reg, 8, compressed_offsets[o]);
			check_compressed(c, reg, 15, compressed_offsets[o]);
		}
	}
}

static void test_compressed_loads_and_stores(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(compressed); i++)
		check_compressed_all_operands(&compressed[i]);
}

static void test_compressed_register_mapping(void **state)
{
	(void)state;
	for (unsigned reg = 8; reg <= 15; reg++) {
		check_insn(encode_c(compressed_named("c.lw"), reg, 23 - reg, 0),
		           standard_named("lw"), reg, 2);
		check_insn(encode_c(compressed_named("c.sd"), reg, 23 - reg, 0),
		           standard_named("sd"), reg, 2);
		check_insn(encode_c(compressed_named("c.lbu"), reg, 8, 3), standard_named("lbu"),
		           reg, 2);
	}
	for (unsigned reg = 0; reg < 32; reg++) {
		check_insn(encode_c(compressed_named("c.fldsp"), reg, 0, 8), standard_named("fld"),
		           reg, 2);
		check_insn(encode_c(compressed_named("c.swsp"), reg, 0, 8), standard_named("sw"),
		           reg, 2);
	}
}

static void test_rv64_meanings(void **state)
{
	(void)state;
	/* c.flw fa0, 8(a1) on RV32 is c.ld a0, 8(a1) on RV64. */
	check_insn(0x6588, standard_named("ld"), 10, 2);
	/* c.fsw / c.flwsp / c.fswsp on RV32 are c.sd / c.ldsp / c.sdsp. */
	check_insn(0xe588, standard_named("sd"), 10, 2);
	check_insn(0x7ffe, standard_named("ld"), 31, 2);
	check_insn(0xfffe, standard_named("sd"), 31, 2);
}

static void test_reserved_compressed(void **state)
{
	(void)state;
	check_status(0x0000, DECODE_RESERVED);               /* the defined illegal instruction */
	check_status(0x0010, DECODE_RESERVED);               /* c.addi4spn with zero immediate */
	check_status(0x40fe & ~(31u << 7), DECODE_RESERVED); /* c.lwsp x0 */
	check_status(0x4002, DECODE_RESERVED);               /* c.lwsp x0, 0(sp) */
	check_status(0x7ffe & ~(31u << 7), DECODE_RESERVED); /* c.ldsp x0 */
	check_status(0x8c40, DECODE_RESERVED);               /* Zcb c.sh space with bit 6 set */
	for (uint32_t funct = 4; funct < 8; funct++)
		check_status(0x8000 | funct << 10, DECODE_RESERVED);
}

static void test_compressed_non_load_store(void **state)
{
	(void)state;
	check_status(0x0505, DECODE_NOT_LOAD_STORE); /* c.addi a0, 1 */
	check_status(0xa801, DECODE_NOT_LOAD_STORE); /* c.j 16 */
	check_status(0x0001, DECODE_NOT_LOAD_STORE); /* c.nop */
	check_status(0x0040, DECODE_NOT_LOAD_STORE); /* c.addi4spn s0, sp, 4 */
	check_status(0x8082, DECODE_NOT_LOAD_STORE); /* c.jr ra (ret) */
	check_status(0x9002, DECODE_NOT_LOAD_STORE); /* c.ebreak */
	check_status(0x050a, DECODE_NOT_LOAD_STORE); /* c.slli a0, 2 */
}

/*
 * The reference decoding of a 16-bit value: its form, or NULL with the
 * status a rejection must carry.
 */
static const struct compressed_form *reference_16(uint32_t insn, enum decode_status *status)
{
	for (size_t i = 0; i < ARRAY_LEN(compressed); i++) {
		const struct compressed_form *c = &compressed[i];
		if ((insn & c->mask) != c->match)
			continue;
		if (c->rd_nonzero && reg_of(c->reg, insn) == 0)
			break;
		*status = DECODE_OK;
		return c;
	}
	bool zcb_space = (insn & 0xe003) == 0x8000;
	bool stack_int_load = (insn & 0xc003) == 0x4002;
	bool addi4spn_zero = (insn & 0xffe3) == 0x0000;
	bool reserved = zcb_space || stack_int_load || addi4spn_zero;
	*status = reserved ? DECODE_RESERVED : DECODE_NOT_LOAD_STORE;
	return NULL;
}

static void check_16(uint32_t insn, unsigned *accepted)
{
	enum decode_status want;
	const struct compressed_form *c = reference_16(insn, &want);
	if (c == NULL) {
		check_status(insn, want);
		return;
	}
	const struct expected_access *e = standard_named(c->expands_to);
	unsigned reg = reg_of(c->reg, insn);
	check_insn(insn, e, reg, 2);
	check_transformed(transform(e, reg, 0) & ~2u, e, reg, 2, 0);
	(*accepted)++;
}

static void test_every_16_bit_value(void **state)
{
	(void)state;
	unsigned accepted = 0;
	for (uint32_t insn = 0; insn <= 0xffff; insn++) {
		if ((insn & 3) != 3)
			check_16(insn, &accepted);
	}
	/*
	 * 2048 values for each of the 12 forms fixing only funct3 and the
	 * quadrant, less the 64 with rd = 0 of C.LWSP and of C.LDSP; 256 for
	 * C.LBU and C.SB, 128 for C.LHU, C.LH and C.SH.
	 */
	assert_int_equal(accepted, 12 * 2048 - 2 * 64 + 2 * 256 + 3 * 128);
}

static void test_transformed_from_compressed_must_be_compressible(void **state)
{
	(void)state;
	static const char *const not_compressible[] = {"lb", "lwu", "flw", "fsw"};
	for (size_t i = 0; i < ARRAY_LEN(not_compressible); i++) {
		struct mmio_access got;
		uint32_t htinst = transform(standard_named(not_compressible[i]), 9, 0) & ~2u;
		assert_int_equal(decode_trapped(htinst, 0, false, &got), DECODE_RESERVED);
		check_zeroed(&got);
	}
}

static void test_transformed_with_immediate_reserved(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(standard); i++) {
		static const int32_t imms[] = {1, -1, 0x20, -2048};
		for (size_t k = 0; k < ARRAY_LEN(imms); k++) {
			struct mmio_access got;
			uint32_t htinst = encode(&standard[i], 10, 0, imms[k]);
			assert_int_equal(decode_trapped(htinst, 0, false, &got), DECODE_RESERVED);
			check_zeroed(&got);
		}
	}
}

/* ---- htinst pseudoinstructions ---- */

static void check_pseudo(uint32_t htinst, bool is_store, unsigned width)
{
	struct mmio_access got;
	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(decode_trapped(htinst, 0x0000a503, true, &got), DECODE_PAGE_TABLE_WALK);
	assert_int_equal(got.is_store, is_store);
	assert_int_equal(got.width, width);
	assert_int_equal(got.reg, 0);
	assert_int_equal(got.insn_len, 0);
	assert_false(got.is_fp);
}

static void test_page_table_walk_pseudoinstructions(void **state)
{
	(void)state;
	check_pseudo(0x00002000, false, 4);
	check_pseudo(0x00003000, false, 8);
	check_pseudo(0x00002020, true, 4);
	check_pseudo(0x00003020, true, 8);
	/* As raw instruction bits 0x2000 is c.fld f8, 0(x8), a real access. */
	check_insn(0x2000, standard_named("fld"), 8, 2);
}

static void test_other_even_htinst_values_reserved(void **state)
{
	(void)state;
	static const uint32_t values[] = {0x00001000, 0x00002010, 0x00002040, 0x00004000,
	                                  0x00003022, 0x00002002, 0x80002000, 0xfffffffe};
	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		struct mmio_access got;
		assert_int_equal(decode_trapped(values[i], 0x0000a503, true, &got),
		                 DECODE_RESERVED);
		check_zeroed(&got);
	}
}

/* ---- load and store values ---- */

static void test_extend(void **state)
{
	(void)state;
	assert_int_equal(mmio_extend(0x80, 1, true), 0xffffffffffffff80ull);
	assert_int_equal(mmio_extend(0x80, 1, false), 0x80);
	assert_int_equal(mmio_extend(0x1234567f, 1, true), 0x7f);
	assert_int_equal(mmio_extend(0xabcd8000, 2, true), 0xffffffffffff8000ull);
	assert_int_equal(mmio_extend(0xabcd8000, 2, false), 0x8000);
	assert_int_equal(mmio_extend(0x7fff, 2, true), 0x7fff);
	assert_int_equal(mmio_extend(0x1234567880000000ull, 4, true), 0xffffffff80000000ull);
	assert_int_equal(mmio_extend(0x1234567880000000ull, 4, false), 0x80000000);
	assert_int_equal(mmio_extend(0x7fffffff, 4, true), 0x7fffffff);
	assert_int_equal(mmio_extend(0x8000000000000001ull, 8, true), 0x8000000000000001ull);
	assert_int_equal(mmio_extend(0x8000000000000001ull, 8, false), 0x8000000000000001ull);
	assert_int_equal(mmio_extend(0xff, 0, true), 0);
}

static void test_load_and_store_values(void **state)
{
	(void)state;
	struct mmio_access a;
	assert_int_equal(decode_insn(0x80010503, &a), DECODE_OK); /* lb */
	assert_int_equal(mmio_load_value(&a, 0xfffe), 0xfffffffffffffffeull);
	assert_int_equal(decode_insn(0x00004483, &a), DECODE_OK); /* lbu */
	assert_int_equal(mmio_load_value(&a, 0xfffe), 0xfe);
	assert_int_equal(decode_insn(0x3e836283, &a), DECODE_OK); /* lwu */
	assert_int_equal(mmio_load_value(&a, 0xdeadbeefcafef00dull), 0xcafef00d);
	assert_int_equal(decode_insn(0xff852007, &a), DECODE_OK); /* flw: NaN-boxed */
	assert_int_equal(mmio_load_value(&a, 0x3f800000), 0xffffffff3f800000ull);
	assert_int_equal(decode_insn(0x7f8fbf87, &a), DECODE_OK); /* fld */
	assert_int_equal(mmio_load_value(&a, 0x3ff0000000000000ull), 0x3ff0000000000000ull);
	assert_int_equal(decode_insn(0x7e0f9fa3, &a), DECODE_OK); /* sh */
	assert_int_equal(mmio_store_value(&a, 0x123456789abcdef0ull), 0xdef0);
	assert_int_equal(decode_insn(0x00113823, &a), DECODE_OK); /* sd */
	assert_int_equal(mmio_store_value(&a, 0x123456789abcdef0ull), 0x123456789abcdef0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encoders_match_assembler),
	    cmocka_unit_test(test_assembled_loads_and_stores),
	    cmocka_unit_test(test_standard_loads_and_stores),
	    cmocka_unit_test(test_transformed_standard),
	    cmocka_unit_test(test_raw_used_when_htinst_is_zero),
	    cmocka_unit_test(test_non_load_store_rejected),
	    cmocka_unit_test(test_atomics_rejected),
	    cmocka_unit_test(test_transformed_atomics_rejected),
	    cmocka_unit_test(test_reserved_and_unsupported_32),
	    cmocka_unit_test(test_sweep_32_bit_opcodes),
	    cmocka_unit_test(test_compressed_encoders_match_assembler),
	    cmocka_unit_test(test_compressed_loads_and_stores),
	    cmocka_unit_test(test_compressed_register_mapping),
	    cmocka_unit_test(test_rv64_meanings),
	    cmocka_unit_test(test_reserved_compressed),
	    cmocka_unit_test(test_compressed_non_load_store),
	    cmocka_unit_test(test_every_16_bit_value),
	    cmocka_unit_test(test_transformed_from_compressed_must_be_compressible),
	    cmocka_unit_test(test_transformed_with_immediate_reserved),
	    cmocka_unit_test(test_page_table_walk_pseudoinstructions),
	    cmocka_unit_test(test_other_even_htinst_values_reserved),
	    cmocka_unit_test(test_extend),
	    cmocka_unit_test(test_load_and_store_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
