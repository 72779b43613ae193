/*
 * A null IPC server in an address space of its own, for the benchmarks:
 * it answers every call on the endpoint in its CNode slot 8 with an empty
 * reply.
 */
#include <fv/libcap.h>
#include <fv/loader.h>

int main(void)
{
	uint64_t mr[FV_MSG_REG_WORDS] = {0};
	fv_ipc(FV_SYS_RECV, FV_PROCESS_SLOT_FIRST_FREE, 0, mr);
	for (;;)
		fv_ipc(FV_SYS_REPLY_RECV, FV_PROCESS_SLOT_FIRST_FREE, FV_MSGINFO(0, 0, 0), mr);
}
