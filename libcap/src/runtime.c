/* The freestanding runtime: set up what libcap needs, run main, stop. */
#include <stdbool.h>

#include <fv/libcap.h>
#include <fv/loader.h>

int main(const void *arg);
void fv_runtime_start(const void *arg);

void fv_runtime_start(const void *arg)
{
	static struct fv_thread_info first_thread;
	bool is_root = (uint64_t)arg == FV_ROOT_BOOTINFO;
	__asm__ volatile("mv tp, %0" ::"r"(&first_thread));
	/* The root task and loaded programs alike have their IPC buffer here (fv/loader.h). */
	first_thread.ipc_buffer = (struct fv_ipc_buffer *)FV_ROOT_IPC_BUFFER;
	int status = main(arg);
	if (status != 0)
		fv_printf("program exited with status %d\n", status);
	/* Nothing is left to run here: stop this thread for good. */
	fv_tcb_suspend(is_root ? FV_ROOT_SLOT_TCB : FV_PROCESS_SLOT_TCB);
	for (;;)
		fv_yield();
}
