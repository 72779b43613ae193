/*
 * Validation of the static ELF64 RISC-V executables the kernel loads as user
 * programs. The file is untrusted: elf_parse reads nothing outside
 * [file, file + size), assumes no alignment of the buffer, and returns only
 * segments a loader can map or copy without further checks: inside the file,
 * inside the allowed address range, and on pages of their own.
 */
#ifndef FV_ELF_H
#define FV_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

struct elf_segment {
	uint64_t vaddr, memsz;   /* where it goes and how big it is in memory */
	uint64_t offset, filesz; /* what part of the file fills its start; the rest is zero */
	unsigned flags;          /* ELF_PF_* */
};

struct elf_image {
	uint64_t entry;
	unsigned nsegments; /* PT_LOAD segments with memsz > 0, in file order */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

enum elf_error {
	ELF_OK = 0,
	ELF_EHEADER,  /* bad magic, class, byte order, version or header size */
	ELF_EMACHINE, /* not RISC-V */
	ELF_ETYPE,    /* not a static executable (ET_EXEC) */
	ELF_EPHDR,    /* bad program header size or count, or table outside the file */
	ELF_ESEGMENT, /* a PT_LOAD segment that is inconsistent or cannot be mapped */
	ELF_ERANGE,   /* a segment outside [page size, max_va) */
	ELF_EOVERLAP, /* two segments on a common page */
	ELF_ETOOMANY, /* more than ELF_MAX_SEGMENTS loadable segments */
	ELF_EENTRY,   /* the entry point is not in an executable segment */
	ELF_ERROR_COUNT
};

/*
 * Validates a little-endian ELF64 ET_EXEC for EM_RISCV (243) whose PT_LOAD
 * segments all lie in [page_size, max_va). On error *out is zeroed.
 */
enum elf_error elf_parse(const void *file, size_t size, uint64_t max_va, struct elf_image *out);
const char *elf_strerror(enum elf_error err);

#endif
