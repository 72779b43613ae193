/*
 * Unit tests of the ELF64 executable validator. Images are built here from a
 * description of every header field, written byte by byte in little-endian
 * order, so each field can be set to any value; one real static riscv64
 * executable checks the parser against what a toolchain produces.
 *
 * Randomized tests compare elf_parse with a reference model that does its
 * arithmetic in 128 bits, where nothing can wrap, and check the documented
 * guarantees of every image that parses. Images are copied into heap blocks of
 * exactly their size, so AddressSanitizer reports any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fv/elf.h>
#include <fv/util.h>

#define PAGE      UINT64_C(4096)
#define USER_TOP  (UINT64_C(1) << 38)
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define MAX_PHDRS 16

#define ET_REL              1
#define ET_EXEC             2
#define ET_DYN              3
#define EM_RISCV            243
#define EM_X86_64           62
#define EM_AARCH64          183
#define PT_NULL             0
#define PT_LOAD             1
#define PT_NOTE             4
#define PT_TLS              7
#define PT_GNU_STACK        0x6474e551u
#define PT_RISCV_ATTRIBUTES 0x70000003u

#define RX (ELF_PF_R | ELF_PF_X)
#define RW (ELF_PF_R | ELF_PF_W)

/*
 * riscv64-linux-gnu-gcc -nostdlib -static -O2, then riscv64-linux-gnu-strip, of
 *	int counter = 42;
 *	char scratch[256];
 *	void _start(void) { for (;;) scratch[counter++ & 255]++; }
 */
