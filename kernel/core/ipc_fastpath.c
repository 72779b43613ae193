/*
 * The IPC fast path: call and reply-receive in their common case go
 * straight from one thread to the other, without the general lookup,
 * message transfer, reply-capability and scheduler machinery.
 *
 * The common case: a message that fits the registers and carries no
 * capability, an endpoint capability found in one step in a CSpace of a
 * single CNode, a partner already waiting that is an ordinary (not fault)
 * IPC, and a partner on this hart that the scheduler would run next anyway.
 * Every check comes before any change, so whatever fails a check falls
 * through untouched to the slow path (core/ipc.c), whose behaviour the fast
 * path reproduces exactly, field by field.
 */
#include <arch/kernel_addr.h>
#include <fv/cspace.h>
#include <fv/ipc.h>
#include <fv/ipc_queue.h>
#include <fv/object.h>
#include <fv/vcpu.h>

/* A message that transfer_message() would copy from registers alone. */
static bool fits_registers(uint64_t info)
{
	return FV_MSGINFO_LENGTH(info) <= FV_MSG_REG_WORDS && FV_MSGINFO_CAPS(info) == 0;
}

/*
 * The endpoint capability a0 of `t` names, with `right`, when its CSpace is
 * one CNode whose guard and radix use all 64 bits (as every CSpace user
 * programs build here): then lookup is one guard compare and one index,
 * with the same result as cspace_lookup_cap(). NULL for anything else.
 */
static ALWAYS_INLINE const struct cap *endpoint_cap_fast(const struct tcb *t, unsigned right)
{
	const struct cap *root = &t->slots[TCB_SLOT_CSPACE].cap;
	uint64_t cptr = t->ctx.regs[REG_CPTR];
	unsigned radix = root->size_bits;
	if (root->type != CAP_CNODE || radix + root->extra != CPTR_BITS)
		return NULL;
	if ((cptr >> radix) != root->word)
		return NULL;
	uint64_t index = cptr & ((1ull << radix) - 1);
	if (index == 0)
		return NULL; /* slot 0 is the CNode's header */
	const struct cap *cap = &((struct cte *)arch_kobj_ptr(root->pa))[index].cap;
	if (cap->type != CAP_ENDPOINT || !(cap->rights & right))
		return NULL;
	return cap;
}

/* transfer_message() for a message in registers: words, badge and info. */
static void copy_message(const struct tcb *from, struct tcb *to, uint64_t info, uint64_t badge)
{
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(info);
	for (unsigned i = 0; i < len; i++)
		to->ctx.regs[REG_MR(i)] = from->ctx.regs[REG_MR(i)];
	to->ctx.regs[REG_CPTR] = badge;
	to->ctx.regs[REG_MSGINFO] = FV_MSGINFO(FV_MSGINFO_LABEL(info), 0, len);
}

/* wake() without the run queue: the thread runs next, straight away. */
static void wake_to_run(struct tcb *t)
{
	t->blocked_on = NULL;
	t->ipc_flags = 0;
	t->ctx.regs[REG_SYSCALL] = FV_OK;
	t->state = THREAD_RUNNABLE;
}

/*
 * setup_reply() when the server's reply slot is already empty: what
 * cte_insert() does with no parent, then the caller waits. The caller ran
 * until now, so it is in no run queue.
 */
static void give_reply_cap(struct tcb *caller, struct tcb *server)
{
	struct cte *slot = &server->slots[TCB_SLOT_REPLY];
	slot->cap =
	    (struct cap){.type = CAP_REPLY, .rights = FV_RIGHTS_ALL, .pa = arch_kobj_pa(caller)};
	slot->parent = slot->first_child = slot->next_sibling = slot->prev_sibling = NULL;
	caller->state = THREAD_BLOCKED_REPLY;
	caller->reply_holder = server;
	if (caller->queued)
		sched_dequeue(caller);
}

/*
 * cte_delete() of a reply capability whose caller no longer names its
 * holder: such a capability has no parent or children (reply capabilities
 * cannot be copied) and its cleanup finds nothing to do, so emptying the
 * slot is all that deleting it does.
 */
static void drop_reply_cap(struct cte *slot)
{
	slot->cap = (struct cap){.type = CAP_NULL};
	slot->parent = slot->first_child = slot->next_sibling = slot->prev_sibling = NULL;
}

/*
 * The thread waiting on `ep` if it can take a call at once: its reply slot
 * is empty (a reply capability it still held would have to be cancelled
 * first) and it would run next on this hart. NULL otherwise.
 */
static struct tcb *receiver_to_run(const struct endpoint *ep)
{
	if (ep->state != EP_RECEIVERS)
		return NULL;
	struct tcb *receiver = ep->head;
	if (!cap_is_null(&receiver->slots[TCB_SLOT_REPLY].cap) || !sched_runs_next(receiver))
		return NULL;
	return receiver;
}

