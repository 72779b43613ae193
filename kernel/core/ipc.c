/*
 * Synchronous IPC through endpoints, asynchronous notifications, replies
 * and fault messages. Everything runs under the big kernel lock; a thread
 * that blocks stays in its endpoint's or notification's queue until a
 * partner, a cancellation or the object's deletion takes it out.
 */
#include <string.h>

#include <fv/cspace.h>
#include <fv/ipc.h>
#include <fv/ipc_queue.h>
#include <fv/object.h>
#include <fv/syscall.h>
#include <fv/vcpu.h>

#define REG_STATUS REG_SYSCALL

static void set_status(struct tcb *t, fv_error_t err)
{
	t->ctx.regs[REG_STATUS] = (uint64_t)err;
}

/* Wakes a blocked thread with `status` as the result of its system call. */
static void wake(struct tcb *t, fv_error_t status)
{
	t->blocked_on = NULL;
	t->ipc_flags = 0;
	set_status(t, status);
	sched_make_runnable(t);
}

/* ---- Message transfer ---- */

static uint64_t message_word(struct tcb *t, struct fv_ipc_buffer *buf, unsigned i)
{
	return i < FV_MSG_REG_WORDS ? t->ctx.regs[REG_MR(i)] : buf->msg[i];
}

static void set_message_word(struct tcb *t, struct fv_ipc_buffer *buf, unsigned i, uint64_t w)
{
	if (i < FV_MSG_REG_WORDS)
		t->ctx.regs[REG_MR(i)] = w;
	else
		buf->msg[i] = w;
}

/* Moves the capability the sender names into the receiver's receive slot; true if done. */
static bool transfer_cap(struct tcb *from, struct fv_ipc_buffer *src, struct tcb *to,
                         struct fv_ipc_buffer *dst)
{
	struct cte *cap_slot, *node_slot, *dest;
	const struct cap *from_root = &from->slots[TCB_SLOT_CSPACE].cap;
	const struct cap *to_root = &to->slots[TCB_SLOT_CSPACE].cap;
	if (cspace_lookup_cap(from_root, src->caps[0], &cap_slot) || cap_is_null(&cap_slot->cap))
		return false;
	if (cspace_lookup_cap(to_root, dst->receive_cnode, &node_slot) ||
	    node_slot->cap.type != CAP_CNODE)
		return false;
	if (cspace_lookup_slot(&node_slot->cap, dst->receive_index, dst->receive_depth, &dest) ||
	    !cap_is_null(&dest->cap))
		return false;
	struct cap copy;
	if (cap_derive(&cap_slot->cap, FV_RIGHTS_ALL, &copy) != FV_OK)
		return false;
	cte_insert(cap_slot, dest, &copy);
	return true;
}

/* Word i of a fault message: a VM exit carries the guest's registers after its fixed words. */
static uint64_t fault_message_word(const struct tcb *from, unsigned i)
{
	if (from->fault_label == FV_FAULT_VCPU && i >= FV_EXIT_X0)
		return i == FV_EXIT_X0 ? 0 : from->ctx.regs[i - FV_EXIT_X0];
	return i < FAULT_WORDS ? from->fault_words[i] : 0;
}

/*
 * The first `len` words of `from`'s fault message into `to`. A VM exit's
 * guest registers (x1-x31, most of the message) go to the IPC buffer in one
 * copy: this runs on every exit.
 */
static void transfer_fault_words(const struct tcb *from, struct tcb *to, struct fv_ipc_buffer *dst,
                                 unsigned len)
{
	unsigned i = 0;
	for (; i < len && i < FV_MSG_REG_WORDS; i++)
		to->ctx.regs[REG_MR(i)] = fault_message_word(from, i);
	unsigned first_reg = FV_EXIT_X0 + 1; /* x0 reads as zero */
	if (from->fault_label == FV_FAULT_VCPU && dst && len > first_reg && i <= first_reg) {
		for (; i < first_reg; i++)
			dst->msg[i] = fault_message_word(from, i);
		memcpy(&dst->msg[first_reg], &from->ctx.regs[1],
		       (len - first_reg) * sizeof(uint64_t));
		return;
	}
	for (; i < len; i++)
		set_message_word(to, dst, i, fault_message_word(from, i));
}