static const unsigned char riscv_static_elf[] = {
    0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0xf3, 0x00, 0x01, 0x00, 0x00, 0x00, 0x7c, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x05, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x05, 0x00, 0x40, 0x00, 0x08, 0x00, 0x07, 0x00,
    0x03, 0x00, 0x00, 0x70, 0x04, 0x00, 0x00, 0x00, 0xbf, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x9c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x58, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x58, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x51, 0xe5, 0x74, 0x64, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x47, 0x4e, 0x55, 0x00, 0x56, 0xf2, 0x16, 0xa6, 0x94, 0x9c, 0xcb, 0x4d,
    0x09, 0x1f, 0x91, 0x7e, 0x99, 0xcb, 0x5a, 0xda, 0x72, 0x16, 0x2f, 0x23, 0x97, 0x16, 0x00, 0x00,
    0x83, 0xa6, 0x06, 0x02, 0x13, 0x86, 0x41, 0x80, 0x93, 0xf7, 0xf6, 0x0f, 0xb2, 0x97, 0x03, 0xc7,
    0x07, 0x00, 0x85, 0x26, 0x05, 0x27, 0x23, 0x80, 0xe7, 0x00, 0xfd, 0xb7, 0x2a, 0x00, 0x00, 0x00,
    0x47, 0x43, 0x43, 0x3a, 0x20, 0x28, 0x44, 0x65, 0x62, 0x69, 0x61, 0x6e, 0x20, 0x31, 0x32, 0x2e,
    0x32, 0x2e, 0x30, 0x2d, 0x31, 0x33, 0x29, 0x20, 0x31, 0x32, 0x2e, 0x32, 0x2e, 0x30, 0x00, 0x41,
    0x52, 0x00, 0x00, 0x00, 0x72, 0x69, 0x73, 0x63, 0x76, 0x00, 0x01, 0x48, 0x00, 0x00, 0x00, 0x04,
    0x10, 0x05, 0x72, 0x76, 0x36, 0x34, 0x69, 0x32, 0x70, 0x31, 0x5f, 0x6d, 0x32, 0x70, 0x30, 0x5f,
    0x61, 0x32, 0x70, 0x31, 0x5f, 0x66, 0x32, 0x70, 0x32, 0x5f, 0x64, 0x32, 0x70, 0x32, 0x5f, 0x63,
    0x32, 0x70, 0x30, 0x5f, 0x7a, 0x69, 0x63, 0x73, 0x72, 0x32, 0x70, 0x30, 0x5f, 0x7a, 0x69, 0x66,
    0x65, 0x6e, 0x63, 0x65, 0x69, 0x32, 0x70, 0x30, 0x5f, 0x7a, 0x6d, 0x6d, 0x75, 0x6c, 0x31, 0x70,
    0x30, 0x00, 0x00, 0x2e, 0x73, 0x68, 0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e, 0x6e, 0x6f,
    0x74, 0x65, 0x2e, 0x67, 0x6e, 0x75, 0x2e, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x2d, 0x69, 0x64, 0x00,
    0x2e, 0x74, 0x65, 0x78, 0x74, 0x00, 0x2e, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e, 0x62, 0x73, 0x73,
    0x00, 0x2e, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x00, 0x2e, 0x72, 0x69, 0x73, 0x63, 0x76,
    0x2e, 0x61, 0x74, 0x74, 0x72, 0x69, 0x62, 0x75, 0x74, 0x65, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0b, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x58, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x1e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x7c, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xa0, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x2f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x38, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbf, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x4a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Every field of an ELF file header, its program headers and the file size. */
struct spec {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	unsigned nph; /* program headers written, whatever phnum says */
	struct phdr ph[MAX_PHDRS];
	size_t size;
};

/* A small static program: text, data with bss, and a stack marker. */
static struct spec default_spec(void)
{
	struct spec s = {
	    .ident = {0x7f, 'E', 'L', 'F', 2, 1, 1},
	    .type = ET_EXEC,
	    .machine = EM_RISCV,
	    .version = 1,
	    .entry = 0x10100,
	    .phoff = EHDR_SIZE,
	    .ehsize = EHDR_SIZE,
	    .phentsize = PHDR_SIZE,
	    .phnum = 3,
	    .nph = 3,
	    .ph =
	        {
	            {PT_LOAD, RX, 0, 0x10000, 0x10000, 0x800, 0x800, PAGE},
	            {PT_LOAD, RW, 0x800, 0x11800, 0x11800, 0x100, 0x2000, PAGE},
	            {PT_GNU_STACK, RW, 0, 0, 0, 0, 0, 16},
	        },
	    .size = 0x900,
	};
	return s;
}

/* A file of one page holding only the listed segments, each in memory only (filesz 0). */
static struct spec segments_spec(const struct phdr *segs, unsigned n)
{
	struct spec s = default_spec();
	s.size = PAGE;
	s.nph = s.phnum = (uint16_t)n;
	for (unsigned i = 0; i < n; i++) {
		s.ph[i] = segs[i];
		s.ph[i].offset = segs[i].vaddr % PAGE;
		s.ph[i].align = PAGE;
	}
	s.entry = n ? segs[0].vaddr : 0;
	return s;
}

static struct phdr load(uint64_t vaddr, uint64_t memsz, uint32_t flags)
{
	return (struct phdr){.type = PT_LOAD, .flags = flags, .vaddr = vaddr, .memsz = memsz};
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Copies the part of `src` that falls inside the file when placed at offset `at`. */
static void put_clipped(uint8_t *file, size_t size, uint64_t at, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (at < size && i < size - at)
			file[at + i] = src[i];
}

static void encode_ehdr(const struct spec *s, uint8_t out[EHDR_SIZE])
{
	memcpy(out, s->ident, 16);
	put_le(out + 16, s->type, 2);
	put_le(out + 18, s->machine, 2);
	put_le(out + 20, s->version, 4);
	put_le(out + 24, s->entry, 8);
	put_le(out + 32, s->phoff, 8);
	put_le(out + 40, s->shoff, 8);
	put_le(out + 48, s->flags, 4);
	put_le(out + 52, s->ehsize, 2);
	put_le(out + 54, s->phentsize, 2);
	put_le(out + 56, s->phnum, 2);
	put_le(out + 58, s->shentsize, 2);
	put_le(out + 60, s->shnum, 2);
	put_le(out + 62, s->shstrndx, 2);
}

static void encode_phdr(const struct phdr *p, uint8_t out[PHDR_SIZE])
{
	put_le(out, p->type, 4);
	put_le(out + 4, p->flags, 4);
	put_le(out + 8, p->offset, 8);
	put_le(out + 16, p->vaddr, 8);
	put_le(out + 24, p->paddr, 8);
	put_le(out + 32, p->filesz, 8);
	put_le(out + 40, p->memsz, 8);
	put_le(out + 48, p->align, 8);
}

/* The file in a heap block of exactly s->size bytes; parts outside it are dropped. */
static uint8_t *emit(const struct spec *s)
{
	uint8_t *file = malloc(s->size ? s->size : 1);
	assert_non_null(file);
	for (size_t i = 0; i < s->size; i++)
		file[i] = (uint8_t)(i * 7 + 3);
	uint8_t hdr[EHDR_SIZE];
	encode_ehdr(s, hdr);
	put_clipped(file, s->size, 0, hdr, EHDR_SIZE);
	for (unsigned i = 0; i < s->nph; i++) {
		uint8_t ph[PHDR_SIZE];
		encode_phdr(&s->ph[i], ph);
		if (s->phoff <= UINT64_MAX - (uint64_t)i * PHDR_SIZE)
			put_clipped(file, s->size, s->phoff + i * PHDR_SIZE, ph, PHDR_SIZE);
	}
	return file;
}

static bool image_is_zero(const struct elf_image *img)
{
	static const struct elf_image zero;
	return memcmp(img, &zero, sizeof(zero)) == 0;
}

static enum elf_error parse_spec(const struct spec *s, uint64_t max_va, struct elf_image *img)
{
	uint8_t *file = emit(s);
	memset(img, 0x5a, sizeof(*img));
	enum elf_error err = elf_parse(file, s->size, max_va, img);
	free(file);
	if (err != ELF_OK && !image_is_zero(img))
		fail_msg("%s, but the image is not zeroed", elf_strerror(err));
	return err;
}

static void expect_max_va(const struct spec *s, uint64_t max_va, enum elf_error want)
{
	struct elf_image img;
	enum elf_error err = parse_spec(s, max_va, &img);
	if (err != want)
		fail_msg("got \"%s\", want \"%s\"", elf_strerror(err), elf_strerror(want));
}

static void expect(const struct spec *s, enum elf_error want)
{
	expect_max_va(s, USER_TOP, want);
}

static void expect_segment(const struct elf_segment *seg, uint64_t vaddr, uint64_t memsz,
                           uint64_t offset, uint64_t filesz, unsigned flags)
{
	assert_int_equal(seg->vaddr, vaddr);
	assert_int_equal(seg->memsz, memsz);
	assert_int_equal(seg->offset, offset);
	assert_int_equal(seg->filesz, filesz);
	assert_int_equal(seg->flags, flags);
}

/* Reference model: the rules of elf.h in 128-bit arithmetic, read byte by byte. */
typedef unsigned __int128 u128;

static u128 page_floor(u128 x)
{
	return x / PAGE * PAGE;
}

static u128 page_ceil(u128 x)
{
	return (x + PAGE - 1) / PAGE * PAGE;
}

static enum elf_error model_header(const uint8_t *f, size_t size)
{
	if (size < EHDR_SIZE ||
	    memcmp(f,
	           "\x7f"
	           "ELF",
	           4) != 0 ||
	    f[4] != 2 || f[5] != 1 || f[6] != 1 || get_le(f + 20, 4) != 1 ||
	    get_le(f + 52, 2) != EHDR_SIZE)
		return ELF_EHEADER;
	if (get_le(f + 18, 2) != EM_RISCV)
		return ELF_EMACHINE;
	if (get_le(f + 16, 2) != ET_EXEC)
		return ELF_ETYPE;
	uint64_t phnum = get_le(f + 56, 2);
	if (get_le(f + 54, 2) != PHDR_SIZE || phnum == 0 ||
	    (u128)get_le(f + 32, 8) + phnum * PHDR_SIZE > size)
		return ELF_EPHDR;
	return ELF_OK;
}

static enum elf_error model_segment(const uint8_t *p, size_t size, uint64_t max_va,
                                    struct elf_image *img)
{
	uint64_t offset = get_le(p + 8, 8), vaddr = get_le(p + 16, 8);
	uint64_t filesz = get_le(p + 32, 8), memsz = get_le(p + 40, 8), align = get_le(p + 48, 8);
	if (get_le(p, 4) != PT_LOAD)
		return ELF_OK;
	if (filesz > memsz)
		return ELF_ESEGMENT;
	if (memsz == 0)
		return ELF_OK;
	u128 end = (u128)vaddr + memsz;
	if ((u128)offset + filesz > size || end > UINT64_MAX)
		return ELF_ESEGMENT;
	if (align >= PAGE && vaddr % PAGE != offset % PAGE)
		return ELF_ESEGMENT;
	if (vaddr < PAGE || end > max_va)
		return ELF_ERANGE;
	if (img->nsegments == ELF_MAX_SEGMENTS)
		return ELF_ETOOMANY;
	for (unsigned i = 0; i < img->nsegments; i++) {
		const struct elf_segment *o = &img->seg[i];
		if (page_floor(vaddr) < page_ceil((u128)o->vaddr + o->memsz) &&
		    page_floor(o->vaddr) < page_ceil(end))
			return ELF_EOVERLAP;
	}
	img->seg[img->nsegments++] = (struct elf_segment){
	    .vaddr = vaddr,
	    .memsz = memsz,
	    .offset = offset,
	    .filesz = filesz,
	    .flags = (unsigned)get_le(p + 4, 4) & 7,
	};
	return ELF_OK;
}

static enum elf_error model_parse(const uint8_t *f, size_t size, uint64_t max_va,
                                  struct elf_image *img)
{
	memset(img, 0, sizeof(*img));
	enum elf_error err = model_header(f, size);
	struct elf_image out = {0};
	for (unsigned i = 0; !err && i < get_le(f + 56, 2); i++)
		err = model_segment(f + get_le(f + 32, 8) + i * PHDR_SIZE, size, max_va, &out);
	if (err)
		return err;
	out.entry = get_le(f + 24, 8);
	for (unsigned i = 0; i < out.nsegments; i++)
		if ((out.seg[i].flags & ELF_PF_X) && out.entry >= out.seg[i].vaddr &&
		    (u128)out.entry < (u128)out.seg[i].vaddr + out.seg[i].memsz) {
			*img = out;
			return ELF_OK;
		}
	return ELF_EENTRY;
}

/* What elf.h promises about any image elf_parse accepts, checked without the model. */
static void check_guarantees(const struct elf_image *img, size_t size, uint64_t max_va)
{
	assert_in_range(img->nsegments, 1, ELF_MAX_SEGMENTS);
	bool entry_found = false;
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *s = &img->seg[i];
		if (i >= img->nsegments) {
			assert_true(s->vaddr == 0 && s->memsz == 0 && s->offset == 0 &&
			            s->filesz == 0 && s->flags == 0);
			continue;
		}
		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= PAGE && s->vaddr < max_va && s->memsz <= max_va - s->vaddr);
		assert_int_equal(s->flags & ~7u, 0);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *o = &img->seg[j];
			assert_true((s->vaddr + s->memsz - 1) / PAGE < o->vaddr / PAGE ||
			            (o->vaddr + o->memsz - 1) / PAGE < s->vaddr / PAGE);
		}
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_found = true;
	}
	assert_true(entry_found);
}

