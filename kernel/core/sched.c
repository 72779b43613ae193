/*
 * Fixed-priority round-robin scheduling on every hart, under one big
 * kernel lock. Each hart has its own run queues; a thread runs only on
 * the hart of its affinity.
 */
#include <fv/arch.h>
#include <fv/panic.h>
#include <fv/smp.h>
#include <fv/tcb.h>

int big_kernel_lock;

/* kernel_lock() found the lock taken: spin until it is free, answering stalls. */
void kernel_lock_wait(void)
{
	struct hart *self = this_hart();
	do {
		while (__atomic_load_n(&big_kernel_lock, __ATOMIC_RELAXED)) {
			/* A stalling hart waits for us while holding the lock: answer it. */
			if (__atomic_load_n(&self->stall_request, __ATOMIC_ACQUIRE)) {
				/* Off the stalled thread's address space before saying so. */
				arch_use_kernel_address_space();
				__atomic_store_n(&self->stall_request, 0, __ATOMIC_RELEASE);
			}
			/* The holder may have panicked: it will never let go. */
			halt_if_panicking();
		}
	} while (__atomic_exchange_n(&big_kernel_lock, 1, __ATOMIC_ACQUIRE));
}

/* Another hart answers in kernel_lock_wait(), off any user address space first. */
static void stall_and_wait(struct hart *h)
{
	__atomic_store_n(&h->stall_request, 1, __ATOMIC_RELEASE);
	hart_poke(h);
	while (__atomic_load_n(&h->stall_request, __ATOMIC_ACQUIRE))
		;
}

void hart_stall(struct hart *h)
{
	if (h != this_hart() && h->current)
		stall_and_wait(h);
	h->current = NULL;
}

void hart_leave_address_space(struct hart *h)
{
	if (h == this_hart())
		arch_use_kernel_address_space();
	else
		stall_and_wait(h);
}

static struct run_queue *queue_of(const struct tcb *t)
{
	return &harts[t->affinity].queue;
}

void sched_enqueue(struct tcb *t)
{
	if (t->queued)
		return;
	struct run_queue *q = queue_of(t);
	unsigned p = t->priority;
	t->sched_next = NULL;
	t->sched_prev = q->tail[p];
	if (q->tail[p])
		q->tail[p]->sched_next = t;
	else
		q->head[p] = t;
	q->tail[p] = t;
	q->bitmap[p / 64] |= 1ull << (p % 64);
	t->queued = 1;
}

void sched_dequeue(struct tcb *t)
{
	if (!t->queued)
		return;
	struct run_queue *q = queue_of(t);
	unsigned p = t->priority;
	if (t->sched_prev)
		t->sched_prev->sched_next = t->sched_next;
	else
		q->head[p] = t->sched_next;
	if (t->sched_next)
		t->sched_next->sched_prev = t->sched_prev;
	else
		q->tail[p] = t->sched_prev;
	if (!q->head[p])
		q->bitmap[p / 64] &= ~(1ull << (p % 64));
	t->sched_next = t->sched_prev = NULL;
	t->queued = 0;
}

/* Index of the highest set bit of a nonzero word, by binary search (no libgcc). */
static int highest_bit(uint64_t w)
{
	int bit = 0;
	for (int shift = 32; shift > 0; shift /= 2) {
		if (w >> shift) {
			w >>= shift;
			bit += shift;
		}
	}
	return bit;
}

static int highest_queued(const struct run_queue *q)
{
	for (int word = 3; word >= 0; word--)
		if (q->bitmap[word])
			return word * 64 + highest_bit(q->bitmap[word]);
	return -1;
}

/*
 * A thread that outranks the one h runs must get in at once; an equal one
 * needs h's slice timer, which h arms only while its thread has peers.
 */
static bool preempts_or_shares(const struct hart *h, const struct tcb *t)
{
	return h->current->priority < t->priority ||
	       (h->current->priority == t->priority && !h->sliced);
}

void sched_make_runnable(struct tcb *t)
{
	t->state = THREAD_RUNNABLE;
	struct hart *h = &harts[t->affinity];
	if (h->current == t)
		return;
	sched_enqueue(t);
	if (h != this_hart() && (!h->current || h->guest_halts || preempts_or_shares(h, t)))
		hart_poke(h); /* another hart picks it up at its next entry: make that soon */
}

bool sched_queue_empty(const struct hart *h)
{
	return highest_queued(&h->queue) < 0;
}

static bool slice_over(const struct tcb *t)
{
	return arch_time_now() >= t->time_slice_end;
}

