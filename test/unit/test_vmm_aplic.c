/*
 * Unit tests of the APLIC the VMM emulates for its guest (vmm/src/aplic.c):
 * one supervisor-level domain in MSI delivery mode. Offsets and bits are
 * written out here from the RISC-V AIA specification (chapter 4), not taken
 * from the sources under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/aplic.h>

#define DOMAINCFG    0x0000ull
#define SOURCECFG(i) (4ull * (i)) /* 0x0004 for source 1 */
#define SETIP(k)     (0x1c00ull + 4 * (k))
#define SETIPNUM     0x1cdcull
#define IN_CLRIP(k)  (0x1d00ull + 4 * (k))
#define CLRIPNUM     0x1ddcull
#define SETIE(k)     (0x1e00ull + 4 * (k))
#define SETIENUM     0x1edcull
#define CLRIE(k)     (0x1f00ull + 4 * (k))
#define CLRIENUM     0x1fdcull
#define SETIPNUM_LE  0x2000ull
#define SETIPNUM_BE  0x2004ull
#define GENMSI       0x3000ull
#define TARGET(i)    (0x3000ull + 4ull * (i)) /* 0x3004 for source 1 */

#define DOMAINCFG_IE 0x100u
#define GENMSI_BUSY  0x1000u
#define SOURCECFG_D  0x400u
#define INACTIVE     0
#define DETACHED     1
#define EDGE1        4 /* rising edge */
#define EDGE0        5 /* falling edge */
#define LEVEL1       6 /* level high */
#define LEVEL0       7 /* level low */

/* A target register's value: hart index in bits 31:18, EIID in bits 10:0. */
#define TO(hart, eiid) ((uint32_t)(hart) << 18 | (uint32_t)(eiid))

#define HARTS       4
#define UART_SOURCE 10
#define MAX_MSGS    8

static struct aplic aplic;
static struct aplic_msi msgs[MAX_MSGS];

static int aplic_setup(void **state)
{
	(void)state;
	memset(&aplic, 0xa5, sizeof aplic); /* reset must clear everything */
	aplic_reset(&aplic, HARTS);
	memset(msgs, 0xa5, sizeof msgs);
	return 0;
}

static uint32_t rd(uint64_t offset)
{
	uint32_t value = 0xdeadbeef;
	assert_true(aplic_read(&aplic, offset, &value));
	return value;
}

static void wr(uint64_t offset, uint32_t value)
{
	assert_true(aplic_write(&aplic, offset, value));
}

static bool pending(unsigned source)
{
	return (rd(SETIP(source / 32)) >> (source % 32)) & 1;
}

static bool enabled(unsigned source)
{
	return (rd(SETIE(source / 32)) >> (source % 32)) & 1;
}

static unsigned take(void)
{
	return aplic_take_messages(&aplic, msgs, MAX_MSGS);
}

static void expect_one(unsigned hart, uint32_t eiid)
{
	assert_int_equal(take(), 1);
	assert_int_equal(msgs[0].hart, hart);
	assert_int_equal(msgs[0].eiid, eiid);
}

static void expect_none(void)
{
	assert_int_equal(take(), 0);
}

/* A source in `mode`, aimed at `hart` with `eiid`, enabled; the domain's IE on. */
static void configure(unsigned source, uint32_t mode, unsigned hart, uint32_t eiid)
{
	wr(SOURCECFG(source), mode);
	wr(TARGET(source), TO(hart, eiid));
	wr(SETIENUM, source);
	wr(DOMAINCFG, DOMAINCFG_IE);
}

/* ---- Reset and domaincfg ---- */

static void test_aplic_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(DOMAINCFG), 0x80000004); /* IE 0, DM 1 (MSI), BE 0 */
	for (unsigned i = 1; i <= APLIC_SOURCES; i++) {
		assert_int_equal(rd(SOURCECFG(i)), 0);
		assert_int_equal(rd(TARGET(i)), 0);
	}
	for (unsigned k = 0; k < 32; k++) {
		assert_int_equal(rd(SETIP(k)), 0);
		assert_int_equal(rd(IN_CLRIP(k)), 0);
		assert_int_equal(rd(SETIE(k)), 0);
	}
	assert_int_equal(rd(GENMSI), 0);
	assert_int_equal(aplic.harts, HARTS);
	expect_none();
}

