/* The kernel's per-type object hooks (see fv/object.h). */
#include <fv/ipc.h>
#include <fv/irq.h>
#include <fv/object.h>
#include <fv/tcb.h>
#include <fv/vcpu.h>
#include <fv/vspace.h>

bool object_can_create(fv_object_type_t type, unsigned count)
{
	if (type == FV_OBJ_GUEST_SPACE)
		return guest_space_ids_available(count);
	return type != FV_OBJ_VSPACE || vspace_asids_available(count);
}

void object_init_hook(struct cap *cap)
{
	switch (cap->type) {
	case CAP_TCB:
		tcb_init(kobj_ptr(cap->pa));
		break;
	case CAP_VSPACE:
		vspace_init(cap);
		break;
	case CAP_GUEST_SPACE:
		guest_space_init(cap);
		break;
	case CAP_VCPU:
		vcpu_init(kobj_ptr(cap->pa));
		break;
	default:
		break;
	}
}

void cap_cleanup(struct cap *cap)
{
	if (cap->type == CAP_FRAME)
		frame_unmap_cap(cap);
	else if (cap->type == CAP_PAGE_TABLE)
		page_table_unmap_cap(cap);
	else if (cap->type == CAP_REPLY)
		reply_cap_cleanup(cap);
}

void object_finalize_hook(struct cap *cap)
{
	switch (cap->type) {
	case CAP_TCB:
		tcb_finalize(kobj_ptr(cap->pa));
		break;
	case CAP_VSPACE:
		vspace_finalize(cap);
		break;
	case CAP_GUEST_SPACE:
		guest_space_finalize(cap);
		break;
	case CAP_ENDPOINT:
		endpoint_finalize(kobj_ptr(cap->pa));
		break;
	case CAP_NOTIFICATION:
		notification_finalize(kobj_ptr(cap->pa));
		break;
	case CAP_IRQ_HANDLER:
		irq_handler_finalize(cap->extra);
		break;
	case CAP_VCPU:
		vcpu_finalize(kobj_ptr(cap->pa));
		break;
	default:
		break;
	}
}
