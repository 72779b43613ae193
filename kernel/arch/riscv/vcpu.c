/*
 * VCPUs on RISC-V (fv/vcpu.h): entering a guest in VS-mode and leaving it.
 * The bound thread's saved registers are the guest's; its sepc is the
 * guest pc. Entering sets hstatus.SPV so that sret lands in VS-mode; every
 * trap from the guest saves the VS CSRs into the VCPU before anything else
 * runs (a hart being stalled must leave the object complete) and clears
 * SPV again, so a later sret to an ordinary thread stays in U-mode.
 */
#include <arch/context.h>
#include <arch/csr.h>
#include <arch/guest_fetch.h>
#include <arch/irqchip.h>
#include <arch/timer.h>
#include <fv/console.h>
#include <fv/invocation.h>
#include <fv/ipc.h>
#include <fv/object.h>
#include <fv/smp.h>
#include <fv/tcb.h>
#include <fv/vcpu.h>
#include <fv/vspace.h>

/*
 * The exceptions a guest handles itself, the rest are exits: misaligned
 * fetch (0), illegal instruction (2), breakpoint (3), misaligned load and
 * store/AMO (4, 6: the guest emulates or signals them, as on hardware),
 * user ecall (8) and its own page faults (12, 13, 15).
 */
#define HEDELEG_GUEST 0xb15dull
/* VS-level software, timer and external interrupts go straight to the guest. */
#define HIDELEG_GUEST 0x444ull

#define HENVCFG_STCE        (1ull << 63)
#define HCOUNTEREN_CY_TM_IR 0x7ull
#define CAUSE_VIRTUAL_INSN  22
#define INSN_WFI            0x10500073ull
#define INSN_WRS_NTO        0x00d00073ull /* Zawrs */
#define INSN_WRS_STO        0x01d00073ull

struct vcpu *tcb_vcpu(const struct tcb *t)
{
	const struct cap *c = &t->slots[TCB_SLOT_VCPU].cap;
	return c->type == CAP_VCPU ? kobj_ptr(c->pa) : NULL;
}

void vcpu_init(struct vcpu *v)
{
	v->regs[FV_VCPU_VSTIMECMP] = UINT64_MAX; /* no timer until the guest sets one */
	v->regs[FV_VCPU_HENVCFG] = HENVCFG_STCE; /* the guest's own stimecmp: no timer exits */
	v->regs[FV_VCPU_HCOUNTEREN] = HCOUNTEREN_CY_TM_IR;
	v->regs[FV_VCPU_SCOUNTEREN] = HCOUNTEREN_CY_TM_IR;
	v->regs[FV_VCPU_MODE] = 1; /* a hart starts in supervisor mode */
	static uint64_t next_id;
	v->id = ++next_id; /* under the kernel lock */
	v->last_hart = -1;
}

static bool have_h_extension;
static bool have_ssaia; /* vsiselect exists: the guest's is kept */

void vcpu_hart_init(void)
{
	uint64_t probe;
	if (!csr_try_read_hedeleg(&probe))
		return; /* no H extension: the boot stops later, and says why */
	have_h_extension = true;
	have_ssaia = csr_try_read_vsiselect(&probe);
	csr_write_hedeleg(HEDELEG_GUEST);
	csr_write_hideleg(HIDELEG_GUEST);
	csr_write_hvip(0);
}

/*
 * hie is the last guest's vsie: with its timer's deadline past, or a bit
 * left in hvip, an enabled VS interrupt stays pending and every WFI of the
 * idle loop would end at once. Entering a guest loads vsie again.
 */
void vcpu_hart_idle(void)
{
	/* SGEIE stays on: a guest interrupt file's interrupt wakes its vCPU. */
	if (have_h_extension)
		csr_clear_hie(HIE_VS_ALL);
}

void tcb_unbind_vcpu(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);
	if (v && v->tcb == t)
		v->tcb = NULL;
	cte_delete(&t->slots[TCB_SLOT_VCPU]);
	cte_delete(&t->slots[TCB_SLOT_GUEST_SPACE]);
}