static void expect_same_image(const struct elf_image *got, const struct elf_image *want)
{
	assert_int_equal(got->entry, want->entry);
	assert_int_equal(got->nsegments, want->nsegments);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++) {
		const struct elf_segment *w = &want->seg[i];
		expect_segment(&got->seg[i], w->vaddr, w->memsz, w->offset, w->filesz, w->flags);
	}
}

/* elf_parse and the model agree on `file`; returns the result. */
static enum elf_error check_against_model(const uint8_t *file, size_t size, uint64_t max_va)
{
	struct elf_image got, want;
	memset(&got, 0x5a, sizeof(got));
	enum elf_error err = elf_parse(file, size, max_va, &got);
	enum elf_error model = model_parse(file, size, max_va, &want);
	if (err != model)
		fail_msg("elf_parse: \"%s\", model: \"%s\"", elf_strerror(err),
		         elf_strerror(model));
	expect_same_image(&got, &want);
	if (err == ELF_OK)
		check_guarantees(&got, size, max_va);
	return err;
}

static void test_strerror_names_every_error(void **state)
{
	(void)state;
	for (int i = 0; i < ELF_ERROR_COUNT; i++) {
		const char *text = elf_strerror((enum elf_error)i);
		assert_non_null(text);
		assert_true(strlen(text) > 0);
		assert_string_not_equal(text, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(text, elf_strerror((enum elf_error)j));
	}
	assert_string_equal(elf_strerror(ELF_ERROR_COUNT), "unknown error");
	assert_string_equal(elf_strerror((enum elf_error) - 1), "unknown error");
}

static void test_default_image(void **state)
{
	(void)state;
	struct spec s = default_spec();
	struct elf_image img;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.entry, 0x10100);
	assert_int_equal(img.nsegments, 2);
	expect_segment(&img.seg[0], 0x10000, 0x800, 0, 0x800, RX);
	expect_segment(&img.seg[1], 0x11800, 0x2000, 0x800, 0x100, RW);
}