HOT void ipc_fastpath_call(struct tcb *t)
{
	uint64_t info = t->ctx.regs[REG_MSGINFO];
	const struct cap *ep_cap = endpoint_cap_fast(t, FV_RIGHT_WRITE);
	if (!ep_cap || !fits_registers(info))
		return;
	struct endpoint *ep = arch_kobj_ptr(ep_cap->pa);
	struct tcb *receiver = receiver_to_run(ep);
	if (!receiver)
		return;

	/* As send_on(), rendezvous() and setup_reply() leave things. */
	t->ctx.regs[REG_SYSCALL] = FV_OK;
	t->ipc_badge = ep_cap->word;
	endpoint_dequeue(ep);
	copy_message(t, receiver, info, ep_cap->word);
	wake_to_run(receiver);
	give_reply_cap(t, receiver);
	t->ipc_flags = 0;
	t->blocked_on = NULL;
	sched_switch_to(receiver);
}

/* A thread waiting for the answer to a VM exit (its only fault the fast path answers). */
static bool waits_after_vm_exit(const struct tcb *caller)
{
	return caller->ipc_flags == IPC_FAULT && caller->fault_label == FV_FAULT_VCPU;
}

/*
 * The caller that `t`'s reply capability answers, if it waits for an
 * ordinary reply or for a VM exit's.
 */
static struct tcb *waiting_caller(struct tcb *t)
{
	const struct cte *slot = &t->slots[TCB_SLOT_REPLY];
	if (slot->cap.type != CAP_REPLY || slot->parent || slot->first_child)
		return NULL;
	struct tcb *caller = arch_kobj_ptr(slot->cap.pa);
	if (caller->state != THREAD_BLOCKED_REPLY || caller->reply_holder != t)
		return NULL;
	if (caller->ipc_flags != 0 && !waits_after_vm_exit(caller))
		return NULL; /* another fault: its reply sets registers another way */
	return caller;
}

/*
 * resume_from_fault() for a VM exit answered with label 0 (resume): the pc
 * advance and the registers the reply names, then it runs at once. Its
 * a0 is the guest's, not a system call status: nothing else is written.
 */
static void resume_vcpu_to_run(const struct tcb *server, struct tcb *caller, uint64_t info)
{
	uint64_t words[FV_MSG_REG_WORDS];
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(info);
	for (unsigned i = 0; i < len; i++)
		words[i] = server->ctx.regs[REG_MR(i)];
	caller->ipc_flags = 0;
	vcpu_resume(caller, words, len);
	caller->state = THREAD_RUNNABLE;
}

/* A signal pending on the bound notification would end the receive at once. */
static bool notification_pending(const struct tcb *t)
{
	return t->bound_notification && t->bound_notification->word != 0;
}

HOT void ipc_fastpath_reply_recv(struct tcb *t)
{
	uint64_t info = t->ctx.regs[REG_MSGINFO];
	struct tcb *caller = waiting_caller(t);
	if (!caller || t->ipc_flags != 0 || !fits_registers(info))
		return;
	bool vm_exit = caller->ipc_flags != 0;
	if (vm_exit && FV_MSGINFO_LABEL(info) != 0)
		return; /* the handler stops the vCPU: the slow path */
	const struct cap *ep_cap = endpoint_cap_fast(t, FV_RIGHT_READ);
	if (!ep_cap || notification_pending(t))
		return;
	struct endpoint *ep = arch_kobj_ptr(ep_cap->pa);
	/* A queued sender would be received at once instead of blocking. */
	if (ep->state == EP_SENDERS || !sched_runs_next(caller))
		return;

	/* As ipc_reply(), then ipc_receive() with nobody to receive from. */
	caller->reply_holder = NULL;
	drop_reply_cap(&t->slots[TCB_SLOT_REPLY]);
	if (vm_exit) {
		resume_vcpu_to_run(t, caller, info);
	} else {
		copy_message(t, caller, info, 0);
		wake_to_run(caller);
	}
	t->ctx.regs[REG_SYSCALL] = FV_OK;
	block_on_endpoint(t, ep, THREAD_BLOCKED_RECV);
	sched_switch_to(caller);
}

HOT void ipc_fastpath_vcpu_exit(struct tcb *t, const struct cap *ep_cap)
{
	struct endpoint *ep = arch_kobj_ptr(ep_cap->pa);
	struct tcb *receiver = receiver_to_run(ep);
	if (!receiver)
		return;

	/* As send_on(), rendezvous() and setup_reply() leave things for a fault call. */
	t->ipc_flags = IPC_CALL | IPC_FAULT;
	t->ipc_badge = ep_cap->word;
	endpoint_dequeue(ep);
	transfer_message(t, receiver, ep_cap->word);
	wake_to_run(receiver);
	give_reply_cap(t, receiver);
	t->ipc_flags = IPC_FAULT;
	t->blocked_on = NULL;
	sched_switch_to(receiver);
}
