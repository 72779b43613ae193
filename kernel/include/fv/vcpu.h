/*
 * VCPUs: a virtual hart's privileged state. A thread bound to a VCPU (and a
 * GuestSpace) runs the guest instead of user code: its registers and FP
 * state are the guest's, the VCPU holds the VS-level and per-guest H CSRs.
 * Every trap from the guest the kernel does not own becomes a VM exit
 * (FV_FAULT_VCPU) on the thread's fault endpoint.
 */
#ifndef FV_VCPU_H
#define FV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrovisor/abi.h>

struct tcb;
struct invocation;

struct vcpu {
	uint64_t regs[FV_VCPU_REG_COUNT];
	struct tcb *tcb;   /* the bound thread, or NULL */
	uint64_t id;       /* unique for the kernel's lifetime: which vCPU a hart ran last */
	int16_t last_hart; /* where it last ran: moving on means stale guest TLB entries */
	bool flush;        /* a VMM asked (SBI remote fence): forget guest translations */
	/* Interrupts raised and lowered while it ran on another hart: applied at its next entry. */
	uint64_t irq_set, irq_clear;
	/* Its guest interrupt file (AIA), if it has one: file `vgein` of hart slot `file_hart`. */
	uint16_t file_hart;
	uint8_t vgein;      /* 0: none */
	bool file_is_fresh; /* bound since it last ran: cleared at its next entry */
};
_Static_assert(sizeof(struct vcpu) <= (1u << FV_VCPU_BITS), "a VCPU fits its object size");

/* False if v has a guest interrupt file and `hart` is not the file's: v must run there. */
static inline bool vcpu_may_run_on(const struct vcpu *v, unsigned hart)
{
	return !v->vgein || v->file_hart == hart;
}

void vcpu_init(struct vcpu *v);
/* The VCPU bound to t, or NULL. */
struct vcpu *tcb_vcpu(const struct tcb *t);
fv_error_t tcb_bind_vcpu(struct invocation *inv, struct tcb *t);
/* Unbinds t's VCPU, if any (t is being destroyed or rebound). */
void tcb_unbind_vcpu(struct tcb *t);
/* The VCPU object is going away. */
void vcpu_finalize(struct vcpu *v);
/* Per hart, once: which guest traps the guest takes itself. */
void vcpu_hart_init(void);
/* Before a hart idles: the last guest's interrupts must not end its WFI. */
void vcpu_hart_idle(void);
/* Loads t's guest state into this hart; the next sret enters the guest. */
void vcpu_enter(struct tcb *t);
/* Right after a trap from the guest: saves its state, puts the host's back. */
void vcpu_leave(struct tcb *t);
/* A trap from the guest the kernel does not handle itself: a VM exit or a kernel action. */
void vcpu_handle_exit(struct tcb *t);
/* Applies the VMM's reply words to a VM exit (label 0). */
void vcpu_resume(struct tcb *t, const uint64_t *words, unsigned len);

#endif
