/*
 * Fuzzing of the VMM's guest-facing models: the SBI dispatcher, the PLIC,
 * the APLIC and the UART, all of which a guest drives with values of its
 * choosing.
 *
 * LLVMFuzzerTestOneInput() is a libFuzzer entry point: with clang,
 *     clang -fsanitize=fuzzer,address,undefined -DFUZZ_WITH_LIBFUZZER \
 *           -Ivmm/include test/fuzz/fuzz_vmm.c vmm/src/sbi.c vmm/src/plic.c \
 *           vmm/src/aplic.c vmm/src/uart.c
 * Without libFuzzer (gcc has none), main() drives it:
 *     fuzz_vmm FILE...                   each file once
 *     fuzz_vmm --runs N [--seed S]       N seeded random inputs
 *
 * An input is a machine (1-8 harts, a guest memory of 1-256 bytes allocated
 * to its exact size, so the sanitizers catch a read past its end) and then a
 * sequence of operations: SBI calls with arbitrary registers, PLIC and APLIC
 * accesses at arbitrary offsets, device levels (on any source number, for
 * the APLIC), APLIC messages taken a few at a time, UART accesses. Invariants
 * are checked after every step; a broken one aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmm/aplic.h>
#include <vmm/plic.h>
#include <vmm/sbi.h>
#include <vmm/uart.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "fuzz_vmm: invariant broken: %s\n", #cond); \
			abort();                                                    \
		}                                                                   \
	} while (0)

#define MAX_HARTS 8
#define MEM_BASE  0x80000000ull

/* ---- Reading the input ---- */

struct reader {
	const uint8_t *data;
	size_t size, at;
};

static uint8_t byte(struct reader *r)
{
	return r->at < r->size ? r->data[r->at++] : 0;
}

static uint64_t raw64(struct reader *r)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(r);
	return v;
}

/* The world the operations act on. */
struct world {
	struct sbi_machine machine;
	struct guest_memory mem;
	struct plic plic;
	struct aplic aplic;
	struct uart uart;
	bool started[MAX_HARTS];
	unsigned calls; /* hart callbacks in the current SBI call */
	unsigned hits[MAX_HARTS];
	uint64_t console_bytes; /* console output in the current call */
	bool console_from_memory;
	unsigned uart_outputs;
};

static struct world w;

/* How often the deeper paths were reached, for the driver's report. */
static struct {
	unsigned long claims, console_writes, mask_calls, aplic_messages;
} stats;

/* A value a guest might pass: mostly near the edges that matter, sometimes anything. */
static uint64_t value(struct reader *r)
{
	uint8_t kind = byte(r), small = byte(r);
	uint64_t near = (uint64_t)(int64_t)((int8_t)small / 16); /* -8 to 7 */
	switch (kind % 12) {
	case 0:
		return 0;
	case 1:
		return small;
	case 2:
		return w.mem.base + small;
	case 3:
		return w.mem.base + w.mem.size + near;
	case 4:
		return w.mem.base + near;
	case 5:
		return w.mem.size + near;
	case 6:
		return UINT64_MAX - small % 8;
	case 7:
		return 1ull << (small % 64);
	case 8:
		return w.machine.harts + near;
	default:
		return raw64(r);
	}
}

/* ---- The fake machine: checks what the SBI asks of it ---- */

static void hart_called(unsigned hart)
{
	REQUIRE(hart < w.machine.harts);
	w.calls++;
	w.hits[hart]++;
}

static long fake_hart_start(unsigned hart, uint64_t start_addr, uint64_t opaque)
{
	(void)start_addr;
	(void)opaque;
	hart_called(hart);
	if (w.started[hart])
		return SBI_ERR_ALREADY_AVAILABLE;
	w.started[hart] = true;
	return SBI_SUCCESS;
}

static long fake_hart_status(unsigned hart)
{
	hart_called(hart);
	return w.started[hart] ? SBI_HSM_STARTED : SBI_HSM_STOPPED;
}

/* TIME set_timer: no hart callback; the value is whatever the guest asked for. */
static void fake_set_timer(uint64_t stime_value)
{
	(void)stime_value;
}

static void fake_console(const char *bytes, uint64_t len)
{
	uintptr_t host = (uintptr_t)w.mem.host, at = (uintptr_t)bytes;
	w.console_from_memory = at >= host && at - host <= w.mem.size;
	if (w.console_from_memory)
		REQUIRE(len <= w.mem.size && at - host <= w.mem.size - len);
	else
		REQUIRE(len == 1); /* a single byte of its own */
	/* Touch every byte, so a buffer outside the allocation is caught. */
	volatile char sink = 0;
	for (uint64_t i = 0; i < len; i++)
		sink ^= bytes[i];
	(void)sink;
	w.console_bytes += len;
}