static void test_real_riscv_executable(void **state)
{
	(void)state;
	size_t size = sizeof(riscv_static_elf);
	uint8_t *file = malloc(size);
	assert_non_null(file);
	memcpy(file, riscv_static_elf, size);
	struct elf_image img;
	assert_int_equal(elf_parse(file, size, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.entry, 0x1017c);
	assert_int_equal(img.nsegments, 2);
	expect_segment(&img.seg[0], 0x10000, 0x19c, 0, 0x19c, RX);
	expect_segment(&img.seg[1], 0x1119c, 0x104, 0x19c, 4, RW);
	/* Its first header, PT_RISCV_ATTRIBUTES, has filesz > memsz: only PT_LOAD is checked. */
	assert_int_equal(get_le(file + EHDR_SIZE, 4), PT_RISCV_ATTRIBUTES);
	assert_true(get_le(file + EHDR_SIZE + 32, 8) > get_le(file + EHDR_SIZE + 40, 8));
	/* The data segment, bss included, ends at 0x112a0. */
	assert_int_equal(elf_parse(file, size, 0x112a0, &img), ELF_OK);
	assert_int_equal(elf_parse(file, size, 0x1129f, &img), ELF_ERANGE);
	assert_int_equal(check_against_model(file, size, USER_TOP), ELF_OK);
	free(file);
}

/* Headers are copied out, so the file may start at any address. */
static void test_unaligned_file(void **state)
{
	(void)state;
	struct spec s = default_spec();
	uint8_t *file = emit(&s);
	struct elf_image want;
	assert_int_equal(elf_parse(file, s.size, USER_TOP, &want), ELF_OK);
	for (size_t shift = 1; shift < 8; shift++) {
		uint8_t *block = malloc(s.size + shift);
		assert_non_null(block);
		memcpy(block + shift, file, s.size);
		struct elf_image img;
		assert_int_equal(elf_parse(block + shift, s.size, USER_TOP, &img), ELF_OK);
		expect_same_image(&img, &want);
		free(block);
	}
	free(file);
}

static void test_short_file(void **state)
{
	(void)state;
	struct spec s = default_spec();
	for (size_t size = 0; size < EHDR_SIZE; size++) {
		s.size = size;
		expect(&s, ELF_EHEADER);
	}
	struct elf_image img;
	assert_int_equal(elf_parse(NULL, 0, USER_TOP, &img), ELF_EHEADER);
}

static void test_bad_ident(void **state)
{
	(void)state;
	static const struct {
		int at;
		uint8_t value;
	} bad[] = {
	    {0, 0x7e}, {1, 'e'}, {2, 'l'}, {3, 'f'},
	    {0, 0},    {4, 0},   {4, 1},   {4, 3}, /* ELFCLASSNONE, ELFCLASS32, invalid */
	    {5, 0},    {5, 2},   {5, 3},           /* ELFDATANONE, ELFDATA2MSB, invalid */
	    {6, 0},    {6, 2},                     /* EI_VERSION */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct spec s = default_spec();
		s.ident[bad[i].at] = bad[i].value;
		expect(&s, ELF_EHEADER);
	}
}

static void test_bad_version_or_header_size(void **state)
{
	(void)state;
	static const uint32_t versions[] = {0, 2, 0x100, 0x01000000};
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		struct spec s = default_spec();
		s.version = versions[i];
		expect(&s, ELF_EHEADER);
	}
	static const uint16_t sizes[] = {0, 52, 63, 65, 128, 0x4000};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct spec s = default_spec();
		s.ehsize = sizes[i];
		expect(&s, ELF_EHEADER);
	}
}

/* Fields the loader has no use for may hold anything. */
static void test_unused_fields_are_ignored(void **state)
{
	(void)state;
	struct spec s = default_spec();
	s.ident[7] = 3; /* ELFOSABI_LINUX */
	s.ident[8] = 0xff;
	memset(s.ident + 9, 0xee, 7);
	s.shoff = UINT64_MAX;
	s.flags = 0xffffffff;
	s.shentsize = 1;
	s.shnum = 0xffff;
	s.shstrndx = 0xffff;
	s.ph[0].paddr = UINT64_MAX;
	s.ph[1].paddr = 0;
	expect(&s, ELF_OK);
}

static void test_not_riscv(void **state)
{
	(void)state;
	static const uint16_t machines[] = {0, EM_X86_64, EM_AARCH64, 242, 244, 0xf300, 0xffff};
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
		struct spec s = default_spec();
		s.machine = machines[i];
		expect(&s, ELF_EMACHINE);
	}
}

static void test_not_executable(void **state)
{
	(void)state;
	static const uint16_t types[] = {0, ET_REL, ET_DYN, 4, 0x0200, 0xfe00, 0xffff};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct spec s = default_spec();
		s.type = types[i];
		expect(&s, ELF_ETYPE);
	}
}

static void test_bad_program_header_size_or_count(void **state)
{
	(void)state;
	static const uint16_t entsizes[] = {0, 32, 55, 57, 64, 0xffff};
	for (size_t i = 0; i < ARRAY_SIZE(entsizes); i++) {
		struct spec s = default_spec();
		s.phentsize = entsizes[i];
		expect(&s, ELF_EPHDR);
	}
	struct spec s = default_spec();
	s.phnum = 0;
	expect(&s, ELF_EPHDR);
	/* 65535 entries of 56 bytes are far larger than the file. */
	s.phnum = 0xffff;
	expect(&s, ELF_EPHDR);
}

static void test_program_header_table_placement(void **state)
{
	(void)state;
	struct spec s = default_spec();
	uint64_t table = 3 * PHDR_SIZE;
	/* Flush with the end of the file, and at an odd offset. */
	s.phoff = s.size - table;
	expect(&s, ELF_OK);
	s.phoff = 65;
	expect(&s, ELF_OK);
	static const uint64_t outside[] = {
	    0x900 - 3 * PHDR_SIZE + 1, /* last byte past the end */
	    0x900,                     /* starts at the end */
	    0x901,
	    UINT64_MAX,
	    UINT64_MAX - PHDR_SIZE + 1,
	    -(uint64_t)PHDR_SIZE,     /* phoff + table wraps to 2 * 56 */
	    -(uint64_t)3 * PHDR_SIZE, /* ...or to exactly 0 */
	    UINT64_C(1) << 63,
	};
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
		s = default_spec();
		s.phoff = outside[i];
		expect(&s, ELF_EPHDR);
	}
}

