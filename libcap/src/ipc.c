/* Whole-message IPC wrappers over the fv_ipc system-call stub. */
#include <string.h>

#include <fv/libcap.h>

/* The words of `m` past the registers: they travel in the IPC buffer. */
static unsigned buffer_words(const struct fv_msg *m)
{
	unsigned len = (unsigned)FV_MSGINFO_LENGTH(m->info);
	len = len < FV_MSG_MAX_WORDS ? len : FV_MSG_MAX_WORDS;
	return len > FV_MSG_REG_WORDS ? len - FV_MSG_REG_WORDS : 0;
}

void fv_msg_put(struct fv_msg *m, uint64_t mr[FV_MSG_REG_WORDS])
{
	for (unsigned i = 0; i < FV_MSG_REG_WORDS; i++)
		mr[i] = i < FV_MSGINFO_LENGTH(m->info) ? m->words[i] : 0;
	unsigned n = buffer_words(m);
	if (n) /* the buffer found once, not once a word */
		memcpy(&fv_ipc_buf()->msg[FV_MSG_REG_WORDS], &m->words[FV_MSG_REG_WORDS],
		       n * sizeof(uint64_t));
}

void fv_msg_get(struct fv_msg *m, const uint64_t mr[FV_MSG_REG_WORDS])
{
	for (unsigned i = 0; i < FV_MSG_REG_WORDS && i < FV_MSGINFO_LENGTH(m->info); i++)
		m->words[i] = mr[i];
	unsigned n = buffer_words(m);
	if (n)
		memcpy(&m->words[FV_MSG_REG_WORDS], &fv_ipc_buf()->msg[FV_MSG_REG_WORDS],
		       n * sizeof(uint64_t));
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
