/*
 * The Linux personality thread (fv/posix.h): receives the faults of its
 * process's threads and serves the Linux system calls among them. It runs
 * libcap code only, never the C library it serves.
 */
#include <string.h>

#include <fv/console_protocol.h>
#include <fv/format.h>

#include "posix_internal.h"

#define MAX_THREADS   64u
#define SHIM_STACK    16384u
#define SHIM_IPC_VA   0x3ff02000ul /* next to the first thread's IPC buffer: its tables exist */
#define IOV_MAX_COUNT 1024u
#define STOP_THREAD   1 /* a reply label that leaves the thread stopped */

/* Linux system-call numbers (asm-generic, as on riscv64). */
enum {
	NR_IOCTL = 29,
	NR_CLOSE = 57,
	NR_LSEEK = 62,
	NR_READ = 63,
	NR_WRITE = 64,
	NR_WRITEV = 66,
	NR_EXIT = 93,
	NR_EXIT_GROUP = 94,
	NR_SET_TID_ADDRESS = 96,
	NR_SET_ROBUST_LIST = 99,
	NR_CLOCK_GETTIME = 113,
	NR_SCHED_YIELD = 124,
	NR_KILL = 129,
	NR_TKILL = 130,
	NR_TGKILL = 131,
	NR_SIGALTSTACK = 132,
	NR_RT_SIGACTION = 134,
	NR_RT_SIGPROCMASK = 135,
	NR_UNAME = 160,
	NR_GETPID = 172,
	NR_GETPPID = 173,
	NR_GETUID = 174,
	NR_GETEUID = 175,
	NR_GETGID = 176,
	NR_GETEGID = 177,
	NR_GETTID = 178,
	NR_BRK = 214,
	NR_MUNMAP = 215,
	NR_MPROTECT = 226,
	NR_MADVISE = 233,
};

#define TIOCGWINSZ 0x5413
#define LX_ESPIPE  29

struct fault {
	uint64_t pc, sp, arg[6], nr;
};

struct fv_posix_config posix_cfg;
static fv_cptr_t endpoint;
static fv_cptr_t thread_tcb[MAX_THREADS + 1]; /* by thread id (the badge) */
static unsigned thread_count;
static struct fv_thread_info shim_info;
static char shim_stack[SHIM_STACK] __attribute__((aligned(16)));

long fv_linux_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
	                 : "+r"(r0)
	                 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
	                 : "memory");
	return r0;
}

/* ---- console ---- */

static void console_send(const char *p, size_t len)
{
	while (len > 0) {
		size_t n = len < FV_CONSOLE_WRITE_MAX ? len : FV_CONSOLE_WRITE_MAX;
		struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_WRITE, 0, 1 + (n + 7) / 8)};
		m.words[0] = n;
		memcpy(&m.words[1], p, n);
		if (!posix_cfg.console || fv_call(posix_cfg.console, &m).status != FV_OK)
			fv_debug_puts(p,
			              n < 256 ? n : 256); /* no server (yet): the kernel console */
		p += n;
		len -= n;
	}
}

static long sys_write(long fd, uint64_t buf, uint64_t len)
{
	if (fd != 1 && fd != 2)
		return -LX_EBADF;
	if (!posix_user_range(buf, len, false))
		return -LX_EFAULT;
	console_send((const char *)buf, len);
	return (long)len;
}

struct lx_iovec {
	uint64_t base, len;
};

