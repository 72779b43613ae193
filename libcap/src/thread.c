/* Threads of the program's own address space (fv/thread.h). */
#include <fv/loader.h>
#include <fv/posix.h>
#include <fv/thread.h>

fv_cptr_t fv_make(const struct fv_alloc *a, fv_object_type_t type, unsigned size_bits)
{
	fv_cptr_t slot = fv_slot_alloc(a->slots);
	if (!slot)
		return 0;
	if (fv_untyped_retype(a->untyped, type, size_bits, a->cnode, 0, 0, slot, 1) != FV_OK)
		return 0;
	return slot;
}

static uint64_t read_gp(void)
{
	uint64_t gp;
	__asm__("mv %0, gp" : "=r"(gp));
	return gp;
}

fv_error_t fv_thread_start(struct fv_thread *t, const struct fv_alloc *a,
                           const struct fv_thread_params *p)
{
	t->tcb = fv_make(a, FV_OBJ_TCB, 0);
	fv_cptr_t ipc = fv_make(a, FV_OBJ_FRAME_4K, 0);
	if (!t->tcb || !ipc)
		return FV_NOT_ENOUGH_MEMORY;
	/* The personality picks the address and makes the page tables. */
	t->info.ipc_buffer = fv_posix_map_frame(ipc, FV_MAP_READ | FV_MAP_WRITE);
	if (!t->info.ipc_buffer)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = fv_tcb_configure(t->tcb, p->cspace, FV_PROCESS_SLOT_VSPACE, ipc,
	                                  (uint64_t)t->info.ipc_buffer);
	uint64_t regs[FV_REG_COUNT] = {
	    [FV_REG_PC] = (uint64_t)p->entry,
	    [FV_REG_SP] = (uint64_t)p->stack_top,
	    [FV_REG_A0] = p->arg,
	    [FV_REG_TP] = fv_thread_tp(&t->info),
	    [FV_REG_GP] = read_gp(),
	};
	if (!err)
		err = fv_tcb_write_registers(t->tcb, regs, FV_REG_COUNT);
	if (!err)
		err = fv_tcb_set_priority(t->tcb, p->priority, p->priority);
	if (!err && p->hart >= 0)
		err = fv_tcb_set_affinity(t->tcb, (unsigned)p->hart);
	if (!err)
		err = fv_posix_adopt(t->tcb);
	return err ? err : fv_tcb_resume(t->tcb);
}