/* Copies a message (or the kernel-built fault message) from `from` to `to`. */
void transfer_message(struct tcb *from, struct tcb *to, uint64_t badge)
{
	struct fv_ipc_buffer *src = tcb_ipc_buffer(from), *dst = tcb_ipc_buffer(to);
	unsigned limit = dst ? FV_MSG_MAX_WORDS : FV_MSG_REG_WORDS;
	uint64_t label, info_caps = 0;
	unsigned len;
	if (from->ipc_flags & IPC_FAULT) {
		label = from->fault_label;
		len = MIN(from->fault_len, limit);
		transfer_fault_words(from, to, dst, len);
	} else {
		uint64_t info = from->ctx.regs[REG_MSGINFO];
		label = FV_MSGINFO_LABEL(info);
		len = MIN((unsigned)FV_MSGINFO_LENGTH(info), src ? limit : FV_MSG_REG_WORDS);
		len = MIN(len, limit);
		for (unsigned i = 0; i < len; i++)
			set_message_word(to, dst, i, message_word(from, src, i));
		if (FV_MSGINFO_CAPS(info) && (from->ipc_flags & IPC_GRANT) && src && dst &&
		    transfer_cap(from, src, to, dst))
			info_caps = 1;
	}
	to->ctx.regs[REG_CPTR] = badge;
	to->ctx.regs[REG_MSGINFO] = FV_MSGINFO(label, info_caps, len);
}

/* ---- Replies ---- */

/* Gives `server` the reply capability for `caller`, which now waits for it. */
static void setup_reply(struct tcb *caller, struct tcb *server)
{
	cte_delete(&server->slots[TCB_SLOT_REPLY]);
	struct cap reply = {.type = CAP_REPLY, .rights = FV_RIGHTS_ALL, .pa = kobj_pa(caller)};
	cte_insert(NULL, &server->slots[TCB_SLOT_REPLY], &reply);
	caller->state = THREAD_BLOCKED_REPLY;
	caller->reply_holder = server;
	sched_dequeue(caller);
}

void reply_cap_cleanup(struct cap *reply)
{
	struct tcb *caller = kobj_ptr(reply->pa);
	if (caller->state != THREAD_BLOCKED_REPLY || !caller->reply_holder)
		return;
	caller->reply_holder = NULL;
	if (caller->ipc_flags & IPC_FAULT) {
		/* Nobody will answer the fault: the thread stays stopped. */
		caller->state = THREAD_INACTIVE;
		caller->ipc_flags = 0;
		return;
	}
	wake(caller, FV_CANCELLED);
}

/* A reply to a VM exit: pc advance and guest registers (enum fv_exit_word). */
static void resume_vcpu(struct tcb *server, struct fv_ipc_buffer *buf, struct tcb *caller,
                        unsigned len)
{
	uint64_t words[2 + 31];
	len = MIN(len, (unsigned)ARRAY_SIZE(words));
	for (unsigned i = 0; i < len; i++)
		words[i] = message_word(server, buf, i);
	vcpu_resume(caller, words, len);
}

/* Applies a fault handler's reply: label 0 resumes with the given registers. */
static void resume_from_fault(struct tcb *server, struct tcb *caller)
{
	uint64_t info = server->ctx.regs[REG_MSGINFO];
	struct fv_ipc_buffer *buf = tcb_ipc_buffer(server);
	caller->ipc_flags = 0;
	if (FV_MSGINFO_LABEL(info) != 0) {
		caller->state = THREAD_INACTIVE;
		return;
	}
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(info);
	if (!buf)
		len = MIN(len, (unsigned)FV_MSG_REG_WORDS);
	if (caller->fault_label == FV_FAULT_VCPU) {
		resume_vcpu(server, buf, caller, len);
	} else {
		len = MIN(len, (unsigned)FV_REG_COUNT);
		for (unsigned i = 0; i < len; i++)
			*tcb_register(caller, i) = message_word(server, buf, i);
	}
	sched_make_runnable(caller);
}

void ipc_reply(struct tcb *t)
{
	struct cte *slot = &t->slots[TCB_SLOT_REPLY];
	if (slot->cap.type != CAP_REPLY)
		return; /* nobody to reply to: a reply-receive just receives */
	struct tcb *caller = kobj_ptr(slot->cap.pa);
	bool waiting = caller->state == THREAD_BLOCKED_REPLY && caller->reply_holder == t;
	caller->reply_holder = NULL;
	cte_delete(slot);
	if (!waiting)
		return;
	if (caller->ipc_flags & IPC_FAULT) {
		resume_from_fault(t, caller);
		return;
	}
	transfer_message(t, caller, 0);
	wake(caller, FV_OK);
}