static void test_aplic_reset_clamps_harts(void **state)
{
	(void)state;
	aplic_reset(&aplic, 1000);
	assert_int_equal(aplic.harts, APLIC_MAX_HARTS);
	aplic_reset(&aplic, 1);
	assert_int_equal(aplic.harts, 1);
}

static void test_aplic_domaincfg(void **state)
{
	(void)state;
	wr(DOMAINCFG, 0xffffffff); /* only IE is writable */
	assert_int_equal(rd(DOMAINCFG), 0x80000104);
	wr(DOMAINCFG, 0);
	assert_int_equal(rd(DOMAINCFG), 0x80000004);
	wr(DOMAINCFG, 0x1); /* BE stays 0 */
	assert_int_equal(rd(DOMAINCFG), 0x80000004);
	wr(DOMAINCFG, 0x0); /* DM stays 1: direct mode is not supported */
	assert_int_equal(rd(DOMAINCFG), 0x80000004);
	wr(DOMAINCFG, DOMAINCFG_IE);
	assert_int_equal(rd(DOMAINCFG), 0x80000104);
	wr(DOMAINCFG, 0x7f000000); /* the top byte is read-only */
	assert_int_equal(rd(DOMAINCFG), 0x80000004);
}

/* ---- sourcecfg ---- */

static void test_aplic_sourcecfg_modes(void **state)
{
	(void)state;
	/* Reserved modes 2 and 3 read back as inactive. */
	static const uint32_t read_back[8] = {0, 1, 0, 0, 4, 5, 6, 7};
	for (uint32_t sm = 0; sm < 8; sm++) {
		wr(SOURCECFG(UART_SOURCE), sm);
		assert_int_equal(rd(SOURCECFG(UART_SOURCE)), read_back[sm]);
	}
	wr(SOURCECFG(1), 0xfffff806); /* bits other than SM read 0 */
	assert_int_equal(rd(SOURCECFG(1)), LEVEL1);
	wr(SOURCECFG(APLIC_SOURCES), EDGE0);
	assert_int_equal(rd(SOURCECFG(APLIC_SOURCES)), EDGE0);
}

static void test_aplic_sourcecfg_delegate(void **state)
{
	(void)state;
	/* No child domains: D reads 0, and a write with D set zeroes the register. */
	wr(SOURCECFG(3), SOURCECFG_D | LEVEL1);
	assert_int_equal(rd(SOURCECFG(3)), 0);
	wr(SOURCECFG(3), EDGE1);
	wr(SETIENUM, 3);
	wr(SOURCECFG(3), SOURCECFG_D | 0x3ff);
	assert_int_equal(rd(SOURCECFG(3)), 0);
	assert_false(enabled(3)); /* inactive again */
}

static void test_aplic_sourcecfg_past_last(void **state)
{
	(void)state;
	wr(SOURCECFG(APLIC_SOURCES + 1), LEVEL1);
	wr(SOURCECFG(1023), LEVEL1);
	assert_int_equal(rd(SOURCECFG(APLIC_SOURCES + 1)), 0);
	assert_int_equal(rd(SOURCECFG(1023)), 0);
	wr(SETIENUM, APLIC_SOURCES + 1);
	assert_int_equal(rd(SETIE(3)), 0);
}

