/*
 * TCB invocations: configure, registers, priority, affinity, resume and
 * suspend; and what destroying a thread involves.
 */
#include <string.h>

#include <fv/invocation.h>
#include <fv/ipc.h>
#include <fv/object.h>
#include <fv/smp.h>
#include <fv/tcb.h>
#include <fv/vcpu.h>
#include <fv/vspace.h>

/* The IPC buffer is 1 KiB-aligned so the whole buffer always lies in one page. */
#define IPC_BUFFER_ALIGN 1024
_Static_assert(sizeof(struct fv_ipc_buffer) <= IPC_BUFFER_ALIGN, "IPC buffer fits its alignment");

static const uint8_t fv_register_index[FV_REG_COUNT] = {
    [FV_REG_PC] = 0, /* sepc, handled apart */
    [FV_REG_SP] = REG_SP,     [FV_REG_A0] = REG_A0, [FV_REG_A1] = REG_A1, [FV_REG_A2] = REG_A2,
    [FV_REG_A3] = REG_A2 + 1, [FV_REG_TP] = REG_TP, [FV_REG_GP] = REG_GP,
};

void tcb_init(struct tcb *t)
{
	t->state = THREAD_INACTIVE;
	t->running_on = -1;
	memcpy(t->name, "thread", 7);
}

static struct tcb *tcb_of(const struct cap *cap)
{
	return kobj_ptr(cap->pa);
}

/* Takes the thread out of IPC, off every hart and queue: afterwards no hart touches it. */
void tcb_stop(struct tcb *t)
{
	ipc_cancel(t);
	sched_dequeue(t);
	if (t->running_on >= 0)
		hart_stall(&harts[t->running_on]);
	t->running_on = -1;
	t->state = THREAD_INACTIVE;
}

void tcb_finalize(struct tcb *t)
{
	tcb_stop(t);
	ipc_unbind_notification(t);
	for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
		if (harts[i].fp_owner == t)
			harts[i].fp_owner =
			    FP_STALE; /* not zeros: reload before anyone uses them */
	tcb_unbind_vcpu(t);
	for (unsigned i = 0; i < TCB_SLOT_COUNT; i++)
		cte_delete(&t->slots[i]);
}

/* args: ipc_buffer_va; caps: cspace root (CNode), vspace (VSpace), IPC buffer (Frame). */
static fv_error_t decode_configure(struct invocation *inv, struct tcb *t)
{
	if (inv->nargs < 1 || inv->ncaps < 3)
		return FV_TRUNCATED_MESSAGE;
	struct cte *cspace = inv->caps[0], *vspace = inv->caps[1], *buffer = inv->caps[2];
	uint64_t buffer_va = inv->args[0];
	if (cspace->cap.type != CAP_CNODE || vspace->cap.type != CAP_VSPACE ||
	    buffer->cap.type != CAP_FRAME)
		return FV_INVALID_CAPABILITY;
	if (buffer_va % IPC_BUFFER_ALIGN)
		return FV_ALIGNMENT_ERROR;
	if (!(buffer->cap.rights & FV_RIGHT_WRITE) || (buffer->cap.flags & CAP_FLAG_DEVICE))
		return FV_INSUFFICIENT_RIGHTS;
	if (t->state != THREAD_INACTIVE)
		return FV_ILLEGAL_OPERATION; /* suspend it first */
	cte_replace_with_copy(&t->slots[TCB_SLOT_CSPACE], cspace);
	cte_replace_with_copy(&t->slots[TCB_SLOT_VSPACE], vspace);
	cte_replace_with_copy(&t->slots[TCB_SLOT_IPC_BUFFER], buffer);
	t->ipc_buffer_va = buffer_va;
	return FV_OK;
}

/* Brings a thread running on another hart back into its saved registers. */
void tcb_take_off_hart(struct tcb *t)
{
	if (t->running_on < 0)
		return;
	hart_stall(&harts[t->running_on]);
	t->running_on = -1;
	if (t->state == THREAD_RUNNABLE)
		sched_make_runnable(t);
}

uint64_t *tcb_register(struct tcb *t, unsigned reg)
{
	return reg == FV_REG_PC ? &t->ctx.sepc : &t->ctx.regs[fv_register_index[reg]];
}

/* args: count, then `count` register values in fv_register order. */
static fv_error_t decode_write_registers(struct invocation *inv, struct tcb *t)
{
	if (inv->nargs < 1)
		return FV_TRUNCATED_MESSAGE;
	uint64_t count = inv->args[0];
	if (count > FV_REG_COUNT || count > INV_MAX_ARGS - 1)
		return FV_RANGE_ERROR;
	if (inv->nargs < 1 + count)
		return FV_TRUNCATED_MESSAGE;
	if (t == inv->caller)
		return FV_ILLEGAL_OPERATION;
	tcb_take_off_hart(t);
	for (unsigned i = 0; i < count; i++)
		*tcb_register(t, i) = inv->args[1 + i];
	return FV_OK;
}

