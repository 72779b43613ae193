/*
 * The root task: the first user program, holding every capability at boot.
 * It starts the console server, then what the boot arguments ask for: the
 * kernel test suite (the default), the IPC benchmarks (ferrovisor.root=bench)
 * or the system-call fuzzer (ferrovisor.root=fuzz). Programs it starts get
 * least privilege: their own memory, the console, and what their job needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fv/console_protocol.h>
#include <fv/cpio.h>
#include <fv/loader.h>
#include <fv/posix.h>
#include <fv/thread.h>

#include <vmm/boot.h>

#include "../kerneltest/kerneltest.h"
#include "root.h"

#define SCRATCH_PAGE 0x24000000ul /* where the loader fills pages for other programs */
#define MAX_THREADS  8
#define THREAD_STACK 8192

struct thread {
	struct fv_thread thread;
	char stack[THREAD_STACK] __attribute__((aligned(16)));
};

static const struct fv_bootinfo *bi;
static struct fv_slot_allocator slots;
static struct fv_alloc alloc;
static fv_cptr_t console_endpoint, console_client, uart_frame, supervisor_endpoint;
static struct thread threads[MAX_THREADS];
static unsigned thread_count;

fv_cptr_t root_make(fv_object_type_t type, unsigned size_bits)
{
	return fv_make(&alloc, type, size_bits);
}

fv_cptr_t root_slot(void)
{
	return fv_slot_alloc(&slots);
}

fv_cptr_t root_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned hart, unsigned priority,
                     fv_cptr_t cspace)
{
	if (thread_count == MAX_THREADS)
		return 0;
	struct thread *th = &threads[thread_count++];
	const struct fv_thread_params params = {
	    .entry = fn,
	    .arg = arg,
	    .stack_top = th->stack + THREAD_STACK,
	    .cspace = cspace,
	    .priority = priority,
	    .hart = hart < bi->hart_count ? (int)hart : -1,
	};
	return fv_thread_start(&th->thread, &alloc, &params) == FV_OK ? th->thread.tcb : 0;
}

/*
 * The RAM Untyped the root task makes its own objects and programs from:
 * the smallest of at least 32 MiB (the largest if none is), so that the
 * large blocks stay whole for guests' RAM.
 */
#define ROOT_POOL_MIN_BITS 25
static fv_cptr_t pool_untyped(void)
{
	fv_cptr_t best = 0;
	unsigned best_bits = 0;
	for (unsigned long i = 0; i < bi->untyped.count; i++) {
		const struct fv_untyped_desc *u = &bi->untyped_list[i];
		if (u->is_device)
			continue;
		bool better = best_bits < ROOT_POOL_MIN_BITS
		                  ? u->size_bits > best_bits
		                  : u->size_bits >= ROOT_POOL_MIN_BITS && u->size_bits < best_bits;
		if (!best || better) {
			best = bi->untyped.first + i;
			best_bits = u->size_bits;
		}
	}
	return best;
}

/* A frame over the device page at `pa`, from the device Untyped that holds it. */
static fv_cptr_t device_frame(uint64_t pa)
{
	for (unsigned long i = 0; i < bi->untyped.count; i++) {
		const struct fv_untyped_desc *u = &bi->untyped_list[i];
		if (!u->is_device || pa < u->pa || pa - u->pa >= (1ul << u->size_bits))
			continue;
		struct fv_alloc device = {bi->untyped.first + i, FV_ROOT_SLOT_CNODE, &slots};
		for (;;) {
			/* Retype advances through the region: frames below `pa` are left unused. */
			fv_cptr_t f = fv_make(&device, FV_OBJ_FRAME_4K, 0);
			uint64_t at = 0;
			if (!f || fv_frame_address(f, &at) != FV_OK || at > (pa & ~0xffful))
				return 0;
			if (at == (pa & ~0xffful))
				return f;
		}
	}
	return 0;
}