static void fake_uart_output(const char *bytes, uint64_t len)
{
	REQUIRE(len == 1 && bytes != NULL);
	w.uart_outputs++;
}

/* ---- SBI ---- */

static const uint64_t extensions[] = {
    SBI_EXT_BASE, SBI_EXT_DBCN,   SBI_EXT_SRST,           SBI_EXT_HSM,
    SBI_EXT_IPI,  SBI_EXT_RFENCE, SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR,
    0x54494d45,   0x504d55, /* TIME, PMU: absent */
};

static unsigned popcount(uint64_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* What a hart mask call must have done: every named hart once, or none if it failed. */
static void check_mask(const struct sbi_request *q, const struct sbi_result *res)
{
	if (res->error != SBI_SUCCESS) {
		REQUIRE(res->error == SBI_ERR_INVALID_PARAM || res->error == SBI_ERR_NOT_SUPPORTED);
		REQUIRE(w.calls == 0);
		return;
	}
	unsigned expected = q->arg[1] == UINT64_MAX ? w.machine.harts : popcount(q->arg[0]);
	stats.mask_calls++;
	REQUIRE(w.calls == expected);
	for (unsigned h = 0; h < w.machine.harts; h++)
		REQUIRE(w.hits[h] <= 1);
}

static void check_dbcn(const struct sbi_request *q, const struct sbi_result *res)
{
	if (q->fid == 0 && res->error == SBI_SUCCESS) {
		stats.console_writes++;
		REQUIRE(w.console_from_memory || q->arg[0] == 0);
		REQUIRE(w.console_bytes == q->arg[0] && (uint64_t)res->value == q->arg[0]);
	} else if (q->fid == 2) {
		REQUIRE(res->error == SBI_SUCCESS && w.console_bytes == 1);
	} else {
		REQUIRE(w.console_bytes == 0);
	}
	if (q->fid <= 1 && res->error == SBI_SUCCESS) /* the buffer was inside the memory */
		REQUIRE(q->arg[2] == 0 && q->arg[1] >= w.mem.base &&
		        q->arg[1] - w.mem.base + q->arg[0] <= w.mem.size);
}

static void check_sbi(const struct sbi_request *q, const struct sbi_result *res)
{
	bool legacy = q->ext == SBI_EXT_LEGACY_PUTCHAR || q->ext == SBI_EXT_LEGACY_GETCHAR;
	REQUIRE((res->action == SBI_LEGACY) == legacy);
	REQUIRE(res->action != SBI_SHUTDOWN || (q->ext == SBI_EXT_SRST && q->arg[0] == 0));
	REQUIRE(res->action != SBI_REBOOT ||
	        (q->ext == SBI_EXT_SRST && (q->arg[0] == 1 || q->arg[0] == 2)));
	REQUIRE(res->action != SBI_STOP_HART || (q->ext == SBI_EXT_HSM && q->fid == 1));
	REQUIRE(res->error <= 0 && res->error >= SBI_ERR_ALREADY_AVAILABLE);
	REQUIRE(res->error == SBI_SUCCESS || res->value == 0);
	if (q->ext != SBI_EXT_DBCN && q->ext != SBI_EXT_LEGACY_PUTCHAR)
		REQUIRE(w.console_bytes == 0);
	if (q->ext == SBI_EXT_DBCN)
		check_dbcn(q, res);
	else if (q->ext == SBI_EXT_IPI || (q->ext == SBI_EXT_RFENCE && q->fid <= 2))
		check_mask(q, res);
	else if (q->ext != SBI_EXT_HSM)
		REQUIRE(w.calls == 0);
	else if (res->error == SBI_ERR_INVALID_PARAM)
		REQUIRE(w.calls == 0 && q->arg[0] >= w.machine.harts);
	else if (res->error == SBI_ERR_INVALID_ADDRESS) /* hart_start outside guest memory */
		REQUIRE(w.calls == 0 && q->fid == 0);
	else if (q->fid == 0 || q->fid == 2) /* hart_start, hart_get_status */
		REQUIRE(w.calls == 1 && w.hits[q->arg[0]] == 1);
	if (q->ext == SBI_EXT_BASE && q->fid == 0)
		REQUIRE(res->value == SBI_SPEC_VERSION);
}

static void step_sbi(struct reader *r)
{
	struct sbi_request q;
	uint8_t e = byte(r);
	q.ext = e < 22 * sizeof extensions / sizeof extensions[0]
	            ? extensions[e % (sizeof extensions / sizeof extensions[0])]
	            : value(r);
	uint8_t f = byte(r);
	/* Mostly the functions that exist (0-2 everywhere, up to 6 in RFENCE). */
	q.fid = f < 128 ? f % 3 : f < 240 ? f % 8 : value(r);
	for (int i = 0; i < 6; i++)
		q.arg[i] = value(r);
	if (f & 1) /* a plausible DBCN base_hi and a small console buffer */
		q.arg[2] = 0;
	w.calls = 0;
	memset(w.hits, 0, sizeof w.hits);
	w.console_bytes = 0;
	w.console_from_memory = false;
	struct sbi_result res = sbi_handle(&q, &w.mem, &w.machine);
	check_sbi(&q, &res);
}

/* ---- PLIC ---- */

/*
 * A word of a context's block: the threshold now and then (a high one
 * masks everything), mostly claim/complete, sometimes a hole.
 */
static unsigned context_reg(uint8_t b)
{
	return b % 8 == 0 ? 0 : b % 8 < 6 ? 1 : 2 + b % 1024;
}

static uint64_t plic_offset(struct reader *r)
{
	uint8_t kind = byte(r), a = byte(r), b = byte(r);
	/* Now and then misaligned; mostly a context that exists. */
	uint64_t misalign = (kind & 0xe0) == 0xe0 ? (kind >> 3) & 3 : 0;
	unsigned context = a & 0x80 ? a % 10 : a % w.machine.harts;
	switch (kind % 5) {
	case 0:
		return 4ull * (a & 0x80 ? a : 1 + a % 4) + misalign; /* priorities, mostly of 1-4 */
	case 1:
		return 0x1000 + 4ull * (a % 8) + misalign; /* pending */
	case 2:
		return 0x2000 + 0x80ull * context + 4ull * (b & 0x80 ? b % 34 : 0) +
		       misalign; /* enables, mostly of 0-31 */
	case 3:
		return 0x200000 + 0x1000ull * context + 4ull * context_reg(b) + misalign;
	default:
		return value(r);
	}
}

/* A claim by `context` on a copy: what the guest would get, without taking it. */
static uint32_t peek_claim(unsigned context)
{
	static struct plic copy;
	uint32_t id;
	copy = w.plic;
	REQUIRE(plic_read(&copy, 0x200004 + 0x1000ull * context, &id));
	return id;
}

static bool bit(const uint32_t *words, unsigned n)
{
	return (words[n / 32] >> (n % 32)) & 1;
}

static void check_plic(void)
{
	const struct plic *p = &w.plic;
	REQUIRE(p->priority[0] == 0);
	for (unsigned s = 1; s < PLIC_SOURCES; s++)
		REQUIRE(p->priority[s] <= 7);
	for (unsigned c = 0; c < PLIC_CONTEXTS; c++) {
		REQUIRE(p->threshold[c] <= 7 && (p->enable[c][0] & 1) == 0);
		if (c >= p->contexts) {
			REQUIRE(!plic_line(p, c));
			continue;
		}
		uint32_t id = peek_claim(c);
		REQUIRE(plic_line(p, c) == (id != 0));
		if (id != 0)
			REQUIRE(id < PLIC_SOURCES && bit(p->enable[c], id) && bit(p->level, id) &&
			        !bit(p->claimed, id) && p->priority[id] > p->threshold[c]);
	}
}

static void step_plic(struct reader *r, bool write)
{
	uint64_t offset = plic_offset(r);
	uint32_t v = (uint32_t)value(r);
	bool ok;
	if (write) {
		ok = plic_write(&w.plic, offset, v);
	} else {
		uint32_t before = 0;
		if (offset % 0x1000 == 4 && offset >= 0x200000 &&
		    offset < 0x200000 + 0x1000ull * w.plic.contexts)
			before = peek_claim((unsigned)((offset - 0x200000) / 0x1000));
		ok = plic_read(&w.plic, offset, &v);
		REQUIRE(ok || v == 0);
		if (ok && before != 0) {
			REQUIRE(v == before && bit(w.plic.claimed, v)); /* the claim took it */
			stats.claims++;
		}
	}
	if (offset & 3)
		REQUIRE(!ok);
	check_plic();
}

/* What a guest driver does: a source configured for a context and raised. */
static void step_configure(struct reader *r)
{
	unsigned source = 1 + byte(r) % 8, context = byte(r) % w.plic.contexts;
	uint32_t enabled;
	REQUIRE(plic_write(&w.plic, 4ull * source, 1 + byte(r) % 7));
	REQUIRE(plic_read(&w.plic, 0x2000 + 0x80ull * context, &enabled));
	REQUIRE(plic_write(&w.plic, 0x2000 + 0x80ull * context, enabled | 1u << source));
	plic_set_level(&w.plic, source, true);
	check_plic();
}

/* What a guest's handler does at the end: a claimed source completed (or not: high again). */
static void step_complete(struct reader *r)
{
	unsigned source = 1 + byte(r) % 8, context = byte(r) % w.plic.contexts;
	plic_set_level(&w.plic, source, byte(r) & 1);
	REQUIRE(plic_write(&w.plic, 0x200004 + 0x1000ull * context, source));
	check_plic();
}

static void step_level(struct reader *r)
{
	uint8_t s = byte(r);
	if ((s & 0x30) == 0x30)
		step_configure(r);
	else if ((s & 0x30) == 0x20)
		step_complete(r);
	else /* mostly sources 1-4, sometimes any (past the last too) */
		plic_set_level(&w.plic, s & 0x40 ? s % 100 : 1 + s % 4, s & 0x80);
	check_plic();
}

/* ---- APLIC ---- */

#define APLIC_SETIPNUM    0x1cdc
#define APLIC_CLRIPNUM    0x1ddc
#define APLIC_SETIENUM    0x1edc
#define APLIC_CLRIENUM    0x1fdc
#define APLIC_SETIPNUM_LE 0x2000
#define APLIC_SETIPNUM_BE 0x2004
#define APLIC_GENMSI      0x3000
#define APLIC_TARGET_BITS 0xfffc07ffu /* hart index and EIID */
#define APLIC_GENMSI_BUSY 0x1000u
#define APLIC_IE          0x100u

static bool aplic_exists(unsigned source)
{
	return source >= 1 && source <= APLIC_SOURCES;
}

static bool aplic_active(const struct aplic *a, unsigned source)
{
	return aplic_exists(source) && a->sourcecfg[source] != 0;
}

static bool aplic_level_sensitive(const struct aplic *a, unsigned source)
{
	return a->sourcecfg[source] == 6 || a->sourcecfg[source] == 7;
}

/* The wire as the source's mode sees it (edge and level modes only; 5 and 7 invert). */
static bool aplic_rectified(const struct aplic *a, unsigned source)
{
	uint32_t m = a->sourcecfg[source];
	return m >= 4 && bit(a->wire, source) != (m == 5 || m == 7);
}

static bool aplic_source_due(const struct aplic *a, unsigned source)
{
	return a->ie && aplic_active(a, source) && bit(a->pending, source) &&
	       bit(a->enabled, source);
}

/* The messages aplic_take_messages() would give now, with no limit. */
static unsigned aplic_due(const struct aplic *a)
{
	unsigned n = a->genmsi_busy;
	for (unsigned s = 1; s <= APLIC_SOURCES; s++)
		n += aplic_source_due(a, s);
	return n;
}

static unsigned aplic_pending_count(const struct aplic *a)
{
	unsigned n = 0;
	for (unsigned i = 0; i < APLIC_WORDS; i++)
		n += popcount(a->pending[i]);
	return n;
}

static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static uint32_t aplic_read_word(uint64_t offset)
{
	uint32_t v;
	REQUIRE(aplic_read(&w.aplic, offset, &v));
	return v;
}

/* What reads show agrees with the state: domaincfg, genmsi and the rectified inputs. */
static void check_aplic_reads(void)
{
	const struct aplic *a = &w.aplic;
	REQUIRE(aplic_read_word(0) == (0x80000004u | (a->ie ? APLIC_IE : 0)));
	REQUIRE(aplic_read_word(APLIC_GENMSI) ==
	        (a->genmsi | (a->genmsi_busy ? APLIC_GENMSI_BUSY : 0)));
	for (unsigned k = 0; k < APLIC_WORDS; k++) {
		uint32_t in = aplic_read_word(0x1d00 + 4ull * k);
		for (unsigned i = 0; i < 32; i++)
			REQUIRE(((in >> i) & 1) ==
			        (aplic_exists(32 * k + i) && aplic_rectified(a, 32 * k + i)));
	}
}

static void check_aplic(void)
{
	const struct aplic *a = &w.aplic;
	REQUIRE(a->harts == w.machine.harts);
	REQUIRE((a->genmsi & ~APLIC_TARGET_BITS) == 0);
	for (unsigned s = 0; s < 32 * APLIC_WORDS; s++) {
		/* Nothing for source 0, sources past the last and inactive ones. */
		if (!aplic_active(a, s))
			REQUIRE(!bit(a->pending, s) && !bit(a->enabled, s));
		if (!aplic_exists(s))
			continue;
		uint32_t m = a->sourcecfg[s];
		REQUIRE(m <= 7 && m != 2 && m != 3);
		REQUIRE((a->target[s] & ~APLIC_TARGET_BITS) == 0);
		REQUIRE(m != 0 || a->target[s] == 0);
		/* A level-sensitive source is never pending while its input is low. */
		if (aplic_level_sensitive(a, s) && !aplic_rectified(a, s))
			REQUIRE(!bit(a->pending, s));
	}
	check_aplic_reads();
}

static uint64_t aplic_offset(struct reader *r)
{
	static const uint64_t registers[] = {
	    0,
	    APLIC_SETIPNUM,
	    APLIC_CLRIPNUM,
	    APLIC_SETIENUM,
	    APLIC_CLRIENUM,
	    APLIC_SETIPNUM_LE,
	    APLIC_SETIPNUM_BE,
	    APLIC_GENMSI,
	};
	uint8_t kind = byte(r), a = byte(r), b = byte(r);
	/* Now and then misaligned; mostly sources 1-8, sometimes any (past the last too). */
	uint64_t misalign = (kind & 0xe0) == 0xe0 ? (kind >> 3) & 3 : 0;
	unsigned source = a & 0x80 ? a % 128 : 1 + a % 8;
	switch (kind % 6) {
	case 0:
		return registers[a % 8] + misalign;
	case 1:
		return 4ull * source + misalign; /* sourcecfg (0: domaincfg) */
	case 2: /* setip, in_clrip, setie, clrie: mostly the words with sources */
		return 0x1c00 + 0x100ull * (b % 4) + 4ull * (a & 0x80 ? a % 32 : a % 4) + misalign;
	case 3:
		return APLIC_GENMSI + 4ull * source + misalign; /* target */
	case 4: /* msiaddrcfg and the like, or the end of the region */
		return (b & 1 ? 0x1bc0 + 4ull * (a % 16) : APLIC_SIZE - 8 + 4ull * (a % 4)) +
		       misalign;
	default:
		return value(r);
	}
}

/* Mostly a source number (0 and past the last too), a mode, a bit or a target. */
static uint32_t aplic_value(struct reader *r)
{
	uint8_t kind = byte(r), small = byte(r);
	switch (kind % 5) {
	case 0:
		return small % 100;
	case 1:
		return (uint32_t)(small % 100) << 24; /* a number for setipnum_be */
	case 2:
		return 1u << (small % 32);
	case 3:
		return (uint32_t)(small % 16) << 18 | (uint32_t)byte(r) << 3 | small % 8;
	default:
		return (uint32_t)value(r);
	}
}

/* A by-number register's write: what it must have done to its source. */
static void check_aplic_number(const struct aplic *before, uint64_t offset, uint32_t v)
{
	const struct aplic *a = &w.aplic;
	unsigned s = offset == APLIC_SETIPNUM_BE ? swap32(v) : v;
	if (!aplic_active(before, s)) {
		REQUIRE(memcmp(before, a, sizeof *a) == 0);
		return;
	}
	if (offset == APLIC_CLRIPNUM)
		REQUIRE(!bit(a->pending, s));
	else if (offset == APLIC_SETIENUM)
		REQUIRE(bit(a->enabled, s));
	else if (offset == APLIC_CLRIENUM)
		REQUIRE(!bit(a->enabled, s));
	else /* set pending: a level-sensitive source only while its input is high */
		REQUIRE(bit(a->pending, s) ==
		        (bit(before->pending, s) || !aplic_level_sensitive(a, s) ||
		         aplic_rectified(a, s)));
}

/* sourcecfg[s] and target[s]: what reads back, as the source's mode allows. */
static void check_aplic_source_write(uint64_t offset, uint32_t v)
{
	const struct aplic *a = &w.aplic;
	unsigned s = (unsigned)(offset % APLIC_GENMSI / 4);
	if (!aplic_exists(s))
		return;
	if (offset < APLIC_GENMSI) {
		uint32_t sm = v & 7;
		bool inactive = (v & 0x400) || sm == 2 || sm == 3; /* D set: no children */
		REQUIRE(a->sourcecfg[s] == (inactive ? 0 : sm));
	} else {
		REQUIRE(a->target[s] == (aplic_active(a, s) ? v & APLIC_TARGET_BITS : 0));
	}
}

static void check_aplic_write(const struct aplic *before, uint64_t offset, uint32_t v)
{
	const struct aplic *a = &w.aplic;
	if ((offset > 0 && offset < 0x1000) || offset > APLIC_GENMSI)
		check_aplic_source_write(offset, v);
	if (offset == 0)
		REQUIRE(a->ie == ((v & APLIC_IE) != 0));
	else if (offset == APLIC_SETIPNUM || offset == APLIC_CLRIPNUM || offset == APLIC_SETIENUM ||
	         offset == APLIC_CLRIENUM || offset == APLIC_SETIPNUM_LE ||
	         offset == APLIC_SETIPNUM_BE)
		check_aplic_number(before, offset, v);
	else if (offset == APLIC_GENMSI && before->genmsi_busy) /* one at a time */
		REQUIRE(memcmp(before, a, sizeof *a) == 0);
	else if (offset == APLIC_GENMSI)
		REQUIRE(a->genmsi_busy && a->genmsi == (v & APLIC_TARGET_BITS));
}

static uint32_t aplic_word(const uint32_t *words, unsigned k)
{
	return k < APLIC_WORDS ? words[k] : 0;
}

/* A read of the pending or enable bits, of a source's registers, or of a write-only register. */
static void check_aplic_read(uint64_t offset, uint32_t v)
{
	const struct aplic *a = &w.aplic;
	unsigned k = (unsigned)(offset % 0x100 / 4), s = (unsigned)(offset % APLIC_GENMSI / 4);
	bool bits = offset >= 0x1c00 && offset < 0x2000; /* setip to clrienum */
	bool block = bits && offset % 0x100 < 0x80;
	if (block && offset < 0x1d00)
		REQUIRE(v == aplic_word(a->pending, k));
	else if (block && offset >= 0x1e00 && offset < 0x1f00)
		REQUIRE(v == aplic_word(a->enabled, k));
	else if (block && offset >= 0x1f00) /* clrie */
		REQUIRE(v == 0);
	else if ((bits && offset % 0x100 == 0xdc) || offset == APLIC_SETIPNUM_LE ||
	         offset == APLIC_SETIPNUM_BE || (offset >= 0x1bc0 && offset < 0x1c00))
		REQUIRE(v == 0);
	else if (offset > 0 && offset < 0x1000)
		REQUIRE(v == (aplic_exists(s) ? a->sourcecfg[s] : 0));
	else if (offset > APLIC_GENMSI)
		REQUIRE(v == (aplic_exists(s) ? a->target[s] : 0));
}

static void aplic_access(uint64_t offset, uint32_t v, bool write)
{
	static struct aplic before;
	bool ok;
	memcpy(&before, &w.aplic, sizeof before);
	if (write) {
		ok = aplic_write(&w.aplic, offset, v);
		if (ok)
			check_aplic_write(&before, offset, v);
	} else {
		ok = aplic_read(&w.aplic, offset, &v);
		REQUIRE(ok || v == 0);
		REQUIRE(memcmp(&before, &w.aplic, sizeof before) == 0); /* reads change nothing */
		if (ok)
			check_aplic_read(offset, v);
	}
	REQUIRE(ok == (offset < APLIC_SIZE && (offset & 3) == 0));
	if (!ok)
		REQUIRE(memcmp(&before, &w.aplic, sizeof before) == 0);
	check_aplic();
}

static void step_aplic(struct reader *r, bool write)
{
	uint64_t offset = aplic_offset(r);
	aplic_access(offset, aplic_value(r), write);
}

/* A device's wire: a rise of the rectified input makes an edge or level source pending. */
static void aplic_wire(unsigned source, bool high)
{
	static struct aplic before;
	const struct aplic *a = &w.aplic;
	memcpy(&before, a, sizeof before);
	aplic_set_level(&w.aplic, source, high);
	if (!aplic_exists(source)) {
		REQUIRE(memcmp(&before, a, sizeof before) == 0);
		return;
	}
	REQUIRE(bit(a->wire, source) == high);
	if (!aplic_rectified(&before, source) && aplic_rectified(a, source))
		REQUIRE(bit(a->pending, source));
	else if (!aplic_level_sensitive(a, source))
		REQUIRE(bit(a->pending, source) == bit(before.pending, source));
	check_aplic();
}

/*
 * Takes at most `max` messages: as many as were due, the extempore one
 * first, then the sources' in order, each with its target's hart and EIID
 * and its pending bit cleared.
 */
static void aplic_take(unsigned max)
{
	static struct aplic before;
	struct aplic_msi out[5];
	const struct aplic *a = &w.aplic;
	REQUIRE(max < 5);
	memcpy(&before, a, sizeof before);
	memset(out, 0xa5, sizeof out);
	unsigned due = aplic_due(&before);
	unsigned n = aplic_take_messages(&w.aplic, out, max);
	REQUIRE(n == (due < max ? due : max));
	REQUIRE(out[max].eiid == 0xa5a5a5a5); /* nothing past max */
	for (unsigned i = 0; i < n; i++)
		REQUIRE(out[i].eiid <= 0x7ff && out[i].hart <= 0x3fff);
	unsigned extempore = before.genmsi_busy && n > 0, k = extempore;
	if (extempore)
		REQUIRE(out[0].hart == before.genmsi >> 18 &&
		        out[0].eiid == (before.genmsi & 0x7ff) && !a->genmsi_busy);
	for (unsigned s = 1; s <= APLIC_SOURCES && k < n; s++) {
		if (!aplic_source_due(&before, s))
			continue;
		REQUIRE(out[k].hart == before.target[s] >> 18 &&
		        out[k].eiid == (before.target[s] & 0x7ff) && !bit(a->pending, s));
		k++;
	}
	REQUIRE(k == n);
	REQUIRE(aplic_pending_count(a) + (n - extempore) == aplic_pending_count(&before));
	REQUIRE(memcmp(before.enabled, a->enabled, sizeof a->enabled) == 0);
	/* All taken with IE on: no active source is both pending and enabled. */
	if (n < max && a->ie)
		REQUIRE(aplic_due(a) == 0);
	stats.aplic_messages += n;
	check_aplic();
}

/* What a guest driver does: a source given a mode and a target, enabled, and IE on. */
static void step_aplic_configure(struct reader *r)
{
	static const uint32_t modes[] = {1, 4, 5, 6, 7};
	unsigned source = 1 + byte(r) % 8;
	uint8_t b = byte(r);
	aplic_access(4ull * source, modes[b % 5], true);
	aplic_access(APLIC_GENMSI + 4ull * source,
	             (uint32_t)(b % w.machine.harts) << 18 | (1u + byte(r)), true);
	aplic_access(APLIC_SETIENUM, source, true);
	aplic_access(0, APLIC_IE, true);
	REQUIRE(bit(w.aplic.enabled, source) && w.aplic.ie);
	aplic_wire(source, byte(r) & 1);
}

/* What a guest's handler does at the end: re-trigger a source that may still be high. */
static void step_aplic_handled(struct reader *r)
{
	unsigned source = 1 + byte(r) % 8;
	aplic_take(1 + byte(r) % 4);
	aplic_wire(source, byte(r) & 1);
	aplic_access(APLIC_SETIPNUM_LE, source, true);
}

static void step_aplic_wire(struct reader *r)
{
	uint8_t s = byte(r);
	if ((s & 0x30) == 0x30)
		step_aplic_configure(r);
	else if ((s & 0x30) == 0x20)
		step_aplic_handled(r);
	else if ((s & 0x4f) == 0x4f) /* any number at all */
		aplic_wire((unsigned)value(r), s & 0x80);
	else /* mostly sources 1-8, sometimes any up to 127 (0 and past the last too) */
		aplic_wire(s & 0x40 ? s % 128 : 1 + s % 8, s & 0x80);
}

/* ---- UART ---- */

static void check_uart(void)
{
	const struct uart *u = &w.uart;
	REQUIRE(u->ier <= 0x0f && u->mcr <= 0x1f);
	REQUIRE(!uart_irq_pending(u) || (u->ier & 0x02));
}

static void step_uart(struct reader *r, bool write)
{
	uint8_t o = byte(r);
	uint64_t offset = o < 0xf0 ? o % 10 : value(r);
	if (write) {
		unsigned outputs = w.uart_outputs;
		bool sends = offset == 0 && !(w.uart.lcr & 0x80) && !(w.uart.mcr & 0x10);
		uart_write(&w.uart, offset, value(r));
		REQUIRE(w.uart_outputs == outputs + sends);
	} else {
		bool pending = uart_irq_pending(&w.uart);
		uint64_t v = uart_read(&w.uart, offset);
		REQUIRE(v <= 0xff);
		if (offset == 2) /* IIR reports the interrupt, and so clears it */
			REQUIRE((v & 0x0f) == (pending ? 0x02 : 0x01) &&
			        !uart_irq_pending(&w.uart));
		if (offset == 5)
			REQUIRE(v == 0x60);
	}
	check_uart();
}

/* ---- The entry point ---- */

static void set_up(struct reader *r)
{
	memset(&w, 0, sizeof w);
	uint8_t shape = byte(r);
	w.machine = (struct sbi_machine){
	    .harts = 1 + shape % MAX_HARTS,
	    .hart_start = fake_hart_start,
	    .hart_status = fake_hart_status,
	    .send_ipi = hart_called,
	    .remote_fence = hart_called,
	    .set_timer = fake_set_timer,
	    .console = fake_console,
	};
	w.started[0] = true;
	w.mem.base = (shape & 0x80) ? UINT64_MAX - 255 : MEM_BASE; /* memory at the very top too */
	w.mem.size = 1 + byte(r);
	w.mem.host = malloc(w.mem.size);
	REQUIRE(w.mem.host != NULL);
	memset(w.mem.host, 'm', w.mem.size);
	if (w.mem.base != MEM_BASE)
		w.mem.base = UINT64_MAX - w.mem.size + 1;
	plic_reset(&w.plic, w.machine.harts);
	aplic_reset(&w.aplic, w.machine.harts);
	uart_reset(&w.uart);
	w.uart.output = fake_uart_output;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size, 0};
	set_up(&r);
	while (r.at < r.size) {
		uint8_t op = byte(&r);
		switch (op % 12) {
		case 0:
		case 1:
			step_sbi(&r);
			break;
		case 2:
		case 3:
		case 4:
			step_plic(&r, op % 12 != 2);
			break;
		case 5:
			step_level(&r);
			break;
		case 6:
		case 7:
			step_uart(&r, op % 12 == 7);
			break;
		case 8:
		case 9:
			step_aplic(&r, op % 12 == 9);
			break;
		case 10:
			step_aplic_wire(&r);
			break;
		default:
			aplic_take(byte(&r) % 5);
			break;
		}
	}
	free(w.mem.host);
	return 0;
}