/* A new mode starts from the wire. */
static void test_aplic_mode_change_from_input(void **state)
{
	(void)state;
	aplic_set_level(&aplic, 5, true);
	wr(SOURCECFG(5), LEVEL1); /* high: pending */
	assert_true(pending(5));
	wr(SOURCECFG(5), LEVEL0); /* now low when rectified: not pending */
	assert_false(pending(5));
	wr(SOURCECFG(5), LEVEL1);
	wr(SETIENUM, 5);
	wr(TARGET(5), TO(1, 9));
	assert_true(pending(5));
	wr(SOURCECFG(5), INACTIVE); /* everything gone */
	assert_false(pending(5));
	assert_false(enabled(5));
	assert_int_equal(rd(TARGET(5)), 0);
	wr(SOURCECFG(5), EDGE1); /* high from inactive: a rise */
	assert_true(pending(5));
	assert_false(enabled(5)); /* enable stays off */
	/* A falling-edge source on a low wire sees a high rectified input. */
	wr(SOURCECFG(6), EDGE0);
	assert_true(pending(6));
	/* Detached: the wire does not matter. */
	aplic_set_level(&aplic, 7, true);
	wr(SOURCECFG(7), DETACHED);
	assert_false(pending(7));
}

static void test_aplic_same_mode_keeps_state(void **state)
{
	(void)state;
	configure(UART_SOURCE, LEVEL1, 0, 5);
	aplic_set_level(&aplic, UART_SOURCE, true);
	expect_one(0, 5);
	wr(SOURCECFG(UART_SOURCE), LEVEL1); /* the same mode: not pending again */
	assert_false(pending(UART_SOURCE));
	assert_true(enabled(UART_SOURCE));
	assert_int_equal(rd(TARGET(UART_SOURCE)), TO(0, 5));
	expect_none();
}

/* ---- Level-sensitive sources ---- */

static void test_aplic_level_high_message(void **state)
{
	(void)state;
	wr(SOURCECFG(UART_SOURCE), LEVEL1);
	wr(TARGET(UART_SOURCE), TO(2, 33));
	aplic_set_level(&aplic, UART_SOURCE, true);
	assert_true(pending(UART_SOURCE));
	expect_none(); /* not enabled, IE off */
	wr(SETIENUM, UART_SOURCE);
	expect_none(); /* IE off */
	assert_true(pending(UART_SOURCE));
	wr(DOMAINCFG, DOMAINCFG_IE);
	expect_one(2, 33);
	assert_false(pending(UART_SOURCE)); /* forwarding cleared it */
	expect_none();
}

static void test_aplic_level_enabled_after_ie(void **state)
{
	(void)state;
	wr(SOURCECFG(UART_SOURCE), LEVEL1);
	wr(TARGET(UART_SOURCE), TO(1, 2));
	wr(DOMAINCFG, DOMAINCFG_IE);
	aplic_set_level(&aplic, UART_SOURCE, true);
	expect_none(); /* IE on, but not enabled */
	wr(SETIENUM, UART_SOURCE);
	expect_one(1, 2);
}

static void test_aplic_level_still_high(void **state)
{
	(void)state;
	configure(UART_SOURCE, LEVEL1, 1, 40);
	aplic_set_level(&aplic, UART_SOURCE, true);
	expect_one(1, 40);
	aplic_set_level(&aplic, UART_SOURCE, true); /* still high: no new rise */
	expect_none();
	/* The handler's closing setipnum_le re-triggers a line that is still high. */
	wr(SETIPNUM_LE, UART_SOURCE);
	assert_true(pending(UART_SOURCE));
	expect_one(1, 40);
	expect_none();
	wr(SETIPNUM, UART_SOURCE);
	expect_one(1, 40);
	wr(SETIP(0), 1u << UART_SOURCE);
	expect_one(1, 40);
	expect_none();
}

static void test_aplic_level_set_while_low(void **state)
{
	(void)state;
	configure(UART_SOURCE, LEVEL1, 0, 1);
	wr(SETIPNUM, UART_SOURCE);
	wr(SETIPNUM_LE, UART_SOURCE);
	wr(SETIPNUM_BE, (uint32_t)UART_SOURCE << 24);
	wr(SETIP(0), 0xffffffff);
	assert_false(pending(UART_SOURCE));
	expect_none();
}

