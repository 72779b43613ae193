/* Kernel console: whole messages under a lock, written by the arch back end. */
#include <stdarg.h>

#include <arch/csr.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/format.h>

#define MESSAGE_MAX 512

static int console_lock;

static uint64_t lock_console(void)
{
	uint64_t flags = local_irq_save();
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&console_lock, __ATOMIC_RELAXED))
			;
	return flags;
}

static void unlock_console(uint64_t flags)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
	local_irq_restore(flags);
}

void console_force_unlock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void kprintf(const char *fmt, ...)
{
	char buf[MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = fv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf)) {
		/* Say that the message was cut rather than lose its end silently. */
		n = sizeof(buf) - 1;
		buf[n - 4] = '.';
		buf[n - 3] = '.';
		buf[n - 2] = '.';
		buf[n - 1] = '\n';
	}
	uint64_t flags = lock_console();
	arch_console_write(buf, (size_t)n);
	unlock_console(flags);
}
