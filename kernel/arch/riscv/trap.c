/* C side of kernel traps: exception-table fix-ups, IPIs and panics. */
#include <arch/csr.h>
#include <arch/trap.h>
#include <fv/console.h>
#include <fv/panic.h>
#include <fv/smp.h>

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static const char *const exception_names[] = {
    "instruction address misaligned",
    "instruction access fault",
    "illegal instruction",
    "breakpoint",
    "load address misaligned",
    "load access fault",
    "store address misaligned",
    "store access fault",
    "ecall from U-mode",
    "ecall from HS-mode",
    "ecall from VS-mode",
    "ecall from M-mode",
    "instruction page fault",
    "load page fault",
    "reserved (14)",
    "store page fault",
    "reserved (16)",
    "reserved (17)",
    "software check",
    "hardware error",
    "instruction guest-page fault",
    "load guest-page fault",
    "virtual instruction",
    "store guest-page fault",
};

static const char *const interrupt_names[] = {
    "user software",
    "supervisor software",
    "virtual supervisor software",
    "machine software",
    "user timer",
    "supervisor timer",
    "virtual supervisor timer",
    "machine timer",
    "user external",
    "supervisor external",
    "virtual supervisor external",
    "machine external",
    "supervisor guest external",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTERRUPT;
	if (scause & SCAUSE_INTERRUPT)
		return code < ARRAY_SIZE(interrupt_names) ? interrupt_names[code] : "interrupt";
	return code < ARRAY_SIZE(exception_names) ? exception_names[code] : "exception";
}

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void trap_print_frame(const struct trap_frame *f)
{
	kprintf("ferrovisor: cause=%#lx (%s) sepc=0x%016lx stval=0x%016lx sstatus=0x%lx\n",
	        f->scause, trap_cause_name(f->scause), f->sepc, f->stval, f->sstatus);
	for (unsigned i = 0; i < 32; i += 4)
		kprintf("ferrovisor:  %-4s %016lx  %-4s %016lx  %-4s %016lx  %-4s %016lx\n",
		        reg_names[i], f->regs[i], reg_names[i + 1], f->regs[i + 1],
		        reg_names[i + 2], f->regs[i + 2], reg_names[i + 3], f->regs[i + 3]);
}

/* A fault at an instruction listed in the exception table resumes at its fix-up. */
static bool fixup_exception(struct trap_frame *f)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == f->sepc) {
			f->sepc = e->fixup;
			f->regs[31] = 1; /* t6: the accessor's "faulted" flag */
			return true;
		}
	}
	return false;
}

/* Interrupts reach the kernel only while a hart idles. */
static void handle_interrupt(struct trap_frame *f)
{
	riscv_idle_interrupt(f->scause & ~SCAUSE_INTERRUPT);
}

void riscv_trap_from_kernel(struct trap_frame *f)
{
	if (config_set(TRACE))
		kprintf("ferrovisor: trace: hart %lu trap %s sepc=%#lx stval=%#lx\n",
		        this_hart()->hartid, trap_cause_name(f->scause), f->sepc, f->stval);
	if (f->scause & SCAUSE_INTERRUPT) {
		handle_interrupt(f);
		return;
	}
	if (fixup_exception(f))
		return;
	panic_trap(f, "unexpected exception in the kernel");
}
