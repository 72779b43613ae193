/* Threads: the thread control block and the scheduler's view of it. */
#ifndef FV_TCB_H
#define FV_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/context.h>
#include <fv/cap.h>
#include <fv/invocation.h>
#include <fv/smp.h>

enum thread_state {
	THREAD_INACTIVE = 0,         /* made, suspended or stopped by a fault: never scheduled */
	THREAD_RUNNABLE,             /* queued, or running on its hart */
	THREAD_BLOCKED_SEND,         /* in an endpoint's queue, sending */
	THREAD_BLOCKED_RECV,         /* in an endpoint's queue, receiving */
	THREAD_BLOCKED_REPLY,        /* called; waiting for the reply */
	THREAD_BLOCKED_NOTIFICATION, /* waiting on a notification */
	THREAD_SLEEPING              /* a guest's WFI: until an interrupt is injected or wake_at */
};

/* What a blocked sender is doing. */
#define IPC_CALL  0x1u /* wants a reply */
#define IPC_GRANT 0x2u /* its endpoint capability may transfer capabilities */
#define IPC_FAULT 0x4u /* the message is a fault, built by the kernel */

#define FAULT_WORDS 9

/* Capabilities a thread holds in its TCB. */
enum tcb_slot {
	TCB_SLOT_CSPACE = 0,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPC_BUFFER,
	TCB_SLOT_FAULT_EP,
	TCB_SLOT_REPLY, /* the reply capability of the last call received */
	TCB_SLOT_VCPU,  /* a bound VCPU: the thread runs that guest */
	TCB_SLOT_GUEST_SPACE,
	TCB_SLOT_COUNT
};

#define PRIORITY_COUNT 256

struct tcb {
	struct user_context ctx; /* first: the trap entry saves registers here */
	struct cte slots[TCB_SLOT_COUNT];
	uint8_t state;
	uint8_t priority;
	uint8_t max_priority; /* the highest priority it may give a thread */
	uint8_t queued;
	uint16_t affinity;  /* hart slot it runs on */
	int16_t running_on; /* hart slot running it now, or -1 */
	uint64_t ipc_buffer_va;
	struct tcb *sched_next;
	struct tcb *sched_prev;
	uint64_t time_slice_end;
	struct tcb *sleep_next; /* in the list of sleeping threads */
	uint64_t wake_at;       /* while sleeping: when to wake it, UINT64_MAX never */
	/* IPC */
	uint8_t ipc_flags;    /* IPC_* while blocked sending or calling */
	void *blocked_on;     /* endpoint or notification it waits in */
	struct tcb *ipc_next; /* its neighbours in that queue */
	struct tcb *ipc_prev;
	uint64_t ipc_badge;       /* badge of the capability it sends with */
	struct tcb *reply_holder; /* who holds its reply capability while it waits */
	struct notification *bound_notification;
	uint64_t fault_label; /* the fault message, while IPC_FAULT */
	uint64_t fault_words[FAULT_WORDS];
	uint8_t fault_len;
	bool runs_guest; /* bound to a VCPU: never runs user code, even if the VCPU goes away */
	char name[16];
};
_Static_assert(sizeof(struct tcb) <= (1u << FV_TCB_BITS), "a TCB fits its object size");

void tcb_init(struct tcb *t);
/* Brings a thread running on another hart back into its saved state (it stays runnable). */
void tcb_take_off_hart(struct tcb *t);
/* Takes a thread out of whatever IPC it waits in, and off every hart. */
void tcb_stop(struct tcb *t);
/* The saved register for an enum fv_register index (< FV_REG_COUNT). */
uint64_t *tcb_register(struct tcb *t, unsigned reg);
/* Stops a thread for good before its memory is reused. */
void tcb_finalize(struct tcb *t);

fv_error_t decode_tcb_invocation(struct invocation *inv);

/* Scheduler (BKL held). */
void sched_enqueue(struct tcb *t);
void sched_dequeue(struct tcb *t);
/* Makes a runnable thread eligible to run on its hart, poking that hart. */
void sched_make_runnable(struct tcb *t);
/* True if no thread waits in this hart's run queue. */
bool sched_queue_empty(const struct hart *h);
void sched_yield_current(void);
/* Puts the current thread to sleep until sched_wake() or the time `wake_at`. */
void sched_sleep(struct tcb *t, uint64_t wake_at);
/* Makes a sleeping thread runnable; any other thread is left as it is. */
void sched_wake(struct tcb *t);
/* Takes a sleeping thread out of the list of sleepers, inactive (it is being stopped). */
void sched_cancel_sleep(struct tcb *t);
/* The thread this hart should run next, or NULL to idle. */
struct tcb *sched_pick(void);
/* Enters the chosen thread (or idles) and never returns. Lock held on entry. */
NORETURN void sched_return_to_user(void);
/*
 * True if `t`, made runnable now while the current thread blocks, is the
 * thread sched_pick() would choose: it runs on this hart and outranks every
 * queued thread. Inline: the IPC fast path asks on every call.
 */
static inline bool sched_runs_next(const struct tcb *t)
{
	const struct hart *self = this_hart();
	const uint64_t *bitmap = self->queue.bitmap;
	unsigned word = t->priority / 64;
	if (t->affinity != self->index)
		return false;
	/* Equal priority is not enough: a queued peer would go first (round robin). */
	if (bitmap[word] >> (t->priority % 64))
		return false;
	for (unsigned w = word + 1; w < ARRAY_SIZE(self->queue.bitmap); w++)
		if (bitmap[w])
			return false;
	return true;
}
/*
 * Runs `t` on this hart at once with a fresh time slice, as sched_return_to_user()
 * would after the current thread blocked, when sched_runs_next(t). `t` is
 * runnable and not queued. Lock held on entry; never returns.
 */
NORETURN void sched_switch_to(struct tcb *t);

#endif
