/*
 * The derivation tree and deletion of capabilities (see fv/cap.h).
 *
 * Deleting the last capability to a CNode must delete every capability in
 * it, which may be the last capability to another CNode, and so on without
 * bound. Instead of recursing, a dead CNode is pushed on a list of pending
 * CNodes linked through their header slots, and cte_delete() empties that
 * list before it returns: kernel stack use is constant whatever user mode
 * builds.
 */
#include <string.h>

#include <fv/cap.h>
#include <fv/object.h>

static uint64_t pending_cnodes; /* pa of the first pending CNode, 0 if none */

bool cap_same_object(const struct cap *a, const struct cap *b)
{
	if (a->type != b->type || a->type == CAP_NULL)
		return false;
	switch (a->type) {
	case CAP_UNTYPED:
		/* Untyped capabilities are never copied: each is its own object. */
		return a == b;
	case CAP_IRQ_CONTROL:
		return true;
	case CAP_IRQ_HANDLER:
		return a->extra == b->extra;
	default:
		return a->pa == b->pa && a->size_bits == b->size_bits;
	}
}

static void link_child(struct cte *parent, struct cte *child)
{
	child->parent = parent;
	child->prev_sibling = NULL;
	child->next_sibling = parent ? parent->first_child : NULL;
	if (child->next_sibling)
		child->next_sibling->prev_sibling = child;
	if (parent)
		parent->first_child = child;
}

static void unlink_from_siblings(struct cte *slot)
{
	if (slot->prev_sibling)
		slot->prev_sibling->next_sibling = slot->next_sibling;
	else if (slot->parent)
		slot->parent->first_child = slot->next_sibling;
	if (slot->next_sibling)
		slot->next_sibling->prev_sibling = slot->prev_sibling;
	slot->parent = slot->prev_sibling = slot->next_sibling = NULL;
}

void cte_insert(struct cte *parent, struct cte *dest, const struct cap *cap)
{
	dest->cap = *cap;
	dest->first_child = NULL;
	link_child(parent, dest);
}

void cte_move(struct cte *src, struct cte *dest)
{
	*dest = *src;
	if (src->prev_sibling)
		src->prev_sibling->next_sibling = dest;
	else if (src->parent)
		src->parent->first_child = dest;
	if (src->next_sibling)
		src->next_sibling->prev_sibling = dest;
	for (struct cte *c = dest->first_child; c; c = c->next_sibling)
		c->parent = dest;
	memset(src, 0, sizeof(*src));
}

bool cte_is_final(const struct cte *slot)
{
	if (slot->parent && cap_same_object(&slot->parent->cap, &slot->cap))
		return false;
	return !slot->first_child || !cap_same_object(&slot->first_child->cap, &slot->cap);
}

/* Moves every child of `from` under `to` (NULL: they become roots). */
static void reparent_children(struct cte *from, struct cte *to)
{
	while (from->first_child) {
		struct cte *c = from->first_child;
		unlink_from_siblings(c);
		link_child(to, c);
	}
}

/*
 * Takes `slot` out of the tree. Its children stay in the subtree of their
 * object: if `slot` roots that subtree, its first child takes its place.
 */
static void cte_unlink(struct cte *slot)
{
	struct cte *first = slot->first_child;
	if (first && cap_same_object(&first->cap, &slot->cap) &&
	    !(slot->parent && cap_same_object(&slot->parent->cap, &slot->cap))) {
		unlink_from_siblings(first);
		link_child(slot->parent, first);
		reparent_children(slot, first);
	} else {
		reparent_children(slot, slot->parent);
	}
	unlink_from_siblings(slot);
}

void cnode_schedule_cleanup(const struct cap *cnode)
{
	struct cnode_header *h = kobj_ptr(cnode->pa);
	h->cursor = 1;
	h->slots = 1ull << cnode->size_bits;
	h->pending_next = pending_cnodes;
	pending_cnodes = cnode->pa;
}

static void delete_one(struct cte *slot)
{
	if (cap_is_null(&slot->cap))
		return;
	/*
	 * An Untyped capability goes only with what was made from it (the
	 * invocation refuses; a dying CNode holding one gets here): nothing may
	 * outlive the only way to reclaim its memory. Nesting of Untyped is
	 * bounded by their sizes, so this recursion is too.
	 */
	while (slot->cap.type == CAP_UNTYPED && slot->first_child)
		delete_one(slot->first_child);
	struct cap cap = slot->cap;
	bool final = cte_is_final(slot);
	cte_unlink(slot);
	memset(slot, 0, sizeof(*slot));
	cap_cleanup(&cap);
	if (final)
		object_finalize(&cap);
}

/* Deletes the capabilities of pending CNodes until none is left. */
static void drain_pending_cnodes(void)
{
	while (pending_cnodes) {
		struct cnode_header *h = kobj_ptr(pending_cnodes);
		if (h->cursor >= h->slots) {
			pending_cnodes = h->pending_next;
			memset(h, 0, sizeof(*h));
			continue;
		}
		struct cte *slots = (struct cte *)h;
		delete_one(&slots[h->cursor++]);
	}
}

void cte_delete(struct cte *slot)
{
	delete_one(slot);
	drain_pending_cnodes();
}

void cte_revoke(struct cte *slot)
{
	while (slot->first_child) {
		delete_one(slot->first_child);
		drain_pending_cnodes();
	}
}

void cte_replace_with_copy(struct cte *slot, struct cte *src)
{
	struct cte old = {0};
	struct cap copy;
	if (!cap_is_null(&slot->cap))
		cte_move(slot, &old);
	if (src && cap_derive(&src->cap, FV_RIGHTS_ALL, &copy) == FV_OK)
		cte_insert(src, slot, &copy);
	/* Deleted last: the old capability may be what kept `src` alive. */
	cte_delete(&old);
}

fv_error_t cap_derive(const struct cap *src, unsigned rights, struct cap *out)
{
	switch (src->type) {
	case CAP_NULL:
		return FV_FAILED_LOOKUP;
	case CAP_UNTYPED:
	case CAP_IRQ_CONTROL:
	case CAP_REPLY:
		/* One holder each, so revocation and retype stay simple: move them instead. */
		return FV_ILLEGAL_OPERATION;
	default:
		break;
	}
	*out = *src;
	out->rights = (uint8_t)(src->rights & rights);
	if (src->type == CAP_FRAME || src->type == CAP_PAGE_TABLE) {
		/* A copy starts unmapped: the mapping belongs to the capability that made it. */
		out->word = 0;
		out->word2 = 0;
	}
	return FV_OK;
}