/* caps: the VCPU and the GuestSpace; none: unbind. The thread must be stopped. */
fv_error_t tcb_bind_vcpu(struct invocation *inv, struct tcb *t)
{
	if (t->state != THREAD_INACTIVE)
		return FV_ILLEGAL_OPERATION; /* suspend it first */
	if (inv->ncaps == 0) {
		tcb_unbind_vcpu(t);
		t->runs_guest = false; /* asked for: it may run user code again */
		return FV_OK;
	}
	if (inv->ncaps < 2)
		return FV_TRUNCATED_MESSAGE;
	struct cte *vcpu = inv->caps[0], *gs = inv->caps[1];
	if (vcpu->cap.type != CAP_VCPU || gs->cap.type != CAP_GUEST_SPACE)
		return FV_INVALID_CAPABILITY;
	struct vcpu *v = kobj_ptr(vcpu->cap.pa);
	if (v->tcb && v->tcb != t)
		return FV_ILLEGAL_OPERATION; /* one thread per VCPU */
	if (!vcpu_may_run_on(v, t->affinity))
		return FV_ILLEGAL_OPERATION; /* its interrupt file is on another hart */
	tcb_unbind_vcpu(t);
	cte_replace_with_copy(&t->slots[TCB_SLOT_VCPU], vcpu);
	cte_replace_with_copy(&t->slots[TCB_SLOT_GUEST_SPACE], gs);
	v->tcb = t;
	t->runs_guest = true;
	return FV_OK;
}

/* ---- entering and leaving ---- */

static void load_vs_csrs(const struct vcpu *v)
{
	if (have_ssaia)
		csr_write_vsiselect(v->regs[FV_VCPU_VSISELECT]);
	csr_write_vsstatus(v->regs[FV_VCPU_VSSTATUS]);
	csr_write_vsie(v->regs[FV_VCPU_VSIE]);
	csr_write_vstvec(v->regs[FV_VCPU_VSTVEC]);
	csr_write_vsscratch(v->regs[FV_VCPU_VSSCRATCH]);
	csr_write_vsepc(v->regs[FV_VCPU_VSEPC]);
	csr_write_vscause(v->regs[FV_VCPU_VSCAUSE]);
	csr_write_vstval(v->regs[FV_VCPU_VSTVAL]);
	csr_write_vstimecmp(v->regs[FV_VCPU_VSTIMECMP]);
	csr_write_hvip(v->regs[FV_VCPU_HVIP]);
	csr_write_htimedelta(v->regs[FV_VCPU_HTIMEDELTA]);
	csr_write_henvcfg(v->regs[FV_VCPU_HENVCFG]);
	csr_write_hcounteren(v->regs[FV_VCPU_HCOUNTEREN]);
	csr_write_scounteren(v->regs[FV_VCPU_SCOUNTEREN]);
	csr_write_senvcfg(v->regs[FV_VCPU_SENVCFG]);
}

static void save_vs_csrs(struct vcpu *v)
{
	if (have_ssaia)
		v->regs[FV_VCPU_VSISELECT] = csr_read_vsiselect();
	v->regs[FV_VCPU_VSSTATUS] = csr_read_vsstatus();
	v->regs[FV_VCPU_VSIE] = csr_read_vsie();
	v->regs[FV_VCPU_VSTVEC] = csr_read_vstvec();
	v->regs[FV_VCPU_VSSCRATCH] = csr_read_vsscratch();
	v->regs[FV_VCPU_VSEPC] = csr_read_vsepc();
	v->regs[FV_VCPU_VSCAUSE] = csr_read_vscause();
	v->regs[FV_VCPU_VSTVAL] = csr_read_vstval();
	v->regs[FV_VCPU_VSATP] = csr_read_vsatp();
	v->regs[FV_VCPU_VSTIMECMP] = csr_read_vstimecmp();
	v->regs[FV_VCPU_HVIP] = csr_read_hvip(); /* the guest clears VSSIP itself */
	v->regs[FV_VCPU_SCOUNTEREN] = csr_read_scounteren();
	v->regs[FV_VCPU_SENVCFG] = csr_read_senvcfg();
}

/*
 * Address translation CSRs are written only when they change: each change
 * costs the hart (and QEMU) its whole TLB. The stage 2 goes first, with
 * vsatp off meanwhile, so that nothing walks a guest's tables under another
 * guest's stage 2.
 */
