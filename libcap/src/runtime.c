/*
 * Program start: the kernel (for the root task) or the loader (for any
 * other program) enters _start with a0 = boot info or start info. Before
 * the C library runs, the Linux personality thread must exist, since the
 * library's start-up already makes system calls; then musl's
 * __libc_start_main runs main and exit.
 */
#include <elf.h>
#include <string.h>

#include <fv/loader.h>
#include <fv/posix.h>

#define ROOT_POSIX_SLOTS  1024u
#define ROOT_POSIX_MEMORY 22u /* 4 MiB for the root task's heap */
#define AUXV_WORDS        32u

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));
void fv_runtime_start(uint64_t arg);

__thread struct fv_ipc_buffer *fv_tls_ipc_buffer = (struct fv_ipc_buffer *)FV_ROOT_IPC_BUFFER;
struct fv_slot_range fv_program_slots;
static uint64_t start_arg, timebase_hz, hart_count;
extern const Elf64_Ehdr __ehdr_start;

uint64_t fv_start_arg(void)
{
	return start_arg;
}

uint64_t fv_timebase_hz(void)
{
	return timebase_hz;
}

uint64_t fv_hart_count(void)
{
	return hart_count;
}

uint64_t fv_thread_tp(struct fv_thread_info *info)
{
	uint64_t offset = (uint64_t)&fv_tls_ipc_buffer - fv_read_tp();
	return (uint64_t)&info->ipc_buffer - offset;
}

/* The smallest RAM Untyped that holds 2^bits bytes: the largest stay whole for the program. */
static fv_cptr_t smallest_untyped_for(const struct fv_bootinfo *bi, unsigned bits)
{
	fv_cptr_t best = 0;
	unsigned best_bits = 64;
	for (unsigned long i = 0; i < bi->untyped.count; i++) {
		const struct fv_untyped_desc *u = &bi->untyped_list[i];
		if (!u->is_device && u->size_bits >= bits && u->size_bits < best_bits) {
			best = bi->untyped.first + i;
			best_bits = u->size_bits;
		}
	}
	return best;
}

/* The root task gives its personality the top of its free slots and 4 MiB of its own. */
static void root_config(const struct fv_bootinfo *bi, struct fv_posix_config *c)
{
	uint64_t posix_first = bi->empty.first + bi->empty.count - ROOT_POSIX_SLOTS;
	fv_program_slots =
	    (struct fv_slot_range){bi->empty.first, bi->empty.count - ROOT_POSIX_SLOTS};
	fv_cptr_t heap = posix_first;
	fv_cptr_t from = smallest_untyped_for(bi, ROOT_POSIX_MEMORY);
	if (fv_untyped_retype(from, FV_OBJ_UNTYPED, ROOT_POSIX_MEMORY, FV_ROOT_SLOT_CNODE, 0, 0,
	                      heap, 1) != FV_OK)
		heap = smallest_untyped_for(bi, 0); /* no room for it: share one */
	*c = (struct fv_posix_config){.cnode = FV_ROOT_SLOT_CNODE,
	                              .vspace = FV_ROOT_SLOT_VSPACE,
	                              .tcb = FV_ROOT_SLOT_TCB,
	                              .untyped = heap,
	                              .slot_first = posix_first + 1,
	                              .slot_count = ROOT_POSIX_SLOTS - 1,
	                              .stack_lo = FV_ROOT_STACK_TOP - FV_ROOT_STACK_SIZE,
	                              .stack_hi = FV_ROOT_STACK_TOP,
	                              .timebase_hz = bi->timebase_hz,
	                              .name = "rootserver"};
}

static void process_config(const struct fv_start_info *si, struct fv_posix_config *c)
{
	uint64_t slots = 1ul << FV_PROCESS_CNODE_RADIX;
	fv_program_slots =
	    (struct fv_slot_range){FV_PROCESS_SLOT_PROGRAM, slots / 2 - FV_PROCESS_SLOT_PROGRAM};
	*c = (struct fv_posix_config){.cnode = FV_PROCESS_SLOT_CNODE,
	                              .vspace = FV_PROCESS_SLOT_VSPACE,
	                              .tcb = FV_PROCESS_SLOT_TCB,
	                              .untyped = FV_PROCESS_SLOT_UNTYPED,
	                              .slot_first = slots / 2,
	                              .slot_count = slots / 2,
	                              .stack_lo = FV_PROCESS_STACK_TOP - FV_PROCESS_STACK_SIZE,
	                              .stack_hi = FV_PROCESS_STACK_TOP,
	                              .console = FV_PROCESS_SLOT_CONSOLE,
	                              .supervisor = FV_PROCESS_SLOT_SUPERVISOR,
	                              .timebase_hz = si->timebase_hz,
	                              .name = si->name};
}

/* argv, an empty environment and the auxiliary vector musl reads at start. */
static char **start_vector(const char *name)
{
	static uint64_t v[AUXV_WORDS];
	static uint64_t random_bytes[2];
	random_bytes[0] = fv_read_time() * 0x9e3779b97f4a7c15ull ^ (uint64_t)&v;
	random_bytes[1] = fv_read_instret() * 0xc2b2ae3d27d4eb4full ^ fv_read_time();
	const uint64_t aux[][2] = {
	    {AT_PHDR, (uint64_t)&__ehdr_start + __ehdr_start.e_phoff},
	    {AT_PHENT, sizeof(Elf64_Phdr)},
	    {AT_PHNUM, __ehdr_start.e_phnum},
	    {AT_PAGESZ, 4096},
	    {AT_RANDOM, (uint64_t)random_bytes},
	    {AT_EXECFN, (uint64_t)name},
	    {AT_NULL, 0},
	};
	v[0] = (uint64_t)name; /* argv[0], then argv's and envp's terminators */
	memcpy(&v[3], aux, sizeof(aux));
	return (char **)v;
}

void fv_runtime_start(uint64_t arg)
{
	struct fv_posix_config config;
	const struct fv_start_info *si = (const struct fv_start_info *)arg;
	if (arg == FV_ROOT_BOOTINFO) {
		start_arg = arg;
		hart_count = ((const struct fv_bootinfo *)arg)->hart_count;
		root_config((const struct fv_bootinfo *)arg, &config);
	} else if (si->magic == FV_START_INFO_MAGIC) {
		start_arg = si->arg;
		hart_count = si->hart_count;
		process_config(si, &config);
	} else {
		fv_debug_puts("fv: started without start info\n", 32);
		return;
	}
	timebase_hz = config.timebase_hz;
	fv_error_t err = fv_posix_start(&config);
	if (err) {
		fv_debug_puts("fv: no memory for the Linux personality\n", 40);
		return;
	}
	__libc_start_main(main, 1, start_vector(config.name), NULL, NULL, NULL);
}