static void test_aplic_level_low_clears(void **state)
{
	(void)state;
	wr(SOURCECFG(UART_SOURCE), LEVEL1);
	aplic_set_level(&aplic, UART_SOURCE, true);
	assert_true(pending(UART_SOURCE));
	aplic_set_level(&aplic, UART_SOURCE, false);
	assert_false(pending(UART_SOURCE));
	wr(SETIENUM, UART_SOURCE);
	wr(DOMAINCFG, DOMAINCFG_IE);
	expect_none();
	aplic_set_level(&aplic, UART_SOURCE, true); /* a new rise */
	expect_one(0, 0);                           /* EIID 0 still makes a message */
}

static void test_aplic_level_low_inverted(void **state)
{
	(void)state;
	aplic_set_level(&aplic, 12, true);
	configure(12, LEVEL0, 3, 0x7ff);
	assert_false(pending(12));
	expect_none();
	assert_int_equal(rd(IN_CLRIP(0)), 0);
	aplic_set_level(&aplic, 12, false); /* asserted */
	assert_int_equal(rd(IN_CLRIP(0)), 1u << 12);
	expect_one(3, 0x7ff);
	wr(SETIPNUM_LE, 12); /* still asserted */
	expect_one(3, 0x7ff);
	aplic_set_level(&aplic, 12, true); /* deasserted */
	wr(SETIPNUM_LE, 12);
	assert_false(pending(12));
	expect_none();
}

static void test_aplic_ie_off_keeps_pending(void **state)
{
	(void)state;
	configure(UART_SOURCE, LEVEL1, 0, 3);
	wr(DOMAINCFG, 0);
	aplic_set_level(&aplic, UART_SOURCE, true);
	expect_none();
	expect_none();
	assert_true(pending(UART_SOURCE));
	wr(DOMAINCFG, DOMAINCFG_IE);
	expect_one(0, 3);
}

/* ---- Edge-sensitive and detached sources ---- */

static void test_aplic_edge_rising(void **state)
{
	(void)state;
	configure(20, EDGE1, 2, 7);
	expect_none();
	aplic_set_level(&aplic, 20, true);
	expect_one(2, 7);
	aplic_set_level(&aplic, 20, true); /* no edge */
	expect_none();
	aplic_set_level(&aplic, 20, false); /* the wrong edge */
	expect_none();
	aplic_set_level(&aplic, 20, true);
	expect_one(2, 7);
	/* Set by a write whatever the wire says. */
	wr(SETIPNUM, 20);
	expect_one(2, 7);
	aplic_set_level(&aplic, 20, false);
	wr(SETIP(0), 1u << 20);
	assert_true(pending(20));
	expect_one(2, 7);
	expect_none();
}

static void test_aplic_edge_rising_twice_before_taken(void **state)
{
	(void)state;
	configure(20, EDGE1, 0, 8);
	aplic_set_level(&aplic, 20, true);
	aplic_set_level(&aplic, 20, false);
	aplic_set_level(&aplic, 20, true);
	expect_one(0, 8); /* one pending bit, one message */
	expect_none();
	wr(SETIPNUM, 20);
	aplic_set_level(&aplic, 20, false); /* an edge source stays pending when its wire falls */
	assert_true(pending(20));
}

static void test_aplic_edge_falling(void **state)
{
	(void)state;
	aplic_set_level(&aplic, 33, true);
	configure(33, EDGE0, 1, 100);
	expect_none();
	aplic_set_level(&aplic, 33, false);
	expect_one(1, 100);
	aplic_set_level(&aplic, 33, true);
	expect_none();
	aplic_set_level(&aplic, 33, false);
	expect_one(1, 100);
	assert_int_equal(rd(IN_CLRIP(1)), 1u << 1); /* low wire, inverted */
}

static void test_aplic_detached(void **state)
{
	(void)state;
	configure(40, DETACHED, 3, 41);
	aplic_set_level(&aplic, 40, true);
	aplic_set_level(&aplic, 40, false);
	aplic_set_level(&aplic, 40, true);
	expect_none();
	assert_int_equal(rd(IN_CLRIP(1)), 0); /* its rectified input is 0 */
	wr(SETIPNUM, 40);
	expect_one(3, 41);
	wr(SETIP(1), 1u << 8);
	expect_one(3, 41);
	wr(SETIPNUM_LE, 40);
	wr(CLRIPNUM, 40);
	expect_none();
}

