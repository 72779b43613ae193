/* Harts: the per-hart data and bringing harts up and down. */
#ifndef FV_SMP_H
#define FV_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/this_hart.h>
#include <fv/util.h>

struct tcb;

#define FP_STALE ((struct tcb *)1)

struct run_queue {
	uint64_t bitmap[4]; /* bit p set: queue p is not empty */
	struct tcb *head[256];
	struct tcb *tail[256];
};

struct hart {
	uint64_t hartid;
	unsigned index; /* 0 is the boot hart */
	bool online;
	uint64_t stack_top;
	struct tcb *current; /* the thread in user mode on this hart, or NULL */
	struct tcb
	    *fp_owner; /* whose FP values the hart holds; NULL: zeros; FP_STALE: a dead thread's */
	int stall_request;       /* another hart needs this one out of `current` */
	uint64_t timer_deadline; /* what its timer is armed for, UINT64_MAX if not */
	bool sliced;             /* its current thread's slice end is armed: it has peers */
	uint64_t user_root;      /* the VSpace root its satp holds; 0: the kernel's own */
	uint64_t last_vcpu;      /* id of the vCPU it ran last (0: none) */
	bool guest_halts; /* its guest runs with WFI in place (no exit): any newcomer pokes it */
	struct run_queue queue;
};

extern struct hart harts[CONFIG_MAX_HARTS];

unsigned harts_online(void);
/* Asks another hart to enter the kernel (it reschedules or stalls). */
void hart_poke(struct hart *h);
/*
 * The big kernel lock: every entry from user mode or idle takes it. Inline,
 * as every system call takes and releases it; waiting is out of line.
 */
extern int big_kernel_lock;
void kernel_lock_wait(void);

static inline void kernel_lock(void)
{
	if (__atomic_exchange_n(&big_kernel_lock, 1, __ATOMIC_ACQUIRE))
		kernel_lock_wait();
}

static inline void kernel_unlock(void)
{
	__atomic_store_n(&big_kernel_lock, 0, __ATOMIC_RELEASE);
}
/*
 * Makes `h` stop using the thread it runs: on return the thread's registers
 * are saved and `h` will not touch it again. Called with the lock held.
 */
void hart_stall(struct hart *h);
/* Has h (this hart too) leave any user address space, and waits until it has. */
void hart_leave_address_space(struct hart *h);
/* Halts the calling hart for good, interrupts off. */
NORETURN void hart_halt_self(void);

#endif
