/*
 * Kernel objects: where they live and how they are made and destroyed.
 * Objects sit in memory retyped from Untyped; the kernel reaches them
 * through kobj_ptr(), which the architecture (or a host test) provides.
 */
#ifndef FV_OBJECT_H
#define FV_OBJECT_H

#include <stdint.h>

#include <fv/cap.h>

/* Kernel pointer to the object at physical address pa. */
void *kobj_ptr(uint64_t pa);
/* Physical address of a kernel pointer made by kobj_ptr(). */
uint64_t kobj_pa(const void *ptr);

/* A CNode's slot 0 is never a capability: it holds the kernel's bookkeeping. */
struct cnode_header {
	uint64_t pending_next; /* next CNode (pa) waiting to have its slots deleted */
	uint64_t cursor;       /* the next of its slots to delete */
	uint64_t slots;        /* how many slots it has */
	uint64_t reserved[5];
};
_Static_assert(sizeof(struct cnode_header) == sizeof(struct cte), "the header fills slot 0");

static inline struct cte *cnode_slots(const struct cap *cnode)
{
	return (struct cte *)kobj_ptr(cnode->pa);
}

/* Size in bits of an object of `type` made with `size_bits` (untyped, CNode). */
unsigned object_size_bits(fv_object_type_t type, unsigned size_bits);
/* Zeroes (unless device memory) and initialises a new object; returns its capability. */
struct cap object_create(fv_object_type_t type, uint64_t pa, unsigned size_bits, bool device);

/* Destroys the object of a capability that was the last one to it. */
void object_finalize(struct cap *cap);

/*
 * Per-type hooks around the portable object code, defined with the types'
 * implementations (core/object_hooks.c in the kernel):
 * - object_can_create: whether `count` more objects of `type` can exist
 *   (address-space identifiers are finite);
 * - object_init_hook: set-up beyond zeroed memory, for a new capability;
 * - cap_cleanup: what deleting any capability undoes (its mapping);
 * - object_finalize_hook: destroying the object of a last capability.
 */
bool object_can_create(fv_object_type_t type, unsigned count);
void object_init_hook(struct cap *cap);
void cap_cleanup(struct cap *cap);
void object_finalize_hook(struct cap *cap);
/* Queues a dead CNode so that cte_delete() deletes its capabilities. */
void cnode_schedule_cleanup(const struct cap *cnode);

#endif