/* ---- in_clrip, clripnum ---- */

static void test_aplic_in_clrip_rectified(void **state)
{
	(void)state;
	static const struct {
		unsigned source, mode;
		bool wire;
	} sources[] = {
	    {1, LEVEL1, true},  {2, LEVEL1, false},  {33, EDGE0, false},   {34, EDGE0, true},
	    {40, LEVEL0, true}, {41, LEVEL0, false}, {64, DETACHED, true}, {65, INACTIVE, true},
	    {96, EDGE1, true},  {95, EDGE1, false},
	};
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		aplic_set_level(&aplic, sources[i].source, sources[i].wire);
		wr(SOURCECFG(sources[i].source), sources[i].mode);
	}
	assert_int_equal(rd(IN_CLRIP(0)), 1u << 1);
	assert_int_equal(rd(IN_CLRIP(1)), 1u << 1 | 1u << 9);
	assert_int_equal(rd(IN_CLRIP(2)), 0);
	assert_int_equal(rd(IN_CLRIP(3)), 1u << 0);
	assert_int_equal(rd(IN_CLRIP(4)), 0);
	assert_int_equal(rd(IN_CLRIP(31)), 0);
}

static void test_aplic_in_clrip_clears(void **state)
{
	(void)state;
	for (unsigned s = 1; s <= APLIC_SOURCES; s++)
		wr(SOURCECFG(s), DETACHED);
	for (unsigned k = 0; k < 4; k++)
		wr(SETIP(k), 0xffffffff);
	assert_int_equal(rd(SETIP(0)), 0xfffffffe); /* source 0 does not exist */
	assert_int_equal(rd(SETIP(1)), 0xffffffff);
	assert_int_equal(rd(SETIP(2)), 0xffffffff);
	assert_int_equal(rd(SETIP(3)), 0x1); /* source 96 is the last */
	wr(IN_CLRIP(0), 0x0000ff01);
	wr(IN_CLRIP(1), 0x80000001);
	wr(IN_CLRIP(3), 0xffffffff);
	assert_int_equal(rd(SETIP(0)), 0xffff00fe);
	assert_int_equal(rd(SETIP(1)), 0x7ffffffe);
	assert_int_equal(rd(SETIP(2)), 0xffffffff);
	assert_int_equal(rd(SETIP(3)), 0);
}

static void test_aplic_clripnum(void **state)
{
	(void)state;
	configure(50, LEVEL1, 2, 50);
	wr(DOMAINCFG, 0);
	aplic_set_level(&aplic, 50, true);
	assert_true(pending(50));
	wr(CLRIPNUM, 50);
	assert_false(pending(50));
	wr(DOMAINCFG, DOMAINCFG_IE);
	expect_none();
	wr(SETIPNUM, 50); /* still high: pending again */
	expect_one(2, 50);
	assert_int_equal(rd(CLRIPNUM), 0);
	assert_int_equal(rd(SETIPNUM), 0);
}

/* ---- Enables ---- */

static void test_aplic_enable_words(void **state)
{
	(void)state;
	for (unsigned s = 1; s <= APLIC_SOURCES; s++)
		wr(SOURCECFG(s), DETACHED);
	wr(SOURCECFG(70), INACTIVE);
	wr(SETIE(0), 0xffffffff);
	wr(SETIE(2), 0xffffffff);
	wr(SETIE(3), 0xffffffff);
	wr(SETIE(4), 0xffffffff); /* no sources there */
	assert_int_equal(rd(SETIE(0)), 0xfffffffe);
	assert_int_equal(rd(SETIE(1)), 0);
	assert_int_equal(rd(SETIE(2)), ~(1u << 6)); /* source 70 is inactive */
	assert_int_equal(rd(SETIE(3)), 0x1);
	assert_int_equal(rd(SETIE(4)), 0);
	wr(CLRIE(0), 0x0000ff00);
	wr(CLRIE(3), 0xffffffff);
	assert_int_equal(rd(SETIE(0)), 0xffff00fe);
	assert_int_equal(rd(SETIE(3)), 0);
	assert_int_equal(rd(CLRIE(0)), 0);
	wr(SETIENUM, 33);
	wr(SETIENUM, 96);
	wr(CLRIENUM, 1);
	assert_int_equal(rd(SETIE(1)), 0x2);
	assert_int_equal(rd(SETIE(3)), 0x1);
	assert_int_equal(rd(SETIE(0)), 0xffff00fc);
	assert_int_equal(rd(SETIENUM), 0);
	assert_int_equal(rd(CLRIENUM), 0);
}