/* ---- Endpoints ---- */

static fv_error_t check_object(const struct cte *slot, enum cap_type type, unsigned right)
{
	if (slot->cap.type != type)
		return FV_INVALID_CAPABILITY;
	return (slot->cap.rights & right) ? FV_OK : FV_INSUFFICIENT_RIGHTS;
}

static fv_error_t check_endpoint(const struct cte *slot, unsigned right)
{
	return check_object(slot, CAP_ENDPOINT, right);
}

/* A sender meets a receiver: message, then the reply set-up for a call. */
static void rendezvous(struct tcb *sender, struct tcb *receiver, uint64_t badge)
{
	transfer_message(sender, receiver, badge);
	bool call = sender->ipc_flags & IPC_CALL;
	wake(receiver, FV_OK);
	if (call) {
		uint8_t fault = sender->ipc_flags & IPC_FAULT;
		setup_reply(sender, receiver);
		sender->ipc_flags = fault;
		sender->blocked_on = NULL;
	} else {
		wake(sender, FV_OK);
	}
}

static void send_on(struct tcb *t, struct cap *ep_cap, uint8_t flags)
{
	struct endpoint *ep = kobj_ptr(ep_cap->pa);
	t->ipc_flags = flags | ((ep_cap->rights & FV_RIGHT_GRANT) ? IPC_GRANT : 0);
	t->ipc_badge = ep_cap->word;
	if (ep->state == EP_RECEIVERS) {
		rendezvous(t, endpoint_dequeue(ep), t->ipc_badge);
		return;
	}
	block_on_endpoint(t, ep, THREAD_BLOCKED_SEND);
}

void ipc_send(struct tcb *t, struct cte *slot, bool call)
{
	if (slot->cap.type == CAP_NOTIFICATION && !call) {
		ipc_signal(t, slot);
		return;
	}
	fv_error_t err = check_endpoint(slot, FV_RIGHT_WRITE);
	set_status(t, err);
	if (!err)
		send_on(t, &slot->cap, call ? IPC_CALL : 0);
}

/* A pending signal on the bound notification ends a receive at once. */
static bool take_bound_notification(struct tcb *t)
{
	struct notification *n = t->bound_notification;
	if (!n || n->word == 0)
		return false;
	t->ctx.regs[REG_CPTR] = n->word;
	t->ctx.regs[REG_MSGINFO] = FV_MSGINFO(FV_LABEL_NOTIFICATION, 0, 0);
	n->word = 0;
	set_status(t, FV_OK);
	return true;
}

void ipc_receive(struct tcb *t, struct cte *slot)
{
	fv_error_t err = check_endpoint(slot, FV_RIGHT_READ);
	set_status(t, err);
	if (err || take_bound_notification(t))
		return;
	struct endpoint *ep = kobj_ptr(slot->cap.pa);
	if (ep->state == EP_SENDERS) {
		struct tcb *sender = endpoint_dequeue(ep);
		sender->blocked_on = NULL;
		rendezvous(sender, t, sender->ipc_badge);
		return;
	}
	block_on_endpoint(t, ep, THREAD_BLOCKED_RECV);
}

void endpoint_finalize(struct endpoint *ep)
{
	while (ep->head)
		wake(endpoint_dequeue(ep), FV_CANCELLED);
}

/* ---- Notifications ---- */

static void deliver_notification(struct tcb *t, uint64_t word)
{
	t->ctx.regs[REG_CPTR] = word;
	t->ctx.regs[REG_MSGINFO] = FV_MSGINFO(FV_LABEL_NOTIFICATION, 0, 0);
	wake(t, FV_OK);
}

static void signal_notification(struct notification *n, uint64_t badge)
{
	struct tcb *bound = n->bound;
	if (bound && bound->state == THREAD_BLOCKED_RECV) {
		ipc_cancel(bound);
		deliver_notification(bound, n->word | badge);
		n->word = 0;
		return;
	}
	if (n->head) {
		struct tcb *w = n->head;
		queue_remove(&n->head, &n->tail, w);
		deliver_notification(w, n->word | badge);
		n->word = 0;
		return;
	}
	n->word |= badge;
}

