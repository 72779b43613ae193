/* Resolving capability addresses (see fv/cspace.h). */
#include <fv/cspace.h>
#include <fv/object.h>

/* Bits [from - n, from) of `word`, as a number; n may be 0 or 64. */
static uint64_t bits_below(uint64_t word, unsigned from, unsigned n)
{
	if (n == 0)
		return 0;
	uint64_t shifted = from >= 64 ? word : word & ((1ull << from) - 1);
	shifted >>= from - n;
	return n >= 64 ? shifted : shifted & ((1ull << n) - 1);
}

/*
 * Walks from `root` until `depth` bits are used up or the next slot holds no
 * CNode; gives the slot and how many bits were left.
 */
static fv_error_t resolve(const struct cap *root, uint64_t cptr, unsigned depth, struct cte **out,
                          unsigned *left)
{
	if (root->type != CAP_CNODE || depth == 0 || depth > CPTR_BITS)
		return FV_FAILED_LOOKUP;
	const struct cap *node = root;
	for (;;) {
		unsigned radix = node->size_bits, guard_bits = node->extra;
		unsigned level = radix + guard_bits;
		if (level > depth)
			return FV_FAILED_LOOKUP;
		if (bits_below(cptr, depth, guard_bits) != node->word)
			return FV_FAILED_LOOKUP;
		uint64_t index = bits_below(cptr, depth - guard_bits, radix);
		if (index == 0)
			return FV_FAILED_LOOKUP; /* slot 0 is the CNode's header */
		struct cte *slot = cnode_slots(node) + index;
		depth -= level;
		if (depth == 0 || slot->cap.type != CAP_CNODE) {
			*out = slot;
			*left = depth;
			return FV_OK;
		}
		node = &slot->cap;
	}
}

fv_error_t cspace_lookup_slot(const struct cap *root, uint64_t cptr, uint64_t depth,
                              struct cte **out)
{
	unsigned left;
	if (depth > CPTR_BITS)
		return FV_FAILED_LOOKUP;
	fv_error_t err = resolve(root, cptr, (unsigned)depth, out, &left);
	if (err)
		return err;
	return left == 0 ? FV_OK : FV_FAILED_LOOKUP;
}

fv_error_t cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out)
{
	unsigned left;
	return resolve(root, cptr, CPTR_BITS, out, &left);
}
