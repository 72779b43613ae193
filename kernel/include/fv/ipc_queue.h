/*
 * The queues of threads waiting in an endpoint or notification, shared by
 * the IPC slow path (core/ipc.c) and its fast path (core/ipc_fastpath.c).
 * Big kernel lock held.
 */
#ifndef FV_IPC_QUEUE_H
#define FV_IPC_QUEUE_H

#include <fv/ipc.h>
#include <fv/tcb.h>

/* Endpoint and notification share the layout of head and tail. */
static inline void queue_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	t->ipc_next = NULL;
	t->ipc_prev = *tail;
	if (*tail)
		(*tail)->ipc_next = t;
	else
		*head = t;
	*tail = t;
}

static inline void queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	if (t->ipc_prev)
		t->ipc_prev->ipc_next = t->ipc_next;
	else
		*head = t->ipc_next;
	if (t->ipc_next)
		t->ipc_next->ipc_prev = t->ipc_prev;
	else
		*tail = t->ipc_prev;
	t->ipc_next = t->ipc_prev = NULL;
}

static inline struct tcb *endpoint_dequeue(struct endpoint *ep)
{
	struct tcb *t = ep->head;
	queue_remove(&ep->head, &ep->tail, t);
	if (!ep->head)
		ep->state = EP_IDLE;
	return t;
}

static inline void block_on_endpoint(struct tcb *t, struct endpoint *ep, enum thread_state state)
{
	ep->state = state == THREAD_BLOCKED_SEND ? EP_SENDERS : EP_RECEIVERS;
	queue_append(&ep->head, &ep->tail, t);
	t->state = state;
	t->blocked_on = ep;
	sched_dequeue(t);
}

#endif