static void load_translation(struct hart *self, struct tcb *t, struct vcpu *v)
{
	uint64_t hgatp = guest_space_hgatp(&t->slots[TCB_SLOT_GUEST_SPACE].cap);
	if (csr_read_hgatp() != hgatp) {
		csr_write_vsatp(0);
		csr_write_hgatp(hgatp);
	}
	/*
	 * Entries this hart kept may be stale if the vCPU ran elsewhere since, or
	 * if another vCPU of the same guest (same VMID) ran here in between.
	 */
	int16_t here = (int16_t)self->index;
	if (v->flush || v->last_hart != here || self->last_vcpu != v->id) {
		hfence_vvma_all_and_fence_i();
		v->flush = false;
		v->last_hart = here;
		self->last_vcpu = v->id;
	}
	if (csr_read_vsatp() != v->regs[FV_VCPU_VSATP])
		csr_write_vsatp(v->regs[FV_VCPU_VSATP]);
}

/* Interrupt changes made while it ran elsewhere, into its saved hvip. */
static void apply_pending_interrupts(struct vcpu *v)
{
	v->regs[FV_VCPU_HVIP] = (v->regs[FV_VCPU_HVIP] | v->irq_set) & ~v->irq_clear;
	v->irq_set = v->irq_clear = 0;
}

/* Its guest interrupt file, if it has one and runs on that file's hart. */
static uint64_t guest_file_here(const struct vcpu *v, const struct hart *self)
{
	return v->vgein && v->file_hart == self->index ? v->vgein : 0;
}

/*
 * The file hstatus.VGEIN is to select (0: none here): the guest's interrupts
 * from it then reach it as VS external interrupts with no exit. Running, it
 * needs no wake-up from the file: its hgeie bit goes off. A file newly given
 * is cleared first, through vsiselect/vsireg with VGEIN selecting it.
 */
static uint64_t select_guest_file(struct vcpu *v, const struct hart *self)
{
	uint64_t file = have_ssaia ? guest_file_here(v, self) : 0;
	if (!file)
		return 0;
	csr_clear_hgeie(1ull << file);
	if (v->file_is_fresh) {
		csr_write_hstatus((csr_read_hstatus() & ~HSTATUS_VGEIN) |
		                  file << HSTATUS_VGEIN_SHIFT);
		aia_guest_file_reset();
		v->file_is_fresh = false;
	}
	return file;
}

/*
 * hstatus.VTW, or 0. Alone on its hart, a guest's WFI waits in place (VTW
 * off): the hart halts in the guest as it would idle in the kernel, with no
 * exit, and whatever it waits for wakes it directly (its timer, its
 * interrupt file, an injected interrupt's poke). With another thread waiting
 * to run here, WFI traps (VTW) so the vCPU sleeps in the kernel and lets it
 * run; a thread made runnable here later pokes the hart (guest_halts), which
 * then comes back through this choice.
 */
static uint64_t wfi_mode(struct hart *self)
{
	self->guest_halts = sched_queue_empty(self);
	return self->guest_halts ? 0 : HSTATUS_VTW;
}

void vcpu_enter(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);
	struct hart *self = this_hart();
	apply_pending_interrupts(v);
	uint64_t file = select_guest_file(v, self);
	load_vs_csrs(v);
	load_translation(self, t, v);
	/* sret to the guest's own mode (SPV = 1, SPP its VS or VU). */
	if (v->regs[FV_VCPU_MODE])
		t->ctx.sstatus |= SSTATUS_SPP;
	else
		t->ctx.sstatus &= ~SSTATUS_SPP;
	/* One write: SPV, SPVP, the file and the WFI mode. */
	uint64_t hstatus = csr_read_hstatus() & ~(HSTATUS_VGEIN | HSTATUS_VTW);
	csr_write_hstatus(hstatus | HSTATUS_SPV | HSTATUS_SPVP | file << HSTATUS_VGEIN_SHIFT |
	                  wfi_mode(self));
}

void vcpu_leave(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);
	this_hart()->guest_halts = false; /* in the kernel: it schedules again before re-entering */
	csr_clear_hstatus(HSTATUS_SPV | HSTATUS_SPVP);
	if (v) {
		save_vs_csrs(v);
		/* The trap's SPP is the mode the guest was in: VS or VU. */
		v->regs[FV_VCPU_MODE] = (t->ctx.sstatus & SSTATUS_SPP) ? 1 : 0;
	}
	/* hvip stays as it is: it acts only in a guest, and every entry loads its own. */
	/* The host's own values: user mode reads the counters, nothing else. */
	csr_write_scounteren(HCOUNTEREN_CY_TM_IR);
	csr_write_senvcfg(0);
}

