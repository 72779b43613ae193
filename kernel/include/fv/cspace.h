/*
 * Capability addresses: how a word (a CPtr) and a depth name a slot,
 * starting from a CNode capability. Each CNode on the way consumes its
 * guard bits (which must match) and then its radix bits as a slot index,
 * from the most significant end of the remaining `depth` bits.
 */
#ifndef FV_CSPACE_H
#define FV_CSPACE_H

#include <stdint.h>

#include <fv/cap.h>

#define CPTR_BITS 64

/*
 * Finds the slot that exactly `depth` bits of `cptr` name. Fails with
 * FV_FAILED_LOOKUP on a guard mismatch, a depth that ends inside a CNode's
 * bits or after a non-CNode capability, or slot 0 of any CNode.
 */
fv_error_t cspace_lookup_slot(const struct cap *root, uint64_t cptr, uint64_t depth,
                              struct cte **out);
/*
 * Finds the capability `cptr` names with all 64 bits, stopping at the first
 * slot that does not hold a CNode capability (for system-call arguments).
 */
fv_error_t cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out);

#endif
