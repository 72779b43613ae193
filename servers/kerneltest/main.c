/*
 * The kernel test suite. The root task starts it in an address space of
 * its own; it checks from user mode that capabilities, IPC, faults,
 * scheduling, interrupts and isolation behave as docs/abi.md says. Every
 * check has a stable ID; the last line is `kerneltest: N passed, N failed`.
 * What it gets from the root task is listed in kerneltest.h.
 */
#include <stdbool.h>
#include <string.h>

#include <fv/loader.h>
#include <fv/posix.h>
#include <fv/thread.h>

#include "kerneltest.h"

#define SCRATCH_VA 0x20000000ul
#define ALIAS_VA   0x20001000ul
#define THREAD_IPC 0x20002000ul

static const struct fv_bootinfo *bi;
static struct fv_slot_allocator slots;
static unsigned passed, failed;
static bool cmdline_has(const char *word);
static volatile int thread_ran;
static volatile unsigned long thread_hart_marker;
static char thread_stack[4096] __attribute__((aligned(16)));

#define MAX_THREADS  16
#define THREAD_STACK 8192

struct thread {
	fv_cptr_t tcb;
	struct fv_thread thread;
	char stack[THREAD_STACK] __attribute__((aligned(16)));
};
static struct thread threads[MAX_THREADS];
static unsigned thread_count;
static fv_cptr_t pool;     /* the Untyped everything is made from */
static fv_cptr_t reusable; /* 4 MiB of it, made first (aligned), to be revoked and reused */
void check(int ok, const char *what)
{
	fv_printf("kerneltest: %s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static void check_err(fv_error_t got, fv_error_t want, const char *what)
{
	if (got != want)
		fv_printf("kerneltest: %s: got '%s', want '%s'\n", what, fv_strerror(got),
		          fv_strerror(want));
	check(got == want, what);
}

static fv_cptr_t make(fv_cptr_t untyped, fv_object_type_t type, unsigned size_bits)
{
	fv_cptr_t slot = fv_slot_alloc(&slots);
	fv_error_t err =
	    fv_untyped_retype(untyped, type, size_bits, FV_ROOT_SLOT_CNODE, 0, 0, slot, 1);
	if (err)
		fv_printf("kerneltest: retype of type %d failed: %s\n", type, fv_strerror(err));
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

/* FV_CNODE_DESCRIBE: kind, object, size and rights of a slot, without using it. */
static void test_describe(fv_cptr_t frame, fv_cptr_t alias)
{
	struct fv_cap_info a, b;
	uint64_t pa = 0;
	fv_frame_address(frame, &pa);
	check(fv_cnode_describe(FV_ROOT_SLOT_CNODE, frame, 64, &a) == FV_OK &&
	          a.kind == FV_CAP_FRAME && a.object == pa && a.size_bits == 12 &&
	          a.rights == FV_RIGHTS_ALL,
	      "CAP0001 describe a frame: kind, address, size, rights");
	check(fv_cnode_describe(FV_ROOT_SLOT_CNODE, alias, 64, &b) == FV_OK &&
	          b.object == a.object && b.rights == FV_RIGHT_READ,
	      "CAP0002 a copy describes the same object with its own rights");
	check(fv_cnode_describe(FV_ROOT_SLOT_CNODE, fv_slot_alloc(&slots), 64, &b) == FV_OK &&
	          b.kind == FV_CAP_NULL && b.object == 0,
	      "CAP0003 an empty slot describes as null");
	check_err(fv_cnode_describe(FV_ROOT_SLOT_CNODE, 1ull << 40, 64, &b), FV_FAILED_LOOKUP,
	          "CAP0004 a slot past the CNode cannot be described");
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
	test_describe(frame, alias);
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

static fv_cptr_t make(fv_cptr_t untyped, fv_object_type_t type, unsigned size_bits);
static void map_tables_for(fv_cptr_t untyped, uint64_t va);

static struct thread *spawn_in(void (*fn)(uint64_t), uint64_t arg, unsigned hart, unsigned prio,
                               fv_cptr_t cspace);

/* Starts fn(arg) in a new thread of this address space with its own IPC buffer. */
static struct thread *spawn(void (*fn)(uint64_t), uint64_t arg, unsigned hart, unsigned prio)
{
	return spawn_in(fn, arg, hart, prio, FV_ROOT_SLOT_CNODE);
}

/* The same, with `cspace` as the thread's CSpace root. */
static struct thread *spawn_in(void (*fn)(uint64_t), uint64_t arg, unsigned hart, unsigned prio,
                               fv_cptr_t cspace)
{
	if (thread_count == MAX_THREADS)
		return NULL;
	struct thread *th = &threads[thread_count++];
	const struct fv_alloc alloc = {pool, FV_ROOT_SLOT_CNODE, &slots};
	const struct fv_thread_params params = {
	    .entry = fn,
	    .arg = arg,
	    .stack_top = th->stack + THREAD_STACK,
	    .cspace = cspace,
	    .priority = prio,
	    .hart = hart < bi->hart_count ? (int)hart : -1,
	};
	if (fv_thread_start(&th->thread, &alloc, &params) != FV_OK)
		fv_printf("kerneltest: could not start a thread\n");
	th->tcb = th->thread.tcb;
	return th;
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
	check_err(fv_tcb_set_priority(tcb, 255, 255), FV_OK, "give it the highest priority");
	if (bi->hart_count > 1)
		check_err(fv_tcb_set_affinity(tcb, 1), FV_OK, "send it to hart 1");
	check_err(fv_tcb_resume(tcb), FV_OK, "start it");
	for (unsigned i = 0; i < 1000000 && !thread_ran; i++)
		fv_yield();
	check(thread_ran && thread_hart_marker == 0x5eed, "the thread ran");
	check_err(fv_tcb_suspend(tcb), FV_OK, "suspend it");
	check_err(fv_cnode_delete(FV_ROOT_SLOT_CNODE, tcb, 64), FV_OK, "delete it");
}

/* ---- IPC ---- */

static volatile uint64_t server_notified, server_caps_received;
static volatile fv_error_t server_status;
static uint64_t server_recv_slot;

/* Replies to every call with label + 1, every word + 1 and the badge appended. */
static void echo_server(uint64_t ep)
{
	struct fv_msg m;
	fv_ipc_buf()->receive_cnode = FV_ROOT_SLOT_CNODE;
	fv_ipc_buf()->receive_index = server_recv_slot;
	fv_ipc_buf()->receive_depth = 64;
	struct fv_ipc_result r = fv_recv(ep, &m);
	for (;;) {
		server_status = r.status;
		if (r.status != FV_OK) {
			r = fv_recv(ep, &m);
			continue;
		}
		if (FV_MSGINFO_LABEL(m.info) == FV_LABEL_NOTIFICATION) {
			server_notified = r.badge;
			r = fv_recv(ep, &m);
			continue;
		}
		server_caps_received += FV_MSGINFO_CAPS(m.info);
		unsigned len = (unsigned)FV_MSGINFO_LENGTH(m.info);
		for (unsigned i = 0; i < len; i++)
			m.words[i] += 1;
		m.words[len] = r.badge;
		m.info = FV_MSGINFO(FV_MSGINFO_LABEL(m.info) + 1, 0, len + 1);
		r = fv_reply_recv(ep, &m);
	}
}

static void wait_until(volatile uint64_t *flag)
{
	for (unsigned i = 0; i < 2000000 && !*flag; i++)
		fv_yield();
}

static fv_cptr_t mint(fv_cptr_t src, unsigned rights, uint64_t badge)
{
	fv_cptr_t slot = fv_slot_alloc(&slots);
	fv_cnode_mint(FV_ROOT_SLOT_CNODE, slot, 64, FV_ROOT_SLOT_CNODE, src, 64, rights, badge);
	return slot;
}

static void test_call_reply(fv_cptr_t ep)
{
	struct fv_msg m = {.info = FV_MSGINFO(7, 0, 3), .words = {1, 2, 3}};
	struct fv_ipc_result r = fv_call(ep, &m);
	check(r.status == FV_OK && FV_MSGINFO_LABEL(m.info) == 8 &&
	          FV_MSGINFO_LENGTH(m.info) == 4 && m.words[0] == 2 && m.words[2] == 4 &&
	          m.words[3] == 0,
	      "IPC0001 call and reply carry label and words");
	fv_cptr_t badged = mint(ep, FV_RIGHTS_ALL, 0x77);
	m = (struct fv_msg){.info = FV_MSGINFO(1, 0, 0)};
	r = fv_call(badged, &m);
	check(r.status == FV_OK && m.words[0] == 0x77, "IPC0002 the badge reaches the receiver");
	check_err(fv_cnode_mint(FV_ROOT_SLOT_CNODE, fv_slot_alloc(&slots), 64, FV_ROOT_SLOT_CNODE,
	                        badged, 64, FV_RIGHTS_ALL, 0x88),
	          FV_ILLEGAL_OPERATION, "IPC0003 a badge cannot be changed");
	m.info = FV_MSGINFO(1, 0, 10);
	for (unsigned i = 0; i < 10; i++)
		m.words[i] = 100 + i;
	r = fv_call(ep, &m);
	check(r.status == FV_OK && FV_MSGINFO_LENGTH(m.info) == 11 && m.words[4] == 105 &&
	          m.words[9] == 110,
	      "IPC0004 long messages go through the IPC buffer");
}

static void test_rights(fv_cptr_t ep)
{
	fv_cptr_t frame = make(pool, FV_OBJ_FRAME_4K, 0);
	struct fv_msg m = {.info = FV_MSGINFO(1, 1, 0)};
	fv_ipc_buf()->caps[0] = frame;
	uint64_t before = server_caps_received;
	fv_call(ep, &m);
	check(server_caps_received == before + 1, "IPC0005 grant transfers a capability");
	fv_cptr_t no_grant = mint(ep, FV_RIGHT_READ | FV_RIGHT_WRITE, 0);
	fv_ipc_buf()->caps[0] = frame;
	m.info = FV_MSGINFO(1, 1, 0);
	fv_call(no_grant, &m);
	check(server_caps_received == before + 1, "IPC0006 without grant no capability moves");
	fv_cptr_t read_only = mint(ep, FV_RIGHT_READ, 0);
	m.info = FV_MSGINFO(1, 0, 0);
	check_err(fv_call(read_only, &m).status, FV_INSUFFICIENT_RIGHTS,
	          "IPC0007 sending needs the write right");
	check_err(fv_recv(mint(ep, FV_RIGHT_WRITE, 0), &m).status, FV_INSUFFICIENT_RIGHTS,
	          "IPC0008 receiving needs the read right");
}

/*
 * A call whose receiver has a queued peer of its priority, and a reply-receive
 * with a caller queued meanwhile: both must keep the general IPC order.
 */
static volatile uint64_t peer_started, peer_result, server_saw_peer;
static fv_cptr_t parking_ep;

/* Answers each call with its badge as the label, yielding a little first. */
static void order_server(uint64_t ep)
{
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(ep, &m);
	for (;;) {
		if (r.badge == 1)
			server_saw_peer = peer_started;
		for (unsigned i = 0; i < 10; i++)
			fv_yield();
		m.info = FV_MSGINFO(r.badge, 0, 0);
		r = fv_reply_recv(ep, &m);
	}
}

static void order_peer(uint64_t ep)
{
	struct fv_msg m = {.info = FV_MSGINFO(0, 0, 0)};
	peer_started = 1;
	struct fv_ipc_result r = fv_call(ep, &m);
	peer_result = r.status == FV_OK && FV_MSGINFO_LABEL(m.info) == 2 ? 1 : 2;
	fv_recv(parking_ep, &m);
}

static void test_ipc_order(void)
{
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	parking_ep = make(pool, FV_OBJ_ENDPOINT, 0);
	spawn(order_server, ep, 0, 255);
	for (unsigned i = 0; i < 100; i++)
		fv_yield();
	spawn(order_peer, mint(ep, FV_RIGHTS_ALL, 2), 0, 255);
	struct fv_msg m = {.info = FV_MSGINFO(0, 0, 0)};
	struct fv_ipc_result r = fv_call(mint(ep, FV_RIGHTS_ALL, 1), &m);
	check(r.status == FV_OK && FV_MSGINFO_LABEL(m.info) == 1 && server_saw_peer,
	      "IPC0011 a queued peer of the receiver's priority runs before it");
	wait_until(&peer_result);
	check(peer_result == 1, "IPC0012 a reply-receive takes a caller queued meanwhile");
}

static volatile uint64_t waiter_word, waiter_done;

static void notification_waiter(uint64_t ntfn)
{
	uint64_t word;
	fv_error_t err = fv_wait(ntfn, &word);
	waiter_word = err ? 0xdead : word;
	waiter_done = 1;
	for (;;)
		fv_wait(ntfn, &word);
}

static void test_notifications(fv_cptr_t ep)
{
	fv_cptr_t ntfn = make(pool, FV_OBJ_NOTIFICATION, 0);
	uint64_t word = 99;
	check(fv_poll(ntfn, &word) == FV_OK && word == 0, "NTF0001 poll of a quiet notification");
	fv_signal(mint(ntfn, FV_RIGHTS_ALL, 0x4));
	fv_signal(mint(ntfn, FV_RIGHTS_ALL, 0x1));
	check(fv_poll(ntfn, &word) == FV_OK && word == 0x5, "NTF0002 signals accumulate badges");
	spawn(notification_waiter, ntfn, 0, 255);
	for (unsigned i = 0; i < 100; i++)
		fv_yield();
	fv_signal(mint(ntfn, FV_RIGHTS_ALL, 0x20));
	wait_until(&waiter_done);
	check(waiter_done && waiter_word == 0x20, "NTF0003 a signal wakes a waiter");
	check_err(fv_signal(mint(ntfn, FV_RIGHT_READ, 0)), FV_INSUFFICIENT_RIGHTS,
	          "NTF0004 signalling needs the write right");
	fv_cptr_t bound = make(pool, FV_OBJ_NOTIFICATION, 0);
	check_err(fv_tcb_bind_notification(threads[0].tcb, bound), FV_OK,
	          "NTF0005 bind a notification to the server");
	fv_signal(mint(bound, FV_RIGHTS_ALL, 0x300));
	wait_until(&server_notified);
	check(server_notified == 0x300, "NTF0006 a bound notification ends a receive");
	(void)ep;
}

/* ---- Faults ---- */

#define FAULT_VA 0x22000000ul
static volatile uint64_t fault_value, fault_done, syscall_result;

static void faulting_thread(uint64_t unused)
{
	(void)unused;
	fault_value = *(volatile uint64_t *)FAULT_VA + 1;
	register uint64_t a0 __asm__("a0") = 5;
	register uint64_t a7 __asm__("a7") = 64; /* a Linux write */
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	syscall_result = a0;
	fault_done = 1;
	for (;;)
		fv_yield();
}

static void test_faults(void)
{
	fv_cptr_t fault_ep = make(pool, FV_OBJ_ENDPOINT, 0);
	struct thread *th = spawn(faulting_thread, 0, 0, 255);
	fv_tcb_suspend(th->tcb);
	check_err(fv_tcb_set_fault_handler(th->tcb, fault_ep), FV_OK,
	          "FLT0001 set a fault handler");
	fv_tcb_resume(th->tcb);
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(fault_ep, &m);
	check(r.status == FV_OK && FV_MSGINFO_LABEL(m.info) == FV_FAULT_VM &&
	          m.words[1] == FAULT_VA,
	      "FLT0002 a page fault arrives as a message");
	map_tables_for(pool, FAULT_VA);
	fv_cptr_t frame = make(pool, FV_OBJ_FRAME_4K, 0);
	fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, FAULT_VA, FV_MAP_READ | FV_MAP_WRITE);
	*(volatile uint64_t *)FAULT_VA = 41;
	m.info = FV_MSGINFO(0, 0, 0);
	r = fv_reply_recv(fault_ep, &m);
	check(r.status == FV_OK && FV_MSGINFO_LABEL(m.info) == FV_FAULT_UNKNOWN_SYSCALL &&
	          m.words[8] == 64 && m.words[2] == 5 && fault_value == 42,
	      "FLT0003 the handler fixed the fault and the thread went on");
	/* Emulate the call: step over the ecall and return 42 in a0. */
	m.words[0] += 4;
	m.words[2] = 42;
	m.info = FV_MSGINFO(0, 0, 3);
	check_err(fv_reply(&m), FV_OK, "FLT0004 reply to the system-call fault");
	wait_until(&fault_done);
	check(fault_done && syscall_result == 42, "FLT0005 the handler emulated the system call");
}

static volatile uint64_t cancelled;
static volatile fv_error_t cancel_status;

static void blocked_receiver(uint64_t ep)
{
	struct fv_msg m;
	cancel_status = fv_recv(ep, &m).status;
	cancelled = 1;
	for (;;)
		fv_yield();
}

static void test_endpoint_deletion(void)
{
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	spawn(blocked_receiver, ep, 0, 255);
	for (unsigned i = 0; i < 100; i++)
		fv_yield();
	check(!cancelled, "IPC0009 a receiver blocks on an idle endpoint");
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, ep, 64);
	wait_until(&cancelled);
	check(cancelled && cancel_status == FV_CANCELLED,
	      "IPC0010 deleting the endpoint wakes it with an error");
}

/* ---- Scheduling ---- */

static volatile uint64_t spin_count[3];

static void spinner(uint64_t i)
{
	for (;;)
		spin_count[i]++;
}

/* Threads that never yield share a hart by time slices; a lower priority waits. */
static void test_scheduling(void)
{
	if (bi->hart_count < 2)
		return;
	struct thread *ta = spawn(spinner, 0, 1, 200), *tb = spawn(spinner, 1, 1, 200);
	struct thread *tl = spawn(spinner, 2, 1, 100);
	check(ta && tb && tl, "SCH0000 start three busy threads on hart 1");
	if (!ta || !tb || !tl)
		return;
	fv_cptr_t a = ta->tcb, b = tb->tcb, low = tl->tcb;
	/* Generous bounds: they only catch a hang, the checks do not depend on speed. */
	uint64_t t0 = fv_read_time(), limit = 5 * bi->timebase_hz;
	while ((spin_count[0] == 0 || spin_count[1] == 0) && fv_read_time() - t0 < limit)
		fv_yield();
	check(spin_count[0] > 0 && spin_count[1] > 0,
	      "SCH0001 two busy threads of one priority share a hart by preemption");
	check(spin_count[2] == 0,
	      "SCH0002 a lower priority does not run while higher ones are busy");
	fv_tcb_suspend(a);
	fv_tcb_suspend(b);
	t0 = fv_read_time();
	while (spin_count[2] == 0 && fv_read_time() - t0 < limit)
		fv_yield();
	check(spin_count[2] > 0, "SCH0003 it runs once they stop");
	fv_tcb_suspend(low);
}

/* ---- Isolation of FP state between threads ---- */

static volatile uint64_t fp_writer_done, fp_reader_done, fp_seen;

static void fp_writer(uint64_t unused)
{
	(void)unused;
	uint64_t secret = 0x5ec2e7f00d;
	__asm__ volatile("fmv.d.x f1, %0" ::"r"(secret));
	fp_writer_done = 1;
	for (;;)
		fv_yield();
}

static void fp_reader(uint64_t unused)
{
	(void)unused;
	uint64_t v;
	__asm__ volatile("fmv.x.d %0, f1" : "=r"(v));
	fp_seen = v;
	fp_reader_done = 1;
	for (;;)
		fv_yield();
}

static void test_fp_isolation(void)
{
	spawn(fp_writer, 0, 0, 255);
	wait_until(&fp_writer_done);
	spawn(fp_reader, 0, 0, 255);
	wait_until(&fp_reader_done);
	check(fp_reader_done && fp_seen == 0, "ISO0001 a thread never sees another's FP registers");
}

/* ---- Guest spaces (stage 2) ---- */

#define GUEST_RAM 0x80000000ul
#define RW        (FV_MAP_READ | FV_MAP_WRITE)

static void test_guest_space_errors(fv_cptr_t gs, fv_cptr_t frame)
{
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	check_err(fv_frame_map(frame, gs, GUEST_RAM + 8, RW), FV_ALIGNMENT_ERROR,
	          "GST0006 a misaligned guest-physical address");
	check_err(fv_frame_map(frame, gs, 1ul << FV_GUEST_PHYS_BITS, RW), FV_RANGE_ERROR,
	          "GST0007 no guest-physical address at 2^41 or above");
	check_err(fv_frame_map(frame, ep, GUEST_RAM, RW), FV_INVALID_CAPABILITY,
	          "GST0008 an endpoint is no address space");
	fv_cptr_t ro = mint(frame, FV_RIGHT_READ, 0);
	check_err(fv_frame_map(ro, gs, GUEST_RAM + 0x1000, RW), FV_INSUFFICIENT_RIGHTS,
	          "GST0009 a read-only frame capability cannot map writable for a guest");
}

static void test_guest_space(void)
{
	fv_cptr_t gs = make(pool, FV_OBJ_GUEST_SPACE, 0);
	check(gs != 0, "GST0001 retype a guest space (16 KiB stage-2 root)");
	fv_cptr_t frame = make(pool, FV_OBJ_FRAME_4K, 0);
	check_err(fv_frame_map(frame, gs, GUEST_RAM, RW), FV_FAILED_LOOKUP,
	          "GST0002 a frame needs stage-2 tables first");
	fv_cptr_t pt1 = make(pool, FV_OBJ_PAGE_TABLE, 0), pt0 = make(pool, FV_OBJ_PAGE_TABLE, 0);
	check(fv_page_table_map(pt1, gs, GUEST_RAM) == FV_OK &&
	          fv_page_table_map(pt0, gs, GUEST_RAM) == FV_OK,
	      "GST0003 two levels of page tables map below the root");
	fv_cptr_t spare = make(pool, FV_OBJ_PAGE_TABLE, 0);
	check_err(fv_page_table_map(spare, gs, GUEST_RAM + 0x1000), FV_DELETE_FIRST,
	          "GST0004 no table where every level exists");
	check_err(fv_page_table_map(spare, gs, 1ul << 40), FV_OK,
	          "GST0005 the root indexes 11 bits: a table maps above 2^39");
	test_guest_space_errors(gs, frame);
	check_err(fv_frame_map(frame, gs, GUEST_RAM, RW), FV_OK,
	          "GST0010 map a frame at guest RAM");
	check_err(fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, SCRATCH_VA, FV_MAP_READ),
	          FV_ILLEGAL_OPERATION, "GST0011 a frame mapped for a guest maps nowhere else");
	check(fv_frame_unmap(frame) == FV_OK && fv_frame_map(frame, gs, GUEST_RAM, RW) == FV_OK,
	      "GST0012 unmap it and map it again");
	check_err(fv_cnode_delete(FV_ROOT_SLOT_CNODE, gs, 64), FV_OK,
	          "GST0013 delete the guest space");
	check(fv_frame_unmap(frame) == FV_OK &&
	          fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, ALIAS_VA, FV_MAP_READ) == FV_OK,
	      "GST0014 its frame unmaps cleanly and maps elsewhere");
	fv_frame_unmap(frame);
}

