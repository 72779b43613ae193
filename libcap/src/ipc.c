/* Whole-message IPC wrappers over the fv_ipc system-call stub. */
#include <fv/libcap.h>

void fv_msg_put(struct fv_msg *m, uint64_t mr[FV_MSG_REG_WORDS])
{
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(m->info);
	for (unsigned i = 0; i < len && i < FV_MSG_MAX_WORDS; i++) {
		if (i < FV_MSG_REG_WORDS)
			mr[i] = m->words[i];
		else
			fv_ipc_buf()->msg[i] = m->words[i];
	}
}

void fv_msg_get(struct fv_msg *m, const uint64_t mr[FV_MSG_REG_WORDS])
{
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(m->info);
	for (unsigned i = 0; i < len && i < FV_MSG_MAX_WORDS; i++)
		m->words[i] = i < FV_MSG_REG_WORDS ? mr[i] : fv_ipc_buf()->msg[i];
}

static struct fv_ipc_result message_call(fv_syscall_t nr, fv_cptr_t cap, struct fv_msg *m)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	fv_msg_put(m, mr);
	struct fv_ipc_result r = fv_ipc(nr, cap, m->info, mr);
	if (nr != FV_SYS_SEND && r.status == FV_OK) {
		m->info = r.info;
		fv_msg_get(m, mr);
	}
	return r;
}

struct fv_ipc_result fv_send(fv_cptr_t ep, struct fv_msg *m)
{
	return message_call(FV_SYS_SEND, ep, m);
}

struct fv_ipc_result fv_call(fv_cptr_t ep, struct fv_msg *m)
{
	return message_call(FV_SYS_CALL, ep, m);
}

struct fv_ipc_result fv_recv(fv_cptr_t ep, struct fv_msg *m)
{
	m->info = 0;
	return message_call(FV_SYS_RECV, ep, m);
}

struct fv_ipc_result fv_reply_recv(fv_cptr_t ep, struct fv_msg *m)
{
	return message_call(FV_SYS_REPLY_RECV, ep, m);
}

fv_error_t fv_reply(struct fv_msg *m)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	fv_msg_put(m, mr);
	return fv_ipc(FV_SYS_REPLY, 0, m->info, mr).status;
}

fv_error_t fv_signal(fv_cptr_t ntfn)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	return fv_ipc(FV_SYS_SIGNAL, ntfn, 0, mr).status;
}

fv_error_t fv_wait(fv_cptr_t ntfn, uint64_t *word)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	struct fv_ipc_result r = fv_ipc(FV_SYS_WAIT, ntfn, 0, mr);
	*word = r.badge;
	return r.status;
}

fv_error_t fv_poll(fv_cptr_t ntfn, uint64_t *word)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	struct fv_ipc_result r = fv_ipc(FV_SYS_POLL, ntfn, 0, mr);
	*word = r.badge;
	return r.status;
}
