/* An emulated APLIC domain in MSI delivery mode (vmm/aplic.h). */
#include <string.h>

#include <vmm/aplic.h>
#include <vmm/bits.h>

#define DOMAINCFG   0x0000
#define SOURCECFG   0x0004 /* sourcecfg[i] at SOURCECFG + 4 * (i - 1) */
#define SETIP       0x1c00
#define SETIPNUM    0x1cdc
#define IN_CLRIP    0x1d00
#define CLRIPNUM    0x1ddc
#define SETIE       0x1e00
#define SETIENUM    0x1edc
#define CLRIE       0x1f00
#define CLRIENUM    0x1fdc
#define SETIPNUM_LE 0x2000
#define SETIPNUM_BE 0x2004
#define GENMSI      0x3000
#define TARGET      0x3004 /* target[i] at TARGET + 4 * (i - 1) */
#define BLOCK_SIZE  0x80   /* setip[0..31] and the like: 32 words */

#define DOMAINCFG_FIXED 0x80000000u
#define DOMAINCFG_IE    (1u << 8)
#define DOMAINCFG_DM    (1u << 2) /* MSI delivery mode, the only one here */
#define SOURCECFG_D     (1u << 10)
#define SOURCECFG_SM    0x7u
#define GENMSI_BUSY     (1u << 12)
#define HART_SHIFT      18
#define EIID_MASK       0x7ffu
/* Hart index and EIID; the guest index (bits 17:12) is 0: the guest's IMSIC has no guest files. */
#define TARGET_MASK (0xfffc0000u | EIID_MASK)

enum source_mode {
	INACTIVE = 0,
	DETACHED = 1,
	EDGE_RISING = 4,
	EDGE_FALLING = 5,
	LEVEL_HIGH = 6,
	LEVEL_LOW = 7,
};

static bool exists(unsigned source)
{
	return source >= 1 && source <= APLIC_SOURCES;
}

static enum source_mode mode(const struct aplic *a, unsigned source)
{
	return (enum source_mode)a->sourcecfg[source];
}

static bool active(const struct aplic *a, unsigned source)
{
	return mode(a, source) != INACTIVE;
}

static bool level_sensitive(enum source_mode m)
{
	return m == LEVEL_HIGH || m == LEVEL_LOW;
}

static bool wire_sensitive(enum source_mode m)
{
	return m >= EDGE_RISING;
}

/* The wire as the mode sees it: high means asserted. Inactive and detached sources read 0. */
static bool rectified(const struct aplic *a, unsigned source)
{
	enum source_mode m = mode(a, source);
	if (!wire_sensitive(m))
		return false;
	return bit(a->wire, source) != (m == EDGE_FALLING || m == LEVEL_LOW);
}

void aplic_reset(struct aplic *a, unsigned harts)
{
	memset(a, 0, sizeof(*a));
	a->harts = harts < APLIC_MAX_HARTS ? harts : APLIC_MAX_HARTS;
}

/* ---- What changes the pending and enable bits (AIA 4.7, MSI delivery mode) ---- */

/* A setip or setipnum write: a level-sensitive source takes it only while asserted. */
static void set_pending(struct aplic *a, unsigned source)
{
	if (!active(a, source))
		return;
	if (!level_sensitive(mode(a, source)) || rectified(a, source))
		set_bit(a->pending, source, true);
}

static void clear_pending(struct aplic *a, unsigned source)
{
	set_bit(a->pending, source, false);
}

static void enable(struct aplic *a, unsigned source)
{
	if (active(a, source))
		set_bit(a->enabled, source, true);
}

static void disable(struct aplic *a, unsigned source)
{
	set_bit(a->enabled, source, false);
}

/*
 * The rectified input went from `was` to `now`: a rise makes an edge or level
 * source pending, and a level source is never pending while it is low.
 */
static void input_changed(struct aplic *a, unsigned source, bool was, bool now)
{
	enum source_mode m = mode(a, source);
	if (wire_sensitive(m) && !was && now)
		set_bit(a->pending, source, true);
	if (level_sensitive(m) && !now)
		clear_pending(a, source);
}

void aplic_set_level(struct aplic *a, unsigned source, bool high)
{
	if (!exists(source))
		return;
	bool was = rectified(a, source);
	set_bit(a->wire, source, high);
	input_changed(a, source, was, rectified(a, source));
}

/*
 * The written mode: reserved modes are inactive, and so is any value with D
 * set, since a domain without children clears the whole register then.
 */
static enum source_mode written_mode(uint32_t value)
{
	uint32_t sm = value & SOURCECFG_SM;
	if ((value & SOURCECFG_D) || sm == 2 || sm == 3)
		return INACTIVE;
	return (enum source_mode)sm;
}

/*
 * A new mode starts from the wire, as if its rectified input had just risen
 * from low: an edge or level source whose input is high becomes pending (the
 * spec allows this on any sourcecfg write), and a level source whose input
 * is low is not pending. An inactive source has nothing. Writing the mode a
 * source already has changes nothing.
 */
static void write_sourcecfg(struct aplic *a, unsigned source, uint32_t value)
{
	enum source_mode m = written_mode(value);
	if (m == mode(a, source))
		return;
	a->sourcecfg[source] = m;
	if (m == INACTIVE) {
		clear_pending(a, source);
		disable(a, source);
		a->target[source] = 0;
		return;
	}
	input_changed(a, source, false, rectified(a, source));
}

/* ---- Registers ---- */

typedef void source_op(struct aplic *a, unsigned source);

