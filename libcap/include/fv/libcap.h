/*
 * libcap: system-call stubs and invocation wrappers for Ferrovisor user
 * programs. Every wrapper returns the kernel's fv_error_t.
 */
#ifndef FV_LIBCAP_H
#define FV_LIBCAP_H

#include <stddef.h>
#include <stdint.h>

#include <ferrovisor/abi.h>
#include <ferrovisor/bootinfo.h>

typedef uint64_t fv_cptr_t;

/*
 * Each thread's IPC buffer address is a thread-local variable of libcap.
 * The C library owns tp and the thread-local storage behind it; a thread
 * with tp = 0 is a process's first thread before the C library started,
 * whose buffer is always at FV_ROOT_IPC_BUFFER (fv/loader.h keeps it there
 * for every process).
 */
extern __thread struct fv_ipc_buffer *fv_tls_ipc_buffer;

static inline uint64_t fv_read_tp(void)
{
	uint64_t tp;
	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

/* The calling thread's IPC buffer. */
static inline struct fv_ipc_buffer *fv_ipc_buf(void)
{
	if (fv_read_tp() == 0)
		return (struct fv_ipc_buffer *)FV_ROOT_IPC_BUFFER;
	/* volatile: the compiler must not load it before the test, while tp may be 0 */
	return *(struct fv_ipc_buffer *volatile *)&fv_tls_ipc_buffer;
}

/*
 * A thread that runs libcap code only (not the C library, which would want
 * thread-local storage of its own) needs just this; fv_thread_tp() gives
 * the tp that makes its fv_ipc_buf() return info->ipc_buffer.
 */
struct fv_thread_info {
	struct fv_ipc_buffer *ipc_buffer;
};
uint64_t fv_thread_tp(struct fv_thread_info *info);

/* Message words: the first FV_MSG_REG_WORDS travel in registers. */
struct fv_msg {
	uint64_t info;
	uint64_t words[FV_MSG_MAX_WORDS];
};

static inline void fv_yield(void)
{
	register int64_t a7 __asm__("a7") = FV_SYS_YIELD;
	__asm__ volatile("ecall" : "+r"(a7) : : "memory", "a0", "a1", "a2", "a3", "a4", "a5");
}

/* The time and retired-instruction counters, readable from user mode. */
static inline uint64_t fv_read_time(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static inline uint64_t fv_read_instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

/* What an IPC system call gives back. */
struct fv_ipc_result {
	fv_error_t status; /* of the system call itself */
	uint64_t badge;    /* receive: the sender's badge, or the notification word */
	uint64_t info;     /* receive: the message info (label, capabilities, length) */
};

/* One IPC system call: mr holds message words 0-3 in and out. */
static inline struct fv_ipc_result fv_ipc(fv_syscall_t nr, fv_cptr_t cptr, uint64_t info,
                                          uint64_t mr[FV_MSG_REG_WORDS])
{
	register uint64_t a0 __asm__("a0") = cptr;
	register uint64_t a1 __asm__("a1") = info;
	register uint64_t a2 __asm__("a2") = mr[0];
	register uint64_t a3 __asm__("a3") = mr[1];
	register uint64_t a4 __asm__("a4") = mr[2];
	register uint64_t a5 __asm__("a5") = mr[3];
	register int64_t a7 __asm__("a7") = nr;
	__asm__ volatile("ecall"
	                 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a7)
	                 :
	                 : "memory");
	mr[0] = a2;
	mr[1] = a3;
	mr[2] = a4;
	mr[3] = a5;
	return (struct fv_ipc_result){(fv_error_t)a7, a0, a1};
}

/* The call system call: sends to cptr, waits for the reply; returns the reply's info. */
static inline uint64_t fv_sys_call(fv_cptr_t cptr, uint64_t info, uint64_t mr[FV_MSG_REG_WORDS])
{
	return fv_ipc(FV_SYS_CALL, cptr, info, mr).info;
}

/* Message words beyond the registers go through the IPC buffer. */
void fv_msg_put(struct fv_msg *m, uint64_t mr[FV_MSG_REG_WORDS]);
void fv_msg_get(struct fv_msg *m, const uint64_t mr[FV_MSG_REG_WORDS]);

/* Endpoint and notification calls on whole messages (info and words in `m`). */
struct fv_ipc_result fv_send(fv_cptr_t ep, struct fv_msg *m);
struct fv_ipc_result fv_call(fv_cptr_t ep, struct fv_msg *m);
struct fv_ipc_result fv_recv(fv_cptr_t ep, struct fv_msg *m);
struct fv_ipc_result fv_reply_recv(fv_cptr_t ep, struct fv_msg *m);
/* Replies to the last call received, without waiting for anything. */
fv_error_t fv_reply(struct fv_msg *m);
fv_error_t fv_signal(fv_cptr_t ntfn);
/* Wait blocks until a signal; poll does not. Both return the word taken in *word. */
fv_error_t fv_wait(fv_cptr_t ntfn, uint64_t *word);
fv_error_t fv_poll(fv_cptr_t ntfn, uint64_t *word);

/* Writes to the kernel console (a debugging aid, not the console server). */
static inline long fv_debug_puts(const char *s, size_t len)
{
	register uint64_t a0 __asm__("a0") = (uint64_t)s;
	register uint64_t a1 __asm__("a1") = len;
	register int64_t a7 __asm__("a7") = FV_SYS_DEBUG_PUTS;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a7) : "memory");
	return (long)a0;
}

/*
 * Invokes `cap` with `label`, `nargs` words from `args` and `ncaps`
 * capabilities; up to `nret` result words go to `ret` (may be NULL).
 */
