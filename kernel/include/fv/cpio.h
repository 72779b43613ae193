/*
 * Reader for cpio archives in the SVR4 "newc" format (magic 070701, or
 * 070702 whose checksum is ignored), the format of Linux initramfs images.
 * The archive is untrusted: every header is validated and nothing outside
 * [archive, archive + size) is ever read. Entries point into the archive;
 * nothing is copied.
 *
 * Hard links are not resolved: newc stores the data of a linked file only
 * with its last link, so earlier links read as empty files.
 */
#ifndef FV_CPIO_H
#define FV_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_file {
	const char *name; /* not NUL-terminated in general: use name_len */
	size_t name_len;  /* without the trailing NUL */
	const void *data;
	size_t size;
	uint32_t mode;
};

enum cpio_error {
	CPIO_OK = 0,
	CPIO_END,        /* the "TRAILER!!!" entry, or cpio_find found no such file */
	CPIO_EMAGIC,     /* not a newc header */
	CPIO_EHEADER,    /* a field that is not hex, or a malformed name */
	CPIO_ETRUNCATED, /* an entry runs past the end of the archive */
	CPIO_ERROR_COUNT
};

/*
 * Reads the entry at *cursor (start with 0) and advances it; CPIO_END at
 * "TRAILER!!!". On anything but CPIO_OK, *cursor and *out are left alone.
 */
enum cpio_error cpio_next(const void *archive, size_t size, size_t *cursor, struct cpio_file *out);

/*
 * Finds the regular file named `name` (exact match; a leading "./" in archive
 * names is ignored). CPIO_END if there is none; an error if the archive is
 * malformed before the file is reached.
 */
enum cpio_error cpio_find(const void *archive, size_t size, const char *name,
                          struct cpio_file *out);

const char *cpio_strerror(enum cpio_error err);

#endif