/* The registers that act on sources: a block of 32 bit words and a by-number register each. */
static const struct {
	uint32_t words, number;
	source_op *op;
} source_registers[] = {
    {SETIP, SETIPNUM, set_pending},
    {IN_CLRIP, CLRIPNUM, clear_pending},
    {SETIE, SETIENUM, enable},
    {CLRIE, CLRIENUM, disable},
};

static bool in_block(uint32_t offset, uint32_t base, unsigned *word)
{
	if (offset < base || offset >= base + BLOCK_SIZE)
		return false;
	*word = (offset - base) / 4;
	return true;
}

/* The source a sourcecfg or target register at `offset` is for, if it exists. */
static bool source_at(uint32_t offset, uint32_t base, unsigned *source)
{
	if (offset < base)
		return false;
	*source = (offset - base) / 4 + 1;
	return exists(*source);
}

static uint32_t source_word(const uint32_t *words, unsigned word)
{
	return word < APLIC_WORDS ? words[word] : 0;
}

static uint32_t rectified_word(const struct aplic *a, unsigned word)
{
	uint32_t value = 0;
	for (unsigned i = 0; i < 32; i++)
		if (exists(word * 32 + i) && rectified(a, word * 32 + i))
			value |= 1u << i;
	return value;
}

static bool is_register(uint64_t offset)
{
	return offset < APLIC_SIZE && (offset & 3) == 0;
}

static uint32_t read_register(const struct aplic *a, uint32_t offset)
{
	unsigned n;
	if (offset == DOMAINCFG)
		return DOMAINCFG_FIXED | (a->ie ? DOMAINCFG_IE : 0) | DOMAINCFG_DM;
	if (offset < SETIP && source_at(offset, SOURCECFG, &n))
		return a->sourcecfg[n];
	if (in_block(offset, SETIP, &n))
		return source_word(a->pending, n);
	if (in_block(offset, IN_CLRIP, &n))
		return n < APLIC_WORDS ? rectified_word(a, n) : 0;
	if (in_block(offset, SETIE, &n))
		return source_word(a->enabled, n);
	if (offset == GENMSI)
		return a->genmsi | (a->genmsi_busy ? GENMSI_BUSY : 0);
	if (source_at(offset, TARGET, &n))
		return a->target[n];
	return 0; /* the by-number and clrie registers, msiaddrcfg and the reserved words */
}

bool aplic_read(struct aplic *a, uint64_t offset, uint32_t *value)
{
	*value = 0;
	if (!is_register(offset))
		return false;
	*value = read_register(a, (uint32_t)offset);
	return true;
}

static void for_each_source(struct aplic *a, unsigned word, uint32_t bits, source_op *op)
{
	for (unsigned i = 0; i < 32; i++)
		if ((bits >> i & 1) && exists(word * 32 + i))
			op(a, word * 32 + i);
}

static void for_number(struct aplic *a, uint32_t source, source_op *op)
{
	if (exists(source))
		op(a, source);
}

static uint32_t byte_swapped(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

/* One extempore message at a time: a write while one waits is ignored. */
static void write_genmsi(struct aplic *a, uint32_t value)
{
	if (a->genmsi_busy)
		return;
	a->genmsi = value & TARGET_MASK;
	a->genmsi_busy = true;
}

static bool write_source_register(struct aplic *a, uint32_t offset, uint32_t value)
{
	unsigned word;
	for (size_t r = 0; r < sizeof source_registers / sizeof source_registers[0]; r++) {
		if (offset == source_registers[r].number) {
			for_number(a, value, source_registers[r].op);
			return true;
		}
		if (in_block(offset, source_registers[r].words, &word)) {
			for_each_source(a, word, value, source_registers[r].op);
			return true;
		}
	}
	return false;
}

static void write_register(struct aplic *a, uint32_t offset, uint32_t value)
{
	unsigned source;
	if (write_source_register(a, offset, value))
		return;
	if (offset == DOMAINCFG)
		a->ie = value & DOMAINCFG_IE; /* DM and BE are fixed */
	else if (offset < SETIP && source_at(offset, SOURCECFG, &source))
		write_sourcecfg(a, source, value);
	else if (offset == SETIPNUM_LE)
		for_number(a, value, set_pending);
	else if (offset == SETIPNUM_BE)
		for_number(a, byte_swapped(value), set_pending);
	else if (offset == GENMSI)
		write_genmsi(a, value);
	else if (source_at(offset, TARGET, &source) && active(a, source))
		a->target[source] = value & TARGET_MASK;
}

bool aplic_write(struct aplic *a, uint64_t offset, uint32_t value)
{
	if (!is_register(offset))
		return false;
	write_register(a, (uint32_t)offset, value);
	return true;
}

/* ---- Messages ---- */

static struct aplic_msi message_to(uint32_t target)
{
	return (struct aplic_msi){.hart = target >> HART_SHIFT, .eiid = target & EIID_MASK};
}

static bool due(const struct aplic *a, unsigned source)
{
	return active(a, source) && bit(a->pending, source) && bit(a->enabled, source);
}

unsigned aplic_take_messages(struct aplic *a, struct aplic_msi *out, unsigned max)
{
	unsigned n = 0;
	/* The extempore message goes first and does not wait for IE (AIA 4.5.15). */
	if (n < max && a->genmsi_busy) {
		out[n++] = message_to(a->genmsi);
		a->genmsi_busy = false;
	}
	for (unsigned s = 1; a->ie && s <= APLIC_SOURCES && n < max; s++) {
		if (due(a, s)) {
			out[n++] = message_to(a->target[s]);
			clear_pending(a, s); /* forwarded */
		}
	}
	return n;
}
