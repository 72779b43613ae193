/*
 * SBI v2.0 for a guest: BASE, the debug console (DBCN), system reset
 * (SRST) and the legacy console calls. Every other extension or function
 * answers NOT_SUPPORTED, as the specification requires, and the guest goes
 * on.
 */
#include <vmm/sbi.h>

#define SRST_SHUTDOWN 0
#define SRST_COLD     1
#define SRST_WARM     2

static bool extension_present(uint64_t ext)
{
	switch (ext) {
	case SBI_EXT_BASE:
	case SBI_EXT_DBCN:
	case SBI_EXT_SRST:
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
                              sbi_console_fn console)
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
	if (r->arg[0] > SRST_WARM && r->arg[0] < 0xf0000000ul)
		return error(SBI_ERR_INVALID_PARAM); /* reserved reset types */
	if (r->arg[0] != SRST_SHUTDOWN)
		return error(SBI_ERR_NOT_SUPPORTED); /* reboot: not yet */
	return (struct sbi_result){SBI_SUCCESS, 0, SBI_SHUTDOWN};
}

struct sbi_result sbi_handle(const struct sbi_request *req, const struct guest_memory *mem,
                             sbi_console_fn console)
{
	switch (req->ext) {
	case SBI_EXT_BASE:
		return base(req);
	case SBI_EXT_DBCN:
		return dbcn(req, mem, console);
	case SBI_EXT_SRST:
		return srst(req);
	case SBI_EXT_LEGACY_PUTCHAR: {
		char c = (char)req->arg[0];
		console(&c, 1);
		return (struct sbi_result){0, 0, SBI_LEGACY};
	}
	case SBI_EXT_LEGACY_GETCHAR:
		return (struct sbi_result){-1, 0, SBI_LEGACY}; /* no input */
	default:
		return error(SBI_ERR_NOT_SUPPORTED);
	}
}