static void test_filesz_larger_than_memsz(void **state)
{
	(void)state;
	struct spec s = default_spec();
	s.ph[1].filesz = s.ph[1].memsz + 1;
	s.size = 0x800 + s.ph[1].filesz;
	expect(&s, ELF_ESEGMENT);
	/* Even when memsz is 0: such a segment is not empty, it is contradictory. */
	s = default_spec();
	s.ph[1].memsz = 0;
	expect(&s, ELF_ESEGMENT);
	s.ph[1].filesz = 0;
	s.ph[1].memsz = 0;
	expect(&s, ELF_OK);
}

static void test_segment_file_range(void **state)
{
	(void)state;
	struct spec s = default_spec();
	/* The data segment already ends exactly at the end of the file. */
	assert_int_equal(s.ph[1].offset + s.ph[1].filesz, s.size);
	s.ph[1].filesz++;
	expect(&s, ELF_ESEGMENT);
	static const struct {
		uint64_t offset, filesz;
	} wraps[] = {
	    {UINT64_MAX - 0xff, 0x100},     /* offset + filesz is exactly 2^64 */
	    {UINT64_MAX - 0xf, 0x100},      /* ...or wraps to 0xf0 */
	    {-(uint64_t)PAGE, PAGE + 0x10}, /* ...or to 0x10 */
	    {0x800, UINT64_C(1) << 40},     /* filesz alone is too large */
	};
	for (size_t i = 0; i < ARRAY_SIZE(wraps); i++) {
		s = default_spec();
		s.ph[1].offset = wraps[i].offset;
		s.ph[1].filesz = wraps[i].filesz;
		s.ph[1].memsz = UINT64_MAX - s.ph[1].vaddr;
		s.ph[1].align = 1;
		expect(&s, ELF_ESEGMENT);
	}
}

/* A segment with no file bytes still needs an offset inside the file. */
static void test_bss_only_segment_offset(void **state)
{
	(void)state;
	struct spec s = default_spec();
	s.ph[1].filesz = 0;
	s.ph[1].offset = s.size;
	s.ph[1].vaddr = 0x11000 + s.size % PAGE;
	expect(&s, ELF_OK);
	s.ph[1].offset = s.size + 1;
	s.ph[1].vaddr++;
	expect(&s, ELF_ESEGMENT);
	s.ph[1].offset = UINT64_MAX;
	s.ph[1].vaddr = 0x11fff;
	expect(&s, ELF_ESEGMENT);
}

