/* An emulated PLIC (vmm/plic.h). */
#include <string.h>

#include <vmm/bits.h>
#include <vmm/plic.h>

#define PRIORITY_BASE  0x0
#define PENDING_BASE   0x1000
#define ENABLE_BASE    0x2000
#define ENABLE_STRIDE  0x80
#define CONTEXT_BASE   0x200000
#define CONTEXT_STRIDE 0x1000
#define MAX_PRIORITY   7

void plic_reset(struct plic *p, unsigned contexts)
{
	memset(p, 0, sizeof(*p));
	p->contexts = contexts < PLIC_CONTEXTS ? contexts : PLIC_CONTEXTS;
}

void plic_set_level(struct plic *p, unsigned source, bool high)
{
	if (source > 0 && source < PLIC_SOURCES)
		set_bit(p->level, source, high);
}

static bool pending(const struct plic *p, unsigned source)
{
	return bit(p->level, source) && !bit(p->claimed, source);
}

/* The source `context` would claim now: highest priority above its threshold, or 0. */
static unsigned best(const struct plic *p, unsigned context)
{
	unsigned found = 0;
	uint32_t top = p->threshold[context];
	for (unsigned s = 1; s < PLIC_SOURCES; s++) {
		if (pending(p, s) && bit(p->enable[context], s) && p->priority[s] > top) {
			top = p->priority[s];
			found = s;
		}
	}
	return found;
}

bool plic_line(const struct plic *p, unsigned context)
{
	return context < p->contexts && best(p, context) != 0;
}

static bool context_of(const struct plic *p, uint64_t offset, unsigned *context, uint64_t *reg)
{
	uint64_t c = (offset - CONTEXT_BASE) / CONTEXT_STRIDE;
	if (offset < CONTEXT_BASE || c >= p->contexts)
		return false;
	*context = (unsigned)c;
	*reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
	return *reg == 0 || *reg == 4;
}

static bool enable_of(const struct plic *p, uint64_t offset, unsigned *context, unsigned *word)
{
	if (offset < ENABLE_BASE || offset >= ENABLE_BASE + ENABLE_STRIDE * p->contexts)
		return false;
	*context = (unsigned)((offset - ENABLE_BASE) / ENABLE_STRIDE);
	*word = (unsigned)((offset - ENABLE_BASE) % ENABLE_STRIDE / 4);
	return *word < PLIC_WORDS;
}

bool plic_read(struct plic *p, uint64_t offset, uint32_t *value)
{
	unsigned context, word;
	uint64_t reg;
	*value = 0;
	if (offset & 3)
		return false;
	if (offset < PENDING_BASE) {
		if (offset / 4 < PLIC_SOURCES)
			*value = p->priority[offset / 4];
		return true;
	}
	if (offset < ENABLE_BASE) {
		unsigned w = (unsigned)((offset - PENDING_BASE) / 4);
		for (unsigned i = 0; w < PLIC_WORDS && i < 32; i++)
			if (pending(p, w * 32 + i))
				*value |= 1u << i;
		return true;
	}
	if (enable_of(p, offset, &context, &word)) {
		*value = p->enable[context][word];
		return true;
	}
	if (!context_of(p, offset, &context, &reg))
		return offset < CONTEXT_BASE; /* the gaps of the enable area read as zero */
	if (reg == 0) {
		*value = p->threshold[context];
	} else {
		*value = best(p, context); /* claim */
		if (*value)
			set_bit(p->claimed, *value, true);
	}
	return true;
}

bool plic_write(struct plic *p, uint64_t offset, uint32_t value)
{
	unsigned context, word;
	uint64_t reg;
	if (offset & 3)
		return false;
	if (offset < PENDING_BASE) {
		if (offset / 4 > 0 && offset / 4 < PLIC_SOURCES)
			p->priority[offset / 4] = value > MAX_PRIORITY ? MAX_PRIORITY : value;
		return true;
	}
	if (offset < ENABLE_BASE)
		return true; /* pending bits are read-only */
	if (enable_of(p, offset, &context, &word)) {
		p->enable[context][word] =
		    word == 0 ? value & ~1u : value; /* source 0 does not exist */
		return true;
	}
	if (!context_of(p, offset, &context, &reg))
		return offset < CONTEXT_BASE;
	if (reg == 0)
		p->threshold[context] = value > MAX_PRIORITY ? MAX_PRIORITY : value;
	else if (value > 0 && value < PLIC_SOURCES && bit(p->enable[context], value))
		set_bit(p->claimed, value, false); /* complete */
	return true;
}
