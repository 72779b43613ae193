/*
 * The root task: first user program. Today it checks, from user mode, that
 * the kernel's capability system works as documented, and reports.
 */
#include <fv/libcap.h>

#define SCRATCH_VA 0x20000000ul
#define ALIAS_VA   0x20001000ul
#define THREAD_IPC 0x20002000ul

static const struct fv_bootinfo *bi;
static struct fv_slot_allocator slots;
static unsigned passed, failed;
static volatile int thread_ran;
static volatile unsigned long thread_hart_marker;
static char thread_stack[4096] __attribute__((aligned(16)));

static void check(int ok, const char *what)
{
	fv_printf("root: %s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static void check_err(fv_error_t got, fv_error_t want, const char *what)
{
	if (got != want)
		fv_printf("root: %s: got '%s', want '%s'\n", what, fv_strerror(got),
		          fv_strerror(want));
	check(got == want, what);
}

/* The Untyped capability with at least 2^bits bytes. */
static fv_cptr_t find_untyped(unsigned bits)
{
	for (unsigned long i = 0; i < bi->untyped.count; i++)
		if (bi->untyped_list[i].size_bits >= bits && !bi->untyped_list[i].is_device)
			return bi->untyped.first + i;
	return 0;
}

static fv_cptr_t make(fv_cptr_t untyped, fv_object_type_t type, unsigned size_bits)
{
	fv_cptr_t slot = fv_slot_alloc(&slots);
	fv_error_t err =
	    fv_untyped_retype(untyped, type, size_bits, FV_ROOT_SLOT_CNODE, 0, 0, slot, 1);
	if (err)
		fv_printf("root: retype of type %d failed: %s\n", type, fv_strerror(err));
	return err ? 0 : slot;
}

/* Maps page tables until `va` can take a frame. */
static void map_tables_for(fv_cptr_t untyped, uint64_t va)
{
	for (;;) {
		fv_cptr_t pt = make(untyped, FV_OBJ_PAGE_TABLE, 0);
		if (fv_page_table_map(pt, FV_ROOT_SLOT_VSPACE, va) != FV_OK) {
			fv_cnode_delete(FV_ROOT_SLOT_CNODE, pt, 64);
			return;
		}
	}
}

static void test_memory(fv_cptr_t untyped)
{
	fv_cptr_t frame = make(untyped, FV_OBJ_FRAME_4K, 0);
	check_err(fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, SCRATCH_VA, FV_MAP_READ | FV_MAP_WRITE),
	          FV_FAILED_LOOKUP, "mapping without page tables fails");
	map_tables_for(untyped, SCRATCH_VA);
	check_err(fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, SCRATCH_VA, FV_MAP_READ | FV_MAP_WRITE),
	          FV_OK, "frame maps once tables exist");
	volatile uint64_t *p = (volatile uint64_t *)SCRATCH_VA;
	check(p[0] == 0 && p[511] == 0, "a new frame reads as zero");
	p[7] = 0x1234abcd;
	fv_cptr_t alias = fv_slot_alloc(&slots);
	check_err(fv_cnode_copy(FV_ROOT_SLOT_CNODE, alias, 64, FV_ROOT_SLOT_CNODE, frame, 64,
	                        FV_RIGHT_READ),
	          FV_OK, "copy a frame capability with read only");
	check_err(fv_frame_map(alias, FV_ROOT_SLOT_VSPACE, ALIAS_VA, FV_MAP_READ | FV_MAP_WRITE),
	          FV_INSUFFICIENT_RIGHTS, "read-only copy cannot map writable");
	check_err(fv_frame_map(alias, FV_ROOT_SLOT_VSPACE, ALIAS_VA, FV_MAP_READ), FV_OK,
	          "read-only copy maps readable");
	check(((volatile uint64_t *)ALIAS_VA)[7] == 0x1234abcd, "alias sees the same memory");
	check_err(fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, ALIAS_VA, FV_MAP_READ),
	          FV_ILLEGAL_OPERATION, "a mapped capability does not map twice");
	check_err(fv_cnode_revoke(FV_ROOT_SLOT_CNODE, frame, 64), FV_OK, "revoke the frame");
	check_err(fv_frame_map(alias, FV_ROOT_SLOT_VSPACE, ALIAS_VA, FV_MAP_READ), FV_FAILED_LOOKUP,
	          "revoked copy is gone");
}