/* The guest's view of time: the host's plus its delta. */
static uint64_t guest_time(const struct vcpu *v)
{
	return arch_time_now() + v->regs[FV_VCPU_HTIMEDELTA];
}

/* Interrupts pending for the guest and enabled in its vsie (its WFI ends on these). */
static uint64_t interrupts_waiting(const struct vcpu *v)
{
	uint64_t pending = v->regs[FV_VCPU_HVIP] & FV_VCPU_IRQ_ALL;
	if (guest_time(v) >= v->regs[FV_VCPU_VSTIMECMP])
		pending |= FV_VCPU_IRQ_TIMER; /* Sstc: the guest's own timer */
	uint64_t enabled =
	    (v->regs[FV_VCPU_VSIE] << 1) & FV_VCPU_IRQ_ALL; /* vsie bits are one lower */
	return pending & enabled;
}

/*
 * With an interrupt file on this hart: arms the file's wake-up, then looks
 * (so a message arriving in between still wakes the vCPU); true, and
 * disarmed, if the file already has an interrupt for the guest.
 */
static bool guest_file_wakes(const struct vcpu *v)
{
	uint64_t file = guest_file_here(v, this_hart());
	bool enabled = (v->regs[FV_VCPU_VSIE] << 1) & FV_VCPU_IRQ_EXTERNAL;
	if (!file || !enabled)
		return false; /* as on hardware: only an interrupt it enabled ends a WFI */
	csr_set_hgeie(1ull << file);
	if (!(csr_read_hgeip() & (1ull << file)))
		return false;
	csr_clear_hgeie(1ull << file);
	return true;
}

/*
 * A guest WFI: the vCPU sleeps until an interrupt it enabled is pending,
 * its own timer's or one its VMM injects (set_interrupts wakes it), and
 * lets the hart run something else meanwhile.
 */
static void guest_wfi(struct tcb *t, struct vcpu *v)
{
	t->ctx.sepc += 4;
	apply_pending_interrupts(v);
	if (interrupts_waiting(v) || guest_file_wakes(v))
		return;
	uint64_t wake = UINT64_MAX;
	bool timer_on = (v->regs[FV_VCPU_VSIE] << 1) & FV_VCPU_IRQ_TIMER;
	if (timer_on && v->regs[FV_VCPU_VSTIMECMP] != UINT64_MAX) {
		/*
		 * No interrupt waits, so the deadline is ahead in the guest's clock:
		 * as far ahead in the host's, whatever htimedelta is.
		 */
		uint64_t ahead = v->regs[FV_VCPU_VSTIMECMP] - guest_time(v), now = arch_time_now();
		wake = ahead < UINT64_MAX - now ? now + ahead : UINT64_MAX;
	}
	sched_sleep(t, wake);
}

/*
 * The instruction at the guest's pc, fetched as the guest would fetch it,
 * or 0 if that faults. A virtual-instruction exception's stval is not to be
 * trusted for it: QEMU leaves a trapped WRS.NTO's bits out (stval then holds
 * an earlier instruction's). The translation CSRs are still the guest's.
 */
static uint64_t guest_instruction(const struct tcb *t, const struct vcpu *v)
{
	uint64_t lo, hi = 0;
	csr_write_hstatus((csr_read_hstatus() & ~HSTATUS_SPVP) |
	                  (v->regs[FV_VCPU_MODE] ? HSTATUS_SPVP : 0));
	bool ok = guest_try_fetch_u16(t->ctx.sepc, &lo);
	if (ok && (lo & 3) == 3)
		ok = guest_try_fetch_u16(t->ctx.sepc + 2, &hi);
	csr_clear_hstatus(HSTATUS_SPVP);
	return ok ? (hi << 16 | lo) : 0;
}

/*
 * A guest's WRS.NTO or WRS.STO (Zawrs), trapped while hstatus.VTW is set:
 * it waits for another vCPU to store to a location it reserved. A wait may
 * end at any time, so it ends here, and the hart goes to whatever else
 * waits to run on it, which may be the vCPU it waits for.
 */
