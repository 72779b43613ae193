/*
 * A program the kernel test suite loads into an address space of its own:
 * it calls the suite across address spaces, then reads an address that is
 * mapped in the suite's address space only, which must fault. Its CNode
 * slot 8 holds a badged endpoint to the suite; its start argument is that
 * address.
 */
#include <fv/libcap.h>
#include <fv/loader.h>

#define SUITE_EP FV_PROCESS_SLOT_FIRST_FREE

int main(void)
{
	uint64_t suite_only_va = fv_start_arg();
	struct fv_msg m = {.info = FV_MSGINFO(1, 0, 1), .words = {5}};
	struct fv_ipc_result r = fv_call(SUITE_EP, &m);
	if (r.status != FV_OK || m.words[0] != 6) {
		fv_printf("ktchild: the suite's reply was wrong\n");
		return 1;
	}
	/* Mapped in the suite's address space, not in this one: this faults. */
	volatile uint64_t *p = (volatile uint64_t *)suite_only_va;
	fv_printf("ktchild: read %lx from the suite's memory\n", (unsigned long)*p);
	return 1;
}
