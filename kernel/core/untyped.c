/*
 * Untyped memory: the only source of kernel objects. Retype carves objects
 * from the free part of an Untyped region, in address order, each aligned
 * to its own size; revoking the Untyped capability destroys them all and
 * makes the whole region free again.
 */
#include <fv/cspace.h>
#include <fv/invocation.h>
#include <fv/object.h>

struct retype {
	fv_object_type_t type;
	unsigned size_bits; /* the argument: untyped size or CNode radix */
	unsigned obj_bits;  /* the size of each object */
	uint64_t first_pa;
	struct cte *dest; /* the first destination slot */
	unsigned count;
};

static uint64_t free_offset(const struct cte *untyped)
{
	/* With nothing made from it, the whole region is free again. */
	return cte_has_children(untyped) ? untyped->cap.word : 0;
}

static fv_error_t decode_dest_slots(const struct invocation *inv, struct retype *r)
{
	struct cte *node_slot;
	const struct cap *node = &inv->caps[0]->cap;
	uint64_t depth = inv->args[3], offset = inv->args[4];
	if (depth != 0) {
		fv_error_t err = cspace_lookup_slot(node, inv->args[2], depth, &node_slot);
		if (err)
			return err;
		node = &node_slot->cap;
	}
	if (node->type != CAP_CNODE)
		return FV_FAILED_LOOKUP;
	uint64_t slots = 1ull << node->size_bits;
	if (offset == 0 || offset >= slots || r->count > slots - offset)
		return FV_RANGE_ERROR;
	r->dest = cnode_slots(node) + offset;
	for (unsigned i = 0; i < r->count; i++)
		if (!cap_is_null(&r->dest[i].cap))
			return FV_DELETE_FIRST;
	return FV_OK;
}

static fv_error_t decode_space(const struct cte *untyped, struct retype *r)
{
	const struct cap *u = &untyped->cap;
	if ((u->flags & CAP_FLAG_DEVICE) && r->type != FV_OBJ_UNTYPED &&
	    r->type != FV_OBJ_FRAME_4K && r->type != FV_OBJ_FRAME_2M)
		return FV_INVALID_ARGUMENT; /* kernel objects never live in device memory */
	if (r->obj_bits > u->size_bits)
		return FV_NOT_ENOUGH_MEMORY;
	uint64_t size = 1ull << u->size_bits, obj = 1ull << r->obj_bits;
	uint64_t start = ALIGN_UP(free_offset(untyped), obj);
	if (start > size || (size - start) / obj < r->count)
		return FV_NOT_ENOUGH_MEMORY;
	r->first_pa = u->pa + start;
	return FV_OK;
}

static fv_error_t decode_retype(const struct invocation *inv, struct retype *r)
{
	if (inv->nargs < 6 || inv->ncaps < 1)
		return FV_TRUNCATED_MESSAGE;
	if (inv->args[0] == 0 || inv->args[0] >= FV_OBJ_TYPE_COUNT || inv->args[1] > 64)
		return FV_INVALID_ARGUMENT;
	r->type = (fv_object_type_t)inv->args[0];
	r->size_bits = (unsigned)inv->args[1];
	r->obj_bits = object_size_bits(r->type, r->size_bits);
	if (r->obj_bits == 0)
		return FV_INVALID_ARGUMENT;
	if (inv->args[5] == 0 || inv->args[5] > FV_RETYPE_MAX_OBJECTS)
		return FV_RANGE_ERROR;
	r->count = (unsigned)inv->args[5];
	if (!object_can_create(r->type, r->count))
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = decode_dest_slots(inv, r);
	return err ? err : decode_space(inv->target, r);
}

static void invoke_retype(struct cte *untyped, const struct retype *r)
{
	bool device = untyped->cap.flags & CAP_FLAG_DEVICE;
	uint64_t obj = 1ull << r->obj_bits;
	for (unsigned i = 0; i < r->count; i++) {
		struct cap cap =
		    object_create(r->type, r->first_pa + i * obj, r->size_bits, device);
		cte_insert(untyped, &r->dest[i], &cap);
	}
	untyped->cap.word = r->first_pa + r->count * obj - untyped->cap.pa;
}

fv_error_t decode_untyped_invocation(struct invocation *inv)
{
	if (inv->label != FV_UNTYPED_RETYPE)
		return FV_ILLEGAL_OPERATION;
	struct retype r;
	fv_error_t err = decode_retype(inv, &r);
	if (!err)
		invoke_retype(inv->target, &r);
	return err;
}
