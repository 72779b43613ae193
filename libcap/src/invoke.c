/* Invocation wrappers: marshal arguments into message words and capabilities. */
#include <fv/libcap.h>

fv_error_t fv_invoke(fv_cptr_t cap, unsigned label, const uint64_t *args, unsigned nargs,
                     const fv_cptr_t *caps, unsigned ncaps, uint64_t *ret, unsigned nret)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	for (unsigned i = 0; i < nargs; i++) {
		if (i < FV_MSG_REG_WORDS)
			mr[i] = args[i];
		else
			fv_ipc_buf()->msg[i] = args[i];
	}
	for (unsigned i = 0; i < ncaps; i++)
		fv_ipc_buf()->caps[i] = caps[i];
	uint64_t info = fv_sys_call(cap, FV_MSGINFO(label, ncaps, nargs), mr);
	unsigned got = (unsigned)FV_MSGINFO_LENGTH(info);
	for (unsigned i = 0; i < nret && i < got; i++)
		ret[i] = i < FV_MSG_REG_WORDS ? mr[i] : fv_ipc_buf()->msg[i];
	return (fv_error_t)FV_MSGINFO_LABEL(info);
}

fv_error_t fv_untyped_retype(fv_cptr_t untyped, fv_object_type_t type, unsigned size_bits,
                             fv_cptr_t root, uint64_t node_index, unsigned node_depth,
                             uint64_t node_offset, unsigned count)
{
	uint64_t args[] = {type, size_bits, node_index, node_depth, node_offset, count};
	return fv_invoke(untyped, FV_UNTYPED_RETYPE, args, 6, &root, 1, NULL, 0);
}

fv_error_t fv_cnode_copy(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth, unsigned rights)
{
	uint64_t args[] = {dest, dest_depth, src, src_depth, rights};
	return fv_invoke(root, FV_CNODE_COPY, args, 5, &src_root, 1, NULL, 0);
}

fv_error_t fv_cnode_mint(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth, unsigned rights, uint64_t word)
{
	uint64_t args[] = {dest, dest_depth, src, src_depth, rights, word};
	return fv_invoke(root, FV_CNODE_MINT, args, 6, &src_root, 1, NULL, 0);
}

fv_error_t fv_cnode_move(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth)
{
	uint64_t args[] = {dest, dest_depth, src, src_depth};
	return fv_invoke(root, FV_CNODE_MOVE, args, 4, &src_root, 1, NULL, 0);
}

fv_error_t fv_cnode_delete(fv_cptr_t root, uint64_t index, unsigned depth)
{
	uint64_t args[] = {index, depth};
	return fv_invoke(root, FV_CNODE_DELETE, args, 2, NULL, 0, NULL, 0);
}

fv_error_t fv_cnode_revoke(fv_cptr_t root, uint64_t index, unsigned depth)
{
	uint64_t args[] = {index, depth};
	return fv_invoke(root, FV_CNODE_REVOKE, args, 2, NULL, 0, NULL, 0);
}

fv_error_t fv_cnode_describe(fv_cptr_t root, uint64_t index, unsigned depth,
                             struct fv_cap_info *info)
{
	uint64_t args[] = {index, depth}, ret[4] = {0};
	fv_error_t err = fv_invoke(root, FV_CNODE_DESCRIBE, args, 2, NULL, 0, ret, 4);
	*info = (struct fv_cap_info){ret[0], ret[1], ret[2], ret[3]};
	return err;
}

fv_error_t fv_tcb_configure(fv_cptr_t tcb, fv_cptr_t cspace, fv_cptr_t vspace, fv_cptr_t ipc_frame,
                            uint64_t ipc_va)
{
	fv_cptr_t caps[] = {cspace, vspace, ipc_frame};
	return fv_invoke(tcb, FV_TCB_CONFIGURE, &ipc_va, 1, caps, 3, NULL, 0);
}

fv_error_t fv_tcb_write_registers(fv_cptr_t tcb, const uint64_t *regs, unsigned count)
{
	uint64_t args[1 + FV_REG_COUNT] = {count};
	for (unsigned i = 0; i < count && i < FV_REG_COUNT; i++)
		args[1 + i] = regs[i];
	return fv_invoke(tcb, FV_TCB_WRITE_REGISTERS, args, 1 + count, NULL, 0, NULL, 0);
}

fv_error_t fv_tcb_read_registers(fv_cptr_t tcb, uint64_t *regs, unsigned count)
{
	uint64_t arg = count;
	return fv_invoke(tcb, FV_TCB_READ_REGISTERS, &arg, 1, NULL, 0, regs, count);
}

fv_error_t fv_tcb_set_priority(fv_cptr_t tcb, unsigned priority, unsigned max_priority)
{
	uint64_t args[] = {priority, max_priority};
	return fv_invoke(tcb, FV_TCB_SET_PRIORITY, args, 2, NULL, 0, NULL, 0);
}

fv_error_t fv_tcb_set_affinity(fv_cptr_t tcb, unsigned hart)
{
	uint64_t arg = hart;
	return fv_invoke(tcb, FV_TCB_SET_AFFINITY, &arg, 1, NULL, 0, NULL, 0);
}

