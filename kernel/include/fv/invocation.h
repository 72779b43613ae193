/*
 * An invocation: a method call on a capability. The system-call layer
 * fills one from the caller's registers and IPC buffer; decode functions
 * check every argument and right without side effects, then invoke
 * functions do the work and cannot fail.
 */
#ifndef FV_INVOCATION_H
#define FV_INVOCATION_H

#include <stdint.h>

#include <fv/cap.h>

struct tcb;

#define INV_MAX_ARGS 16
#define INV_MAX_CAPS 3

struct invocation {
	uint64_t label;
	unsigned nargs;
	uint64_t args[INV_MAX_ARGS];
	unsigned ncaps;
	struct cte *caps[INV_MAX_CAPS]; /* extra capabilities, already looked up */
	struct cte *target;             /* the slot of the invoked capability */
	struct tcb *caller;             /* the invoking thread (NULL in host tests) */
	unsigned nret;
	uint64_t ret[INV_MAX_ARGS]; /* values returned on success */
};

/* Runs an invocation on whatever kind of capability `inv->target` holds. */
fv_error_t invoke_capability(struct invocation *inv);

fv_error_t decode_cnode_invocation(struct invocation *inv);
fv_error_t decode_untyped_invocation(struct invocation *inv);
fv_error_t decode_tcb_invocation(struct invocation *inv);
fv_error_t decode_frame_invocation(struct invocation *inv);
fv_error_t decode_page_table_invocation(struct invocation *inv);
fv_error_t decode_irq_control_invocation(struct invocation *inv);
fv_error_t decode_irq_handler_invocation(struct invocation *inv);
fv_error_t decode_vcpu_invocation(struct invocation *inv);

#endif