struct fv_loader root_loader(void)
{
	return (struct fv_loader){.archive = (const void *)bi->archive_va,
	                          .archive_size = bi->archive_size,
	                          .untyped = alloc.untyped,
	                          .slots = &slots,
	                          .root_cnode = FV_ROOT_SLOT_CNODE,
	                          .root_vspace = FV_ROOT_SLOT_VSPACE,
	                          .scratch_va = SCRATCH_PAGE,
	                          .timebase_hz = bi->timebase_hz,
	                          .hart_count = bi->hart_count};
}

/* Loads a program; it gets the console (badged with its TCB's slot) and the root as supervisor. */
fv_error_t root_load(const char *program, uint64_t arg, struct fv_process *p)
{
	struct fv_loader l = root_loader();
	fv_error_t err = fv_load_program(&l, program, arg, p);
	if (!err && console_endpoint)
		err = fv_cnode_mint(p->cnode, FV_PROCESS_SLOT_CONSOLE, 64, FV_ROOT_SLOT_CNODE,
		                    console_endpoint, 64, FV_RIGHT_WRITE, p->tcb);
	if (!err && supervisor_endpoint)
		err = fv_cnode_mint(p->cnode, FV_PROCESS_SLOT_SUPERVISOR, 64, FV_ROOT_SLOT_CNODE,
		                    supervisor_endpoint, 64, FV_RIGHT_WRITE, p->tcb);
	return err;
}

fv_error_t root_start(const struct fv_process *p, unsigned hart)
{
	fv_tcb_set_priority(p->tcb, 255, 255);
	if (hart < bi->hart_count)
		fv_tcb_set_affinity(p->tcb, hart);
	return fv_tcb_resume(p->tcb);
}

/*
 * The console server gets the UART, and its interrupt when it is to take
 * input for guests (a test run keeps the interrupt for itself); from then on
 * every program's output goes through it. Without a UART in the device tree,
 * output stays on the kernel console.
 */
static void start_console(bool with_input)
{
	struct fv_process p;
	fv_cptr_t ep = root_make(FV_OBJ_ENDPOINT, 0);
	fv_cptr_t uart = fv_slot_alloc(&slots);
	if (!ep || !uart_frame || root_load("console", bi->console_pa, &p) != FV_OK ||
	    fv_cnode_copy(FV_ROOT_SLOT_CNODE, uart, 64, FV_ROOT_SLOT_CNODE, uart_frame, 64,
	                  FV_RIGHTS_ALL) != FV_OK)
		return;
	fv_cnode_copy(p.cnode, FV_PROCESS_SLOT_FIRST_FREE, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHT_READ);
	fv_cnode_move(p.cnode, FV_PROCESS_SLOT_FIRST_FREE + 1, 64, FV_ROOT_SLOT_CNODE, uart, 64);
	if (with_input && bi->console_irq)
		fv_irq_control_get(FV_ROOT_SLOT_IRQ_CONTROL, (unsigned)bi->console_irq, p.cnode,
		                   FV_PROCESS_SLOT_FIRST_FREE + 2, 64);
	if (root_start(&p, 0) != FV_OK)
		return;
	console_endpoint = ep;
	/* The root task's own: it may send capabilities (FV_CONSOLE_ATTACH). */
	console_client = fv_slot_alloc(&slots);
	fv_cnode_mint(FV_ROOT_SLOT_CNODE, console_client, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHT_WRITE | FV_RIGHT_GRANT, FV_CONSOLE_ROOT_BADGE);
	fv_posix_set_console(console_client);
}