static void test_segment_address_wraps(void **state)
{
	(void)state;
	static const struct {
		uint64_t vaddr, memsz;
	} wraps[] = {
	    {0x11800, UINT64_MAX},        {0x11800, -(uint64_t)0x11800}, /* ends exactly at 2^64 */
	    {UINT64_MAX - 0x7ff, 0x800},                                 /* ...likewise */
	    {UINT64_MAX - 0x7ff, 0x1000}, {UINT64_MAX, 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(wraps); i++) {
		struct spec s = default_spec();
		s.ph[1].vaddr = wraps[i].vaddr;
		s.ph[1].memsz = wraps[i].memsz;
		s.ph[1].filesz = 0;
		s.ph[1].align = 1;
		expect_max_va(&s, UINT64_MAX, ELF_ESEGMENT);
	}
	/* The highest segment that does not wrap. */
	struct spec s = default_spec();
	s.ph[1].vaddr = UINT64_MAX - 0x7fe;
	s.ph[1].memsz = 0x7fe;
	s.ph[1].offset = 0x801;
	s.ph[1].filesz = 0xff;
	struct elf_image img;
	assert_int_equal(parse_spec(&s, UINT64_MAX, &img), ELF_OK);
	expect_segment(&img.seg[1], UINT64_MAX - 0x7fe, 0x7fe, 0x801, 0xff, RW);
}

static void test_page_congruence(void **state)
{
	(void)state;
	static const struct {
		uint64_t align, offset;
		enum elf_error want;
	} cases[] = {
	    {PAGE, 0x801, ELF_ESEGMENT},
	    {PAGE, 0x7ff, ELF_ESEGMENT},
	    {PAGE << 4, 0x801, ELF_ESEGMENT},
	    {UINT64_MAX, 0x801, ELF_ESEGMENT},
	    {PAGE, 0x800, ELF_OK},
	    /* Only the page offsets must agree, whatever the stated alignment. */
	    {PAGE << 4, 0x800, ELF_OK},
	    /* Segments aligned below a page are copied, not mapped: no constraint. */
	    {PAGE - 1, 0x801, ELF_OK},
	    {16, 0x7f0, ELF_OK},
	    {1, 0x7ff, ELF_OK},
	    {0, 0x7ff, ELF_OK},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct spec s = default_spec();
		s.ph[1].align = cases[i].align;
		s.ph[1].offset = cases[i].offset;
		s.ph[1].filesz = 0x80;
		expect(&s, cases[i].want);
	}
}

static void expect_one_segment(uint64_t vaddr, uint64_t memsz, uint64_t max_va, enum elf_error want)
{
	struct phdr seg = load(vaddr, memsz, RX);
	struct spec s = segments_spec(&seg, 1);
	expect_max_va(&s, max_va, want);
}

static void test_address_range_bounds(void **state)
{
	(void)state;
	expect_one_segment(PAGE, 1, USER_TOP, ELF_OK);
	expect_one_segment(PAGE, PAGE, USER_TOP, ELF_OK);
	expect_one_segment(PAGE - 1, 1, USER_TOP, ELF_ERANGE);
	expect_one_segment(PAGE - 1, 2, USER_TOP, ELF_ERANGE);
	expect_one_segment(0, PAGE * 2, USER_TOP, ELF_ERANGE);
	expect_one_segment(1, 1, USER_TOP, ELF_ERANGE);
	expect_one_segment(USER_TOP - PAGE, PAGE, USER_TOP, ELF_OK);
	expect_one_segment(USER_TOP - 1, 1, USER_TOP, ELF_OK);
	expect_one_segment(USER_TOP - PAGE, PAGE + 1, USER_TOP, ELF_ERANGE);
	expect_one_segment(USER_TOP, 1, USER_TOP, ELF_ERANGE);
	expect_one_segment(USER_TOP + PAGE, 1, USER_TOP, ELF_ERANGE);
	/* A limit that is not page-aligned is still exact to the byte. */
	expect_one_segment(0x10000, 0x800, 0x10800, ELF_OK);
	expect_one_segment(0x10000, 0x801, 0x10800, ELF_ERANGE);
	/* The largest limit: a segment ending at the last address. */
	expect_one_segment(UINT64_MAX - PAGE, PAGE, UINT64_MAX, ELF_OK);
	/* No room at all. */
	expect_one_segment(PAGE, 1, 0, ELF_ERANGE);
	expect_one_segment(PAGE, 1, PAGE, ELF_ERANGE);
	expect_one_segment(PAGE, 1, PAGE + 1, ELF_OK);
}

static void expect_two_segments(uint64_t va1, uint64_t sz1, uint64_t va2, uint64_t sz2,
                                enum elf_error want)
{
	struct phdr segs[2] = {load(va1, sz1, RX), load(va2, sz2, RW)};
	struct spec s = segments_spec(segs, 2);
	expect(&s, want);
	/* Overlap does not depend on which comes first in the file. */
	struct phdr swapped[2] = {load(va2, sz2, RX), load(va1, sz1, RW)};
	s = segments_spec(swapped, 2);
	expect(&s, want);
}

static void test_overlap_is_by_page(void **state)
{
	(void)state;
	expect_two_segments(0x10000, 0x1000, 0x11000, 0x1000, ELF_OK);
	expect_two_segments(0x10000, 0x1, 0x11fff, 0x1, ELF_OK);
	expect_two_segments(0x10000, 0x1001, 0x12000, 0x1000, ELF_OK);
	expect_two_segments(0x10000, 0x1001, 0x11000, 0x1000, ELF_EOVERLAP);
	expect_two_segments(0x10000, 0x1001, 0x11fff, 0x1, ELF_EOVERLAP);
	/* Disjoint bytes, same page. */
	expect_two_segments(0x10000, 0x801, 0x10fff, 0x1, ELF_EOVERLAP);
	expect_two_segments(0x10000, 0x1, 0x10001, 0x1, ELF_EOVERLAP);
	/* Byte overlaps of every shape. */
	expect_two_segments(0x10000, 0x3000, 0x11000, 0x1000, ELF_EOVERLAP);
	expect_two_segments(0x10000, 0x3000, 0x10000, 0x3000, ELF_EOVERLAP);
	expect_two_segments(0x10000, 0x3000, 0x12fff, 0x3000, ELF_EOVERLAP);
}

static void test_overlap_with_any_earlier_segment(void **state)
{
	(void)state;
	struct phdr segs[4] = {load(0x10000, 0x1000, RX), load(0x20000, 0x1000, RW),
	                       load(0x30000, 0x1000, ELF_PF_R), load(0x10fff, 1, RW)};
	struct spec s = segments_spec(segs, 3);
	expect(&s, ELF_OK);
	s = segments_spec(segs, 4);
	expect(&s, ELF_EOVERLAP);
}

/* PT_TLS, PT_NOTE and other non-PT_LOAD headers are not segments of the image. */
static void test_other_header_types_are_ignored(void **state)
{
	(void)state;
	struct spec s = default_spec();
	s.ph[2] = (struct phdr){PT_TLS, ELF_PF_R, 0x800, 0x11800, 0, 0x10, 0x40, 8};
	s.ph[3] = (struct phdr){PT_NOTE, ELF_PF_R, UINT64_MAX, 0, 0, UINT64_MAX, 1, 4};
	s.ph[4] = (struct phdr){PT_RISCV_ATTRIBUTES, ELF_PF_R, 0x8ff, 0, 0, 0x53, 0, 1};
	s.ph[5] = (struct phdr){PT_NULL, 0, 1, 1, 1, 1, 1, 1};
	s.ph[6] = (struct phdr){0xffffffff, RX, 0, 0x10000, 0, 0, 0x800, PAGE};
	s.ph[7] = (struct phdr){PT_GNU_STACK, RW, 0, 0, 0, 0, 0, 16};
	s.nph = s.phnum = 8;
	struct elf_image img;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.nsegments, 2);
}

static void test_empty_segments_are_ignored(void **state)
{
	(void)state;
	struct spec s = default_spec();
	/* At address 0, on the text page, far outside the file and misaligned: all moot. */
	s.ph[2] = (struct phdr){PT_LOAD, RX, UINT64_MAX, 0, 0, 0, 0, PAGE};
	s.ph[3] = (struct phdr){PT_LOAD, RW, 0x123, 0x10000, 0, 0, 0, PAGE};
	s.ph[4] = (struct phdr){PT_LOAD, RW, 0, UINT64_MAX, 0, 0, 0, PAGE};
	s.nph = s.phnum = 5;
	s.size = 0x900;
	struct elf_image img;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.nsegments, 2);
	expect_segment(&img.seg[0], 0x10000, 0x800, 0, 0x800, RX);
	expect_segment(&img.seg[1], 0x11800, 0x2000, 0x800, 0x100, RW);
}