fv_error_t fv_tcb_resume(fv_cptr_t tcb)
{
	return fv_invoke(tcb, FV_TCB_RESUME, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_tcb_suspend(fv_cptr_t tcb)
{
	return fv_invoke(tcb, FV_TCB_SUSPEND, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_frame_map(fv_cptr_t frame, fv_cptr_t vspace, uint64_t va, unsigned rights)
{
	uint64_t args[] = {va, rights};
	return fv_invoke(frame, FV_FRAME_MAP, args, 2, &vspace, 1, NULL, 0);
}

fv_error_t fv_frame_unmap(fv_cptr_t frame)
{
	return fv_invoke(frame, FV_FRAME_UNMAP, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_frame_address(fv_cptr_t frame, uint64_t *pa)
{
	return fv_invoke(frame, FV_FRAME_GET_ADDRESS, NULL, 0, NULL, 0, pa, 1);
}

fv_error_t fv_page_table_map(fv_cptr_t pt, fv_cptr_t vspace, uint64_t va)
{
	return fv_invoke(pt, FV_PAGE_TABLE_MAP, &va, 1, &vspace, 1, NULL, 0);
}

void fv_slots_init(struct fv_slot_allocator *a, uint64_t first, uint64_t count)
{
	a->next = first;
	a->end = first + count;
}

fv_cptr_t fv_slot_alloc(struct fv_slot_allocator *a)
{
	return a->next < a->end ? a->next++ : 0;
}

fv_error_t fv_tcb_set_fault_handler(fv_cptr_t tcb, fv_cptr_t endpoint)
{
	return fv_invoke(tcb, FV_TCB_SET_FAULT_HANDLER, NULL, 0, &endpoint, endpoint ? 1 : 0, NULL,
	                 0);
}

fv_error_t fv_tcb_bind_notification(fv_cptr_t tcb, fv_cptr_t ntfn)
{
	return fv_invoke(tcb, FV_TCB_BIND_NOTIFICATION, NULL, 0, &ntfn, 1, NULL, 0);
}

fv_error_t fv_tcb_unbind_notification(fv_cptr_t tcb)
{
	return fv_invoke(tcb, FV_TCB_UNBIND_NOTIFICATION, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_irq_control_get(fv_cptr_t control, unsigned irq, fv_cptr_t root, uint64_t index,
                              unsigned depth)
{
	uint64_t args[] = {irq, index, depth};
	return fv_invoke(control, FV_IRQ_CONTROL_GET, args, 3, &root, 1, NULL, 0);
}

fv_error_t fv_irq_control_get_guest_file(fv_cptr_t control, unsigned hart, unsigned file,
                                         fv_cptr_t root, uint64_t index, unsigned depth)
{
	uint64_t args[] = {hart, file, index, depth};
	return fv_invoke(control, FV_IRQ_CONTROL_GET_GUEST_FILE, args, 4, &root, 1, NULL, 0);
}

fv_error_t fv_irq_handler_set_notification(fv_cptr_t handler, fv_cptr_t ntfn)
{
	return fv_invoke(handler, FV_IRQ_HANDLER_SET_NOTIFICATION, NULL, 0, &ntfn, 1, NULL, 0);
}

fv_error_t fv_irq_handler_ack(fv_cptr_t handler)
{
	return fv_invoke(handler, FV_IRQ_HANDLER_ACK, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_irq_handler_clear(fv_cptr_t handler)
{
	return fv_invoke(handler, FV_IRQ_HANDLER_CLEAR, NULL, 0, NULL, 0, NULL, 0);
}

fv_error_t fv_tcb_bind_vcpu(fv_cptr_t tcb, fv_cptr_t vcpu, fv_cptr_t guest_space)
{
	const fv_cptr_t caps[] = {vcpu, guest_space};
	return fv_invoke(tcb, FV_TCB_BIND_VCPU, NULL, 0, caps, vcpu ? 2 : 0, NULL, 0);
}

fv_error_t fv_vcpu_read_regs(fv_cptr_t vcpu, unsigned first, unsigned count, uint64_t *values)
{
	const uint64_t args[] = {first, count};
	return fv_invoke(vcpu, FV_VCPU_READ_REGS, args, 2, NULL, 0, values, count);
}

fv_error_t fv_vcpu_write_regs(fv_cptr_t vcpu, unsigned first, unsigned count,
                              const uint64_t *values)
{
	uint64_t args[16] = {first, count};
	if (count > 14)
		return FV_RANGE_ERROR;
	for (unsigned i = 0; i < count; i++)
		args[2 + i] = values[i];
	return fv_invoke(vcpu, FV_VCPU_WRITE_REGS, args, 2 + count, NULL, 0, NULL, 0);
}

fv_error_t fv_vcpu_set_interrupts(fv_cptr_t vcpu, uint64_t set, uint64_t clear)
{
	const uint64_t args[] = {set, clear};
	return fv_invoke(vcpu, FV_VCPU_SET_INTERRUPTS, args, 2, NULL, 0, NULL, 0);
}

fv_error_t fv_vcpu_set_irq_file(fv_cptr_t vcpu, fv_cptr_t file)
{
	return fv_invoke(vcpu, FV_VCPU_SET_IRQ_FILE, NULL, 0, &file, file ? 1 : 0, NULL, 0);
}

fv_error_t fv_vcpu_fence(fv_cptr_t vcpu)
{
	const uint64_t args[] = {0, 0, 1};
	return fv_invoke(vcpu, FV_VCPU_SET_INTERRUPTS, args, 3, NULL, 0, NULL, 0);
}