fv_error_t root_console_attach(uint64_t badge, const char *name, fv_cptr_t cnode, uint64_t slot)
{
	if (!console_client)
		return FV_OK; /* no console server: no input either */
	fv_cptr_t ntfn = root_make(FV_OBJ_NOTIFICATION, 0);
	fv_cptr_t signal_only = fv_slot_alloc(&slots);
	if (!ntfn || !signal_only)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err =
	    fv_cnode_copy(cnode, slot, 64, FV_ROOT_SLOT_CNODE, ntfn, 64, FV_RIGHTS_ALL);
	if (!err)
		err = fv_cnode_mint(FV_ROOT_SLOT_CNODE, signal_only, 64, FV_ROOT_SLOT_CNODE, ntfn,
		                    64, FV_RIGHT_WRITE, 0);
	if (err)
		return err;
	struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_ATTACH, 1, 5), .words = {badge}};
	strncpy((char *)&m.words[1], name, FV_CONSOLE_NAME_MAX);
	fv_ipc_buf()->caps[0] = signal_only;
	struct fv_ipc_result r = fv_call(console_client, &m);
	fv_cnode_delete(FV_ROOT_SLOT_CNODE, signal_only, 64);
	if (r.status != FV_OK)
		return r.status;
	return (fv_error_t)FV_MSGINFO_LABEL(m.info);
}

fv_cptr_t root_start_server(const char *program, unsigned hart)
{
	struct fv_process p;
	fv_cptr_t ep = root_make(FV_OBJ_ENDPOINT, 0);
	if (!ep || root_load(program, 0, &p) != FV_OK)
		return 0;
	fv_cnode_copy(p.cnode, FV_PROCESS_SLOT_FIRST_FREE, 64, FV_ROOT_SLOT_CNODE, ep, 64,
	              FV_RIGHTS_ALL);
	return root_start(&p, hart) == FV_OK ? ep : 0;
}

/*
 * The suite's capabilities (kerneltest.h) and copies of the boot info and
 * archive. The pool comes last, best fit from any RAM Untyped: 16 MiB in
 * one piece may not fit in the loader's own.
 */
static fv_error_t equip_kerneltest(const struct fv_process *p)
{
	struct fv_loader l = root_loader();
	fv_error_t err =
	    fv_load_data(&l, p->vspace, FV_ROOT_BOOTINFO, bi, sizeof(*bi), FV_MAP_READ);
	if (!err)
		err = fv_share_frames(&l, p->vspace, bi->archive_va, bi->archive_frames.first,
		                      (unsigned)bi->archive_frames.count, FV_FRAME_2M_BITS);
	if (!err)
		err = fv_cnode_move(p->cnode, KT_SLOT_IRQ_CONTROL, 64, FV_ROOT_SLOT_CNODE,
		                    FV_ROOT_SLOT_IRQ_CONTROL, 64);
	if (!err && uart_frame)
		err = fv_cnode_copy(p->cnode, KT_SLOT_UART, 64, FV_ROOT_SLOT_CNODE, uart_frame, 64,
		                    FV_RIGHTS_ALL);
	if (!err)
		err = root_retype_anywhere(KT_POOL_BITS, p->cnode, KT_SLOT_POOL);
	return err;
}

static void start_kerneltest(void)
{
	struct fv_process p;
	fv_error_t err = root_load("kerneltest", 0, &p);
	if (!err)
		err = equip_kerneltest(&p);
	if (!err)
		err = root_start(&p, 0);
	if (err)
		fv_printf("root: cannot start the kernel test suite: %s\n", fv_strerror(err));
}

/*
 * An Untyped of 2^bits into `slot` of `cnode`, from the smallest RAM Untyped
 * that still has room for it (best fit keeps the large blocks whole).
 */
fv_error_t root_retype_anywhere(unsigned bits, fv_cptr_t cnode, uint64_t slot)
{
	for (unsigned size = bits; size <= FV_UNTYPED_MAX_BITS; size++) {
		for (unsigned long i = 0; i < bi->untyped.count; i++) {
			const struct fv_untyped_desc *u = &bi->untyped_list[i];
			if (u->is_device || u->size_bits != size)
				continue;
			fv_error_t err = fv_untyped_retype(bi->untyped.first + i, FV_OBJ_UNTYPED,
			                                   bits, cnode, 0, 0, slot, 1);
			if (err != FV_NOT_ENOUGH_MEMORY)
				return err;
		}
	}
	return FV_NOT_ENOUGH_MEMORY;
}

/*
 * Faults of the programs the root task started: reported, and the thread
 * stays stopped. VMMs also say here when their guest runs; once all have,
 * the isolation audit runs if the boot arguments ask for it.
 */
