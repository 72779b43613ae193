/*
 * The system-call fuzzer, run by the root task when the boot arguments hold
 * ferrovisor.root=fuzz (ferrovisor.fuzz.seed=S, ferrovisor.fuzz.calls=N).
 *
 * A fuzzing thread with a CSpace of its own (an Untyped region, an
 * endpoint, a notification, a frame, a spare address space, page table and
 * thread, a VCPU and a guest space) makes N seeded random system calls and invocations with random
 * capability addresses and arguments. The root task watches it: a fuzzer
 * blocked in IPC is suspended and resumed; its faults are answered by a
 * handler thread. Afterwards the root task checks that the kernel still
 * works and that a thread outside the fuzzer's reach still answers
 * correctly, and reports the seed with any failure so the run can be
 * repeated exactly.
 */
#include "root.h"

#define FUZZ_RADIX   8
#define FUZZ_SLOTS   (1u << FUZZ_RADIX)
#define FUZZ_UNTYPED 16 /* 64 KiB to retype from */

enum fuzz_slot {
	FS_CNODE = 1,
	FS_UNTYPED,
	FS_ENDPOINT,
	FS_NOTIFICATION,
	FS_FRAME,
	FS_VSPACE,
	FS_PAGE_TABLE,
	FS_VICTIM,
	FS_VCPU,
	FS_GUEST_SPACE,
	FS_FIRST_FREE
};

static volatile uint64_t calls_done;
static uint64_t calls_wanted, seed;
static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: small, fast, and the same sequence for the same seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n)
{
	return rng() % n;
}

/* Argument words that reach interesting paths more often than uniform noise would. */
static uint64_t random_word(void)
{
	static const uint64_t specials[] = {0,     1,          2,          8,
	                                    12,    16,         21,         47,
	                                    63,    64,         65,         255,
	                                    256,   4096,       0x200000,   0x30000000,
	                                    ~0ull, 1ull << 38, 1ull << 56, 0x8000000000000000ull};
	switch (pick(4)) {
	case 0:
		return specials[pick(sizeof(specials) / sizeof(specials[0]))];
	case 1:
		return pick(FUZZ_SLOTS + 8);
	case 2:
		return pick(FV_OBJ_TYPE_COUNT + 2);
	default:
		return rng();
	}
}

static fv_cptr_t random_cptr(void)
{
	return pick(8) ? pick(FUZZ_SLOTS + 4) : rng();
}

static const unsigned labels[] = {FV_UNTYPED_RETYPE,
                                  FV_CNODE_COPY,
                                  FV_CNODE_MINT,
                                  FV_CNODE_MOVE,
                                  FV_CNODE_DELETE,
                                  FV_CNODE_REVOKE,
                                  FV_TCB_CONFIGURE,
                                  FV_TCB_WRITE_REGISTERS,
                                  FV_TCB_READ_REGISTERS,
                                  FV_TCB_SET_PRIORITY,
                                  FV_TCB_SET_AFFINITY,
                                  FV_TCB_RESUME,
                                  FV_TCB_SUSPEND,
                                  FV_TCB_SET_FAULT_HANDLER,
                                  FV_TCB_BIND_NOTIFICATION,
                                  FV_TCB_UNBIND_NOTIFICATION,
                                  FV_FRAME_MAP,
                                  FV_FRAME_UNMAP,
                                  FV_FRAME_GET_ADDRESS,
                                  FV_PAGE_TABLE_MAP,
                                  FV_PAGE_TABLE_UNMAP,
                                  FV_IRQ_CONTROL_GET,
                                  FV_IRQ_HANDLER_ACK,
                                  FV_IRQ_CONTROL_GET_GUEST_FILE,
                                  FV_TCB_BIND_VCPU,
                                  FV_VCPU_READ_REGS,
                                  FV_VCPU_WRITE_REGS,
                                  FV_VCPU_SET_INTERRUPTS,
                                  FV_VCPU_SET_IRQ_FILE};