struct tcb *sched_pick(void)
{
	struct hart *self = this_hart();
	struct tcb *cur = self->current;
	int best = highest_queued(&self->queue);
	bool cur_ok = cur && cur->state == THREAD_RUNNABLE && cur->affinity == self->index;
	if (cur_ok && (best < cur->priority || (best == cur->priority && !slice_over(cur))))
		return cur;
	if (cur_ok)
		sched_enqueue(cur); /* round robin: behind its peers */
	if (best < 0)
		return cur_ok ? cur : NULL;
	struct tcb *next = self->queue.head[best];
	sched_dequeue(next);
	return next;
}

void sched_yield_current(void)
{
	struct tcb *cur = this_hart()->current;
	if (cur)
		cur->time_slice_end = 0;
}

/*
 * Sleepers: vCPU threads in a guest WFI. One short list for all harts; each
 * hart arms its timer for the earliest sleeper it runs and wakes the ones
 * due whenever it schedules.
 */
static struct tcb *sleepers;

void sched_sleep(struct tcb *t, uint64_t wake_at)
{
	sched_dequeue(t);
	t->state = THREAD_SLEEPING;
	t->wake_at = wake_at;
	t->sleep_next = sleepers;
	sleepers = t;
}

static void unlink_sleeper(struct tcb *t)
{
	for (struct tcb **p = &sleepers; *p; p = &(*p)->sleep_next) {
		if (*p == t) {
			*p = t->sleep_next;
			break;
		}
	}
	t->sleep_next = NULL;
}

void sched_wake(struct tcb *t)
{
	if (t->state != THREAD_SLEEPING)
		return;
	unlink_sleeper(t);
	sched_make_runnable(t);
}

void sched_cancel_sleep(struct tcb *t)
{
	if (t->state != THREAD_SLEEPING)
		return;
	unlink_sleeper(t);
	t->state = THREAD_INACTIVE;
}

/* Wakes the sleepers that are due; returns the earliest wake time of this hart's others. */
static uint64_t wake_due_sleepers(const struct hart *self)
{
	uint64_t now = arch_time_now(), next = UINT64_MAX;
	struct tcb **p = &sleepers;
	while (*p) {
		struct tcb *t = *p;
		if (t->wake_at <= now) {
			*p = t->sleep_next;
			t->sleep_next = NULL;
			sched_make_runnable(t);
			continue;
		}
		if (t->affinity == self->index && t->wake_at < next)
			next = t->wake_at;
		p = &t->sleep_next;
	}
	return next;
}

/* Makes `next` (NULL: nothing) the thread this hart runs. */
static ALWAYS_INLINE void make_current(struct hart *self, struct tcb *next)
{
	if (self->current && self->current != next)
		self->current->running_on = -1;
	self->current = next;
}

static ALWAYS_INLINE bool has_queued_at(const struct run_queue *q, unsigned priority)
{
	return q->bitmap[priority / 64] & (1ull << (priority % 64));
}

/*
 * Enters `next`. Its slice matters only if a thread of its priority waits on
 * this hart: alone at its level it runs without a slice timer, since every
 * timer interrupt costs a guest its translations on QEMU (a CPU-bound guest
 * ran measurably slower at a 10 ms slice). A peer arriving later pokes the
 * hart (sched_make_runnable), which then arms the slice.
 */
static ALWAYS_INLINE NORETURN void enter_current(struct hart *self, struct tcb *next, uint64_t wake)
{
	next->running_on = (int16_t)self->index;
	self->sliced = has_queued_at(&self->queue, next->priority);
	uint64_t deadline =
	    self->sliced && next->time_slice_end < wake ? next->time_slice_end : wake;
	if (next->runs_guest)
		arch_timer_set_exact(deadline); /* no early interrupt: a guest pays for each */
	else
		arch_timer_set(deadline);
	arch_enter_user(next); /* releases the lock as late as it can */
}

/* Runs the next thread of this hart, or idles. Called with the lock held. */
void sched_return_to_user(void)
{
	struct hart *self = this_hart();
	uint64_t wake = sleepers ? wake_due_sleepers(self) : UINT64_MAX;
	struct tcb *next = sched_pick();
	/* A new turn, or the same thread again after its slice ran out: a fresh slice. */
	if (next && (next != self->current || slice_over(next)))
		next->time_slice_end = arch_time_now() + arch_time_slice_ticks();
	make_current(self, next);
	if (!next) {
		arch_use_kernel_address_space();
		arch_timer_cancel();
		if (wake != UINT64_MAX)
			arch_timer_set(wake);
		kernel_unlock();
		arch_idle();
	}
	enter_current(self, next, wake);
}

HOT void sched_switch_to(struct tcb *next)
{
	struct hart *self = this_hart();
	next->time_slice_end = arch_time_now() + arch_time_slice_ticks();
	make_current(self, next);
	enter_current(self, next, UINT64_MAX);
}