static void supervise(void)
{
	struct fv_msg m;
	unsigned ready = 0;
	for (;;) {
		struct fv_ipc_result r = fv_recv(supervisor_endpoint, &m);
		if (r.status != FV_OK)
			continue;
		if (FV_MSGINFO_LABEL(r.info) == VMM_READY_LABEL) {
			if (++ready == guests_started() && cmdline_has("ferrovisor.audit"))
				audit_guests();
			continue;
		}
		fv_printf("root: a thread of the program with TCB %lu stopped on fault %lx at "
		          "0x%lx (pc 0x%lx)\n",
		          (unsigned long)r.badge, (unsigned long)FV_MSGINFO_LABEL(m.info),
		          (unsigned long)m.words[1], (unsigned long)m.words[0]);
		m.info = FV_MSGINFO(1, 0, 0);
		fv_reply(&m);
	}
}

/* The next place at or after `p` where a word of the command line starts with `key`. */
static const char *strstr_word(const char *p, const char *key, size_t len)
{
	for (; *p; p++)
		if ((p == bi->cmdline || p[-1] == ' ') && strncmp(p, key, len) == 0)
			return p;
	return NULL;
}

uint64_t cmdline_number(const char *key, uint64_t fallback)
{
	size_t len = strlen(key);
	for (const char *p = bi->cmdline; (p = strstr_word(p, key, len)) != NULL; p += len) {
		if (p[len] != '=')
			continue;
		uint64_t v = 0;
		for (const char *d = p + len + 1; *d >= '0' && *d <= '9'; d++)
			v = v * 10 + (uint64_t)(*d - '0');
		return v;
	}
	return fallback;
}

static bool cmdline_value(const char *key, char *buf, size_t size)
{
	size_t len = strlen(key);
	for (const char *p = bi->cmdline; (p = strstr_word(p, key, len)) != NULL; p += len) {
		if (p[len] != '=')
			continue;
		size_t n = 0;
		for (const char *v = p + len + 1; *v && *v != ' ' && n + 1 < size; v++)
			buf[n++] = *v;
		buf[n] = '\0';
		return true;
	}
	return false;
}

bool cmdline_has(const char *word)
{
	size_t len = strlen(word);
	const char *p = strstr_word(bi->cmdline, word, len);
	return p && (p[len] == ' ' || p[len] == '\0');
}

const struct fv_bootinfo *root_bootinfo(void)
{
	return bi;
}

unsigned long root_hart_count(void)
{
	return bi->hart_count;
}

unsigned long root_timebase_hz(void)
{
	return bi->timebase_hz;
}

int main(void)
{
	bi = (const struct fv_bootinfo *)fv_start_arg();
	if (bi->magic != FV_BOOTINFO_MAGIC) {
		fv_printf("root: bad boot info\n");
		return 1;
	}
	fv_slots_init(&slots, fv_program_slots.first, fv_program_slots.count);
	alloc = (struct fv_alloc){pool_untyped(), FV_ROOT_SLOT_CNODE, &slots};
	if (bi->console_pa)
		uart_frame = device_frame(bi->console_pa);
	char guests[128];
	bool test_guests = cmdline_value("ferrovisor.guest", guests, sizeof(guests));
	bool benchmark =
	    cmdline_has("ferrovisor.root=bench") || cmdline_has("ferrovisor.root=fuzz");
	start_console(!benchmark && (test_guests || root_has_system()));
	fv_printf("root: running in user mode: %lu harts, %lu untyped, %lu free slots\n",
	          bi->hart_count, bi->untyped.count, bi->empty.count);
	if (cmdline_has("ferrovisor.root=bench")) {
		run_benchmarks();
		return 0;
	}
	if (cmdline_has("ferrovisor.root=fuzz"))
		return run_fuzzer();
	supervisor_endpoint = root_make(FV_OBJ_ENDPOINT, 0);
	if (test_guests)
		start_test_guests(guests);
	else if (!start_configured_guests())
		start_kerneltest();
	supervise();
}