static void test_segment_count_limit(void **state)
{
	(void)state;
	struct phdr segs[MAX_PHDRS];
	for (unsigned i = 0; i < MAX_PHDRS; i++)
		segs[i] = load(0x10000 + i * 0x2000, 0x10 + i, i % 2 ? RW : RX);
	struct spec s = segments_spec(segs, ELF_MAX_SEGMENTS);
	struct elf_image img;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.nsegments, ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		expect_segment(&img.seg[i], segs[i].vaddr, segs[i].memsz, segs[i].vaddr % PAGE, 0,
		               segs[i].flags);
	s = segments_spec(segs, ELF_MAX_SEGMENTS + 1);
	expect(&s, ELF_ETOOMANY);
	s = segments_spec(segs, MAX_PHDRS);
	expect(&s, ELF_ETOOMANY);
	/* Empty and non-PT_LOAD headers do not count. */
	s = segments_spec(segs, ELF_MAX_SEGMENTS + 2);
	s.ph[3].memsz = 0;
	s.ph[6].type = PT_NOTE;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.nsegments, ELF_MAX_SEGMENTS);
	assert_int_equal(img.seg[3].vaddr, segs[4].vaddr);
	assert_int_equal(img.seg[7].vaddr, segs[9].vaddr);
}

static void test_entry_point(void **state)
{
	(void)state;
	static const struct {
		uint64_t entry;
		enum elf_error want;
	} cases[] = {
	    {0x10000, ELF_OK},     {0x107ff, ELF_OK},     /* last byte of text */
	    {0x10800, ELF_EENTRY},                        /* one past it, though on the same page */
	    {0xffff, ELF_EENTRY},  {0x11800, ELF_EENTRY}, /* data is not executable */
	    {0x12000, ELF_EENTRY},                        /* nor is its bss */
	    {0, ELF_EENTRY},       {UINT64_MAX, ELF_EENTRY},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct spec s = default_spec();
		s.entry = cases[i].entry;
		expect(&s, cases[i].want);
	}
	/* The zero-filled tail of an executable segment is still inside it. */
	struct spec s = default_spec();
	s.ph[0].filesz = 0x400;
	s.entry = 0x10600;
	expect(&s, ELF_OK);
	/* Any executable segment will do, not just the first. */
	s = default_spec();
	s.ph[1].flags = ELF_PF_X;
	s.entry = 0x13000;
	expect(&s, ELF_OK);
	/* No loadable segment at all. */
	s = default_spec();
	s.ph[0].type = PT_NOTE;
	s.ph[1].memsz = s.ph[1].filesz = 0;
	expect(&s, ELF_EENTRY);
}

/* Bits beyond R, W and X (PF_MASKOS, PF_MASKPROC) are dropped, not passed on. */
static void test_flags_are_masked(void **state)
{
	(void)state;
	struct spec s = default_spec();
	s.ph[0].flags = 0xfffffff8u | ELF_PF_X;
	s.ph[1].flags = 0x0ff00000u | RW;
	struct elf_image img;
	assert_int_equal(parse_spec(&s, USER_TOP, &img), ELF_OK);
	assert_int_equal(img.seg[0].flags, ELF_PF_X);
	assert_int_equal(img.seg[1].flags, RW);
	s.ph[0].flags = 0xfffffff8u | RW;
	expect(&s, ELF_EENTRY);
}

/* xorshift64*: a fixed seed makes every run test the same images. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t *rng, const uint64_t *values, size_t n)
{
	return values[rng_next(rng) % n];
}

/* A value near one of the boundaries the rules care about, or anything at all. */
static uint64_t interesting_u64(uint64_t *rng, size_t size)
{
	const uint64_t values[] = {
	    0,
	    1,
	    0x7ff,
	    0x800,
	    0xfff,
	    PAGE,
	    PAGE + 1,
	    0x10000,
	    0x10800,
	    0x11000,
	    0x11fff,
	    USER_TOP - PAGE,
	    USER_TOP,
	    USER_TOP - 1,
	    size,
	    size - 1,
	    size + 1,
	    UINT64_MAX,
	    UINT64_MAX - 0xfff,
	    UINT64_C(1) << 63,
	    rng_next(rng),
	    rng_next(rng) % 0x20000,
	};
	return pick(rng, values, ARRAY_SIZE(values));
}

static struct phdr random_phdr(uint64_t *rng, size_t size)
{
	static const uint64_t types[] = {PT_LOAD, PT_LOAD, PT_LOAD,      PT_LOAD,
	                                 PT_NOTE, PT_TLS,  PT_GNU_STACK, PT_NULL};
	static const uint64_t aligns[] = {0, 1, 16, PAGE - 1, PAGE, PAGE << 4, UINT64_MAX};
	struct phdr p = {
	    .type = (uint32_t)pick(rng, types, ARRAY_SIZE(types)),
	    .flags = (uint32_t)(rng_next(rng) % 8),
	    .align = pick(rng, aligns, ARRAY_SIZE(aligns)),
	};
	/* Mostly plausible segments on a few pages, so that overlaps and limits are common. */
	if (rng_next(rng) % 4) {
		p.vaddr = 0x10000 + rng_next(rng) % 24 * 0x800 + rng_next(rng) % 3;
		p.memsz = 1 + rng_next(rng) % 0x1800;
		p.offset = (p.vaddr % PAGE) % size;
		p.filesz = rng_next(rng) % (p.memsz + 2);
	} else {
		p.vaddr = interesting_u64(rng, size);
		p.memsz = interesting_u64(rng, size);
		p.offset = interesting_u64(rng, size);
		p.filesz = interesting_u64(rng, size);
	}
	return p;
}

/* A well-formed segment on its own pages, two pages after the previous one. */
static struct phdr sequential_phdr(uint64_t *rng, unsigned i)
{
	uint64_t vaddr = 0x10000 + i * 2 * PAGE + rng_next(rng) % PAGE;
	uint64_t memsz = 1 + rng_next(rng) % (2 * PAGE - vaddr % PAGE);
	return (struct phdr){
	    PT_LOAD, (uint32_t)(rng_next(rng) % 8), vaddr % PAGE, vaddr, 0, 0, memsz, PAGE};
}