/* ---- VCPUs ---- */

static void test_vcpu_regs(fv_cptr_t vcpu)
{
	uint64_t v[2] = {0, 0};
	check(fv_vcpu_read_regs(vcpu, FV_VCPU_VSTIMECMP, 1, v) == FV_OK && v[0] == UINT64_MAX,
	      "VCP0004 a new VCPU's timer is off (vstimecmp all ones)");
	const uint64_t set[2] = {0x1000, 0x2000};
	check(fv_vcpu_write_regs(vcpu, FV_VCPU_VSTVEC, 2, set) == FV_OK &&
	          fv_vcpu_read_regs(vcpu, FV_VCPU_VSTVEC, 2, v) == FV_OK && v[0] == 0x1000 &&
	          v[1] == 0x2000,
	      "VCP0005 VS registers read back what was written");
	check_err(fv_vcpu_read_regs(vcpu, FV_VCPU_REG_COUNT, 1, v), FV_RANGE_ERROR,
	          "VCP0006 no register beyond the last");
	check_err(fv_vcpu_read_regs(vcpu, FV_VCPU_REG_COUNT - 1, 2, v), FV_RANGE_ERROR,
	          "VCP0007 no range running past the last register");
	check(fv_vcpu_read_regs(vcpu, FV_VCPU_MODE, 1, v) == FV_OK && v[0] == 1,
	      "VCP0014 a new VCPU starts in supervisor mode");
	const uint64_t mode[1] = {2};
	check(fv_vcpu_write_regs(vcpu, FV_VCPU_MODE, 1, mode) == FV_OK &&
	          fv_vcpu_read_regs(vcpu, FV_VCPU_MODE, 1, v) == FV_OK && v[0] == 0,
	      "VCP0015 a mode is 0 or 1: the kernel keeps only the low bit");
	const uint64_t supervisor[1] = {1};
	fv_vcpu_write_regs(vcpu, FV_VCPU_MODE, 1, supervisor);
}