fv_error_t fv_invoke(fv_cptr_t cap, unsigned label, const uint64_t *args, unsigned nargs,
                     const fv_cptr_t *caps, unsigned ncaps, uint64_t *ret, unsigned nret);

fv_error_t fv_untyped_retype(fv_cptr_t untyped, fv_object_type_t type, unsigned size_bits,
                             fv_cptr_t root, uint64_t node_index, unsigned node_depth,
                             uint64_t node_offset, unsigned count);
fv_error_t fv_cnode_copy(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth, unsigned rights);
fv_error_t fv_cnode_mint(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth, unsigned rights, uint64_t word);
fv_error_t fv_cnode_move(fv_cptr_t root, uint64_t dest, unsigned dest_depth, fv_cptr_t src_root,
                         uint64_t src, unsigned src_depth);
fv_error_t fv_cnode_delete(fv_cptr_t root, uint64_t index, unsigned depth);
fv_error_t fv_cnode_revoke(fv_cptr_t root, uint64_t index, unsigned depth);
/* What the slot holds (kind FV_CAP_NULL if nothing). */
fv_error_t fv_cnode_describe(fv_cptr_t root, uint64_t index, unsigned depth,
                             struct fv_cap_info *info);
fv_error_t fv_tcb_configure(fv_cptr_t tcb, fv_cptr_t cspace, fv_cptr_t vspace, fv_cptr_t ipc_frame,
                            uint64_t ipc_va);
fv_error_t fv_tcb_write_registers(fv_cptr_t tcb, const uint64_t *regs, unsigned count);
fv_error_t fv_tcb_read_registers(fv_cptr_t tcb, uint64_t *regs, unsigned count);
fv_error_t fv_tcb_set_priority(fv_cptr_t tcb, unsigned priority, unsigned max_priority);
fv_error_t fv_tcb_set_affinity(fv_cptr_t tcb, unsigned hart);
fv_error_t fv_tcb_resume(fv_cptr_t tcb);
fv_error_t fv_tcb_suspend(fv_cptr_t tcb);
fv_error_t fv_tcb_set_fault_handler(fv_cptr_t tcb, fv_cptr_t endpoint);
fv_error_t fv_tcb_bind_notification(fv_cptr_t tcb, fv_cptr_t ntfn);
fv_error_t fv_tcb_unbind_notification(fv_cptr_t tcb);
/* The thread runs the guest of `vcpu` in `guest_space` (both 0: unbinds). */
fv_error_t fv_tcb_bind_vcpu(fv_cptr_t tcb, fv_cptr_t vcpu, fv_cptr_t guest_space);
fv_error_t fv_vcpu_read_regs(fv_cptr_t vcpu, unsigned first, unsigned count, uint64_t *values);
fv_error_t fv_vcpu_write_regs(fv_cptr_t vcpu, unsigned first, unsigned count,
                              const uint64_t *values);
/* Raises `set` and lowers `clear` (FV_VCPU_IRQ_* bits) for the guest. */
fv_error_t fv_vcpu_set_interrupts(fv_cptr_t vcpu, uint64_t set, uint64_t clear);
/*
 * Gives the vCPU a guest interrupt file (AIA) as its IMSIC: `file` is the
 * file's frame; 0 detaches it. Its thread must run on the file's hart.
 */
fv_error_t fv_vcpu_set_irq_file(fv_cptr_t vcpu, fv_cptr_t file);
/* Makes the guest forget its translations and fetched instructions (an SBI remote fence). */
fv_error_t fv_vcpu_fence(fv_cptr_t vcpu);
fv_error_t fv_frame_map(fv_cptr_t frame, fv_cptr_t vspace, uint64_t va, unsigned rights);
fv_error_t fv_frame_unmap(fv_cptr_t frame);
fv_error_t fv_frame_address(fv_cptr_t frame, uint64_t *pa);
fv_error_t fv_page_table_map(fv_cptr_t pt, fv_cptr_t vspace, uint64_t va);
fv_error_t fv_irq_control_get(fv_cptr_t control, unsigned irq, fv_cptr_t root, uint64_t index,
                              unsigned depth);
/* The frame of guest interrupt file `file` (1..) of hart slot `hart`, into root[index]. */
fv_error_t fv_irq_control_get_guest_file(fv_cptr_t control, unsigned hart, unsigned file,
                                         fv_cptr_t root, uint64_t index, unsigned depth);
fv_error_t fv_irq_handler_set_notification(fv_cptr_t handler, fv_cptr_t ntfn);
fv_error_t fv_irq_handler_ack(fv_cptr_t handler);
fv_error_t fv_irq_handler_clear(fv_cptr_t handler);

/* A slot allocator over a range of free slots of the root CNode. */
struct fv_slot_allocator {
	uint64_t next;
	uint64_t end;
};
void fv_slots_init(struct fv_slot_allocator *a, uint64_t first, uint64_t count);
/* Returns a free slot, or 0 when the range is used up. */
fv_cptr_t fv_slot_alloc(struct fv_slot_allocator *a);

/* Free slots of the program's own CNode, after the runtime took its share. */
extern struct fv_slot_range fv_program_slots;
/* The root task: its boot info address; any other program: what its parent passed. */
uint64_t fv_start_arg(void);
/* rdtime ticks per second, and the harts online. */
uint64_t fv_timebase_hz(void);
uint64_t fv_hart_count(void);

/*
 * Formatted output to the program's standard output, as a Linux write, so
 * it works from every thread the personality serves (fv/posix.h), also
 * those that run without the C library's thread-local storage.
 */
int fv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fv_strerror(fv_error_t err);

#endif