static void guest_wrs(struct tcb *t)
{
	t->ctx.sepc += 4;
	sched_yield_current();
}

/* True if the kernel served the virtual instruction itself (WFI, WRS). */
static bool serve_virtual_instruction(struct tcb *t, struct vcpu *v)
{
	t->ctx.stval = guest_instruction(t, v); /* what the VMM and the guest see */
	if (t->ctx.stval == INSN_WFI) {
		guest_wfi(t, v);
		return true;
	}
	if (t->ctx.stval == INSN_WRS_NTO || t->ctx.stval == INSN_WRS_STO) {
		guest_wrs(t);
		return true;
	}
	return false;
}

void vcpu_handle_exit(struct tcb *t)
{
	uint64_t cause = t->ctx.scause;
	if (cause == CAUSE_VIRTUAL_INSN && serve_virtual_instruction(t, tcb_vcpu(t)))
		return;
	uint64_t tval = t->ctx.stval;
	const uint64_t words[] = {
	    [FV_EXIT_CAUSE] = cause,
	    [FV_EXIT_PC] = t->ctx.sepc,
	    [FV_EXIT_TVAL] = tval,
	    [FV_EXIT_GPA] = (csr_read_htval() << 2) | (tval & 3),
	    [FV_EXIT_HTINST] = csr_read_htinst(),
	};
	if (!t->slots[TCB_SLOT_FAULT_EP].cap.type)
		kprintf("ferrovisor: vCPU thread '%s' stopped: exit cause %lu at pc=0x%lx\n",
		        t->name, cause, t->ctx.sepc);
	ipc_fault(t, FV_FAULT_VCPU, words, ARRAY_SIZE(words));
}

/* Exceptions a VS-mode guest takes itself: as hedeleg's, and the access faults. */
#define GUEST_EXCEPTIONS 0xb1ffull

/*
 * The trap a hart would make into VS-mode (privileged spec, "Trap
 * Entry"): vsepc the trapping pc, vscause, vstval the exit's stval,
 * vsstatus.SPP the mode it came from, SPIE the old SIE, SIE off, and on at
 * vstvec's base in VS-mode (exceptions never use vectored entry).
 */