static void test_aplic_disabled_stays_pending(void **state)
{
	(void)state;
	configure(30, DETACHED, 1, 30);
	wr(CLRIENUM, 30);
	wr(SETIPNUM, 30);
	expect_none();
	assert_true(pending(30));
	wr(SETIE(0), 1u << 30);
	expect_one(1, 30);
}

/* ---- Targets ---- */

static void test_aplic_target_fields(void **state)
{
	(void)state;
	wr(SOURCECFG(3), DETACHED);
	wr(TARGET(3), 0xffffffff); /* guest index and bit 11 read 0 */
	assert_int_equal(rd(TARGET(3)), 0xfffc07ff);
	wr(TARGET(3), TO(HARTS + 5, 0x15) | 0x3f000); /* a hart past the last is kept */
	assert_int_equal(rd(TARGET(3)), TO(HARTS + 5, 0x15));
	wr(SETIENUM, 3);
	wr(SETIPNUM, 3);
	wr(DOMAINCFG, DOMAINCFG_IE);
	expect_one(HARTS + 5, 0x15);
	wr(TARGET(3), 0xffffffff);
	wr(SETIPNUM, 3);
	expect_one(0x3fff, 0x7ff);
	wr(TARGET(APLIC_SOURCES + 1), 0xffffffff); /* no such source */
	assert_int_equal(rd(TARGET(APLIC_SOURCES + 1)), 0);
	assert_int_equal(rd(TARGET(1023)), 0);
}

static void test_aplic_messages_in_order(void **state)
{
	(void)state;
	configure(9, DETACHED, 3, 90);
	configure(2, DETACHED, 1, 20);
	configure(95, DETACHED, 0, 950);
	wr(SETIPNUM, 95);
	wr(SETIPNUM, 9);
	wr(SETIPNUM, 2);
	assert_int_equal(take(), 3);
	assert_int_equal(msgs[0].hart, 1);
	assert_int_equal(msgs[0].eiid, 20);
	assert_int_equal(msgs[1].hart, 3);
	assert_int_equal(msgs[1].eiid, 90);
	assert_int_equal(msgs[2].hart, 0);
	assert_int_equal(msgs[2].eiid, 950);
	assert_int_equal(rd(SETIP(0)) | rd(SETIP(2)), 0);
}

static void test_aplic_take_respects_max(void **state)
{
	(void)state;
	for (unsigned s = 1; s <= 5; s++) {
		configure(s, DETACHED, 0, 100 + s);
		wr(SETIPNUM, s);
	}
	assert_int_equal(aplic_take_messages(&aplic, NULL, 0), 0);
	assert_int_equal(rd(SETIP(0)), 0x3e);
	assert_int_equal(aplic_take_messages(&aplic, msgs, 2), 2);
	assert_int_equal(msgs[0].eiid, 101);
	assert_int_equal(msgs[1].eiid, 102);
	assert_int_equal(msgs[2].eiid, 0xa5a5a5a5); /* nothing written past max */
	assert_int_equal(rd(SETIP(0)), 0x38);       /* the rest still pending */
	assert_int_equal(aplic_take_messages(&aplic, msgs, 1), 1);
	assert_int_equal(msgs[0].eiid, 103);
	assert_int_equal(take(), 2);
	assert_int_equal(msgs[0].eiid, 104);
	assert_int_equal(msgs[1].eiid, 105);
	expect_none();
}

/* ---- genmsi ---- */

