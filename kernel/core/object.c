/* Making kernel objects from Untyped memory, and destroying them. */
#include <string.h>

#include <fv/object.h>

unsigned object_size_bits(fv_object_type_t type, unsigned size_bits)
{
	switch (type) {
	case FV_OBJ_UNTYPED:
		if (size_bits < FV_UNTYPED_MIN_BITS || size_bits > FV_UNTYPED_MAX_BITS)
			return 0;
		return size_bits;
	case FV_OBJ_CNODE:
		if (size_bits < FV_CNODE_MIN_RADIX || size_bits > FV_CNODE_MAX_RADIX)
			return 0;
		return size_bits + FV_SLOT_BITS;
	case FV_OBJ_FRAME_4K:
		return FV_FRAME_4K_BITS;
	case FV_OBJ_FRAME_2M:
		return FV_FRAME_2M_BITS;
	case FV_OBJ_TCB:
		return FV_TCB_BITS;
	case FV_OBJ_ENDPOINT:
		return FV_ENDPOINT_BITS;
	case FV_OBJ_NOTIFICATION:
		return FV_NOTIFICATION_BITS;
	case FV_OBJ_PAGE_TABLE:
		return FV_PAGE_TABLE_BITS;
	case FV_OBJ_VSPACE:
		return FV_VSPACE_BITS;
	case FV_OBJ_GUEST_SPACE:
		return FV_GUEST_SPACE_BITS;
	case FV_OBJ_VCPU:
		return FV_VCPU_BITS;
	default:
		/* Types whose objects this kernel cannot make. */
		return 0;
	}
}

static enum cap_type cap_type_of(fv_object_type_t type)
{
	switch (type) {
	case FV_OBJ_UNTYPED:
		return CAP_UNTYPED;
	case FV_OBJ_CNODE:
		return CAP_CNODE;
	case FV_OBJ_FRAME_4K:
	case FV_OBJ_FRAME_2M:
		return CAP_FRAME;
	case FV_OBJ_TCB:
		return CAP_TCB;
	case FV_OBJ_ENDPOINT:
		return CAP_ENDPOINT;
	case FV_OBJ_NOTIFICATION:
		return CAP_NOTIFICATION;
	case FV_OBJ_PAGE_TABLE:
		return CAP_PAGE_TABLE;
	case FV_OBJ_VSPACE:
		return CAP_VSPACE;
	case FV_OBJ_GUEST_SPACE:
		return CAP_GUEST_SPACE;
	case FV_OBJ_VCPU:
		return CAP_VCPU;
	default:
		return CAP_NULL;
	}
}

struct cap object_create(fv_object_type_t type, uint64_t pa, unsigned size_bits, bool device)
{
	unsigned bits = object_size_bits(type, size_bits);
	/* New untyped memory is zeroed when it is retyped into something else. */
	if (!device && type != FV_OBJ_UNTYPED)
		memset(kobj_ptr(pa), 0, (size_t)1 << bits);
	struct cap cap = {
	    .type = (uint8_t)cap_type_of(type),
	    .rights = FV_RIGHTS_ALL,
	    .size_bits = (uint8_t)(type == FV_OBJ_CNODE ? size_bits : bits),
	    .flags = device ? CAP_FLAG_DEVICE : 0,
	    .pa = pa,
	};
	if (type == FV_OBJ_CNODE) {
		struct cnode_header *h = kobj_ptr(pa);
		h->slots = 1ull << size_bits;
	}
	object_init_hook(&cap);
	return cap;
}

void object_finalize(struct cap *cap)
{
	switch (cap->type) {
	case CAP_CNODE:
		cnode_schedule_cleanup(cap);
		break;
	default:
		object_finalize_hook(cap);
		break;
	}
}
