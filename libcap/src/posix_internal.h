/* What the two halves of the Linux personality (posix.c, posix_memory.c) share. */
#ifndef POSIX_INTERNAL_H
#define POSIX_INTERNAL_H

#include <stdbool.h>

#include <fv/posix.h>

#define POSIX_PAGE 4096ul

/* The brk heap and the mmap area, both in the lower half of Sv39. */
#define POSIX_BRK_BASE  0x40000000ul
#define POSIX_BRK_LIMIT 0x80000000ul
#define POSIX_MMAP_BASE 0x100000000ul
#define POSIX_MMAP_END  0x2000000000ul

/* Linux's numbers, as musl uses them (asm-generic). */
enum {
	LX_EBADF = 9,
	LX_ENOMEM = 12,
	LX_EFAULT = 14,
	LX_EINVAL = 22,
	LX_ENOTTY = 25,
	LX_ENOSYS = 38,
};
#define LX_PROT_READ      0x1
#define LX_PROT_WRITE     0x2
#define LX_PROT_EXEC      0x4
#define LX_MAP_SHARED     0x01
#define LX_MAP_PRIVATE    0x02
#define LX_MAP_FIXED      0x10
#define LX_MAP_ANONYMOUS  0x20
#define LX_MAP_FIXED_NORE 0x100000 /* MAP_FIXED_NOREPLACE */

extern struct fv_posix_config posix_cfg;

/* Memory: every call returns a Linux result (a value or -errno). */
void posix_memory_init(void);
long posix_brk(uint64_t addr);
long posix_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd);
long posix_munmap(uint64_t addr, uint64_t len);
long posix_mprotect(uint64_t addr, uint64_t len, long prot);
long posix_map_frame(fv_cptr_t frame, unsigned rights);
/* A slot of the personality's range, or 0 when all are in use. */
fv_cptr_t posix_slot_alloc(void);
/* An object made from the personality's Untyped, in a fresh slot; 0 on failure. */
fv_cptr_t posix_make(fv_object_type_t type);
/* True if [va, va + len) is memory of this process the personality may read (or write). */
bool posix_user_range(uint64_t va, uint64_t len, bool write);

#endif
