/* System calls from user threads. */
#ifndef FV_SYSCALL_H
#define FV_SYSCALL_H

#include <fv/tcb.h>

/* Handles the system call `t` made; its registers hold the arguments and get the results. */
void handle_syscall(struct tcb *t);

/* Copies `len` bytes of t's memory at `va` to `buf`; false if any byte is not readable. */
bool user_read(struct tcb *t, uint64_t va, void *buf, size_t len);
/* The thread's IPC buffer, or NULL if it has none. */
struct fv_ipc_buffer *tcb_ipc_buffer(struct tcb *t);

#endif