static volatile uint64_t user_code_ran;
static char orphan_stack[1024] __attribute__((aligned(16)));

static void orphan_entry(void)
{
	user_code_ran = 1;
	for (;;)
		fv_yield();
}

/* A thread bound to a VCPU whose capability is revoked from above: it must stop, not run here. */
static void test_vcpu_revoked_under_thread(void)
{
	fv_cptr_t vcpu = make(pool, FV_OBJ_VCPU, 0), gs = make(pool, FV_OBJ_GUEST_SPACE, 0);
	fv_cptr_t tcb = make(pool, FV_OBJ_TCB, 0), ipc = make(pool, FV_OBJ_FRAME_4K, 0);
	void *ipc_va = fv_posix_map_frame(ipc, FV_MAP_READ | FV_MAP_WRITE);
	const uint64_t regs[] = {[FV_REG_PC] = (uint64_t)orphan_entry,
	                         [FV_REG_SP] = (uint64_t)orphan_stack + sizeof(orphan_stack)};
	bool ready = ipc_va &&
	             fv_tcb_configure(tcb, FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE, ipc,
	                              (uint64_t)ipc_va) == FV_OK &&
	             fv_tcb_bind_vcpu(tcb, vcpu, gs) == FV_OK &&
	             fv_tcb_write_registers(tcb, regs, 2) == FV_OK &&
	             fv_cnode_revoke(FV_ROOT_SLOT_CNODE, vcpu, 64) == FV_OK &&
	             fv_cnode_delete(FV_ROOT_SLOT_CNODE, vcpu, 64) == FV_OK &&
	             fv_tcb_set_priority(tcb, 255, 255) == FV_OK && fv_tcb_resume(tcb) == FV_OK;
	for (unsigned i = 0; i < 200; i++)
		fv_yield();
	check(ready && !user_code_ran,
	      "VCP0012 a thread whose VCPU was revoked does not run user code");
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, tcb, 64);
}