static void fuzz_invocation(void)
{
	uint64_t args[8];
	fv_cptr_t caps[3];
	unsigned nargs = (unsigned)pick(9), ncaps = (unsigned)pick(4);
	for (unsigned i = 0; i < nargs; i++)
		args[i] = random_word();
	for (unsigned i = 0; i < ncaps; i++)
		caps[i] = random_cptr();
	unsigned label =
	    pick(10) ? labels[pick(sizeof(labels) / sizeof(labels[0]))] : (unsigned)rng();
	fv_invoke(random_cptr(), label, args, nargs, caps, ncaps, NULL, 0);
}

static void fuzz_ipc(void)
{
	static const fv_syscall_t calls[] = {FV_SYS_CALL,       FV_SYS_SEND,   FV_SYS_RECV,
	                                     FV_SYS_REPLY_RECV, FV_SYS_SIGNAL, FV_SYS_WAIT,
	                                     FV_SYS_POLL,       FV_SYS_REPLY,  FV_SYS_YIELD};
	uint64_t mr[FV_MSG_REG_WORDS] = {rng(), rng(), rng(), rng()};
	struct fv_ipc_buffer *buf = fv_ipc_buf();
	for (unsigned i = 0; i < FV_MSG_MAX_CAPS; i++)
		buf->caps[i] = random_cptr();
	buf->receive_cnode = random_cptr();
	buf->receive_index = pick(FUZZ_SLOTS);
	buf->receive_depth = random_word();
	fv_syscall_t nr = calls[pick(sizeof(calls) / sizeof(calls[0]))];
	fv_ipc(nr, random_cptr(), rng(), mr);
}

/* A number that is no Ferrovisor system call: a fault for the handler. */
static void fuzz_unknown_syscall(void)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	int64_t nr = pick(2) ? (int64_t)pick(500) : -(int64_t)(20 + pick(1000));
	fv_ipc((fv_syscall_t)nr, rng(), rng(), mr);
}

static void fuzzer(uint64_t unused)
{
	(void)unused;
	while (calls_done < calls_wanted) {
		unsigned what = (unsigned)pick(20);
		if (what < 12)
			fuzz_invocation();
		else if (what < 19)
			fuzz_ipc();
		else
			fuzz_unknown_syscall();
		calls_done++;
	}
	for (;;)
		fv_yield();
}

/* Answers every fault of the fuzzer: step over the faulting instruction. */
static void fault_server(uint64_t ep)
{
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(ep, &m);
	for (;;) {
		m.words[0] += 4; /* an ecall, or any 4-byte instruction */
		m.info = FV_MSGINFO(0, 0, 1);
		r = fv_reply_recv(ep, &m);
		(void)r;
	}
}

/* Echoes word 0 + 1: the bystander whose answers must survive the fuzzing. */
static void bystander(uint64_t ep)
{
	struct fv_msg m;
	fv_recv(ep, &m);
	for (;;) {
		m.words[0] += 1;
		m.info = FV_MSGINFO(0, 0, 1);
		fv_reply_recv(ep, &m);
	}
}

static fv_error_t give(fv_cptr_t cnode, unsigned dest, fv_cptr_t src)
{
	return fv_cnode_copy(cnode, dest, FUZZ_RADIX, FV_ROOT_SLOT_CNODE, src, 64, FV_RIGHTS_ALL);
}

