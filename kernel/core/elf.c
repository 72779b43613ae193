/*
 * ELF64 executable validation. Headers are copied out of the file with
 * memcpy, so the buffer may have any alignment, and every offset and size is
 * compared against what is left rather than added first, so no field value
 * can wrap an address or read past the end of the file.
 */
#include <stdbool.h>
#include <string.h>

#include <fv/elf.h>

/* The headers are copied byte for byte into native structures. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf.c reads little-endian ELF headers directly: it needs a little-endian target"
#endif

/* Layout and constants from the System V gABI, ELF-64 object file format. */
#define EI_NIDENT   16
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_RISCV    243
#define PT_LOAD     1

/* The granule segments are mapped in; fixed by the ABI, whatever the kernel's page size. */
#define ELF_PAGE_SHIFT 12
#define ELF_PAGE_SIZE  (UINT64_C(1) << ELF_PAGE_SHIFT)

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF header layout");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "ELF header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "program header layout");
_Static_assert(offsetof(struct elf64_phdr, p_align) == 48, "program header layout");

static const char *const error_text[ELF_ERROR_COUNT] = {
    [ELF_OK] = "no error",
    [ELF_EHEADER] = "not a little-endian ELF64 file of the current version",
    [ELF_EMACHINE] = "not a RISC-V executable",
    [ELF_ETYPE] = "not a static executable (ET_EXEC)",
    [ELF_EPHDR] = "bad program header table",
    [ELF_ESEGMENT] = "a loadable segment is malformed or cannot be mapped page by page",
    [ELF_ERANGE] = "a segment lies outside the user address range",
    [ELF_EOVERLAP] = "two segments share a page",
    [ELF_ETOOMANY] = "more loadable segments than the loader supports",
    [ELF_EENTRY] = "the entry point is not in an executable segment",
};

const char *elf_strerror(enum elf_error err)
{
	if ((unsigned)err >= ELF_ERROR_COUNT)
		return "unknown error";
	return error_text[err];
}

static enum elf_error check_phdr_table(const struct elf64_ehdr *eh, size_t size)
{
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return ELF_EPHDR;
	uint64_t table_size = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > size || table_size > size - eh->e_phoff)
		return ELF_EPHDR;
	return ELF_OK;
}

static enum elf_error read_header(const void *file, size_t size, struct elf64_ehdr *eh)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	if (size < sizeof(*eh))
		return ELF_EHEADER;
	memcpy(eh, file, sizeof(*eh));
	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT || eh->e_ehsize != sizeof(*eh))
		return ELF_EHEADER;
	if (eh->e_machine != EM_RISCV)
		return ELF_EMACHINE;
	if (eh->e_type != ET_EXEC)
		return ELF_ETYPE;
	return check_phdr_table(eh, size);
}

/*
 * The offset must lie in the file even when nothing is read from it, so a
 * loader may form `file + offset` for any segment it is given.
 */
static bool range_in_file(uint64_t offset, uint64_t len, size_t size)
{
	return offset <= size && len <= size - offset;
}

/* Checks a PT_LOAD segment with memsz > 0 on its own. */
static enum elf_error check_segment(const struct elf64_phdr *ph, size_t size, uint64_t max_va)
{
	if (!range_in_file(ph->p_offset, ph->p_filesz, size) ||
	    ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return ELF_ESEGMENT;
	/* Page-aligned segments are meant to be mapped straight from the file. */
	if (ph->p_align >= ELF_PAGE_SIZE &&
	    ph->p_vaddr % ELF_PAGE_SIZE != ph->p_offset % ELF_PAGE_SIZE)
		return ELF_ESEGMENT;
	/* Page 0 stays unmapped so that null pointers fault. */
	if (ph->p_vaddr < ELF_PAGE_SIZE || ph->p_vaddr + ph->p_memsz > max_va)
		return ELF_ERANGE;
	return ELF_OK;
}

static uint64_t first_page(const struct elf_segment *seg)
{
	return seg->vaddr >> ELF_PAGE_SHIFT;
}

/* memsz > 0 and vaddr + memsz does not wrap, so the last byte is well defined. */
static uint64_t last_page(const struct elf_segment *seg)
{
	return (seg->vaddr + seg->memsz - 1) >> ELF_PAGE_SHIFT;
}

/* Each page gets one set of permissions, so two segments may not share one. */
static bool share_a_page(const struct elf_segment *a, const struct elf_segment *b)
{
	return first_page(a) <= last_page(b) && first_page(b) <= last_page(a);
}

/* Fills the next slot in place, so the padding of *img keeps the zeros it started with. */
static enum elf_error add_segment(struct elf_image *img, const struct elf64_phdr *ph)
{
	if (img->nsegments == ELF_MAX_SEGMENTS)
		return ELF_ETOOMANY;
	struct elf_segment *seg = &img->seg[img->nsegments];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->flags = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
	for (unsigned i = 0; i < img->nsegments; i++)
		if (share_a_page(&img->seg[i], seg))
			return ELF_EOVERLAP;
	img->nsegments++;
	return ELF_OK;
}

static enum elf_error load_phdr(const struct elf64_phdr *ph, size_t size, uint64_t max_va,
                                struct elf_image *img)
{
	if (ph->p_type != PT_LOAD)
		return ELF_OK;
	if (ph->p_filesz > ph->p_memsz)
		return ELF_ESEGMENT;
	/* An empty segment occupies no memory: nothing to load or to check. */
	if (ph->p_memsz == 0)
		return ELF_OK;
	enum elf_error err = check_segment(ph, size, max_va);
	return err ? err : add_segment(img, ph);
}

static bool entry_is_executable(const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nsegments; i++) {
		const struct elf_segment *seg = &img->seg[i];
		if ((seg->flags & ELF_PF_X) && img->entry >= seg->vaddr &&
		    img->entry - seg->vaddr < seg->memsz)
			return true;
	}
	return false;
}

static enum elf_error parse(const void *file, size_t size, uint64_t max_va, struct elf_image *out)
{
	struct elf64_ehdr eh;
	enum elf_error err = read_header(file, size, &eh);
	if (err)
		return err;
	out->entry = eh.e_entry;
	const unsigned char *table = (const unsigned char *)file + (size_t)eh.e_phoff;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, table + i * sizeof(ph), sizeof(ph));
		err = load_phdr(&ph, size, max_va, out);
		if (err)
			return err;
	}
	return entry_is_executable(out) ? ELF_OK : ELF_EENTRY;
}

enum elf_error elf_parse(const void *file, size_t size, uint64_t max_va, struct elf_image *out)
{
	memset(out, 0, sizeof(*out));
	enum elf_error err = parse(file, size, max_va, out);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}