static void test_vcpu(void)
{
	fv_cptr_t vcpu = make(pool, FV_OBJ_VCPU, 0), gs = make(pool, FV_OBJ_GUEST_SPACE, 0);
	fv_cptr_t a = make(pool, FV_OBJ_TCB, 0), b = make(pool, FV_OBJ_TCB, 0);
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	check(vcpu && gs && a && b, "VCP0001 retype a VCPU");
	check_err(fv_tcb_bind_vcpu(a, ep, gs), FV_INVALID_CAPABILITY,
	          "VCP0002 an endpoint is no VCPU");
	check_err(fv_tcb_bind_vcpu(threads[0].tcb, vcpu, gs), FV_ILLEGAL_OPERATION,
	          "VCP0003 a thread that is not stopped cannot be bound");
	test_vcpu_regs(vcpu);
	check_err(fv_tcb_bind_vcpu(a, vcpu, gs), FV_OK, "VCP0008 bind a VCPU to a stopped thread");
	check_err(fv_tcb_bind_vcpu(b, vcpu, gs), FV_ILLEGAL_OPERATION,
	          "VCP0009 one thread per VCPU");
	check(fv_tcb_bind_vcpu(a, 0, 0) == FV_OK && fv_tcb_bind_vcpu(b, vcpu, gs) == FV_OK,
	      "VCP0010 unbound, it binds to another thread");
	check(
	    fv_cnode_delete(FV_ROOT_SLOT_CNODE, vcpu, 64) == FV_OK &&
	        fv_cnode_delete(FV_ROOT_SLOT_CNODE, gs, 64) == FV_OK &&
	        fv_cnode_delete(FV_ROOT_SLOT_CNODE, b, 64) == FV_OK &&
	        make(pool, FV_OBJ_FRAME_4K, 0) != 0,
	    "VCP0011 deleting the VCPU, its guest space and its thread leaves the kernel working");
	test_vcpu_revoked_under_thread();
}

/* ---- Interrupts ---- */

#define UART_VA 0x23000000ul

/* A copy of the frame over the console UART the root task gave. */
static fv_cptr_t console_frame_copy(void)
{
	fv_cptr_t copy = fv_slot_alloc(&slots);
	if (fv_cnode_copy(FV_ROOT_SLOT_CNODE, copy, 64, FV_ROOT_SLOT_CNODE, KT_SLOT_UART, 64,
	                  FV_RIGHTS_ALL) != FV_OK)
		return 0;
	return copy;
}