#ifndef FUZZ_WITH_LIBFUZZER

#define MAX_INPUT 1024
#define POOL_SIZE 64

#include "fuzz_random.h"

struct input {
	size_t len;
	uint8_t data[MAX_INPUT];
};

/* Runs one input from an exact-size copy, so reads past its end are caught. */
static void run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	REQUIRE(copy != NULL);
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static void mutate(struct input *in)
{
	for (size_t m = 1 + below(8); m > 0; m--) {
		size_t at = below(in->len + 1);
		switch (below(4)) {
		case 0: /* a new byte */
			if (at < in->len)
				in->data[at] = (uint8_t)next_random();
			break;
		case 1: /* an edge value */
			if (at < in->len)
				in->data[at] = (uint8_t[]){0, 1, 0x7f, 0x80, 0xff}[below(5)];
			break;
		case 2: /* a run of new bytes at the end */
			for (size_t n = below(32); n > 0 && in->len < MAX_INPUT; n--)
				in->data[in->len++] = (uint8_t)next_random();
			break;
		default:
			in->len = at;
			break;
		}
	}
}

/* Fresh random inputs and mutants of earlier ones, in turn. */
static void run_random(unsigned long runs)
{
	static struct input pool[POOL_SIZE], in;
	size_t pool_len = 0;
	for (unsigned long n = 0; n < runs; n++) {
		if (pool_len == 0 || below(2)) {
			in.len = below(MAX_INPUT + 1);
			for (size_t i = 0; i < in.len; i++)
				in.data[i] = (uint8_t)next_random();
		} else {
			in = pool[below(pool_len)];
			mutate(&in);
		}
		run_one(in.data, in.len);
		pool[pool_len < POOL_SIZE ? pool_len++ : below(POOL_SIZE)] = in;
	}
}

static int run_file(const char *path)
{
	static struct input in;
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	in.len = fread(in.data, 1, sizeof in.data, f);
	fclose(f);
	run_one(in.data, in.len);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long runs = 0, seed = 1, files = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] == '-')
			return fprintf(stderr, "usage: fuzz_vmm [--runs N] [--seed S] [FILE...]\n"),
			       2;
		else if (run_file(argv[i]) != 0)
			return 1;
		else
			files++;
	}
	rng_state = seed;
	clock_t start = clock();
	run_random(runs);
	double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	printf("fuzz_vmm: %lu files, %lu inputs (seed %lu): %lu claims, %lu console writes, %lu "
	       "hart mask calls, %lu APLIC messages",
	       files, runs, seed, stats.claims, stats.console_writes, stats.mask_calls,
	       stats.aplic_messages);
	if (runs)
		printf(", %.2f s, %.0f inputs/s", seconds,
		       seconds > 0 ? (double)runs / seconds : 0.0);
	printf("\n");
	return 0;
}

#endif
