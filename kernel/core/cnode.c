/*
 * CNode invocations: copy, mint, move, delete, revoke. Slots are named
 * relative to the invoked CNode by (index, depth); a source slot by a
 * CNode given as an extra capability and its own (index, depth).
 */
#include <fv/cspace.h>
#include <fv/invocation.h>
#include <fv/object.h>

struct cnode_transfer {
	struct cte *src;
	struct cte *dest;
	struct cap cap; /* what dest will hold (copy and mint) */
};

static fv_error_t lookup_dest(const struct invocation *inv, struct cte **dest)
{
	fv_error_t err = cspace_lookup_slot(&inv->target->cap, inv->args[0], inv->args[1], dest);
	if (err)
		return err;
	return cap_is_null(&(*dest)->cap) ? FV_OK : FV_DELETE_FIRST;
}

static fv_error_t lookup_src(const struct invocation *inv, struct cte **src)
{
	if (inv->ncaps < 1)
		return FV_TRUNCATED_MESSAGE;
	fv_error_t err = cspace_lookup_slot(&inv->caps[0]->cap, inv->args[2], inv->args[3], src);
	if (err)
		return err;
	return cap_is_null(&(*src)->cap) ? FV_FAILED_LOOKUP : FV_OK;
}

/* A badge on an endpoint or notification, or a guard on a CNode. */
static fv_error_t apply_mint_word(struct cap *cap, uint64_t word)
{
	switch (cap->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFICATION:
		if (word == 0)
			return FV_OK;
		if (cap->word != 0)
			return FV_ILLEGAL_OPERATION; /* a badge is set once */
		cap->word = word;
		return FV_OK;
	case CAP_CNODE: {
		unsigned guard_bits = word & 0x3f;
		uint64_t guard = word >> 6;
		if (guard_bits + cap->size_bits > 64 || (guard_bits < 58 && (guard >> guard_bits)))
			return FV_INVALID_ARGUMENT;
		cap->extra = guard_bits;
		cap->word = guard;
		return FV_OK;
	}
	default:
		return word == 0 ? FV_OK : FV_INVALID_ARGUMENT;
	}
}

static fv_error_t decode_copy(const struct invocation *inv, bool mint, struct cnode_transfer *t)
{
	if (inv->nargs < (mint ? 6u : 5u))
		return FV_TRUNCATED_MESSAGE;
	fv_error_t err = lookup_src(inv, &t->src);
	if (!err)
		err = lookup_dest(inv, &t->dest);
	if (!err)
		err = cap_derive(&t->src->cap, inv->args[4], &t->cap);
	if (!err && mint)
		err = apply_mint_word(&t->cap, inv->args[5]);
	return err;
}

static fv_error_t decode_move(const struct invocation *inv, struct cnode_transfer *t)
{
	if (inv->nargs < 4)
		return FV_TRUNCATED_MESSAGE;
	fv_error_t err = lookup_src(inv, &t->src);
	if (!err)
		err = lookup_dest(inv, &t->dest);
	return err;
}

static fv_error_t decode_slot_op(const struct invocation *inv, struct cte **slot)
{
	if (inv->nargs < 2)
		return FV_TRUNCATED_MESSAGE;
	return cspace_lookup_slot(&inv->target->cap, inv->args[0], inv->args[1], slot);
}

/* An untyped with objects in it goes only after they do: no memory is lost. */
static fv_error_t check_deletable(const struct cte *slot)
{
	if (slot->cap.type == CAP_UNTYPED && cte_has_children(slot))
		return FV_REVOKE_FIRST;
	return FV_OK;
}

_Static_assert(CAP_VCPU == (int)FV_CAP_VCPU && CAP_REPLY == (int)FV_CAP_REPLY,
               "capability kinds are the ABI's");

/* What a slot holds: enough to tell whose object it is, nothing to use it by. */
static void describe(const struct cap *c, struct invocation *inv)
{
	bool sized = c->type == CAP_UNTYPED || c->type == CAP_FRAME || c->type == CAP_CNODE;
	inv->ret[0] = c->type;
	inv->ret[1] = c->type == CAP_IRQ_HANDLER ? c->extra : c->pa;
	inv->ret[2] = sized ? c->size_bits : 0;
	inv->ret[3] = c->type == CAP_NULL ? 0 : c->rights;
	inv->nret = 4;
}

fv_error_t decode_cnode_invocation(struct invocation *inv)
{
	struct cnode_transfer t;
	struct cte *slot;
	fv_error_t err;
	switch (inv->label) {
	case FV_CNODE_COPY:
	case FV_CNODE_MINT:
		err = decode_copy(inv, inv->label == FV_CNODE_MINT, &t);
		if (!err)
			cte_insert(t.src, t.dest, &t.cap);
		return err;
	case FV_CNODE_MOVE:
		err = decode_move(inv, &t);
		if (!err)
			cte_move(t.src, t.dest);
		return err;
	case FV_CNODE_DELETE:
		err = decode_slot_op(inv, &slot);
		if (!err)
			err = check_deletable(slot);
		if (!err)
			cte_delete(slot);
		return err;
	case FV_CNODE_REVOKE:
		err = decode_slot_op(inv, &slot);
		if (!err)
			cte_revoke(slot);
		return err;
	case FV_CNODE_DESCRIBE:
		err = decode_slot_op(inv, &slot);
		if (!err)
			describe(&slot->cap, inv);
		return err;
	default:
		return FV_ILLEGAL_OPERATION;
	}
}