static void test_uart_interrupt(fv_cptr_t handler, fv_cptr_t ntfn)
{
	fv_cptr_t frame = console_frame_copy();
	map_tables_for(pool, UART_VA);
	check(frame && fv_frame_map(frame, FV_ROOT_SLOT_VSPACE, UART_VA,
	                            FV_MAP_READ | FV_MAP_WRITE) == FV_OK,
	      "IRQ0008 map the console UART from device untyped");
	volatile uint8_t *uart = (volatile uint8_t *)(UART_VA + (bi->console_pa & 0xfff));
	uart[1] = 1; /* IER: received data available */
	fv_printf("kerneltest: waiting for a key on the console\n");
	uint64_t word = 0;
	fv_wait(ntfn, &word);
	char c = (uart[5] & 1) ? (char)uart[0] : 0;
	uart[1] = 0;
	fv_irq_handler_ack(handler);
	fv_printf("kerneltest: key '%c' arrived by interrupt %lu\n", c, bi->console_irq);
	check(word != 0 && c != 0, "IRQ0009 a key press arrives as a notification");
}

static void test_interrupts(void)
{
	unsigned irq = (unsigned)bi->console_irq;
	check(irq != 0 && irq <= bi->irq_count,
	      "IRQ0001 the boot info names the console interrupt");
	fv_cptr_t h = fv_slot_alloc(&slots), h2 = fv_slot_alloc(&slots);
	check_err(fv_irq_control_get(KT_SLOT_IRQ_CONTROL, irq, FV_ROOT_SLOT_CNODE, h, 64), FV_OK,
	          "IRQ0002 get the handler of an interrupt");
	check_err(fv_irq_control_get(KT_SLOT_IRQ_CONTROL, irq, FV_ROOT_SLOT_CNODE, h2, 64),
	          FV_ILLEGAL_OPERATION, "IRQ0003 one handler per interrupt");
	check_err(fv_irq_control_get(KT_SLOT_IRQ_CONTROL, 0, FV_ROOT_SLOT_CNODE, h2, 64),
	          FV_RANGE_ERROR, "IRQ0004 interrupt 0 does not exist");
	check_err(fv_irq_control_get(KT_SLOT_IRQ_CONTROL, (unsigned)bi->irq_count + 1,
	                             FV_ROOT_SLOT_CNODE, h2, 64),
	          FV_RANGE_ERROR, "IRQ0005 no interrupt beyond the controller");
	check_err(fv_cnode_copy(FV_ROOT_SLOT_CNODE, h2, 64, FV_ROOT_SLOT_CNODE, KT_SLOT_IRQ_CONTROL,
	                        64, FV_RIGHTS_ALL),
	          FV_ILLEGAL_OPERATION, "IRQ0006 IRQControl cannot be copied");
	fv_cptr_t ntfn = make(pool, FV_OBJ_NOTIFICATION, 0);
	check_err(fv_irq_handler_set_notification(h, ntfn), FV_OK,
	          "IRQ0007 route the interrupt to a notification");
	if (cmdline_has("ferrovisor.test=uart-irq"))
		test_uart_interrupt(h, ntfn);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, h, 64);
	check_err(fv_irq_control_get(KT_SLOT_IRQ_CONTROL, irq, FV_ROOT_SLOT_CNODE, h2, 64), FV_OK,
	          "IRQ0010 deleting the handler frees the interrupt");
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, h2, 64);
}

/* ---- Another address space ---- */

#define SCRATCH_PAGE 0x24000000ul
#define KT_BADGE     0x4b
#define KT_FAULT     0xfa

/* Loads `program` with its objects from `untyped`. */
static fv_error_t load_from(fv_cptr_t untyped, const char *program, uint64_t arg,
                            struct fv_process *p)
{
	struct fv_loader l = {.archive = (const void *)bi->archive_va,
	                      .archive_size = bi->archive_size,
	                      .untyped = untyped,
	                      .slots = &slots,
	                      .root_cnode = FV_ROOT_SLOT_CNODE,
	                      .root_vspace = FV_ROOT_SLOT_VSPACE,
	                      .scratch_va = SCRATCH_PAGE,
	                      .memory_bits = 20, /* 1 MiB: all ktchild needs */
	                      .timebase_hz = bi->timebase_hz,
	                      .hart_count = bi->hart_count};
	fv_error_t err = fv_load_program(&l, program, arg, p);
	if (!err) /* its output goes where this program's goes */
		fv_cnode_copy(p->cnode, FV_PROCESS_SLOT_CONSOLE, 64, FV_ROOT_SLOT_CNODE,
		              FV_PROCESS_SLOT_CONSOLE, 64, FV_RIGHTS_ALL);
	return err;
}

static fv_error_t load(const char *program, uint64_t arg, struct fv_process *p)
{
	return load_from(pool, program, arg, p);
}

/* A thread waiting for a reply loses its address space; the reply must not crash the kernel. */
static void test_address_space_deleted_under_a_thread(void)
{
	struct fv_process p;
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	fv_error_t err = load("ktchild", THREAD_IPC, &p);
	check_err(err, FV_OK, "PRC0008 load another program while the first still exists");
	if (err)
		return;
	fv_cnode_copy(p.cnode, FV_PROCESS_SLOT_FIRST_FREE, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHTS_ALL);
	fv_tcb_set_priority(p.tcb, 255, 255);
	fv_tcb_resume(p.tcb);
	struct fv_msg m;
	fv_recv(ep, &m);
	check_err(fv_cnode_revoke(FV_ROOT_SLOT_CNODE, p.vspace, 64), FV_OK,
	          "PRC0004 revoke the address space of a thread waiting for a reply");
	check_err(fv_cnode_delete(FV_ROOT_SLOT_CNODE, p.vspace, 64), FV_OK,
	          "PRC0005 delete that address space");
	m.info = FV_MSGINFO(0, 0, 1);
	check_err(fv_reply(&m), FV_OK, "PRC0006 reply: the thread cannot run, the kernel goes on");
	for (unsigned i = 0; i < 100; i++)
		fv_yield();
	fv_cptr_t probe = make(pool, FV_OBJ_FRAME_4K, 0);
	check(probe != 0, "PRC0007 the kernel still makes objects afterwards");
}

/* A guest spinning in place (`j .` at guest RAM), its thread started on `hart`; 0 on failure. */
static fv_cptr_t start_spinning_guest(unsigned hart, unsigned priority)
{
	fv_cptr_t vcpu = make(pool, FV_OBJ_VCPU, 0), gs = make(pool, FV_OBJ_GUEST_SPACE, 0);
	fv_cptr_t tcb = make(pool, FV_OBJ_TCB, 0), ipc = make(pool, FV_OBJ_FRAME_4K, 0);
	fv_cptr_t code = make(pool, FV_OBJ_FRAME_4K, 0);
	fv_cptr_t pt1 = make(pool, FV_OBJ_PAGE_TABLE, 0), pt0 = make(pool, FV_OBJ_PAGE_TABLE, 0);
	void *ipc_va = fv_posix_map_frame(ipc, RW);
	uint32_t *insn = fv_posix_map_frame(code, RW);
	if (!vcpu || !gs || !tcb || !pt1 || !pt0 || !ipc_va || !insn)
		return 0;
	*insn = 0x0000006f; /* j . */
	const uint64_t regs[] = {[FV_REG_PC] = GUEST_RAM};
	bool ok = fv_frame_unmap(code) == FV_OK && fv_page_table_map(pt1, gs, GUEST_RAM) == FV_OK &&
	          fv_page_table_map(pt0, gs, GUEST_RAM) == FV_OK &&
	          fv_frame_map(code, gs, GUEST_RAM, RW | FV_MAP_EXEC) == FV_OK &&
	          fv_tcb_configure(tcb, FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE, ipc,
	                           (uint64_t)ipc_va) == FV_OK &&
	          fv_tcb_bind_vcpu(tcb, vcpu, gs) == FV_OK &&
	          fv_tcb_write_registers(tcb, regs, 1) == FV_OK &&
	          fv_tcb_set_priority(tcb, priority, priority) == FV_OK &&
	          fv_tcb_set_affinity(tcb, hart) == FV_OK && fv_tcb_resume(tcb) == FV_OK;
	return ok ? tcb : 0;
}