static struct spec random_spec(uint64_t *rng)
{
	struct spec s = default_spec();
	s.size = 0x1000 + rng_next(rng) % 0x1000;
	s.nph = s.phnum = (uint16_t)(1 + rng_next(rng) % 12);
	bool sequential = rng_next(rng) % 4 == 0;
	for (unsigned i = 0; i < s.nph; i++) {
		if (sequential && rng_next(rng) % 16)
			s.ph[i] = sequential_phdr(rng, i);
		else
			s.ph[i] = random_phdr(rng, s.size);
	}
	unsigned target = (unsigned)(rng_next(rng) % s.nph);
	uint64_t offsets[] = {0, 1, s.ph[target].memsz - 1, s.ph[target].memsz};
	s.entry = s.ph[target].vaddr + pick(rng, offsets, ARRAY_SIZE(offsets));
	return s;
}

static void test_random_images_agree_with_model(void **state)
{
	(void)state;
	static const uint64_t limits[] = {USER_TOP, USER_TOP, 0x14000, 0x18001, UINT64_MAX, 0};
	unsigned seen[ELF_ERROR_COUNT] = {0};
	uint64_t rng = 0x243f6a8885a308d3ull;
	for (int i = 0; i < 40000; i++) {
		struct spec s = random_spec(&rng);
		uint64_t max_va = pick(&rng, limits, ARRAY_SIZE(limits));
		uint8_t *file = emit(&s);
		seen[check_against_model(file, s.size, max_va)]++;
		free(file);
	}
	for (int e = ELF_ESEGMENT; e < ELF_ERROR_COUNT; e++)
		if (seen[e] == 0)
			fail_msg("no random image gave \"%s\"", elf_strerror((enum elf_error)e));
	assert_true(seen[ELF_OK] > 100);
}

/* Changes 1 to 4 bytes, mostly in the headers where they matter. */
static void mutate(uint8_t *file, size_t size, size_t headers, uint64_t *rng)
{
	static const uint8_t interesting[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x10, 0x38, 0x40, 0xf3};
	unsigned count = 1 + (unsigned)(rng_next(rng) % 4);
	for (unsigned i = 0; i < count; i++) {
		size_t limit = rng_next(rng) % 8 ? MIN(headers, size) : size;
		size_t at = (size_t)(rng_next(rng) % limit);
		uint64_t r = rng_next(rng);
		file[at] = r % 2 ? (uint8_t)(r >> 8) : interesting[(r >> 8) % sizeof(interesting)];
	}
}

static void mutate_base(const uint8_t *base, size_t base_size, size_t headers, int rounds,
                        uint64_t seed, unsigned seen[ELF_ERROR_COUNT])
{
	uint64_t rng = seed;
	for (int i = 0; i < rounds; i++) {
		size_t size = base_size;
		if (rng_next(&rng) % 16 == 0)
			size = (size_t)(rng_next(&rng) % (base_size + 1));
		uint8_t *file = malloc(size ? size : 1);
		assert_non_null(file);
		memcpy(file, base, size);
		if (size)
			mutate(file, size, headers, &rng);
		seen[check_against_model(file, size, USER_TOP)]++;
		free(file);
	}
}

static void test_mutated_images(void **state)
{
	(void)state;
	unsigned seen[ELF_ERROR_COUNT] = {0};
	struct spec s = default_spec();
	uint8_t *built = emit(&s);
	mutate_base(built, s.size, EHDR_SIZE + 3 * PHDR_SIZE, 30000, 0x13198a2e03707344ull, seen);
	free(built);
	mutate_base(riscv_static_elf, sizeof(riscv_static_elf), EHDR_SIZE + 5 * PHDR_SIZE, 30000,
	            0xa4093822299f31d0ull, seen);
	/* Neither base has more than ELF_MAX_SEGMENTS program headers to turn into ETOOMANY. */
	for (int e = ELF_OK; e < ELF_ERROR_COUNT; e++)
		if (seen[e] == 0 && e != ELF_ETOOMANY)
			fail_msg("no mutant gave \"%s\"", elf_strerror((enum elf_error)e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strerror_names_every_error),
	    cmocka_unit_test(test_default_image),
	    cmocka_unit_test(test_real_riscv_executable),
	    cmocka_unit_test(test_unaligned_file),
	    cmocka_unit_test(test_short_file),
	    cmocka_unit_test(test_bad_ident),
	    cmocka_unit_test(test_bad_version_or_header_size),
	    cmocka_unit_test(test_unused_fields_are_ignored),
	    cmocka_unit_test(test_not_riscv),
	    cmocka_unit_test(test_not_executable),
	    cmocka_unit_test(test_bad_program_header_size_or_count),
	    cmocka_unit_test(test_program_header_table_placement),
	    cmocka_unit_test(test_filesz_larger_than_memsz),
	    cmocka_unit_test(test_segment_file_range),
	    cmocka_unit_test(test_bss_only_segment_offset),
	    cmocka_unit_test(test_segment_address_wraps),
	    cmocka_unit_test(test_page_congruence),
	    cmocka_unit_test(test_address_range_bounds),
	    cmocka_unit_test(test_overlap_is_by_page),
	    cmocka_unit_test(test_overlap_with_any_earlier_segment),
	    cmocka_unit_test(test_other_header_types_are_ignored),
	    cmocka_unit_test(test_empty_segments_are_ignored),
	    cmocka_unit_test(test_segment_count_limit),
	    cmocka_unit_test(test_entry_point),
	    cmocka_unit_test(test_flags_are_masked),
	    cmocka_unit_test(test_random_images_agree_with_model),
	    cmocka_unit_test(test_mutated_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