static fv_error_t decode_read_registers(struct invocation *inv, struct tcb *t)
{
	if (inv->nargs < 1)
		return FV_TRUNCATED_MESSAGE;
	uint64_t count = inv->args[0];
	if (count > FV_REG_COUNT || count > INV_MAX_ARGS)
		return FV_RANGE_ERROR;
	if (t != inv->caller)
		tcb_take_off_hart(t);
	for (unsigned i = 0; i < count; i++)
		inv->ret[i] = *tcb_register(t, i);
	inv->nret = (unsigned)count;
	return FV_OK;
}

/* args: priority, max priority; neither above the caller's own maximum. */
static fv_error_t decode_set_priority(struct invocation *inv, struct tcb *t)
{
	if (inv->nargs < 2)
		return FV_TRUNCATED_MESSAGE;
	uint64_t prio = inv->args[0], max = inv->args[1];
	uint8_t limit = inv->caller ? inv->caller->max_priority : PRIORITY_COUNT - 1;
	if (prio > limit || max > limit)
		return FV_RANGE_ERROR;
	bool queued = t->queued;
	sched_dequeue(t);
	t->priority = (uint8_t)prio;
	t->max_priority = (uint8_t)max;
	if (queued)
		sched_enqueue(t);
	return FV_OK;
}

static fv_error_t decode_set_affinity(struct invocation *inv, struct tcb *t)
{
	if (inv->nargs < 1)
		return FV_TRUNCATED_MESSAGE;
	uint64_t hart = inv->args[0];
	if (hart >= CONFIG_MAX_HARTS || !harts[hart].online)
		return FV_RANGE_ERROR;
	const struct vcpu *v = tcb_vcpu(t);
	if (v && !vcpu_may_run_on(v, (unsigned)hart))
		return FV_ILLEGAL_OPERATION; /* its guest interrupt file lives on that hart */
	bool was_runnable = t->state == THREAD_RUNNABLE;
	tcb_stop(t);
	t->affinity = (uint16_t)hart;
	if (was_runnable)
		sched_make_runnable(t);
	return FV_OK;
}

static fv_error_t decode_resume(struct tcb *t)
{
	if (t->slots[TCB_SLOT_CSPACE].cap.type != CAP_CNODE ||
	    t->slots[TCB_SLOT_VSPACE].cap.type != CAP_VSPACE)
		return FV_ILLEGAL_OPERATION; /* configure it first */
	if (t->state == THREAD_INACTIVE)
		sched_make_runnable(t);
	return FV_OK;
}

/* caps: an endpoint with the write right, or none to remove the handler. */
static fv_error_t decode_set_fault_handler(struct invocation *inv, struct tcb *t)
{
	struct cte *ep = inv->ncaps ? inv->caps[0] : NULL;
	if (ep && ep->cap.type != CAP_ENDPOINT)
		return FV_INVALID_CAPABILITY;
	if (ep && !(ep->cap.rights & FV_RIGHT_WRITE))
		return FV_INSUFFICIENT_RIGHTS;
	cte_replace_with_copy(&t->slots[TCB_SLOT_FAULT_EP], ep);
	return FV_OK;
}

fv_error_t decode_tcb_invocation(struct invocation *inv)
{
	struct tcb *t = tcb_of(&inv->target->cap);
	switch (inv->label) {
	case FV_TCB_CONFIGURE:
		return decode_configure(inv, t);
	case FV_TCB_WRITE_REGISTERS:
		return decode_write_registers(inv, t);
	case FV_TCB_READ_REGISTERS:
		return decode_read_registers(inv, t);
	case FV_TCB_SET_PRIORITY:
		return decode_set_priority(inv, t);
	case FV_TCB_SET_AFFINITY:
		return decode_set_affinity(inv, t);
	case FV_TCB_RESUME:
		return decode_resume(t);
	case FV_TCB_SUSPEND:
		tcb_stop(t);
		return FV_OK;
	case FV_TCB_SET_FAULT_HANDLER:
		return decode_set_fault_handler(inv, t);
	case FV_TCB_BIND_NOTIFICATION:
		if (inv->ncaps < 1)
			return FV_TRUNCATED_MESSAGE;
		return ipc_bind_notification(t, inv->caps[0]);
	case FV_TCB_UNBIND_NOTIFICATION:
		ipc_unbind_notification(t);
		return FV_OK;
	case FV_TCB_BIND_VCPU:
		return tcb_bind_vcpu(inv, t);
	default:
		return FV_ILLEGAL_OPERATION;
	}
}
