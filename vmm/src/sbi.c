/*
 * SBI v2.0 for a guest: BASE, the debug console (DBCN), system reset
 * (SRST), the timer (TIME), hart state management (HSM), IPIs, remote fences (RFENCE) and the
 * legacy console calls. Every other extension or function
 * answers NOT_SUPPORTED, as the specification requires, and the guest goes
 * on.
 */
#include <vmm/sbi.h>

#define SRST_SHUTDOWN 0
#define SRST_COLD     1
#define SRST_WARM     2

#define SRST_REASON_FAILURE 1

static bool extension_present(uint64_t ext)
{
	switch (ext) {
	case SBI_EXT_BASE:
	case SBI_EXT_DBCN:
	case SBI_EXT_SRST:
	case SBI_EXT_TIME:
	case SBI_EXT_HSM:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
		return true;
	default:
		return false;
	}
}

static struct sbi_result ok(long value)
{
	return (struct sbi_result){SBI_SUCCESS, value, SBI_RESUME};
}

static struct sbi_result error(long err)
{
	return (struct sbi_result){err, 0, SBI_RESUME};
}

static struct sbi_result base(const struct sbi_request *r)
{
	switch (r->fid) {
	case 0:
		return ok(SBI_SPEC_VERSION);
	case 1:
		return ok(SBI_IMPL_ID);
	case 2:
		return ok(SBI_IMPL_VERSION);
	case 3:
		return ok(extension_present(r->arg[0]));
	case 4: /* mvendorid, marchid, mimpid: none to show */
	case 5:
	case 6:
		return ok(0);
	default:
		return error(SBI_ERR_NOT_SUPPORTED);
	}
}

/* A guest-physical buffer, checked against the guest's memory; NULL if outside. */
static const char *guest_buffer(const struct guest_memory *mem, uint64_t lo, uint64_t hi,
                                uint64_t len)
{
	if (hi != 0 || lo < mem->base || len > mem->size || lo - mem->base > mem->size - len)
		return 0;
	return (const char *)mem->host + (lo - mem->base);
}

static struct sbi_result dbcn(const struct sbi_request *r, const struct guest_memory *mem,
                              void (*console)(const char *, uint64_t))
{
	switch (r->fid) {
	case 0: { /* console_write(num_bytes, base_lo, base_hi) */
		const char *p = guest_buffer(mem, r->arg[1], r->arg[2], r->arg[0]);
		if (!p)
			return error(SBI_ERR_INVALID_PARAM);
		console(p, r->arg[0]);
		return ok((long)r->arg[0]);
	}
	case 1: /* console_read: no input reaches guests yet, so nothing was read */
		if (!guest_buffer(mem, r->arg[1], r->arg[2], r->arg[0]))
			return error(SBI_ERR_INVALID_PARAM);
		return ok(0);
	case 2: { /* console_write_byte */
		char c = (char)r->arg[0];
		console(&c, 1);
		return ok(0);
	}
	default:
		return error(SBI_ERR_NOT_SUPPORTED);
	}
}

static struct sbi_result srst(const struct sbi_request *r)
{
	if (r->fid != 0)
		return error(SBI_ERR_NOT_SUPPORTED);
	/*
	 * Reserved types and reasons, vendor ones this platform does not have and values
	 * wider than their 32 bits are INVALID_PARAM (NOT_SUPPORTED is for
	 * implemented types the platform cannot do).
	 */
	if (r->arg[0] > SRST_WARM || r->arg[1] > SRST_REASON_FAILURE)
		return error(SBI_ERR_INVALID_PARAM);
	/* A cold or warm reboot restarts this guest alone, as it was first booted. */
	return (struct sbi_result){SBI_SUCCESS, 0,
	                           r->arg[0] == SRST_SHUTDOWN ? SBI_SHUTDOWN : SBI_REBOOT};
}

static struct sbi_result hsm(const struct sbi_request *r, const struct guest_memory *mem,
                             const struct sbi_machine *m)
{
	switch (r->fid) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
		if (r->arg[0] >= m->harts)
			return error(SBI_ERR_INVALID_PARAM);
		if (r->arg[1] < mem->base || r->arg[1] - mem->base >= mem->size)
			return error(SBI_ERR_INVALID_ADDRESS); /* the hart could not run there */
		return error(m->hart_start((unsigned)r->arg[0], r->arg[1], r->arg[2]));
	case 1: /* hart_stop: the calling hart, which gets no answer */
		return (struct sbi_result){SBI_SUCCESS, 0, SBI_STOP_HART};
	case 2: /* hart_get_status(hartid) */
		if (r->arg[0] >= m->harts)
			return error(SBI_ERR_INVALID_PARAM);
		return ok(m->hart_status((unsigned)r->arg[0]));
	default: /* hart_suspend and the rest */
		return error(SBI_ERR_NOT_SUPPORTED);
	}
}

/* Every hart in (mask, base), base -1 meaning all: checked first, then `fn` on each. */
static struct sbi_result each_hart(const struct sbi_machine *m, uint64_t mask, uint64_t base,
                                   void (*fn)(unsigned))
{
	if (base == UINT64_MAX) {
		for (unsigned h = 0; h < m->harts; h++)
			fn(h);
		return ok(0);
	}
	for (unsigned i = 0; i < 64; i++)
		if (((mask >> i) & 1) && (base >= m->harts || i >= m->harts - base))
			return error(SBI_ERR_INVALID_PARAM);
	for (unsigned i = 0; i < 64; i++)
		if ((mask >> i) & 1)
			fn((unsigned)(base + i));
	return ok(0);
}

static struct sbi_result rfence(const struct sbi_request *r, const struct sbi_machine *m)
{
	/* remote_fence_i and sfence_vma(_asid): every guest translation and fetch is forgotten. */
	if (r->fid <= 2)
		return each_hart(m, r->arg[0], r->arg[1], m->remote_fence);
	return error(SBI_ERR_NOT_SUPPORTED); /* the hfence calls: no nested virtualization */
}

struct sbi_result sbi_handle(const struct sbi_request *req, const struct guest_memory *mem,
                             const struct sbi_machine *m)
{
	switch (req->ext) {
	case SBI_EXT_BASE:
		return base(req);
	case SBI_EXT_DBCN:
		return dbcn(req, mem, m->console);
	case SBI_EXT_SRST:
		return srst(req);
	case SBI_EXT_TIME:
		if (req->fid != 0)
			return error(SBI_ERR_NOT_SUPPORTED);
		m->set_timer(req->arg[0]);
		return ok(0);
	case SBI_EXT_HSM:
		return hsm(req, mem, m);
	case SBI_EXT_IPI:
		if (req->fid != 0)
			return error(SBI_ERR_NOT_SUPPORTED);
		return each_hart(m, req->arg[0], req->arg[1], m->send_ipi);
	case SBI_EXT_RFENCE:
		return rfence(req, m);
	case SBI_EXT_LEGACY_PUTCHAR: {
		char c = (char)req->arg[0];
		m->console(&c, 1);
		return (struct sbi_result){0, 0, SBI_LEGACY};
	}
	case SBI_EXT_LEGACY_GETCHAR:
		return (struct sbi_result){-1, 0, SBI_LEGACY}; /* no input */
	default:
		return error(SBI_ERR_NOT_SUPPORTED);
	}
}
