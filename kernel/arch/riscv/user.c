/*
 * Entering and leaving user mode on RISC-V: the C side of trap_from_user
 * and of restore_user_context, timers and FP state.
 */
#include <stddef.h>

#include <arch/context.h>
#include <arch/csr.h>
#include <arch/irqchip.h>
#include <arch/sbi.h>
#include <arch/trap.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/ipc.h>
#include <fv/irq.h>
#include <fv/panic.h>
#include <fv/smp.h>
#include <fv/syscall.h>
#include <fv/tcb.h>
#include <fv/vcpu.h>
#include <fv/vspace.h>

#define SSTATUS_FS           (3ull << 13)
#define SSTATUS_FS_INIT      (1ull << 13)
#define SSTATUS_FS_CLEAN     (2ull << 13)
#define SSTATUS_FS_DIRTY     (3ull << 13)
#define CAUSE_ECALL_U        8
#define IRQ_S_TIMER          5
#define IRQ_S_EXTERNAL       9
#define IRQ_S_GUEST_EXTERNAL 12
#define TIME_SLICE_MS        10

_Static_assert(offsetof(struct user_context, sepc) == CTX_SEPC, "trap.S layout");
_Static_assert(offsetof(struct user_context, kernel_sp) == CTX_KERNEL_SP, "trap.S layout");
_Static_assert(offsetof(struct user_context, kernel_tp) == CTX_KERNEL_TP, "trap.S layout");
_Static_assert(offsetof(struct tcb, ctx) == 0, "trap.S finds the TCB from its context");

void fp_save(uint64_t *regs);
void fp_restore(const uint64_t *regs);

uint64_t riscv_slice_ticks = 10000000 * TIME_SLICE_MS / 1000;
static bool have_sstc;

void arch_timer_init(uint64_t hz, bool sstc)
{
	/* Computed once: every switch to another thread asks for it. */
	riscv_slice_ticks = hz * TIME_SLICE_MS / 1000;
	have_sstc = sstc;
}

void riscv_timer_arm(uint64_t deadline)
{
	this_hart()->timer_deadline = deadline;
	if (have_sstc)
		csr_write_stimecmp(deadline);
	else
		sbi_set_timer(deadline);
	csr_set_sie(SIE_STIE);
}

void arch_timer_cancel(void)
{
	this_hart()->timer_deadline = UINT64_MAX;
	csr_clear_sie(SIE_STIE);
	if (have_sstc)
		csr_write_stimecmp(UINT64_MAX);
	else
		sbi_set_timer(UINT64_MAX);
}

void hart_poke(struct hart *h)
{
	sbi_send_ipi_to(h->hartid);
}

/*
 * FP registers follow their owner: fp_owner is the thread whose values the
 * hart's FP registers hold, NULL while they hold the initial zeros. Threads
 * that never used FP (FS Initial) run on zeroed registers without a reload.
 */