/*
 * A hart entering a guest keeps the address space of the thread it ran
 * before (satp). Deleting that address space, and reusing its memory, must
 * not leave the hart on the old tables: its next kernel entry would walk
 * whatever the memory holds now.
 */
static void test_address_space_deleted_under_a_guest(void)
{
	if (bi->hart_count < 2)
		return;
	fv_cptr_t sub = reusable, ep = make(pool, FV_OBJ_ENDPOINT, 0);
	fv_cptr_t guest = start_spinning_guest(1, 100);
	struct fv_process p;
	bool ready = sub && ep && guest && load_from(sub, "ktchild", THREAD_IPC, &p) == FV_OK;
	check(ready, "VCP0016 a guest runs on hart 1, and a program is loaded");
	if (!ready)
		return;
	/* The program preempts the guest on hart 1, calls, and hart 1 goes back to the guest. */
	fv_cnode_copy(p.cnode, FV_PROCESS_SLOT_FIRST_FREE, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHTS_ALL);
	fv_tcb_set_priority(p.tcb, 255, 255);
	fv_tcb_set_affinity(p.tcb, 1);
	fv_tcb_resume(p.tcb);
	struct fv_msg m;
	fv_recv(ep, &m);
	/* Everything of the program goes, and its memory is zeroed as two new frames. */
	check(fv_cnode_revoke(FV_ROOT_SLOT_CNODE, sub, 64) == FV_OK &&
	          make(sub, FV_OBJ_FRAME_2M, 0) != 0 && make(sub, FV_OBJ_FRAME_2M, 0) != 0,
	      "VCP0017 delete the program and reuse its memory while the guest runs");
	uint64_t regs[1] = {0};
	check(fv_tcb_suspend(guest) == FV_OK && fv_tcb_read_registers(guest, regs, 1) == FV_OK &&
	          regs[FV_REG_PC] == GUEST_RAM && make(pool, FV_OBJ_FRAME_4K, 0) != 0,
	      "VCP0018 hart 1 leaves the guest cleanly afterwards, the guest where it spun");
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, guest, 64);
}

/* ---- Guest interrupt files (AIA) ---- */

#define IMSIC_GPA     0x28000000ul
#define IMSIC_TEST_ID 5

/*
 * A guest that turns on identity 5 of its interrupt file (through siselect
 * and sireg, which in VS-mode reach that file), reports in with an ecall,
 * enables its external interrupt (not globally: no trap) and waits in WFI,
 * claims the interrupt through stopei and reports what it got.
 */
extern const uint32_t imsic_guest_start[], imsic_guest_end[];
__asm__(".pushsection .rodata\n"
        ".balign 4\n"
        "imsic_guest_start:\n"
        "li t0, 0x70\n csrw 0x150, t0\n li t1, 1\n csrw 0x151, t1\n"  /* eidelivery */
        "li t0, 0x72\n csrw 0x150, t0\n csrw 0x151, zero\n"           /* eithreshold */
        "li t0, 0xc0\n csrw 0x150, t0\n li t1, 32\n csrw 0x151, t1\n" /* eie0: id 5 */
        "ecall\n"
        "li t0, 0x200\n csrs sie, t0\n" /* SEIE: its WFI ends on the file's interrupt */
        "wfi\n"
        "csrrw a0, 0x15c, zero\n"
        "ecall\n"
        "j .\n"
        "imsic_guest_end:\n"
        ".popsection\n");

struct code_guest {
	fv_cptr_t vcpu, gs, tcb, ep;
};

/* A copy of the interrupt file's frame, mapped at IMSIC_GPA in the guest's space. */
static bool map_guest_file(fv_cptr_t file, const struct code_guest *g)
{
	fv_cptr_t ipt1 = make(pool, FV_OBJ_PAGE_TABLE, 0), ipt0 = make(pool, FV_OBJ_PAGE_TABLE, 0);
	fv_cptr_t file_copy = fv_slot_alloc(&slots);
	return ipt1 && ipt0 && file_copy &&
	       fv_cnode_copy(FV_ROOT_SLOT_CNODE, file_copy, 64, FV_ROOT_SLOT_CNODE, file, 64,
	                     FV_RIGHTS_ALL) == FV_OK &&
	       fv_page_table_map(ipt1, g->gs, IMSIC_GPA) == FV_OK &&
	       fv_page_table_map(ipt0, g->gs, IMSIC_GPA) == FV_OK &&
	       fv_frame_map(file_copy, g->gs, IMSIC_GPA, RW) == FV_OK;
}

/*
 * A guest running the code from `start` to `end` at guest RAM on `hart` at
 * `priority`, its exits to a new endpoint; with `file`, its VCPU has that interrupt file,
 * mapped at IMSIC_GPA.
 */
static bool start_code_guest(const uint32_t *start, const uint32_t *end, unsigned hart,
                             unsigned priority, fv_cptr_t file, struct code_guest *g)
{
	g->vcpu = make(pool, FV_OBJ_VCPU, 0);
	g->gs = make(pool, FV_OBJ_GUEST_SPACE, 0);
	g->tcb = make(pool, FV_OBJ_TCB, 0);
	g->ep = make(pool, FV_OBJ_ENDPOINT, 0);
	fv_cptr_t ipc = make(pool, FV_OBJ_FRAME_4K, 0), code = make(pool, FV_OBJ_FRAME_4K, 0);
	fv_cptr_t pt1 = make(pool, FV_OBJ_PAGE_TABLE, 0), pt0 = make(pool, FV_OBJ_PAGE_TABLE, 0);
	void *ipc_va = fv_posix_map_frame(ipc, RW);
	uint32_t *insn = fv_posix_map_frame(code, RW);
	if (!g->vcpu || !g->gs || !g->tcb || !g->ep || !ipc_va || !insn)
		return false;
	memcpy(insn, start, (size_t)(end - start) * 4);
	const uint64_t regs[] = {[FV_REG_PC] = GUEST_RAM};
	return fv_frame_unmap(code) == FV_OK && fv_page_table_map(pt1, g->gs, GUEST_RAM) == FV_OK &&
	       fv_page_table_map(pt0, g->gs, GUEST_RAM) == FV_OK &&
	       fv_frame_map(code, g->gs, GUEST_RAM, RW | FV_MAP_EXEC) == FV_OK &&
	       (!file || map_guest_file(file, g)) &&
	       fv_tcb_configure(g->tcb, FV_ROOT_SLOT_CNODE, FV_ROOT_SLOT_VSPACE, ipc,
	                        (uint64_t)ipc_va) == FV_OK &&
	       fv_tcb_set_fault_handler(g->tcb, g->ep) == FV_OK &&
	       fv_tcb_bind_vcpu(g->tcb, g->vcpu, g->gs) == FV_OK &&
	       fv_tcb_set_affinity(g->tcb, hart) == FV_OK &&
	       (!file || fv_vcpu_set_irq_file(g->vcpu, file) == FV_OK) &&
	       fv_tcb_write_registers(g->tcb, regs, 1) == FV_OK &&
	       fv_tcb_set_priority(g->tcb, priority, priority) == FV_OK &&
	       fv_tcb_resume(g->tcb) == FV_OK;
}