static long write_each(long fd, const struct lx_iovec *v, uint64_t count)
{
	long total = 0;
	for (uint64_t i = 0; i < count; i++) {
		long n = sys_write(fd, v[i].base, v[i].len);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

static long sys_writev(long fd, uint64_t iov, uint64_t count)
{
	if (fd != 1 && fd != 2)
		return -LX_EBADF;
	if (count > IOV_MAX_COUNT)
		return -LX_EINVAL;
	const struct lx_iovec *v = (const struct lx_iovec *)iov;
	if (!posix_user_range(iov, count * sizeof(*v), false))
		return -LX_EFAULT;
	/* Gathered into one console message when it fits: a line stays whole on the console. */
	static char gathered[FV_CONSOLE_WRITE_MAX];
	size_t used = 0;
	for (uint64_t i = 0; i < count; i++) {
		if (!posix_user_range(v[i].base, v[i].len, false))
			return -LX_EFAULT;
		if (v[i].len > sizeof(gathered) - used)
			return write_each(fd, v, count);
		memcpy(gathered + used, (const void *)v[i].base, v[i].len);
		used += v[i].len;
	}
	console_send(gathered, used);
	return (long)used;
}

static long sys_ioctl(long fd, unsigned long request, uint64_t arg)
{
	if (fd < 0 || fd > 2)
		return -LX_EBADF;
	if (request != TIOCGWINSZ)
		return -LX_ENOTTY;
	uint16_t size[4] = {24, 80, 0, 0}; /* rows, columns: what a serial line is assumed to be */
	if (!posix_user_range(arg, sizeof(size), true))
		return -LX_EFAULT;
	memcpy((void *)arg, size, sizeof(size));
	return 0;
}

/* ---- time, identity ---- */

static long sys_clock_gettime(long clock, uint64_t ts)
{
	if (clock == 2 || clock == 3)
		return -LX_EINVAL; /* CPU-time clocks are not kept */
	if (!posix_cfg.timebase_hz)
		return -LX_ENOSYS;
	if (!posix_user_range(ts, 16, true))
		return -LX_EFAULT;
	uint64_t t = fv_read_time(), hz = posix_cfg.timebase_hz;
	uint64_t v[2] = {t / hz, (t % hz) * 1000000000ull / hz}; /* since boot: there is no RTC */
	memcpy((void *)ts, v, sizeof(v));
	return 0;
}

static long sys_uname(uint64_t buf)
{
	static const char fields[6][65] = {"Ferrovisor", "ferrovisor", "1", "1", "riscv64", ""};
	if (!posix_user_range(buf, sizeof(fields), true))
		return -LX_EFAULT;
	memcpy((void *)buf, fields, sizeof(fields));
	return 0;
}

/* ---- threads ---- */

static void stop_thread(unsigned tid)
{
	if (tid >= 1 && tid <= thread_count && thread_tcb[tid]) {
		fv_tcb_suspend(thread_tcb[tid]);
		thread_tcb[tid] = 0;
	}
}

static void stop_process(long status)
{
	if (status != 0) {
		char msg[96];
		int n = fv_snprintf(msg, sizeof(msg), "%s: exited with status %ld\n",
		                    posix_cfg.name, status);
		console_send(msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	}
	for (unsigned tid = 1; tid <= thread_count; tid++)
		stop_thread(tid);
}

/* Takes on another thread's system calls: its faults come here with a badge of its own. */
static long adopt(fv_cptr_t tcb)
{
	if (thread_count == MAX_THREADS)
		return -LX_ENOMEM;
	fv_cptr_t slot = posix_slot_alloc();
	if (!slot)
		return -LX_ENOMEM;
	unsigned tid = thread_count + 1;
	fv_error_t err = fv_cnode_mint(posix_cfg.cnode, slot, 64, posix_cfg.cnode, endpoint, 64,
	                               FV_RIGHT_WRITE, tid);
	if (!err)
		err = fv_tcb_set_fault_handler(tcb, slot);
	if (err) {
		fv_cnode_delete(posix_cfg.cnode, slot, 64);
		return -LX_EINVAL;
	}
	thread_tcb[tid] = tcb;
	thread_count = tid;
	return tid;
}

/* ---- dispatch ---- */

static long serve_ferrovisor(const struct fault *f)
{
	switch (f->nr) {
	case FV_POSIX_MAP_FRAME:
		return posix_map_frame(f->arg[0], (unsigned)f->arg[1]);
	case FV_POSIX_ADOPT:
		return adopt(f->arg[0]);
	case FV_POSIX_SET_CONSOLE:
		posix_cfg.console = f->arg[0];
		return 0;
	}
	return -LX_ENOSYS;
}

static long serve_io(const struct fault *f)
{
	const uint64_t *a = f->arg;
	switch (f->nr) {
	case NR_WRITE:
		return sys_write((long)a[0], a[1], a[2]);
	case NR_WRITEV:
		return sys_writev((long)a[0], a[1], a[2]);
	case NR_IOCTL:
		return sys_ioctl((long)a[0], a[1], a[2]);
	case NR_CLOSE:
		return (long)a[0] >= 0 && (long)a[0] <= 2 ? 0 : -LX_EBADF;
	case NR_LSEEK:
		return (long)a[0] >= 0 && (long)a[0] <= 2 ? -LX_ESPIPE : -LX_EBADF;
	}
	return -LX_ENOSYS;
}

static long serve_memory(const struct fault *f)
{
	const uint64_t *a = f->arg;
	switch (f->nr) {
	case NR_BRK:
		return posix_brk(a[0]);
	case 222: /* mmap */
		return posix_mmap(a[0], a[1], (long)a[2], (long)a[3], (long)a[4]);
	case NR_MUNMAP:
		return posix_munmap(a[0], a[1]);
	case NR_MPROTECT:
		return posix_mprotect(a[0], a[1], (long)a[2]);
	case NR_MADVISE:
		return 0; /* advice only */
	}
	return -LX_ENOSYS;
}

/* Calls that only answer: identity, time, and signals (none are ever delivered). */
static long serve_simple(const struct fault *f, unsigned tid)
{
	switch (f->nr) {
	case NR_SET_TID_ADDRESS:
	case NR_GETTID:
		return tid;
	case NR_GETPID:
		return 1;
	case NR_GETPPID:
	case NR_GETUID:
	case NR_GETEUID:
	case NR_GETGID:
	case NR_GETEGID:
	case NR_SCHED_YIELD:
	case NR_RT_SIGACTION:
	case NR_RT_SIGPROCMASK:
	case NR_SIGALTSTACK:
	case NR_SET_ROBUST_LIST:
		return 0;
	case NR_CLOCK_GETTIME:
		return sys_clock_gettime((long)f->arg[0], f->arg[1]);
	case NR_UNAME:
		return sys_uname(f->arg[0]);
	}
	return -LX_ENOSYS;
}

static void report(const char *fmt, uint64_t a, uint64_t b)
{
	char msg[128];
	int n = fv_snprintf(msg, sizeof(msg), fmt, posix_cfg.name, a, b);
	console_send(msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* Serves one system call; false if the thread is not to run again. */
static bool serve_syscall(const struct fault *f, unsigned tid, long *result)
{
	switch (f->nr) {
	case NR_EXIT:
		stop_thread(tid);
		return false;
	case NR_EXIT_GROUP:
		stop_process((long)f->arg[0]);
		return false;
	case NR_KILL:
	case NR_TKILL:
	case NR_TGKILL:
		/* abort() and raise(): with no handlers, a signal ends the process. */
		stop_process(128 + (long)f->arg[f->nr == NR_TGKILL ? 2 : 1]);
		return false;
	}
	long r = f->nr >= FV_POSIX_MAP_FRAME ? serve_ferrovisor(f) : serve_io(f);
	if (r == -LX_ENOSYS)
		r = serve_memory(f);
	if (r == -LX_ENOSYS)
		r = serve_simple(f, tid);
	if (r == -LX_ENOSYS)
		report("%s: Linux system call %lu is not served (pc 0x%lx)\n", f->nr, f->pc);
	*result = r;
	return true;
}

/*
 * A fault that is no system call: the supervisor (the parent, usually)
 * decides, and its reply goes back as it is; without one the thread stops.
 */
static void forward_fault(struct fv_msg *m)
{
	uint64_t pc = m->words[0], address = m->words[1];
	if (posix_cfg.supervisor && fv_call(posix_cfg.supervisor, m).status == FV_OK)
		return;
	report("%s: stopped a thread on a fault at 0x%lx (pc 0x%lx)\n", address, pc);
	m->info = FV_MSGINFO(STOP_THREAD, 0, 0);
}

/* Handles one fault message; true if `m` now holds a reply that resumes the thread. */
static bool serve(struct fv_msg *m, unsigned tid)
{
	uint64_t label = FV_MSGINFO_LABEL(m->info);
	if (label != FV_FAULT_UNKNOWN_SYSCALL) {
		forward_fault(m);
		return true;
	}
	struct fault f = {.pc = m->words[0], .sp = m->words[1], .nr = m->words[8]};
	memcpy(f.arg, &m->words[2], sizeof(f.arg));
	long result = 0;
	if (!serve_syscall(&f, tid, &result)) {
		m->info = FV_MSGINFO(STOP_THREAD, 0, 0);
		return true;
	}
	m->words[FV_REG_PC] = f.pc + 4;
	m->words[FV_REG_SP] = f.sp;
	m->words[FV_REG_A0] = (uint64_t)result;
	m->info = FV_MSGINFO(0, 0, 3);
	return true;
}

static void shim_main(void)
{
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(endpoint, &m);
	for (;;) {
		if (r.status == FV_OK && serve(&m, (unsigned)r.badge))
			r = fv_reply_recv(endpoint, &m);
		else
			r = fv_recv(endpoint, &m);
	}
}

fv_error_t fv_posix_start(const struct fv_posix_config *config)
{
	posix_cfg = *config;
	posix_memory_init();
	endpoint = posix_make(FV_OBJ_ENDPOINT);
	fv_cptr_t tcb = posix_make(FV_OBJ_TCB);
	fv_cptr_t ipc = posix_make(FV_OBJ_FRAME_4K);
	if (!endpoint || !tcb || !ipc)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err =
	    fv_frame_map(ipc, posix_cfg.vspace, SHIM_IPC_VA, FV_MAP_READ | FV_MAP_WRITE);
	if (!err)
		err = fv_tcb_configure(tcb, posix_cfg.cnode, posix_cfg.vspace, ipc, SHIM_IPC_VA);
	if (err)
		return err;
	shim_info.ipc_buffer = (struct fv_ipc_buffer *)SHIM_IPC_VA;
	uint64_t gp;
	__asm__("mv %0, gp" : "=r"(gp));
	uint64_t regs[FV_REG_COUNT] = {
	    [FV_REG_PC] = (uint64_t)shim_main,
	    [FV_REG_SP] = (uint64_t)shim_stack + sizeof(shim_stack),
	    [FV_REG_TP] = fv_thread_tp(&shim_info),
	    [FV_REG_GP] = gp,
	};
	err = fv_tcb_write_registers(tcb, regs, FV_REG_COUNT);
	if (err)
		return err;
	/* As high as this process may go: its threads wait for it. */
	for (unsigned prio = 255; prio > 0 && fv_tcb_set_priority(tcb, prio, prio) != FV_OK; prio--)
		;
	if (adopt(posix_cfg.tcb) < 0)
		return FV_INVALID_ARGUMENT;
	return fv_tcb_resume(tcb);
}

void *fv_posix_map_frame(fv_cptr_t frame, unsigned rights)
{
	long va = fv_linux_syscall(FV_POSIX_MAP_FRAME, (long)frame, (long)rights, 0, 0, 0, 0);
	return va < 0 ? NULL : (void *)va;
}

fv_error_t fv_posix_adopt(fv_cptr_t tcb)
{
	return fv_linux_syscall(FV_POSIX_ADOPT, (long)tcb, 0, 0, 0, 0, 0) > 0 ? FV_OK
	                                                                      : FV_INVALID_ARGUMENT;
}

void fv_posix_set_console(fv_cptr_t ep)
{
	fv_linux_syscall(FV_POSIX_SET_CONSOLE, (long)ep, 0, 0, 0, 0, 0);
}
