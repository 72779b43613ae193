/*
 * newc cpio reader. Positions are offsets from the start of the archive and
 * every step forward is checked against the bytes left, so a hostile size
 * field can neither wrap the cursor nor point outside the buffer.
 */
#include <stdbool.h>
#include <string.h>

#include <fv/cpio.h>

/* Header sizes come from 32-bit fields and must fit a size_t unchanged. */
_Static_assert(SIZE_MAX >= UINT32_MAX, "size_t narrower than 32 bits");

#define NEWC_MAGIC_LEN    6
#define NEWC_FIELD_DIGITS 8
#define NEWC_FIELD_COUNT  13
#define NEWC_HEADER_SIZE  (NEWC_MAGIC_LEN + NEWC_FIELD_COUNT * NEWC_FIELD_DIGITS)
#define NEWC_ALIGN        4

#define MODE_TYPE_MASK 0170000u
#define MODE_REGULAR   0100000u

/* The header fields after the magic, in archive order. */
enum newc_field {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

static const char trailer_name[] = "TRAILER!!!";

static const char *const error_text[CPIO_ERROR_COUNT] = {
    [CPIO_OK] = "no error",
    [CPIO_END] = "end of archive, or no such file",
    [CPIO_EMAGIC] = "not a newc cpio header",
    [CPIO_EHEADER] = "malformed header field or file name",
    [CPIO_ETRUNCATED] = "an entry runs past the end of the archive",
};

const char *cpio_strerror(enum cpio_error err)
{
	if ((unsigned)err >= CPIO_ERROR_COUNT)
		return "unknown error";
	return error_text[err];
}

static int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses the 8 hex digits at `p`; false if any of them is not a hex digit. */
static bool parse_hex_field(const char *p, uint32_t *out)
{
	uint32_t value = 0;
	for (int i = 0; i < NEWC_FIELD_DIGITS; i++) {
		int digit = hex_digit_value(p[i]);
		if (digit < 0)
			return false;
		value = value << 4 | (uint32_t)digit;
	}
	*out = value;
	return true;
}

/* Every field is checked, used or not: a stray character means a corrupt header. */
static bool parse_header_fields(const char *hdr, uint32_t fields[NEWC_FIELD_COUNT])
{
	for (int i = 0; i < NEWC_FIELD_COUNT; i++)
		if (!parse_hex_field(hdr + NEWC_MAGIC_LEN + i * NEWC_FIELD_DIGITS, &fields[i]))
			return false;
	return true;
}

/* Compares only the `avail` bytes present, so a short tail is told apart from garbage. */
static bool magic_matches(const char *p, size_t avail)
{
	size_t n = avail < NEWC_MAGIC_LEN ? avail : NEWC_MAGIC_LEN;
	return memcmp(p, "070701", n) == 0 || memcmp(p, "070702", n) == 0;
}

/* Moves *pos past `len` bytes and the padding after them, staying within `size`. */
static bool skip_padded(size_t *pos, size_t len, size_t size)
{
	if (len > size - *pos)
		return false;
	size_t end = *pos + len;
	size_t pad = (NEWC_ALIGN - end % NEWC_ALIGN) % NEWC_ALIGN;
	if (pad > size - end)
		return false;
	*pos = end + pad;
	return true;
}

static bool is_trailer(const char *name, size_t name_len)
{
	return name_len == sizeof(trailer_name) - 1 && memcmp(name, trailer_name, name_len) == 0;
}

/* Checks the fixed-size header at `pos`, which lies within the archive, and parses it. */
static enum cpio_error read_header(const char *base, size_t pos, size_t size,
                                   uint32_t fields[NEWC_FIELD_COUNT])
{
	size_t avail = size - pos;
	if (avail > 0 && !magic_matches(base + pos, avail))
		return CPIO_EMAGIC;
	if (avail < NEWC_HEADER_SIZE)
		return CPIO_ETRUNCATED;
	if (!parse_header_fields(base + pos, fields) || fields[F_NAMESIZE] == 0)
		return CPIO_EHEADER;
	return CPIO_OK;
}

enum cpio_error cpio_next(const void *archive, size_t size, size_t *cursor, struct cpio_file *out)
{
	const char *base = archive;
	size_t pos = *cursor;
	if (pos > size)
		return CPIO_ETRUNCATED;
	uint32_t fields[NEWC_FIELD_COUNT];
	enum cpio_error err = read_header(base, pos, size, fields);
	if (err)
		return err;
	pos += NEWC_HEADER_SIZE;
	size_t namesize = fields[F_NAMESIZE];
	if (namesize > size - pos)
		return CPIO_ETRUNCATED;
	/* The first NUL must be the last byte: names are used as lengths, not C strings. */
	const char *name = base + pos;
	size_t name_len = namesize - 1;
	if (memchr(name, '\0', namesize) != name + name_len)
		return CPIO_EHEADER;
	/* The trailer ends the walk whatever follows it, padding included. */
	if (is_trailer(name, name_len))
		return CPIO_END;
	if (!skip_padded(&pos, namesize, size))
		return CPIO_ETRUNCATED;
	const char *data = base + pos;
	if (!skip_padded(&pos, fields[F_FILESIZE], size))
		return CPIO_ETRUNCATED;
	*out = (struct cpio_file){
	    .name = name,
	    .name_len = name_len,
	    .data = data,
	    .size = fields[F_FILESIZE],
	    .mode = fields[F_MODE],
	};
	*cursor = pos;
	return CPIO_OK;
}

static bool is_regular_file(uint32_t mode)
{
	return (mode & MODE_TYPE_MASK) == MODE_REGULAR;
}

/* Archives made with `find . | cpio` name their files "./path". */
static bool name_matches(const struct cpio_file *file, const char *name)
{
	const char *p = file->name;
	size_t len = file->name_len;
	if (len >= 2 && p[0] == '.' && p[1] == '/') {
		p += 2;
		len -= 2;
	}
	return len == strlen(name) && memcmp(p, name, len) == 0;
}

enum cpio_error cpio_find(const void *archive, size_t size, const char *name, struct cpio_file *out)
{
	size_t cursor = 0;
	struct cpio_file file;
	enum cpio_error err;
	while ((err = cpio_next(archive, size, &cursor, &file)) == CPIO_OK) {
		if (is_regular_file(file.mode) && name_matches(&file, name)) {
			*out = file;
			return CPIO_OK;
		}
	}
	return err;
}