/* The guest above on `hart`, its VCPU given `file`. */
static bool start_file_guest(unsigned hart, fv_cptr_t file, struct code_guest *g)
{
	return start_code_guest(imsic_guest_start, imsic_guest_end, hart, 100, file, g);
}

static bool is_ecall_exit(const struct fv_ipc_result *r, const struct fv_msg *m)
{
	return r->status == FV_OK && FV_MSGINFO_LABEL(m->info) == FV_FAULT_VCPU &&
	       m->words[FV_EXIT_CAUSE] == 10;
}

/* ---- Exceptions raised in a guest by its VMM's reply (FV_EXIT_RAISE) ---- */

#define INSN_CSRR_A0_HPMCOUNTER3  0xc0302573ul
#define CAUSE_VIRTUAL_INSTRUCTION 22
#define SSTATUS_SPP_BIT           (1ul << 8)

/*
 * A guest that reads hpmcounter3, which its hcounteren does not give it (a
 * virtual-instruction exit), and whose trap handler reports scause, sepc,
 * stval and sstatus in a0-a3 with an ecall.
 */
extern const uint32_t raise_guest_start[], raise_guest_end[];
__asm__(".pushsection .rodata\n"
        ".balign 4\n"
        "raise_guest_start:\n"
        ".option push\n.option norvc\n"
        "lla t0, 1f\n csrw stvec, t0\n"
        "csrr a0, hpmcounter3\n"
        "j .\n"
        ".balign 4\n"
        "1: csrr a0, scause\n csrr a1, sepc\n csrr a2, stval\n csrr a3, sstatus\n"
        "ecall\n"
        "j .\n"
        ".option pop\n"
        "raise_guest_end:\n"
        ".popsection\n");

/* A guest that waits with WRS.NTO and WRS.STO (Zawrs), then reports in with an ecall. */
extern const uint32_t wrs_guest_start[], wrs_guest_end[];
__asm__(".pushsection .rodata\n"
        ".balign 4\n"
        "wrs_guest_start:\n"
        ".word 0x00d00073\n" /* wrs.nto */
        ".word 0x01d00073\n" /* wrs.sto */
        ".word 0x00000073\n" /* ecall */
        ".word 0x0000006f\n" /* j . */
        "wrs_guest_end:\n"
        ".popsection\n");

static volatile bool peer_spins;

/* Keeps a hart busy below the guest's priority while peer_spins, then waits for good on `arg`. */
static void spin_as_peer(uint64_t arg)
{
	while (peer_spins)
		;
	uint64_t word;
	fv_wait((fv_cptr_t)arg, &word);
}

/*
 * With another thread waiting to run on its hart (so hstatus.VTW is set),
 * a guest's WRS traps; the kernel ends the wait there: the VMM never sees it.
 */
static void test_guest_wrs(void)
{
	struct code_guest g;
	peer_spins = true;
	spawn(spin_as_peer, make(pool, FV_OBJ_NOTIFICATION, 0), 0, 50);
	bool started = start_code_guest(wrs_guest_start, wrs_guest_end, 0, 255, 0, &g);
	struct fv_msg m;
	struct fv_ipc_result r = {.status = FV_INVALID_ARGUMENT};
	if (started)
		r = fv_recv(g.ep, &m);
	peer_spins = false;
	check(started && is_ecall_exit(&r, &m) && m.words[FV_EXIT_PC] == GUEST_RAM + 8,
	      "VEX0004 WRS.NTO and WRS.STO end in the kernel: the first exit is the ecall after "
	      "them");
	if (started) {
		fv_tcb_suspend(g.tcb);
		fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.tcb, 64);
		fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.vcpu, 64);
	}
}

static bool is_counter_exit(const struct fv_ipc_result *r, const struct fv_msg *m, uint64_t pc)
{
	return r->status == FV_OK && FV_MSGINFO_LABEL(m->info) == FV_FAULT_VCPU &&
	       m->words[FV_EXIT_CAUSE] == CAUSE_VIRTUAL_INSTRUCTION &&
	       m->words[FV_EXIT_TVAL] == INSN_CSRR_A0_HPMCOUNTER3 &&
	       (!pc || m->words[FV_EXIT_PC] == pc);
}

/* Replies `how` (reply word 0) to the last exit and receives the next. */
static struct fv_ipc_result answer_exit(fv_cptr_t ep, struct fv_msg *m, uint64_t how)
{
	m->info = FV_MSGINFO(0, 0, 1);
	m->words[0] = how;
	fv_reply(m);
	return fv_recv(ep, m);
}

static void test_exit_raise(void)
{
	struct code_guest g;
	struct fv_msg m;
	/* At the suite's own priority: threads of earlier tests yield on hart 0 at 255. */
	if (!start_code_guest(raise_guest_start, raise_guest_end, 0, 255, 0, &g)) {
		check(false, "VEX0001 start a guest");
		return;
	}
	struct fv_ipc_result r = fv_recv(g.ep, &m);
	uint64_t pc = m.words[FV_EXIT_PC];
	check(is_counter_exit(&r, &m, 0), "VEX0001 a counter the VCPU was not given exits "
	                                  "(virtual instruction, stval the instruction)");
	r = answer_exit(g.ep, &m, FV_EXIT_RAISE | 9);
	bool again = is_counter_exit(&r, &m, pc);
	r = answer_exit(g.ep, &m, FV_EXIT_RAISE | 64);
	check(again && is_counter_exit(&r, &m, pc),
	      "VEX0002 raising what a guest does not take (an S-mode ecall, cause 64) does "
	      "nothing: the instruction runs again");
	r = answer_exit(g.ep, &m, FV_EXIT_RAISE | 2);
	const uint64_t *x = &m.words[FV_EXIT_X0];
	check(is_ecall_exit(&r, &m) && x[10] == 2 && x[11] == pc &&
	          x[12] == INSN_CSRR_A0_HPMCOUNTER3 && (x[13] & SSTATUS_SPP_BIT),
	      "VEX0003 raising an illegal instruction enters the guest's handler: scause 2, sepc "
	      "the instruction's, stval the exit's, SPP supervisor");
	fv_tcb_suspend(g.tcb);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.tcb, 64);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.vcpu, 64);
}

static void spin_ms(unsigned ms)
{
	uint64_t end = fv_read_time() + bi->timebase_hz / 1000 * ms;
	while (fv_read_time() < end)
		;
}

/*
 * The guest waits in WFI on hart 1; a write to its interrupt file from here
 * (the file's page, mapped in this address space) wakes it with no VMM
 * involved, and it claims the identity written. Alone on its hart, its WFI
 * waits in the guest; with `peer` a thread waits to run there too, so its WFI
 * traps and it sleeps in the kernel until the supervisor guest external
 * interrupt wakes it.
 */
