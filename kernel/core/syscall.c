/*
 * The system-call layer: turns a thread's registers and IPC buffer into an
 * invocation or a scheduler request, and the result back into registers.
 */
#include <string.h>

#include <ferrovisor/abi.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/cspace.h>
#include <fv/invocation.h>
#include <fv/ipc.h>
#include <fv/object.h>
#include <fv/syscall.h>
#include <fv/vspace.h>

#define DEBUG_PUTS_MAX 256

struct fv_ipc_buffer *tcb_ipc_buffer(struct tcb *t)
{
	const struct cap *frame = &t->slots[TCB_SLOT_IPC_BUFFER].cap;
	if (frame->type != CAP_FRAME)
		return NULL;
	uint64_t offset = t->ipc_buffer_va & ((1ull << frame->size_bits) - 1);
	return (struct fv_ipc_buffer *)((char *)kobj_ptr(frame->pa) + offset);
}

bool user_read(struct tcb *t, uint64_t va, void *buf, size_t len)
{
	const struct cap *vspace = &t->slots[TCB_SLOT_VSPACE].cap;
	char *out = buf;
	while (len > 0) {
		uint64_t pa;
		size_t chunk = MIN(len, (size_t)(PAGE_SIZE - (va & (PAGE_SIZE - 1))));
		/* Device memory is not read by the kernel: only RAM through its window. */
		if (!vspace_user_translate(vspace, va, false, &pa) ||
		    !arch_window_contains(pa, chunk))
			return false;
		memcpy(out, kobj_ptr(pa), chunk);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return true;
}

static void set_reply(struct tcb *t, fv_error_t err, const uint64_t *ret, unsigned nret)
{
	struct fv_ipc_buffer *buf = tcb_ipc_buffer(t);
	if (!buf && nret > FV_MSG_REG_WORDS)
		nret = FV_MSG_REG_WORDS;
	for (unsigned i = 0; i < nret; i++) {
		if (i < FV_MSG_REG_WORDS)
			t->ctx.regs[REG_MR(i)] = ret[i];
		else
			buf->msg[i] = ret[i];
	}
	t->ctx.regs[REG_MSGINFO] = FV_MSGINFO(err, 0, nret);
	t->ctx.regs[REG_CPTR] = 0;
}

/* Fills the invocation's words and extra capabilities from t's message. */
static fv_error_t fetch_message(struct tcb *t, uint64_t info, struct invocation *inv)
{
	struct fv_ipc_buffer *buf = tcb_ipc_buffer(t);
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(info);
	unsigned ncaps = (unsigned)FV_MSGINFO_CAPS(info);
	if ((len > FV_MSG_REG_WORDS || ncaps > 0) && !buf)
		return FV_TRUNCATED_MESSAGE;
	inv->nargs = MIN(len, (unsigned)INV_MAX_ARGS);
	for (unsigned i = 0; i < inv->nargs; i++)
		inv->args[i] = i < FV_MSG_REG_WORDS ? t->ctx.regs[REG_MR(i)] : buf->msg[i];
	inv->ncaps = MIN(ncaps, (unsigned)INV_MAX_CAPS);
	const struct cap *root = &t->slots[TCB_SLOT_CSPACE].cap;
	for (unsigned i = 0; i < inv->ncaps; i++) {
		fv_error_t err = cspace_lookup_cap(root, buf->caps[i], &inv->caps[i]);
		if (err)
			return err;
		if (cap_is_null(&inv->caps[i]->cap))
			return FV_FAILED_LOOKUP;
	}
	return FV_OK;
}

/* Looks up the capability in a0 of `t`; sets the status and returns NULL if it fails. */
static struct cte *syscall_cap(struct tcb *t)
{
	struct cte *slot;
	fv_error_t err =
	    cspace_lookup_cap(&t->slots[TCB_SLOT_CSPACE].cap, t->ctx.regs[REG_CPTR], &slot);
	if (!err && cap_is_null(&slot->cap))
		err = FV_FAILED_LOOKUP;
	t->ctx.regs[REG_SYSCALL] = (uint64_t)err;
	return err ? NULL : slot;
}

static void sys_invoke(struct tcb *t, struct cte *target)
{
	uint64_t info = t->ctx.regs[REG_MSGINFO];
	struct invocation inv = {.label = FV_MSGINFO_LABEL(info), .caller = t, .target = target};
	fv_error_t err = fetch_message(t, info, &inv);
	if (!err)
		err = invoke_capability(&inv);
	set_reply(t, err, inv.ret, err ? 0 : inv.nret);
	t->ctx.regs[REG_SYSCALL] = (uint64_t)err;
}

/* call and send: IPC on an endpoint, an invocation on anything else (call only). */
static void sys_send(struct tcb *t, bool call)
{
	struct cte *slot = syscall_cap(t);
	if (!slot) {
		if (call)
			set_reply(t, (fv_error_t)t->ctx.regs[REG_SYSCALL], NULL, 0);
		return;
	}
	if (slot->cap.type == CAP_ENDPOINT || (!call && slot->cap.type == CAP_NOTIFICATION))
		ipc_send(t, slot, call);
	else if (call)
		sys_invoke(t, slot);
	else
		t->ctx.regs[REG_SYSCALL] = FV_INVALID_CAPABILITY;
}

static void sys_receive(struct tcb *t, bool reply_first)
{
	if (reply_first)
		ipc_reply(t);
	struct cte *slot = syscall_cap(t);
	if (slot)
		ipc_receive(t, slot);
}

static void sys_wait(struct tcb *t, bool block)
{
	struct cte *slot = syscall_cap(t);
	if (slot)
		ipc_wait(t, slot, block);
}

static void sys_signal(struct tcb *t)
{
	struct cte *slot = syscall_cap(t);
	if (slot)
		ipc_signal(t, slot);
}

/* A Linux system call, or a number nobody knows: a fault for the thread's handler. */
static void sys_unknown(struct tcb *t)
{
	t->ctx.sepc -= 4; /* the handler decides whether to step over the ecall */
	const uint64_t words[] = {t->ctx.sepc,
	                          t->ctx.regs[REG_SP],
	                          t->ctx.regs[REG_A0],
	                          t->ctx.regs[REG_A1],
	                          t->ctx.regs[REG_A2],
	                          t->ctx.regs[REG_A2 + 1],
	                          t->ctx.regs[REG_A2 + 2],
	                          t->ctx.regs[REG_A2 + 3],
	                          t->ctx.regs[REG_A7]};
	if (!t->slots[TCB_SLOT_FAULT_EP].cap.type)
		kprintf("ferrovisor: thread '%s' made unknown system call %ld at pc=0x%lx\n",
		        t->name, (long)t->ctx.regs[REG_A7], t->ctx.sepc);
	ipc_fault(t, FV_FAULT_UNKNOWN_SYSCALL, words, ARRAY_SIZE(words));
}

static void sys_debug_puts(struct tcb *t)
{
	char buf[DEBUG_PUTS_MAX + 1];
	uint64_t len = t->ctx.regs[REG_A1];
	if (len > DEBUG_PUTS_MAX || !user_read(t, t->ctx.regs[REG_A0], buf, (size_t)len)) {
		t->ctx.regs[REG_A0] = FV_INVALID_ARGUMENT;
		return;
	}
	buf[len] = '\0';
	kprintf("%s", buf);
	t->ctx.regs[REG_A0] = FV_OK;
}

HOT void handle_syscall(struct tcb *t)
{
	int64_t nr = (int64_t)t->ctx.regs[REG_SYSCALL];
	switch (nr) {
	case FV_SYS_CALL:
		ipc_fastpath_call(t); /* returns only if it does not apply */
		sys_send(t, true);
		break;
	case FV_SYS_SEND:
		sys_send(t, false);
		break;
	case FV_SYS_RECV:
		sys_receive(t, false);
		break;
	case FV_SYS_REPLY_RECV:
		ipc_fastpath_reply_recv(t);
		sys_receive(t, true);
		break;
	case FV_SYS_REPLY:
		ipc_reply(t);
		t->ctx.regs[REG_SYSCALL] = FV_OK;
		break;
	case FV_SYS_SIGNAL:
		sys_signal(t);
		break;
	case FV_SYS_WAIT:
		sys_wait(t, true);
		break;
	case FV_SYS_POLL:
		sys_wait(t, false);
		break;
	case FV_SYS_YIELD:
		sched_yield_current();
		t->ctx.regs[REG_SYSCALL] = FV_OK;
		break;
	case FV_SYS_DEBUG_PUTS:
		sys_debug_puts(t);
		break;
	default:
		sys_unknown(t);
		break;
	}
}