void ipc_signal_cap(const struct cap *ntfn)
{
	/* An unbadged capability signals bit 0, so the waiter always sees something. */
	signal_notification(kobj_ptr(ntfn->pa), ntfn->word ? ntfn->word : 1);
}

void ipc_signal(struct tcb *t, struct cte *slot)
{
	fv_error_t err = check_object(slot, CAP_NOTIFICATION, FV_RIGHT_WRITE);
	set_status(t, err);
	if (!err)
		ipc_signal_cap(&slot->cap);
}

void ipc_wait(struct tcb *t, struct cte *slot, bool block)
{
	fv_error_t err = check_object(slot, CAP_NOTIFICATION, FV_RIGHT_READ);
	set_status(t, err);
	if (err)
		return;
	struct notification *n = kobj_ptr(slot->cap.pa);
	if (n->word || !block) {
		t->ctx.regs[REG_CPTR] = n->word;
		t->ctx.regs[REG_MSGINFO] = FV_MSGINFO(FV_LABEL_NOTIFICATION, 0, 0);
		n->word = 0;
		return;
	}
	queue_append(&n->head, &n->tail, t);
	t->state = THREAD_BLOCKED_NOTIFICATION;
	t->blocked_on = n;
	sched_dequeue(t);
}

void notification_finalize(struct notification *n)
{
	if (n->bound) {
		n->bound->bound_notification = NULL;
		n->bound = NULL;
	}
	while (n->head) {
		struct tcb *w = n->head;
		queue_remove(&n->head, &n->tail, w);
		wake(w, FV_CANCELLED);
	}
}

fv_error_t ipc_bind_notification(struct tcb *t, struct cte *slot)
{
	fv_error_t err = check_object(slot, CAP_NOTIFICATION, FV_RIGHT_READ);
	if (err)
		return err;
	struct notification *n = kobj_ptr(slot->cap.pa);
	if (n->bound || t->bound_notification)
		return FV_ILLEGAL_OPERATION; /* one each */
	n->bound = t;
	t->bound_notification = n;
	return FV_OK;
}

void ipc_unbind_notification(struct tcb *t)
{
	if (t->bound_notification) {
		t->bound_notification->bound = NULL;
		t->bound_notification = NULL;
	}
}

/* ---- Cancelling and faults ---- */

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case THREAD_SLEEPING:
		sched_cancel_sleep(t);
		return;
	case THREAD_BLOCKED_SEND:
	case THREAD_BLOCKED_RECV: {
		struct endpoint *ep = t->blocked_on;
		queue_remove(&ep->head, &ep->tail, t);
		if (!ep->head)
			ep->state = EP_IDLE;
		break;
	}
	case THREAD_BLOCKED_NOTIFICATION: {
		struct notification *n = t->blocked_on;
		queue_remove(&n->head, &n->tail, t);
		break;
	}
	case THREAD_BLOCKED_REPLY:
		if (t->reply_holder) {
			struct tcb *holder = t->reply_holder;
			t->reply_holder = NULL;
			t->state =
			    THREAD_INACTIVE; /* so the reply capability's cleanup leaves it */
			cte_delete(&holder->slots[TCB_SLOT_REPLY]);
		}
		break;
	default:
		return;
	}
	t->blocked_on = NULL;
	t->ipc_flags = 0;
	t->state = THREAD_INACTIVE;
}

void ipc_fault(struct tcb *t, uint64_t label, const uint64_t *words, unsigned len)
{
	struct cte *handler = &t->slots[TCB_SLOT_FAULT_EP];
	if (check_endpoint(handler, FV_RIGHT_WRITE) != FV_OK) {
		t->state = THREAD_INACTIVE;
		sched_dequeue(t);
		return;
	}
	t->fault_label = label;
	t->fault_len = (uint8_t)(label == FV_FAULT_VCPU ? FV_EXIT_WORDS : MIN(len, FAULT_WORDS));
	memcpy(t->fault_words, words, MIN(len, FAULT_WORDS) * sizeof(uint64_t));
	if (label == FV_FAULT_VCPU)
		ipc_fastpath_vcpu_exit(t, &handler->cap); /* returns only if it does not apply */
	send_on(t, &handler->cap, IPC_CALL | IPC_FAULT);
}