static bool guest_wakes_by_file(fv_cptr_t file, volatile uint32_t *seteipnum, bool peer)
{
	struct code_guest g;
	if (!seteipnum || !start_file_guest(1, file, &g))
		return false;
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(g.ep, &m);
	bool reported = is_ecall_exit(&r, &m);
	peer_spins = peer;
	if (peer)
		spawn(spin_as_peer, make(pool, FV_OBJ_NOTIFICATION, 0), 1, 50);
	m.info = FV_MSGINFO(0, 0, 1);
	m.words[0] = 4; /* past the ecall */
	fv_reply(&m);
	spin_ms(20); /* it is in WFI long before this */
	*seteipnum = IMSIC_TEST_ID;
	r = fv_recv(g.ep, &m);
	peer_spins = false;
	bool pinned = fv_tcb_set_affinity(g.tcb, 0) == FV_ILLEGAL_OPERATION;
	fv_tcb_suspend(g.tcb);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.tcb, 64);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, g.vcpu, 64);
	return reported && pinned && is_ecall_exit(&r, &m) &&
	       m.words[FV_EXIT_X0 + 10] == (IMSIC_TEST_ID << 16 | IMSIC_TEST_ID);
}

static void test_guest_file_wakes_guest(fv_cptr_t file)
{
	volatile uint32_t *seteipnum = fv_posix_map_frame(file, RW);
	check(guest_wakes_by_file(file, seteipnum, false),
	      "GIF0008 alone on its hart, a guest waits in WFI and a message to its file wakes it "
	      "(and its thread cannot leave the file's hart)");
	check(guest_wakes_by_file(file, seteipnum, true),
	      "GIF0013 sharing its hart, it sleeps in the kernel; the file's interrupt wakes it");
}

static void test_guest_irq_files(void)
{
	unsigned files = (unsigned)bi->guest_irq_files;
	fv_cptr_t f = fv_slot_alloc(&slots), f2 = fv_slot_alloc(&slots);
	check_err(
	    fv_irq_control_get_guest_file(KT_SLOT_IRQ_CONTROL, 0, 0, FV_ROOT_SLOT_CNODE, f, 64),
	    FV_RANGE_ERROR, "GIF0001 file 0 is the hart's own, no guest's");
	check_err(fv_irq_control_get_guest_file(KT_SLOT_IRQ_CONTROL, 0, files + 1,
	                                        FV_ROOT_SLOT_CNODE, f, 64),
	          FV_RANGE_ERROR, "GIF0002 no file beyond the last");
	check_err(fv_irq_control_get_guest_file(KT_SLOT_IRQ_CONTROL, (unsigned)bi->hart_count, 1,
	                                        FV_ROOT_SLOT_CNODE, f, 64),
	          FV_RANGE_ERROR, "GIF0003 no file of a hart that is not online");
	if (files == 0)
		return; /* no AIA, or no guest files on this machine */
	unsigned hart = bi->hart_count > 1 ? 1 : 0;
	check_err(
	    fv_irq_control_get_guest_file(KT_SLOT_IRQ_CONTROL, hart, 1, FV_ROOT_SLOT_CNODE, f, 64),
	    FV_OK, "GIF0004 get the frame of a guest interrupt file");
	check_err(
	    fv_irq_control_get_guest_file(KT_SLOT_IRQ_CONTROL, hart, 1, FV_ROOT_SLOT_CNODE, f2, 64),
	    FV_ILLEGAL_OPERATION, "GIF0005 a file is handed out once");
	fv_cptr_t a = make(pool, FV_OBJ_VCPU, 0), b = make(pool, FV_OBJ_VCPU, 0);
	fv_cptr_t ram = make(pool, FV_OBJ_FRAME_4K, 0);
	check_err(fv_vcpu_set_irq_file(a, ram), FV_INVALID_CAPABILITY,
	          "GIF0009 a RAM frame is no interrupt file");
	check_err(fv_vcpu_set_irq_file(a, f), FV_OK, "GIF0010 give a VCPU an interrupt file");
	check_err(fv_vcpu_set_irq_file(b, f), FV_ILLEGAL_OPERATION,
	          "GIF0011 one VCPU per interrupt file");
	check(fv_cnode_delete(FV_ROOT_SLOT_CNODE, a, 64) == FV_OK &&
	          fv_vcpu_set_irq_file(b, f) == FV_OK && fv_vcpu_set_irq_file(b, 0) == FV_OK,
	      "GIF0012 a deleted VCPU's file goes to another, which can give it up");
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, b, 64);
	if (hart == 1)
		test_guest_file_wakes_guest(f);
}

static void test_process(void)
{
	struct fv_process p;
	fv_error_t err = load("ktchild", THREAD_IPC, &p);
	check_err(err, FV_OK, "PRC0001 load a program into a new address space");
	if (err)
		return;
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	/* The guard makes every CPtr of that CNode 64 bits deep. */
	fv_cnode_mint(p.cnode, FV_PROCESS_SLOT_FIRST_FREE, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHT_WRITE | FV_RIGHT_GRANT, KT_BADGE);
	fv_cnode_mint(p.cnode, FV_PROCESS_SLOT_SUPERVISOR, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHT_WRITE, KT_FAULT);
	fv_tcb_set_priority(p.tcb, 255, 255);
	check_err(fv_tcb_resume(p.tcb), FV_OK, "PRC0002 start it");
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(ep, &m);
	check(r.status == FV_OK && r.badge == KT_BADGE && m.words[0] == 5,
	      "PRC0003 its call arrives with its badge");
	m.words[0] += 1;
	m.info = FV_MSGINFO(0, 0, 1);
	r = fv_reply_recv(ep, &m);
	check(r.status == FV_OK && r.badge == KT_FAULT && FV_MSGINFO_LABEL(m.info) == FV_FAULT_VM &&
	          m.words[1] == THREAD_IPC,
	      "ISO0002 another address space cannot read this one's memory");
	/* Leave it stopped: reply with a nonzero label. */
	m.info = FV_MSGINFO(1, 0, 0);
	fv_reply(&m);
	test_address_space_deleted_under_a_thread();
	test_address_space_deleted_under_a_guest();
}

static void test_ipc(void)
{
	fv_cptr_t ep = make(pool, FV_OBJ_ENDPOINT, 0);
	server_recv_slot = fv_slot_alloc(&slots);
	spawn(echo_server, ep, 1, 255);
	test_call_reply(ep);
	test_rights(ep);
	test_ipc_order();
	test_notifications(ep);
	test_faults();
	test_endpoint_deletion();
	test_fp_isolation();
	test_scheduling();
}

/* The next place at or after `p` where a word of the command line starts with `key`. */
static const char *strstr_word(const char *p, const char *key, size_t len)
{
	for (; *p; p++)
		if ((p == bi->cmdline || p[-1] == ' ') && strncmp(p, key, len) == 0)
			return p;
	return NULL;
}

static bool cmdline_has(const char *word)
{
	const char *p = strstr_word(bi->cmdline, word, strlen(word));
	return p && (p[strlen(word)] == ' ' || p[strlen(word)] == '\0');
}

int main(void)
{
	bi = (const struct fv_bootinfo *)FV_ROOT_BOOTINFO; /* the root task's copy */
	pool = KT_SLOT_POOL;
	fv_slots_init(&slots, fv_program_slots.first, fv_program_slots.count);
	reusable = make(pool, FV_OBJ_UNTYPED, 22);
	fv_printf("kerneltest: running on %lu harts\n", bi->hart_count);
	check(bi->magic == FV_BOOTINFO_MAGIC, "KT0000 the boot info came with the suite");
	test_libc();
	test_memory(pool);
	test_errors(pool);
	test_thread(pool);
	test_ipc();
	test_guest_space();
	test_vcpu();
	test_exit_raise();
	test_guest_wrs();
	test_guest_irq_files();
	test_interrupts();
	test_process();
	fv_printf("kerneltest: %u passed, %u failed\n", passed, failed);
	return 0;
}