static void test_aplic_genmsi(void **state)
{
	(void)state;
	wr(GENMSI, TO(3, 0x123) | 0x2f800); /* bits 17:11 are not kept */
	assert_int_equal(rd(GENMSI), TO(3, 0x123) | GENMSI_BUSY);
	wr(GENMSI, TO(1, 0x55)); /* busy: ignored */
	assert_int_equal(rd(GENMSI), TO(3, 0x123) | GENMSI_BUSY);
	expect_one(3, 0x123); /* sent with IE off too */
	assert_int_equal(rd(GENMSI), TO(3, 0x123));
	expect_none();
	wr(GENMSI, TO(1, 0x55) | GENMSI_BUSY);
	assert_int_equal(rd(GENMSI), TO(1, 0x55) | GENMSI_BUSY);
	expect_one(1, 0x55);
}

static void test_aplic_genmsi_first(void **state)
{
	(void)state;
	configure(4, DETACHED, 2, 44);
	wr(SETIPNUM, 4);
	wr(GENMSI, TO(0, 1));
	assert_int_equal(aplic_take_messages(&aplic, msgs, 1), 1);
	assert_int_equal(msgs[0].hart, 0);
	assert_int_equal(msgs[0].eiid, 1);
	assert_int_equal(rd(GENMSI) & GENMSI_BUSY, 0);
	assert_true(pending(4));
	expect_one(2, 44);
}

/* ---- What is ignored ---- */

static void test_aplic_inactive_ignores(void **state)
{
	(void)state;
	static const uint32_t inactive[] = {INACTIVE, 2, 3}; /* 2 and 3 are reserved */
	wr(DOMAINCFG, DOMAINCFG_IE);
	for (size_t i = 0; i < sizeof inactive / sizeof inactive[0]; i++) {
		wr(SOURCECFG(20), inactive[i]);
		aplic_set_level(&aplic, 20, true);
		wr(SETIPNUM, 20);
		wr(SETIPNUM_LE, 20);
		wr(SETIP(0), 1u << 20);
		wr(SETIENUM, 20);
		wr(SETIE(0), 1u << 20);
		wr(TARGET(20), TO(1, 2));
		aplic_set_level(&aplic, 20, false);
		aplic_set_level(&aplic, 20, true);
		assert_int_equal(rd(SETIP(0)), 0);
		assert_int_equal(rd(SETIE(0)), 0);
		assert_int_equal(rd(IN_CLRIP(0)), 0);
		assert_int_equal(rd(TARGET(20)), 0);
		expect_none();
	}
}

static void test_aplic_setipnum_be(void **state)
{
	(void)state;
	configure(37, DETACHED, 1, 3);
	wr(SETIPNUM_BE, 37); /* 0x25000000 as a number: no such source */
	assert_false(pending(37));
	wr(SETIPNUM_BE, 0x25000000);
	assert_true(pending(37));
	assert_int_equal(rd(SETIPNUM_BE), 0);
	assert_int_equal(rd(SETIPNUM_LE), 0);
	expect_one(1, 3);
}

static void test_aplic_out_of_range_numbers(void **state)
{
	(void)state;
	static const uint32_t bad[] = {0, APLIC_SOURCES + 1, 1023, 1024, 0x80000001, 0xffffffff};
	static const uint64_t by_number[] = {SETIPNUM, CLRIPNUM,    SETIENUM,
	                                     CLRIENUM, SETIPNUM_LE, SETIPNUM_BE};
	static struct aplic before;
	for (unsigned s = 1; s <= APLIC_SOURCES; s++)
		wr(SOURCECFG(s), DETACHED);
	wr(SETIE(1), 0x0f0f0f0f);
	wr(SETIP(2), 0xf0f0f0f0);
	memcpy(&before, &aplic, sizeof aplic);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (size_t r = 0; r < sizeof by_number / sizeof by_number[0]; r++)
			wr(by_number[r], bad[i]);
		aplic_set_level(&aplic, bad[i], true);
	}
	assert_memory_equal(&aplic, &before, sizeof aplic);
}

