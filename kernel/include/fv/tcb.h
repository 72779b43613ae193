/* Threads: the thread control block and the scheduler's view of it. */
#ifndef FV_TCB_H
#define FV_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/context.h>
#include <fv/cap.h>
#include <fv/invocation.h>

enum thread_state {
	THREAD_INACTIVE = 0, /* made or suspended: never scheduled */
	THREAD_RUNNABLE,     /* queued, or running on its hart */
	THREAD_BLOCKED,      /* waiting in IPC */
};

/* Capabilities a thread holds in its TCB. */
enum tcb_slot {
	TCB_SLOT_CSPACE = 0,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPC_BUFFER,
	TCB_SLOT_FAULT_EP,
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
	char name[16];
};
_Static_assert(sizeof(struct tcb) <= (1u << FV_TCB_BITS), "a TCB fits its object size");

void tcb_init(struct tcb *t);
/* Stops a thread for good before its memory is reused. */
void tcb_finalize(struct tcb *t);

fv_error_t decode_tcb_invocation(struct invocation *inv);

/* Scheduler (BKL held). */
void sched_enqueue(struct tcb *t);
void sched_dequeue(struct tcb *t);
/* Makes a runnable thread eligible to run on its hart, poking that hart. */
void sched_make_runnable(struct tcb *t);
void sched_yield_current(void);
/* The thread this hart should run next, or NULL to idle. */
struct tcb *sched_pick(void);
/* Enters the chosen thread (or idles) and never returns. Lock held on entry. */
NORETURN void sched_return_to_user(void);

#endif
