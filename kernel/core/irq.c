/*
 * Interrupts for user mode. An interrupt with a handler is claimed, masked
 * at the controller until its holder acknowledges it, and turned into a
 * signal on the notification the holder named.
 */
#include <string.h>

#include <fv/cspace.h>
#include <fv/ipc.h>
#include <fv/irq.h>
#include <fv/object.h>

struct irq_route {
	struct cte notification; /* a copy of the holder's notification capability */
	uint8_t has_handler;
	uint8_t in_service; /* claimed and not yet acknowledged */
};

static struct irq_route routes[IRQ_MAX];

uint32_t irq_count(void)
{
	uint32_t n = arch_irq_count();
	return n < IRQ_MAX ? n : IRQ_MAX - 1;
}

void irq_handle_external(void)
{
	for (uint32_t irq = arch_irq_claim(); irq; irq = arch_irq_claim()) {
		struct irq_route *r = irq < IRQ_MAX ? &routes[irq] : NULL;
		if (!r || r->notification.cap.type != CAP_NOTIFICATION) {
			/* Nobody listens: keep it from firing again. */
			arch_irq_disable(irq);
			arch_irq_complete(irq);
			continue;
		}
		r->in_service = 1;
		ipc_signal_cap(&r->notification.cap);
	}
}

/* The empty slot at `index`/`depth` of the CNode in caps[0]. */
static fv_error_t empty_dest_slot(struct invocation *inv, uint64_t index, uint64_t depth,
                                  struct cte **dest)
{
	fv_error_t err = cspace_lookup_slot(&inv->caps[0]->cap, index, depth, dest);
	if (err)
		return err;
	return cap_is_null(&(*dest)->cap) ? FV_OK : FV_DELETE_FIRST;
}

/* args: hart, file, dest_index, dest_depth; cap: the destination CNode. */
static fv_error_t get_guest_file(struct invocation *inv)
{
	if (inv->nargs < 4 || inv->ncaps < 1)
		return FV_TRUNCATED_MESSAGE;
	struct cte *dest;
	fv_error_t err = empty_dest_slot(inv, inv->args[2], inv->args[3], &dest);
	if (err)
		return err;
	struct cap frame;
	err = arch_irq_guest_file(inv->args[0], inv->args[1], &frame);
	if (!err)
		cte_insert(inv->target, dest, &frame);
	return err;
}

/* args: irq, dest_index, dest_depth; cap: the destination CNode. */
fv_error_t decode_irq_control_invocation(struct invocation *inv)
{
	if (inv->label == FV_IRQ_CONTROL_GET_GUEST_FILE)
		return get_guest_file(inv);
	if (inv->label != FV_IRQ_CONTROL_GET)
		return FV_ILLEGAL_OPERATION;
	if (inv->nargs < 3 || inv->ncaps < 1)
		return FV_TRUNCATED_MESSAGE;
	uint64_t irq = inv->args[0];
	if (irq == 0 || irq > irq_count())
		return FV_RANGE_ERROR;
	if (routes[irq].has_handler)
		return FV_ILLEGAL_OPERATION; /* one handler per interrupt */
	struct cte *dest;
	fv_error_t err = empty_dest_slot(inv, inv->args[1], inv->args[2], &dest);
	if (err)
		return err;
	struct cap handler = {
	    .type = CAP_IRQ_HANDLER, .rights = FV_RIGHTS_ALL, .extra = (uint32_t)irq};
	cte_insert(inv->target, dest, &handler);
	routes[irq].has_handler = 1;
	return FV_OK;
}

fv_error_t decode_irq_handler_invocation(struct invocation *inv)
{
	uint32_t irq = inv->target->cap.extra;
	struct irq_route *r = &routes[irq];
	switch (inv->label) {
	case FV_IRQ_HANDLER_SET_NOTIFICATION: {
		if (inv->ncaps < 1)
			return FV_TRUNCATED_MESSAGE;
		struct cte *n = inv->caps[0];
		if (n->cap.type != CAP_NOTIFICATION)
			return FV_INVALID_CAPABILITY;
		if (!(n->cap.rights & FV_RIGHT_WRITE))
			return FV_INSUFFICIENT_RIGHTS;
		cte_replace_with_copy(&r->notification, n);
		arch_irq_enable(irq);
		return FV_OK;
	}
	case FV_IRQ_HANDLER_ACK:
		if (r->in_service) {
			r->in_service = 0;
			arch_irq_complete(irq);
		}
		return FV_OK;
	case FV_IRQ_HANDLER_CLEAR:
		arch_irq_disable(irq);
		cte_replace_with_copy(&r->notification, NULL);
		return FV_OK;
	default:
		return FV_ILLEGAL_OPERATION;
	}
}

void irq_handler_finalize(uint32_t irq)
{
	if (irq == 0 || irq >= IRQ_MAX)
		return;
	struct irq_route *r = &routes[irq];
	arch_irq_disable(irq);
	if (r->in_service)
		arch_irq_complete(irq);
	cte_replace_with_copy(&r->notification, NULL);
	r->has_handler = 0;
	r->in_service = 0;
}