static void test_aplic_bad_offsets(void **state)
{
	(void)state;
	static const uint64_t none[] = {
	    0x1,
	    0x2,
	    0x3,
	    0x1c01,
	    0x3006,
	    APLIC_SIZE,
	    APLIC_SIZE + 4,
	    0x4020,
	    0x100000000ull,
	    0x100001cdcull,
	    UINT64_MAX - 3,
	    UINT64_MAX,
	};
	static struct aplic before;
	configure(1, DETACHED, 1, 1);
	memcpy(&before, &aplic, sizeof aplic);
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		uint32_t value = 0xdeadbeef;
		assert_false(aplic_read(&aplic, none[i], &value));
		assert_int_equal(value, 0);
		assert_false(aplic_write(&aplic, none[i], 1));
	}
	assert_memory_equal(&aplic, &before, sizeof aplic);
}

static void test_aplic_reserved_offsets(void **state)
{
	(void)state;
	/* msiaddrcfg and friends (machine level only), gaps, the targets past the last. */
	static const uint64_t reserved[] = {
	    0x1bc0, 0x1bc4, 0x1bc8, 0x1bcc, 0x1bfc, SOURCECFG(APLIC_SOURCES + 1),
	    0x1c80, 0x1cd8, 0x1ce0, 0x2008, 0x2ffc, TARGET(APLIC_SOURCES + 1),
	    0x3ffc,
	};
	static struct aplic before;
	configure(1, DETACHED, 1, 1);
	memcpy(&before, &aplic, sizeof aplic);
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		wr(reserved[i], 0xffffffff);
		assert_int_equal(rd(reserved[i]), 0);
	}
	assert_memory_equal(&aplic, &before, sizeof aplic);
}

#define APLIC_TEST(fn) cmocka_unit_test_setup(fn, aplic_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    APLIC_TEST(test_aplic_reset_state),
	    APLIC_TEST(test_aplic_reset_clamps_harts),
	    APLIC_TEST(test_aplic_domaincfg),
	    APLIC_TEST(test_aplic_sourcecfg_modes),
	    APLIC_TEST(test_aplic_sourcecfg_delegate),
	    APLIC_TEST(test_aplic_sourcecfg_past_last),
	    APLIC_TEST(test_aplic_mode_change_from_input),
	    APLIC_TEST(test_aplic_same_mode_keeps_state),
	    APLIC_TEST(test_aplic_level_high_message),
	    APLIC_TEST(test_aplic_level_enabled_after_ie),
	    APLIC_TEST(test_aplic_level_still_high),
	    APLIC_TEST(test_aplic_level_set_while_low),
	    APLIC_TEST(test_aplic_level_low_clears),
	    APLIC_TEST(test_aplic_level_low_inverted),
	    APLIC_TEST(test_aplic_ie_off_keeps_pending),
	    APLIC_TEST(test_aplic_edge_rising),
	    APLIC_TEST(test_aplic_edge_rising_twice_before_taken),
	    APLIC_TEST(test_aplic_edge_falling),
	    APLIC_TEST(test_aplic_detached),
	    APLIC_TEST(test_aplic_in_clrip_rectified),
	    APLIC_TEST(test_aplic_in_clrip_clears),
	    APLIC_TEST(test_aplic_clripnum),
	    APLIC_TEST(test_aplic_enable_words),
	    APLIC_TEST(test_aplic_disabled_stays_pending),
	    APLIC_TEST(test_aplic_target_fields),
	    APLIC_TEST(test_aplic_messages_in_order),
	    APLIC_TEST(test_aplic_take_respects_max),
	    APLIC_TEST(test_aplic_genmsi),
	    APLIC_TEST(test_aplic_genmsi_first),
	    APLIC_TEST(test_aplic_inactive_ignores),
	    APLIC_TEST(test_aplic_setipnum_be),
	    APLIC_TEST(test_aplic_out_of_range_numbers),
	    APLIC_TEST(test_aplic_bad_offsets),
	    APLIC_TEST(test_aplic_reserved_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
