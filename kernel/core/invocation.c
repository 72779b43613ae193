/* Dispatching an invocation to the decoder of the invoked object's type. */
#include <fv/invocation.h>

fv_error_t invoke_capability(struct invocation *inv)
{
	inv->nret = 0;
	switch (inv->target->cap.type) {
	case CAP_UNTYPED:
		return decode_untyped_invocation(inv);
	case CAP_CNODE:
		return decode_cnode_invocation(inv);
	case CAP_TCB:
		return decode_tcb_invocation(inv);
	case CAP_FRAME:
		return decode_frame_invocation(inv);
	case CAP_PAGE_TABLE:
		return decode_page_table_invocation(inv);
	case CAP_IRQ_CONTROL:
		return decode_irq_control_invocation(inv);
	case CAP_IRQ_HANDLER:
		return decode_irq_handler_invocation(inv);
	case CAP_VCPU:
		return decode_vcpu_invocation(inv);
	case CAP_NULL:
		return FV_FAILED_LOOKUP;
	default:
		return FV_INVALID_CAPABILITY;
	}
}
