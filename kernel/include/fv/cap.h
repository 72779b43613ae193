/*
 * Capabilities, the slots that hold them, and the derivation tree that links
 * every capability to the one it was derived from.
 *
 * All capabilities to one object form a single subtree of the derivation
 * tree, whose root is the capability made when the object was retyped from
 * Untyped memory. So a capability is the last one to its object exactly
 * when its parent is not a capability to the same object and it has no
 * children that are: a constant-time check.
 */
#ifndef FV_CAP_H
#define FV_CAP_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrovisor/abi.h>
#include <fv/util.h>

enum cap_type {
	CAP_NULL = 0,
	CAP_UNTYPED,
	CAP_CNODE,
	CAP_TCB,
	CAP_ENDPOINT,
	CAP_NOTIFICATION,
	CAP_FRAME,
	CAP_PAGE_TABLE,
	CAP_VSPACE,
	CAP_IRQ_CONTROL,
	CAP_IRQ_HANDLER,
	CAP_REPLY, /* lives only in a TCB's reply slot */
	CAP_GUEST_SPACE,
	CAP_VCPU,
	CAP_TYPE_COUNT
};

#define CAP_FLAG_DEVICE 0x1u /* untyped or frame: device memory, never zeroed */

struct cap {
	uint8_t type;      /* enum cap_type */
	uint8_t rights;    /* FV_RIGHT_* */
	uint8_t size_bits; /* untyped and frame size, CNode radix */
	uint8_t flags;     /* CAP_FLAG_* */
	uint32_t extra;    /* CNode guard size; IRQ number */
	uint64_t pa;       /* physical address of the object */
	uint64_t word;     /* badge; untyped free offset; CNode guard; mapped address */
	uint64_t word2;    /* frame and page table: the mapping's address space */
};
_Static_assert(sizeof(struct cap) == 32, "a capability is four words");

struct cte {
	struct cap cap;
	struct cte *parent;
	struct cte *first_child;
	struct cte *next_sibling;
	struct cte *prev_sibling;
};
_Static_assert(sizeof(struct cte) == 1u << FV_SLOT_BITS, "a CNode slot is 2^FV_SLOT_BITS bytes");

static inline bool cap_is_null(const struct cap *c)
{
	return c->type == CAP_NULL;
}

/* True if a and b name the same object (not the same rights or badge). */
bool cap_same_object(const struct cap *a, const struct cap *b);

/* Stores `cap` in the empty slot `dest` as a child of `parent` (NULL: a root). */
void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap);
/* Moves the capability in `src` to the empty slot `dest`, keeping its place in the tree. */
void cte_move(struct cte *src, struct cte *dest);
/* True if no other capability names the object that `slot` names. */
bool cte_is_final(const struct cte *slot);
/* True if `slot` has children in the derivation tree. */
static inline bool cte_has_children(const struct cte *slot)
{
	return slot->first_child != NULL;
}

/*
 * Deletes the capability in `slot`: undoes what the capability itself holds
 * (a mapping), and if it was the last one, destroys the object. Never fails.
 */
void cte_delete(struct cte *slot);
/* Deletes every capability derived from the one in `slot`. Never fails. */
void cte_revoke(struct cte *slot);

/*
 * Puts a copy of the capability in `src` (NULL: nothing) into the kernel-held
 * slot `slot`, deleting what it held before. Never fails.
 */
void cte_replace_with_copy(struct cte *slot, struct cte *src);

/*
 * The capability a copy or mint of `src` gives, with rights masked by
 * `rights`; FV_OK or the reason it cannot be copied.
 */
fv_error_t cap_derive(const struct cap *src, unsigned rights, struct cap *out);

#endif
