/* The freestanding runtime: set up what libcap needs, run main, stop. */
#include <fv/libcap.h>

int main(const void *arg);
void fv_runtime_start(const void *arg);

void fv_runtime_start(const void *arg)
{
	static struct fv_thread_info first_thread;
	const struct fv_bootinfo *bi = arg;
	__asm__ volatile("mv tp, %0" ::"r"(&first_thread));
	if (bi && bi->magic == FV_BOOTINFO_MAGIC)
		first_thread.ipc_buffer = (struct fv_ipc_buffer *)FV_ROOT_IPC_BUFFER;
	int status = main(arg);
	if (status != 0)
		fv_printf("program exited with status %d\n", status);
	/* Nothing is left to run here: stop this thread for good. */
	if (bi && bi->magic == FV_BOOTINFO_MAGIC)
		fv_tcb_suspend(FV_ROOT_SLOT_TCB);
	for (;;)
		fv_yield();
}
