/* Endpoints, notifications, replies and fault messages. */
#ifndef FV_IPC_H
#define FV_IPC_H

#include <fv/cap.h>
#include <fv/tcb.h>

enum endpoint_state { EP_IDLE = 0, EP_SENDERS, EP_RECEIVERS };

struct endpoint {
	struct tcb *head;
	struct tcb *tail;
	uint64_t state; /* enum endpoint_state: who is queued */
	uint64_t reserved;
};
_Static_assert(sizeof(struct endpoint) <= (1u << FV_ENDPOINT_BITS), "endpoint size");

struct notification {
	uint64_t word; /* badges signalled and not yet taken */
	struct tcb *head;
	struct tcb *tail;
	struct tcb *bound;
};
_Static_assert(sizeof(struct notification) <= (1u << FV_NOTIFICATION_BITS), "notification size");

/* The system calls; each sets the caller's status (and results) in its registers. */
void ipc_send(struct tcb *t, struct cte *slot, bool call);
void ipc_receive(struct tcb *t, struct cte *slot);
void ipc_reply(struct tcb *t);
void ipc_signal(struct tcb *t, struct cte *slot);
/* Signals a notification capability from the kernel (interrupts). */
void ipc_signal_cap(const struct cap *ntfn);
void ipc_wait(struct tcb *t, struct cte *slot, bool block);

/*
 * The fast path of call and reply-receive (core/ipc_fastpath.c): if the
 * common case holds, does what the slow path would and runs the partner
 * without returning; otherwise changes nothing and returns.
 */
void ipc_fastpath_call(struct tcb *t);
void ipc_fastpath_reply_recv(struct tcb *t);
/*
 * The same for a VM exit: `t`'s fault message (set up by ipc_fault) goes
 * to a handler waiting on `ep_cap` on this hart, which runs at once.
 */
void ipc_fastpath_vcpu_exit(struct tcb *t, const struct cap *ep_cap);
/* Message (or fault message) transfer, for the fast path (core/ipc.c). */
void transfer_message(struct tcb *from, struct tcb *to, uint64_t badge);

/* Delivers a fault of `t` to its handler, or stops it if it has none. */
void ipc_fault(struct tcb *t, uint64_t label, const uint64_t *words, unsigned len);

/* Removes `t` from the endpoint, notification or reply it waits on. */
void ipc_cancel(struct tcb *t);
void ipc_unbind_notification(struct tcb *t);
fv_error_t ipc_bind_notification(struct tcb *t, struct cte *slot);

/* Object hooks. */
void endpoint_finalize(struct endpoint *ep);
void notification_finalize(struct notification *n);
void reply_cap_cleanup(struct cap *reply);

#endif