/* The fuzzer's CSpace: a CNode whose guard makes CPtrs its slot numbers. */
static fv_cptr_t build_cspace(void)
{
	fv_cptr_t raw = root_make(FV_OBJ_CNODE, FUZZ_RADIX), cnode = root_slot();
	fv_cnode_mint(FV_ROOT_SLOT_CNODE, cnode, 64, FV_ROOT_SLOT_CNODE, raw, 64, FV_RIGHTS_ALL,
	              FV_CNODE_GUARD(64 - FUZZ_RADIX, 0));
	fv_cptr_t untyped = root_make(FV_OBJ_UNTYPED, FUZZ_UNTYPED);
	fv_cnode_move(cnode, FS_UNTYPED, FUZZ_RADIX, FV_ROOT_SLOT_CNODE, untyped, 64);
	give(cnode, FS_CNODE, cnode);
	give(cnode, FS_ENDPOINT, root_make(FV_OBJ_ENDPOINT, 0));
	give(cnode, FS_NOTIFICATION, root_make(FV_OBJ_NOTIFICATION, 0));
	give(cnode, FS_FRAME, root_make(FV_OBJ_FRAME_4K, 0));
	give(cnode, FS_VSPACE, root_make(FV_OBJ_VSPACE, 0));
	give(cnode, FS_PAGE_TABLE, root_make(FV_OBJ_PAGE_TABLE, 0));
	give(cnode, FS_VICTIM, root_make(FV_OBJ_TCB, 0));
	give(cnode, FS_VCPU, root_make(FV_OBJ_VCPU, 0));
	give(cnode, FS_GUEST_SPACE, root_make(FV_OBJ_GUEST_SPACE, 0));
	return cnode;
}

/* Waits for the fuzzer to finish, unsticking it whenever it blocks; returns how often. */
static unsigned watch(fv_cptr_t tcb)
{
	/* Alone on its hart a yield is quick; sharing one, each yield gives the fuzzer a slice. */
	unsigned yields = root_hart_count() > 1 ? 2000 : 4;
	unsigned unstuck = 0;
	uint64_t last = calls_done;
	while (calls_done < calls_wanted) {
		for (unsigned i = 0; i < yields; i++)
			fv_yield();
		if (calls_done != last) {
			last = calls_done;
			continue;
		}
		fv_tcb_suspend(tcb);
		fv_tcb_resume(tcb);
		unstuck++;
	}
	return unstuck;
}

static bool bystander_answers(fv_cptr_t ep)
{
	struct fv_msg m = {.info = FV_MSGINFO(0, 0, 1), .words = {41}};
	struct fv_ipc_result r = fv_call(ep, &m);
	return r.status == FV_OK && m.words[0] == 42;
}

static bool kernel_still_works(void)
{
	fv_cptr_t frame = root_make(FV_OBJ_FRAME_4K, 0);
	uint64_t pa = 0;
	return frame && fv_frame_address(frame, &pa) == FV_OK && pa != 0 &&
	       fv_cnode_delete(FV_ROOT_SLOT_CNODE, frame, 64) == FV_OK;
}

int run_fuzzer(void)
{
	seed = cmdline_number("ferrovisor.fuzz.seed", 1);
	calls_wanted = cmdline_number("ferrovisor.fuzz.calls", 20000);
	rng_state = seed ? seed : 1;
	fv_cptr_t bystander_ep = root_make(FV_OBJ_ENDPOINT, 0);
	root_spawn(bystander, bystander_ep, 0, 255, FV_ROOT_SLOT_CNODE);
	fv_cptr_t fault_ep = root_make(FV_OBJ_ENDPOINT, 0);
	root_spawn(fault_server, fault_ep, 0, 255, FV_ROOT_SLOT_CNODE);
	fv_cptr_t cspace = build_cspace();
	unsigned hart = root_hart_count() > 1 ? 1 : 0;
	fv_cptr_t tcb = root_spawn(fuzzer, 0, hart, 255, cspace);
	fv_tcb_suspend(tcb);
	fv_tcb_set_fault_handler(tcb, fault_ep);
	fv_printf("fuzz: seed %lu, %lu calls\n", seed, calls_wanted);
	fv_tcb_resume(tcb);
	unsigned unstuck = watch(tcb);
	fv_tcb_suspend(tcb);
	bool ok = bystander_answers(bystander_ep) && kernel_still_works();
	fv_printf("fuzz: %lu calls done, unblocked %u times\n", (unsigned long)calls_done, unstuck);
	if (!ok)
		fv_printf("fuzz: FAILED with seed %lu\n", seed);
	fv_printf("fuzz: %u passed, %u failed\n", ok ? 1u : 0u, ok ? 0u : 1u);
	return 0;
}
