/*
 * A program the root task loads into an address space of its own: it checks
 * IPC across address spaces and that the root task's memory is out of reach.
 * Its CNode slot 8 holds a badged endpoint to the root task.
 */
#include <fv/libcap.h>
#include <fv/loader.h>

#define ROOT_EP (FV_PROCESS_SLOT_FIRST_FREE)

int main(void)
{
	uint64_t root_only_va = fv_start_arg();
	struct fv_msg m = {.info = FV_MSGINFO(1, 0, 1), .words = {5}};
	struct fv_ipc_result r = fv_call(ROOT_EP, &m);
	fv_printf("kerneltest: %s: KT0001 call the root task from another address space\n",
	          r.status == FV_OK && m.words[0] == 6 ? "ok" : "FAIL");
	/* Mapped in the root task's address space, not in this one: this faults. */
	volatile uint64_t *p = (volatile uint64_t *)root_only_va;
	fv_printf("kerneltest: FAIL: read %lx from the root task's memory\n", (unsigned long)*p);
	return 1;
}
