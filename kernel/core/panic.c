/* Panics and boot refusals: report, then halt every hart. */
#include <stdarg.h>

#include <arch/trap.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/format.h>
#include <fv/panic.h>
#include <fv/smp.h>

int panicking;

void halt_for_panic(void)
{
	kprintf("ferrovisor: hart %lu halted\n", this_hart()->hartid);
	hart_halt_self();
}

/* Only the first hart to panic reports; any other just halts. */
static void claim_panic(void)
{
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		hart_halt_self();
	console_force_unlock();
}

static NORETURN void halt_everything(void)
{
	arch_stop_other_harts();
	kprintf("ferrovisor: halting all harts\n");
	hart_halt_self();
}

static void print_message(const char *prefix, const char *fmt, va_list ap)
{
	char msg[256];
	fv_vsnprintf(msg, sizeof(msg), fmt, ap);
	kprintf("ferrovisor: %s on hart %lu: %s\n", prefix, this_hart()->hartid, msg);
}

void panic(const char *fmt, ...)
{
	claim_panic();
	va_list ap;
	va_start(ap, fmt);
	print_message("PANIC", fmt, ap);
	va_end(ap);
	halt_everything();
}

void panic_trap(const struct trap_frame *f, const char *why)
{
	claim_panic();
	kprintf("ferrovisor: PANIC on hart %lu: %s\n", this_hart()->hartid, why);
	trap_print_frame(f);
	halt_everything();
}

void boot_refuse(const char *fmt, ...)
{
	claim_panic();
	va_list ap;
	va_start(ap, fmt);
	print_message("error", fmt, ap);
	va_end(ap);
	kprintf("ferrovisor: stopping: this machine cannot run Ferrovisor\n");
	halt_everything();
}
