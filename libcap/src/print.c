/* Formatted output and error names for user programs. */
#include <stdarg.h>

#include <fv/format.h>
#include <fv/libcap.h>
#include <fv/posix.h>

#define LINUX_WRITE 64

int fv_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = fv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	fv_linux_syscall(LINUX_WRITE, 1, (long)buf, (long)len, 0, 0, 0);
	return n;
}

static const char *const error_names[FV_ERROR_COUNT] = {
    [FV_OK] = "ok",
    [FV_INVALID_ARGUMENT] = "invalid argument",
    [FV_INVALID_CAPABILITY] = "invalid capability",
    [FV_ILLEGAL_OPERATION] = "illegal operation",
    [FV_RANGE_ERROR] = "range error",
    [FV_ALIGNMENT_ERROR] = "alignment error",
    [FV_FAILED_LOOKUP] = "failed lookup",
    [FV_TRUNCATED_MESSAGE] = "truncated message",
    [FV_DELETE_FIRST] = "delete first",
    [FV_REVOKE_FIRST] = "revoke first",
    [FV_NOT_ENOUGH_MEMORY] = "not enough memory",
    [FV_INSUFFICIENT_RIGHTS] = "insufficient rights",
    [FV_CANCELLED] = "cancelled",
};

const char *fv_strerror(fv_error_t err)
{
	return (unsigned)err < FV_ERROR_COUNT ? error_names[err] : "unknown error";
}