static void raise_in_guest(struct tcb *t, struct vcpu *v, uint64_t cause)
{
	uint64_t vsstatus = v->regs[FV_VCPU_VSSTATUS] & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	if (v->regs[FV_VCPU_MODE])
		vsstatus |= SSTATUS_SPP;
	if (v->regs[FV_VCPU_VSSTATUS] & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	v->regs[FV_VCPU_VSSTATUS] = vsstatus;
	v->regs[FV_VCPU_VSEPC] = t->ctx.sepc;
	v->regs[FV_VCPU_VSCAUSE] = cause;
	v->regs[FV_VCPU_VSTVAL] = t->ctx.stval;
	v->regs[FV_VCPU_MODE] = 1;
	t->ctx.sepc = v->regs[FV_VCPU_VSTVEC] & ~3ull;
}

void vcpu_resume(struct tcb *t, const uint64_t *words, unsigned len)
{
	uint64_t how = len >= 1 ? words[0] : 0, cause = how & ~FV_EXIT_RAISE;
	struct vcpu *v = tcb_vcpu(t);
	if (how == 2 || how == 4)
		t->ctx.sepc += how;
	else if (v && (how & FV_EXIT_RAISE) && cause < 64 && (GUEST_EXCEPTIONS >> cause & 1))
		raise_in_guest(t, v, cause);
	uint64_t mask = len >= 2 ? words[1] : 0;
	unsigned next = 2;
	for (unsigned n = 1; n < 32 && next < len; n++)
		if (mask & (1ull << n))
			t->ctx.regs[n] = words[next++];
}

/* ---- invocations ---- */

static fv_error_t check_reg_range(const struct invocation *inv, unsigned extra)
{
	if (inv->nargs < 2)
		return FV_TRUNCATED_MESSAGE;
	uint64_t first = inv->args[0], count = inv->args[1];
	if (first >= FV_VCPU_REG_COUNT || count > FV_VCPU_REG_COUNT - first ||
	    count > INV_MAX_ARGS - extra)
		return FV_RANGE_ERROR;
	return FV_OK;
}

/*
 * args: bits to set, bits to clear, and optionally nonzero to make it forget
 * its guest translations (and fence.i) at its next entry. A guest running on
 * another hart is not stopped and waited for: the change is recorded and
 * that hart poked, so it enters the kernel and takes the change in at the
 * guest's next entry, at once. A sleeping guest wakes.
 */
static fv_error_t set_interrupts(struct invocation *inv, struct vcpu *v)
{
	if (inv->nargs < 2)
		return FV_TRUNCATED_MESSAGE;
	uint64_t set = inv->args[0], clear = inv->args[1];
	if ((set | clear) & ~(uint64_t)FV_VCPU_IRQ_ALL)
		return FV_INVALID_ARGUMENT;
	v->irq_set = (v->irq_set | set) & ~clear; /* the latest word on a bit wins */
	v->irq_clear = (v->irq_clear | clear) & ~set;
	if (inv->nargs >= 3 && inv->args[2])
		v->flush = true; /* an SBI remote fence for this vCPU */
	struct tcb *t = v->tcb;
	if (t && t->running_on >= 0) {
		hart_poke(&harts[t->running_on]);
		return FV_OK;
	}
	apply_pending_interrupts(v);
	if (set && t)
		sched_wake(t); /* out of a WFI: it checks its interrupts itself */
	return FV_OK;
}

static void detach_guest_file(struct vcpu *v)
{
	if (v->vgein)
		aia_guest_file_unbind(v->file_hart, v->vgein, v);
	v->vgein = 0;
}

void vcpu_finalize(struct vcpu *v)
{
	detach_guest_file(v);
}

/*
 * cap: the frame of a guest interrupt file (FV_IRQ_CONTROL_GET_GUEST_FILE),
 * or none to detach. The file is this vCPU's alone, cleared before it first
 * runs with it, and acts only while the vCPU runs on the file's hart.
 */
static fv_error_t set_irq_file(struct invocation *inv, struct vcpu *v)
{
	if (v->tcb && v->tcb->running_on >= 0)
		return FV_ILLEGAL_OPERATION; /* stop its thread first */
	if (inv->ncaps == 0) {
		detach_guest_file(v);
		return FV_OK;
	}
	uint16_t hart;
	uint8_t guest;
	if (!aia_guest_file_at(&inv->caps[0]->cap, &hart, &guest))
		return FV_INVALID_CAPABILITY;
	if (v->tcb && v->tcb->affinity != hart)
		return FV_ILLEGAL_OPERATION; /* its thread runs elsewhere: set its affinity first */
	if (!(hart == v->file_hart && guest == v->vgein)) {
		if (!aia_guest_file_bind(hart, guest, v))
			return FV_ILLEGAL_OPERATION; /* another vCPU's */
		detach_guest_file(v);
		v->file_hart = hart;
		v->vgein = guest;
	}
	v->file_is_fresh = true;
	return FV_OK;
}

fv_error_t decode_vcpu_invocation(struct invocation *inv)
{
	struct vcpu *v = kobj_ptr(inv->target->cap.pa);
	if (inv->label == FV_VCPU_SET_INTERRUPTS)
		return set_interrupts(inv, v);
	if (inv->label == FV_VCPU_SET_IRQ_FILE)
		return set_irq_file(inv, v);
	if (inv->label != FV_VCPU_READ_REGS && inv->label != FV_VCPU_WRITE_REGS)
		return FV_ILLEGAL_OPERATION;
	bool write = inv->label == FV_VCPU_WRITE_REGS;
	fv_error_t err = check_reg_range(inv, write ? 2 : 0);
	if (err)
		return err;
	if (v->tcb && v->tcb->running_on >= 0)
		return FV_ILLEGAL_OPERATION; /* its state is in a hart now: stop the thread first */
	apply_pending_interrupts(v);
	unsigned first = (unsigned)inv->args[0], count = (unsigned)inv->args[1];
	if (write && inv->nargs < 2 + count)
		return FV_TRUNCATED_MESSAGE;
	for (unsigned i = 0; i < count; i++) {
		if (write)
			v->regs[first + i] =
			    first + i == FV_VCPU_MODE ? inv->args[2 + i] & 1 : inv->args[2 + i];
		else
			inv->ret[i] = v->regs[first + i];
	}
	inv->nret = write ? 0 : count;
	return FV_OK;
}