static void test_errors(fv_cptr_t untyped)
{
	fv_cptr_t slot = fv_slot_alloc(&slots);
	check_err(fv_untyped_retype(untyped, 0, 0, FV_ROOT_SLOT_CNODE, 0, 0, slot, 1),
	          FV_INVALID_ARGUMENT, "retype to type 0");
	check_err(fv_untyped_retype(untyped, FV_OBJ_FRAME_4K, 0, FV_ROOT_SLOT_CNODE, 0, 0,
	                            FV_ROOT_SLOT_TCB, 1),
	          FV_DELETE_FIRST, "retype into an occupied slot");
	check_err(
	    fv_untyped_retype(untyped, FV_OBJ_FRAME_4K, 0, FV_ROOT_SLOT_CNODE, 0, 0, slot, 1000),
	    FV_RANGE_ERROR, "retype 1000 objects");
	check_err(fv_invoke(slot, FV_TCB_RESUME, NULL, 0, NULL, 0, NULL, 0), FV_FAILED_LOOKUP,
	          "invoke an empty slot");
	check_err(fv_invoke(0xdeadbeefcafe, FV_TCB_RESUME, NULL, 0, NULL, 0, NULL, 0),
	          FV_FAILED_LOOKUP, "invoke a wild capability address");
	check_err(fv_cnode_delete(FV_ROOT_SLOT_CNODE, untyped, 64), FV_REVOKE_FIRST,
	          "delete an untyped that has objects");
	check_err(fv_invoke(FV_ROOT_SLOT_VSPACE, 999, NULL, 0, NULL, 0, NULL, 0),
	          FV_INVALID_CAPABILITY, "unknown operation on a VSpace");
	check_err(fv_invoke(FV_ROOT_SLOT_TCB, 999, NULL, 0, NULL, 0, NULL, 0), FV_ILLEGAL_OPERATION,
	          "unknown TCB operation");
}

static void thread_main(void)
{
	thread_hart_marker = 0x5eed;
	thread_ran = 1;
	for (;;)
		fv_yield();
}

static void test_thread(fv_cptr_t untyped)
{
	fv_cptr_t tcb = make(untyped, FV_OBJ_TCB, 0);
	fv_cptr_t ipc = make(untyped, FV_OBJ_FRAME_4K, 0);
	map_tables_for(untyped, THREAD_IPC);
	fv_frame_map(ipc, FV_ROOT_SLOT_VSPACE, THREAD_IPC, FV_MAP_READ | FV_MAP_WRITE);
	check_err(fv_tcb_resume(tcb), FV_ILLEGAL_OPERATION, "an unconfigured thread cannot run");
	check_err(
	    fv_tcb_configure(tcb, FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE, ipc, THREAD_IPC + 8),
	    FV_ALIGNMENT_ERROR, "misaligned IPC buffer");
	check_err(fv_tcb_configure(tcb, FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE, ipc, THREAD_IPC),
	          FV_OK, "configure a thread");
	uint64_t gp;
	__asm__("mv %0, gp" : "=r"(gp));
	uint64_t regs[FV_REG_COUNT] = {
	    [FV_REG_PC] = (uint64_t)thread_main,
	    [FV_REG_SP] = (uint64_t)thread_stack + sizeof(thread_stack),
	    [FV_REG_GP] = gp,
	};
	check_err(fv_tcb_write_registers(tcb, regs, FV_REG_COUNT), FV_OK, "set its registers");
	check_err(fv_tcb_set_priority(tcb, 255, 255), FV_OK, "give it the root's priority");
	if (bi->hart_count > 1)
		check_err(fv_tcb_set_affinity(tcb, 1), FV_OK, "send it to hart 1");
	check_err(fv_tcb_resume(tcb), FV_OK, "start it");
	for (unsigned i = 0; i < 1000000 && !thread_ran; i++)
		fv_yield();
	check(thread_ran && thread_hart_marker == 0x5eed, "the thread ran");
	check_err(fv_tcb_suspend(tcb), FV_OK, "suspend it");
	check_err(fv_cnode_delete(FV_ROOT_SLOT_CNODE, tcb, 64), FV_OK, "delete it");
}

int main(const void *arg)
{
	bi = arg;
	if (bi->magic != FV_BOOTINFO_MAGIC) {
		fv_printf("root: bad boot info\n");
		return 1;
	}
	fv_printf("root: running in user mode: %lu harts, %lu untyped, %lu free slots\n",
	          bi->hart_count, bi->untyped.count, bi->empty.count);
	fv_slots_init(&slots, bi->empty.first, bi->empty.count);
	fv_cptr_t untyped = find_untyped(22);
	check(untyped != 0, "an untyped region of 4 MiB or more exists");
	if (untyped) {
		test_memory(untyped);
		test_errors(untyped);
		test_thread(untyped);
	}
	fv_printf("rootserver: %u passed, %u failed\n", passed, failed);
	return 0;
}