/* Saves FP registers the thread changed since they were last saved. */
static void save_fp(struct tcb *t)
{
	if ((t->ctx.sstatus & SSTATUS_FS) != SSTATUS_FS_DIRTY)
		return;
	this_hart()->fp_owner = t;
	csr_set_sstatus(SSTATUS_FS_CLEAN);
	fp_save(t->ctx.fp);
	csr_clear_sstatus(SSTATUS_FS);
	t->ctx.sstatus = (t->ctx.sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
}

static void load_fp(struct hart *self, struct tcb *t)
{
	if (self->fp_owner == t)
		return;
	bool initial = (t->ctx.sstatus & SSTATUS_FS) == SSTATUS_FS_INIT;
	if (initial && !self->fp_owner)
		return;
	csr_set_sstatus(SSTATUS_FS_CLEAN);
	fp_restore(t->ctx.fp);
	csr_clear_sstatus(SSTATUS_FS);
	self->fp_owner = initial ? NULL : t;
}

/* Its address space was deleted under it: it cannot run any more. */
static NOINLINE NORETURN void stop_without_address_space(struct tcb *t)
{
	kprintf("ferrovisor: thread '%s' stopped: its address space is gone\n", t->name);
	t->state = THREAD_INACTIVE;
	sched_dequeue(t);
	sched_return_to_user();
}

/* A thread bound to a VCPU: into its guest, with the kernel's own tables for traps. */
static NOINLINE NORETURN void enter_guest(struct hart *self, struct tcb *t)
{
	if (!tcb_vcpu(t) || !guest_space_live(&t->slots[TCB_SLOT_GUEST_SPACE].cap))
		stop_without_address_space(t); /* its VCPU or guest space was deleted or revoked */
	load_fp(self, t);
	/*
	 * satp stays as it is: a guest does not use it, and on QEMU every satp
	 * change flushes all translations, the guest's too, which made each VM
	 * exit (to the VMM's address space and back) cost a third more. The
	 * VSpace it holds may be deleted meanwhile: vspace_finalize() then has
	 * the hart leave it first (hart.user_root).
	 */
	t->ctx.kernel_sp = self->stack_top;
	t->ctx.kernel_tp = (uint64_t)self;
	t->ctx.sstatus = (t->ctx.sstatus & SSTATUS_FS) | SSTATUS_SPIE;
	if (!(t->ctx.sstatus & SSTATUS_FS))
		t->ctx.sstatus |= SSTATUS_FS_INIT;
	vcpu_enter(t);
	kernel_unlock();
	restore_user_context(&t->ctx);
}

HOT void arch_enter_user(struct tcb *t)
{
	struct hart *self = this_hart();
	if (t->runs_guest)
		enter_guest(self, t);
	if (t->slots[TCB_SLOT_VSPACE].cap.type != CAP_VSPACE)
		stop_without_address_space(t);
	load_fp(self, t);
	vspace_activate(&t->slots[TCB_SLOT_VSPACE].cap);
	t->ctx.kernel_sp = self->stack_top;
	t->ctx.kernel_tp = (uint64_t)self;
	/* User mode with interrupts on; FP usable (never Off for a user thread). */
	t->ctx.sstatus = (t->ctx.sstatus & SSTATUS_FS) | SSTATUS_SPIE;
	if (!(t->ctx.sstatus & SSTATUS_FS))
		t->ctx.sstatus |= SSTATUS_FS_INIT;
	kernel_unlock();
	restore_user_context(&t->ctx);
}

static void handle_user_interrupt(uint64_t code)
{
	if (code == IRQ_S_SOFT) {
		csr_clear_sip(SIP_SSIP);
	} else if (code == IRQ_S_TIMER) {
		arch_timer_cancel();
	} else if (code == IRQ_S_EXTERNAL) {
		irq_handle_external();
	} else if (code == IRQ_S_GUEST_EXTERNAL) {
		aia_guest_interrupt();
	} else {
		panic("unexpected interrupt %lu from user mode", code);
	}
}

#define CAUSE_INSN_MISALIGNED  0
#define CAUSE_ILLEGAL          2
#define CAUSE_INSN_PAGE_FAULT  12
#define CAUSE_LOAD_PAGE_FAULT  13
#define CAUSE_STORE_PAGE_FAULT 15

static uint64_t fault_label(uint64_t cause)
{
	switch (cause) {
	case CAUSE_INSN_PAGE_FAULT:
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
	case 1: /* access faults */
	case 5:
	case 7:
		return FV_FAULT_VM;
	case CAUSE_ILLEGAL:
		return FV_FAULT_ILLEGAL;
	default:
		return FV_FAULT_OTHER;
	}
}

/* A fault the thread cannot get past itself: its handler hears of it, or it stops. */
static void deliver_fault(struct tcb *t)
{
	uint64_t cause = t->ctx.scause;
	const uint64_t words[] = {t->ctx.sepc, t->ctx.stval, cause};
	if (!t->slots[TCB_SLOT_FAULT_EP].cap.type)
		kprintf("ferrovisor: thread '%s' stopped: %s at pc=0x%lx addr=0x%lx\n", t->name,
		        trap_cause_name(cause), t->ctx.sepc, t->ctx.stval);
	ipc_fault(t, fault_label(cause), words, ARRAY_SIZE(words));
}

/* Interrupts and faults: everything but a system call. */
static NOINLINE void handle_other_trap(struct tcb *t)
{
	uint64_t cause = t->ctx.scause;
	if (cause & SCAUSE_INTERRUPT)
		handle_user_interrupt(cause & ~SCAUSE_INTERRUPT);
	else
		deliver_fault(t);
}

HOT void riscv_trap_from_user(struct user_context *ctx)
{
	struct tcb *t = (struct tcb *)ctx;
	/* From a guest: its VS state goes to the VCPU before a stall could be answered. */
	if (csr_read_hstatus() & HSTATUS_SPV)
		vcpu_leave(t);
	halt_if_panicking();
	kernel_lock();
	if (this_hart()->current != t) {
		/* Stalled: another hart took this thread away while it trapped. */
		sched_return_to_user();
	}
	save_fp(t);
	if (ctx->scause == CAUSE_ECALL_U) {
		ctx->sepc += 4;
		handle_syscall(t);
	} else if (!(ctx->scause & SCAUSE_INTERRUPT) && tcb_vcpu(t)) {
		vcpu_handle_exit(t);
	} else {
		handle_other_trap(t);
	}
	sched_return_to_user();
}

/* An interrupt that woke an idle hart: run whatever became runnable. */
void riscv_idle_interrupt(uint64_t code)
{
	halt_if_panicking();
	kernel_lock();
	handle_user_interrupt(code);
	sched_return_to_user();
}
