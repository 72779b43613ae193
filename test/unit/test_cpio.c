/*
 * Unit tests of the newc cpio reader. Most archives are built here, header
 * field by header field, so that every value can be varied; one archive made
 * by GNU cpio checks that the builder writes what the real tool writes and
 * that the reader reads it.
 *
 * Archives handed to the reader are copied into heap blocks of exactly their
 * size, so AddressSanitizer reports any read past the end.
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

#include <fv/cpio.h>
#include <fv/util.h>

#define HEADER_SIZE  110
#define ARCHIVE_CAP  8192
#define MODE_FILE    0100644u
#define MODE_EXEC    0100755u
#define MODE_DIR     0040755u
#define MODE_SYMLINK 0120777u
#define MODE_CHARDEV 0020600u

/* The 13 header fields after the magic, in archive order. */
enum field {
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
	FIELD_COUNT
};

/*
 * Made with GNU cpio 2.13 from a file "a" holding "hello\n" and a file
 * "sub/b" holding "xyz":  printf 'a\nsub/b\n' | cpio -o -H newc
 */
static const unsigned char gnu_cpio_archive[] = {
    0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x41, 0x37, 0x32, 0x32, 0x36, 0x45, 0x30, 0x30,
    0x30, 0x30, 0x38, 0x31, 0x41, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x36, 0x42,
    0x30, 0x37, 0x31, 0x34, 0x35, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x36, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x46, 0x45, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x32, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x61, 0x00,
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x00, 0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30,
    0x41, 0x37, 0x32, 0x32, 0x36, 0x46, 0x30, 0x30, 0x30, 0x30, 0x38, 0x31, 0x41, 0x34, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x36, 0x42, 0x30, 0x37, 0x31, 0x34, 0x35, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x33, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x46, 0x45, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x36, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x73, 0x75, 0x62, 0x2f, 0x62, 0x00, 0x78, 0x79, 0x7a, 0x00,
    0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x42, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x54, 0x52,
    0x41, 0x49, 0x4c, 0x45, 0x52, 0x21, 0x21, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

struct archive {
	uint8_t buf[ARCHIVE_CAP];
	size_t len;
	uint32_t next_ino;
};

static void put(struct archive *a, const void *bytes, size_t n)
{
	assert_true(n <= ARCHIVE_CAP - a->len);
	if (n)
		memcpy(a->buf + a->len, bytes, n);
	a->len += n;
}

static void pad_to(struct archive *a, size_t align)
{
	while (a->len % align)
		put(a, "", 1);
}

static void put_header(struct archive *a, const char *magic, const uint32_t fields[FIELD_COUNT])
{
	char text[HEADER_SIZE + 1];
	memcpy(text, magic, 6);
	int n = 6;
	for (int i = 0; i < FIELD_COUNT; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%08X", fields[i]);
	assert_int_equal(n, HEADER_SIZE);
	put(a, text, HEADER_SIZE);
}

/* An entry whose header fields, name bytes and data bytes are all given as they are. */
static void add_raw(struct archive *a, const char *magic, const uint32_t fields[FIELD_COUNT],
                    const void *name, size_t name_bytes, const void *data, size_t data_bytes)
{
	put_header(a, magic, fields);
	put(a, name, name_bytes);
	pad_to(a, 4);
	put(a, data, data_bytes);
	pad_to(a, 4);
}

/* The header fields of a well-formed entry, for tests to alter before add_raw. */
static void entry_fields(struct archive *a, uint32_t fields[FIELD_COUNT], const char *name,
                         uint32_t mode, size_t size)
{
	memset(fields, 0, FIELD_COUNT * sizeof(fields[0]));
	fields[F_INO] = ++a->next_ino;
	fields[F_MODE] = mode;
	fields[F_NLINK] = 1;
	fields[F_FILESIZE] = (uint32_t)size;
	fields[F_NAMESIZE] = (uint32_t)strlen(name) + 1;
}

static void add_entry(struct archive *a, const char *name, uint32_t mode, const void *data,
                      size_t size)
{
	uint32_t fields[FIELD_COUNT];
	entry_fields(a, fields, name, mode, size);
	add_raw(a, "070701", fields, name, strlen(name) + 1, data, size);
}

static void add_file(struct archive *a, const char *name, const char *text)
{
	add_entry(a, name, MODE_FILE, text, strlen(text));
}

static void add_dir(struct archive *a, const char *name)
{
	add_entry(a, name, MODE_DIR, NULL, 0);
}

static void add_trailer(struct archive *a)
{
	uint32_t fields[FIELD_COUNT] = {[F_NLINK] = 1, [F_NAMESIZE] = 11};
	add_raw(a, "070701", fields, "TRAILER!!!", 11, NULL, 0);
}

static struct archive *new_archive(void)
{
	struct archive *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	return a;
}

/* A heap copy of exactly `len` bytes (at least one byte is allocated, never read). */
static uint8_t *exact_copy(const void *bytes, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, bytes, len);
	return copy;
}

static bool name_is(const struct cpio_file *f, const char *name)
{
	return f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0;
}

static bool data_is(const struct cpio_file *f, const char *text)
{
	return f->size == strlen(text) && memcmp(f->data, text, f->size) == 0;
}

/* Reads the next entry and checks it is the file `name` holding `text`. */
static void expect_next(const uint8_t *buf, size_t len, size_t *cursor, const char *name,
                        uint32_t mode, const char *text)
{
	struct cpio_file f;
	assert_int_equal(cpio_next(buf, len, cursor, &f), CPIO_OK);
	if (!name_is(&f, name))
		fail_msg("expected \"%s\", got \"%.*s\"", name, (int)f.name_len, f.name);
	assert_int_equal(f.mode, mode);
	assert_true(data_is(&f, text));
}

static void expect_end(const uint8_t *buf, size_t len, size_t *cursor)
{
	struct cpio_file f;
	size_t before = *cursor;
	assert_int_equal(cpio_next(buf, len, cursor, &f), CPIO_END);
	assert_int_equal(*cursor, before);
}

/* cpio_next fails with `want` and leaves the cursor and the output alone. */
static void expect_error(const uint8_t *buf, size_t len, size_t *cursor, enum cpio_error want)
{
	struct cpio_file f, untouched;
	memset(&f, 0xa5, sizeof(f));
	memcpy(&untouched, &f, sizeof(f));
	size_t before = *cursor;
	assert_int_equal(cpio_next(buf, len, cursor, &f), want);
	assert_int_equal(*cursor, before);
	assert_memory_equal(&f, &untouched, sizeof(f));
}

static void expect_find(const uint8_t *buf, size_t len, const char *name, const char *text)
{
	struct cpio_file f;
	assert_int_equal(cpio_find(buf, len, name, &f), CPIO_OK);
	assert_true(data_is(&f, text));
}

static void expect_not_found(const uint8_t *buf, size_t len, const char *name, enum cpio_error want)
{
	struct cpio_file f;
	assert_int_equal(cpio_find(buf, len, name, &f), want);
}

static void test_strerror_names_every_error(void **state)
{
	(void)state;
	for (int i = 0; i < CPIO_ERROR_COUNT; i++) {
		const char *text = cpio_strerror((enum cpio_error)i);
		assert_non_null(text);
		assert_true(strlen(text) > 0);
		assert_string_not_equal(text, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(text, cpio_strerror((enum cpio_error)j));
	}
	assert_string_equal(cpio_strerror(CPIO_ERROR_COUNT), "unknown error");
	assert_string_equal(cpio_strerror((enum cpio_error) - 1), "unknown error");
}

static void test_reads_gnu_cpio_archive(void **state)
{
	(void)state;
	size_t len = sizeof(gnu_cpio_archive);
	uint8_t *buf = exact_copy(gnu_cpio_archive, len);
	size_t cursor = 0;
	expect_next(buf, len, &cursor, "a", MODE_FILE, "hello\n");
	assert_int_equal(cursor, 120);
	expect_next(buf, len, &cursor, "sub/b", MODE_FILE, "xyz");
	assert_int_equal(cursor, 240);
	expect_end(buf, len, &cursor);
	expect_end(buf, len, &cursor);
	expect_find(buf, len, "a", "hello\n");
	expect_find(buf, len, "sub/b", "xyz");
	expect_not_found(buf, len, "b", CPIO_END);
	expect_not_found(buf, len, "sub", CPIO_END);
	expect_not_found(buf, len, "TRAILER!!!", CPIO_END);
	free(buf);
}

/* The builder, given GNU cpio's field values, writes the very same bytes. */
static void test_builder_matches_gnu_cpio(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	uint32_t fields[FIELD_COUNT] = {
	    [F_INO] = 0xa7226e, [F_MODE] = MODE_FILE, [F_NLINK] = 1,    [F_MTIME] = 0x6b071451,
	    [F_FILESIZE] = 6,   [F_DEVMAJOR] = 0xfe,  [F_NAMESIZE] = 2,
	};
	add_raw(a, "070701", fields, "a", 2, "hello\n", 6);
	fields[F_INO]++;
	fields[F_FILESIZE] = 3;
	fields[F_NAMESIZE] = 6;
	add_raw(a, "070701", fields, "sub/b", 6, "xyz", 3);
	add_trailer(a);
	pad_to(a, 512);
	assert_int_equal(a->len, sizeof(gnu_cpio_archive));
	assert_memory_equal(a->buf, gnu_cpio_archive, a->len);
	free(a);
}

static void test_several_files_in_order(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_dir(a, ".");
	add_dir(a, "bin");
	add_entry(a, "bin/init", MODE_EXEC,
	          "\x7f"
	          "ELF",
	          4);
	add_entry(a, "bin/sh", MODE_SYMLINK, "init", 4);
	add_entry(a, "dev/console", MODE_CHARDEV, NULL, 0);
	add_file(a, "etc/motd", "welcome\n");
	add_trailer(a);
	uint8_t *buf = exact_copy(a->buf, a->len);
	size_t cursor = 0;
	expect_next(buf, a->len, &cursor, ".", MODE_DIR, "");
	expect_next(buf, a->len, &cursor, "bin", MODE_DIR, "");
	expect_next(buf, a->len, &cursor, "bin/init", MODE_EXEC,
	            "\x7f"
	            "ELF");
	expect_next(buf, a->len, &cursor, "bin/sh", MODE_SYMLINK, "init");
	expect_next(buf, a->len, &cursor, "dev/console", MODE_CHARDEV, "");
	expect_next(buf, a->len, &cursor, "etc/motd", MODE_FILE, "welcome\n");
	expect_end(buf, a->len, &cursor);
	expect_find(buf, a->len, "bin/init",
	            "\x7f"
	            "ELF");
	expect_find(buf, a->len, "etc/motd", "welcome\n");
	expect_not_found(buf, a->len, "bin/sh", CPIO_END);
	expect_not_found(buf, a->len, "dev/console", CPIO_END);
	expect_not_found(buf, a->len, "bin", CPIO_END);
	expect_not_found(buf, a->len, "bin/ini", CPIO_END);
	expect_not_found(buf, a->len, "bin/init2", CPIO_END);
	expect_not_found(buf, a->len, "", CPIO_END);
	free(buf);
	free(a);
}

/* A directory, a symlink and a device of the same name come first; find skips them. */
static void test_find_returns_only_regular_files(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_dir(a, "x");
	add_entry(a, "x", MODE_SYMLINK, "target", 6);
	add_entry(a, "x", MODE_CHARDEV, NULL, 0);
	add_entry(a, "x", 0, "typeless", 8);
	add_file(a, "x", "regular");
	add_file(a, "x", "second copy");
	add_trailer(a);
	expect_find(a->buf, a->len, "x", "regular");
	free(a);
}

static void test_dot_slash_prefix_is_ignored(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_dir(a, ".");
	add_dir(a, "./etc");
	add_file(a, "./init", "init");
	add_file(a, "./etc/rc", "rc");
	add_file(a, ".profile", "profile");
	add_file(a, "plain", "plain");
	add_trailer(a);
	expect_find(a->buf, a->len, "init", "init");
	expect_find(a->buf, a->len, "etc/rc", "rc");
	expect_find(a->buf, a->len, ".profile", "profile");
	expect_find(a->buf, a->len, "plain", "plain");
	expect_not_found(a->buf, a->len, "profile", CPIO_END);
	expect_not_found(a->buf, a->len, "/init", CPIO_END);
	expect_not_found(a->buf, a->len, "etc", CPIO_END);
	/* The entry itself keeps its name as stored. */
	size_t cursor = 0;
	expect_next(a->buf, a->len, &cursor, ".", MODE_DIR, "");
	expect_next(a->buf, a->len, &cursor, "./etc", MODE_DIR, "");
	expect_next(a->buf, a->len, &cursor, "./init", MODE_FILE, "init");
	free(a);
}

static void test_empty_files_and_one_letter_names(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "e", "");
	add_file(a, "f", "1");
	add_file(a, "g", "");
	add_trailer(a);
	uint8_t *buf = exact_copy(a->buf, a->len);
	size_t cursor = 0;
	struct cpio_file f;
	assert_int_equal(cpio_next(buf, a->len, &cursor, &f), CPIO_OK);
	assert_true(name_is(&f, "e"));
	assert_int_equal(f.size, 0);
	/* 110 + 2 rounds up to 112; an empty file takes no space after that. */
	assert_ptr_equal(f.data, buf + 112);
	assert_int_equal(cursor, 112);
	expect_next(buf, a->len, &cursor, "f", MODE_FILE, "1");
	assert_int_equal(cursor, 228);
	expect_next(buf, a->len, &cursor, "g", MODE_FILE, "");
	expect_end(buf, a->len, &cursor);
	expect_find(buf, a->len, "e", "");
	expect_find(buf, a->len, "f", "1");
	expect_find(buf, a->len, "g", "");
	free(buf);
	free(a);
}

static size_t round_up4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* Name and data lengths in every residue modulo 4: offsets follow from the format alone. */
static void test_padding_for_every_length(void **state)
{
	(void)state;
	static const char letters[] = "abcdefghij";
	for (size_t name_len = 1; name_len <= 9; name_len++) {
		for (size_t size = 0; size <= 9; size++) {
			char name[16];
			memcpy(name, letters, name_len);
			name[name_len] = '\0';
			struct archive *a = new_archive();
			add_entry(a, name, MODE_FILE, letters, size);
			add_file(a, "z", "tail");
			add_trailer(a);
			uint8_t *buf = exact_copy(a->buf, a->len);
			size_t cursor = 0;
			struct cpio_file f;
			assert_int_equal(cpio_next(buf, a->len, &cursor, &f), CPIO_OK);
			size_t data_at = round_up4(HEADER_SIZE + name_len + 1);
			assert_ptr_equal(f.name, buf + HEADER_SIZE);
			assert_int_equal(f.name_len, name_len);
			assert_ptr_equal(f.data, buf + data_at);
			assert_int_equal(f.size, size);
			assert_int_equal(cursor, round_up4(data_at + size));
			expect_next(buf, a->len, &cursor, "z", MODE_FILE, "tail");
			expect_end(buf, a->len, &cursor);
			free(buf);
			free(a);
		}
	}
}

/* The trailer may end the buffer without padding; a file may not. */
static void test_unpadded_end(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_trailer(a);
	size_t cursor = 0;
	uint8_t *buf = exact_copy(a->buf, HEADER_SIZE + 11);
	expect_end(buf, HEADER_SIZE + 11, &cursor);
	free(buf);

	/* "ab" + NUL ends at 113: the data would start at 116, after the buffer. */
	a->len = 0;
	add_file(a, "ab", "");
	buf = exact_copy(a->buf, 113);
	expect_error(buf, 113, &cursor, CPIO_ETRUNCATED);
	free(buf);
	buf = exact_copy(a->buf, 116);
	expect_next(buf, 116, &cursor, "ab", MODE_FILE, "");
	assert_int_equal(cursor, 116);
	free(buf);

	/* Five data bytes end at 121; their padding runs to 124. */
	a->len = 0;
	add_file(a, "abc", "12345");
	assert_int_equal(a->len, 124);
	cursor = 0;
	buf = exact_copy(a->buf, 121);
	expect_error(buf, 121, &cursor, CPIO_ETRUNCATED);
	free(buf);
	buf = exact_copy(a->buf, 123);
	expect_error(buf, 123, &cursor, CPIO_ETRUNCATED);
	free(buf);
	free(a);
}

static void test_missing_trailer_is_truncated(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "a", "1");
	add_file(a, "b", "22");
	uint8_t *buf = exact_copy(a->buf, a->len);
	size_t cursor = 0;
	expect_next(buf, a->len, &cursor, "a", MODE_FILE, "1");
	expect_next(buf, a->len, &cursor, "b", MODE_FILE, "22");
	assert_int_equal(cursor, a->len);
	expect_error(buf, a->len, &cursor, CPIO_ETRUNCATED);
	expect_find(buf, a->len, "b", "22");
	expect_not_found(buf, a->len, "c", CPIO_ETRUNCATED);
	free(buf);
	expect_not_found(NULL, 0, "a", CPIO_ETRUNCATED);
	free(a);
}

struct walk {
	unsigned entries;
	enum cpio_error last;
};

/* Walks the whole archive, checking each entry is the same as in `full` at the same place. */
static struct walk walk_prefix(const uint8_t *buf, size_t len, const uint8_t *full)
{
	struct walk w = {0};
	size_t cursor = 0;
	struct cpio_file f;
	while ((w.last = cpio_next(buf, len, &cursor, &f)) == CPIO_OK) {
		struct cpio_file want;
		size_t full_cursor = (size_t)((const uint8_t *)f.name - buf) - HEADER_SIZE;
		assert_int_equal(cpio_next(full, ARCHIVE_CAP, &full_cursor, &want), CPIO_OK);
		assert_int_equal(full_cursor, cursor);
		assert_int_equal(f.name_len, want.name_len);
		assert_int_equal(f.size, want.size);
		assert_memory_equal(f.name, want.name, f.name_len);
		assert_memory_equal(f.data, want.data, f.size);
		w.entries++;
	}
	return w;
}

/* Every prefix of a valid archive: the entries that fit, then END only if the trailer fits. */
static void check_every_truncation(const uint8_t *archive, size_t full_len, size_t trailer_end)
{
	uint8_t *full = calloc(1, ARCHIVE_CAP);
	assert_non_null(full);
	memcpy(full, archive, full_len);
	for (size_t len = 0; len <= full_len; len++) {
		uint8_t *buf = exact_copy(archive, len);
		struct walk w = walk_prefix(buf, len, full);
		assert_int_equal(w.last, len >= trailer_end ? CPIO_END : CPIO_ETRUNCATED);
		free(buf);
	}
	free(full);
}

static void test_every_truncation_of_gnu_archive(void **state)
{
	(void)state;
	check_every_truncation(gnu_cpio_archive, sizeof(gnu_cpio_archive), 240 + HEADER_SIZE + 11);
}

static void test_every_truncation_of_built_archive(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_dir(a, ".");
	add_file(a, "./x", "");
	add_file(a, "yy", "0123456789");
	add_file(a, "zzz", "ab");
	size_t trailer_at = a->len;
	add_trailer(a);
	check_every_truncation(a->buf, a->len, trailer_at + HEADER_SIZE + 11);
	free(a);
}

static void test_bad_magic(void **state)
{
	(void)state;
	static const char *const magics[] = {"070700",
	                                     "070703",
	                                     "070707",
	                                     "0707O1",
	                                     "170701",
	                                     "07070 ",
	                                     "\0"
	                                     "70701"};
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
		struct archive *a = new_archive();
		uint32_t fields[FIELD_COUNT];
		entry_fields(a, fields, "a", MODE_FILE, 1);
		add_raw(a, magics[i], fields, "a", 2, "1", 1);
		add_trailer(a);
		size_t cursor = 0;
		expect_error(a->buf, a->len, &cursor, CPIO_EMAGIC);
		expect_not_found(a->buf, a->len, "a", CPIO_EMAGIC);
		free(a);
	}
	/* Too short for a header, but already not one. */
	size_t cursor = 0;
	expect_error((const uint8_t *)"07071", 5, &cursor, CPIO_EMAGIC);
	expect_error((const uint8_t *)"x", 1, &cursor, CPIO_EMAGIC);
	/* A short tail that could still be a header is a truncation instead. */
	expect_error((const uint8_t *)"07070", 5, &cursor, CPIO_ETRUNCATED);
	expect_error((const uint8_t *)"070702", 6, &cursor, CPIO_ETRUNCATED);
}

/* Garbage after a good entry is reported at that entry, not earlier. */
static void test_bad_magic_after_good_entry(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "a", "1");
	size_t good_end = a->len;
	put(a, "garbage garbage garbage garbage", 31);
	size_t cursor = 0;
	expect_next(a->buf, a->len, &cursor, "a", MODE_FILE, "1");
	assert_int_equal(cursor, good_end);
	expect_error(a->buf, a->len, &cursor, CPIO_EMAGIC);
	expect_find(a->buf, a->len, "a", "1");
	expect_not_found(a->buf, a->len, "b", CPIO_EMAGIC);
	free(a);
}

static void test_crc_format_checksum_is_ignored(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	uint32_t fields[FIELD_COUNT];
	entry_fields(a, fields, "crc", MODE_FILE, 3);
	fields[F_CHECK] = 0xdeadbeef;
	add_raw(a, "070702", fields, "crc", 4, "abc", 3);
	entry_fields(a, fields, "plain", MODE_FILE, 1);
	fields[F_CHECK] = 0x12345678;
	add_raw(a, "070701", fields, "plain", 6, "p", 1);
	add_trailer(a);
	size_t cursor = 0;
	expect_next(a->buf, a->len, &cursor, "crc", MODE_FILE, "abc");
	expect_next(a->buf, a->len, &cursor, "plain", MODE_FILE, "p");
	expect_end(a->buf, a->len, &cursor);
	free(a);
}

/* Offset of field `i` in a header. */
static size_t field_at(int i)
{
	return 6 + (size_t)i * 8;
}

static void test_lowercase_hex_is_accepted(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	uint32_t fields[FIELD_COUNT];
	entry_fields(a, fields, "lower", MODE_FILE, 0xb);
	fields[F_UID] = 0xabcdef;
	add_raw(a, "070701", fields, "lower", 6, "hello world", 11);
	add_trailer(a);
	for (int i = 0; i < FIELD_COUNT; i++)
		for (size_t j = field_at(i); j < field_at(i + 1); j++)
			if (a->buf[j] >= 'A' && a->buf[j] <= 'F')
				a->buf[j] = (uint8_t)(a->buf[j] - 'A' + 'a');
	assert_memory_equal(a->buf + field_at(F_MODE), "000081a4", 8);
	assert_memory_equal(a->buf + field_at(F_FILESIZE), "0000000b", 8);
	size_t cursor = 0;
	struct cpio_file f;
	assert_int_equal(cpio_next(a->buf, a->len, &cursor, &f), CPIO_OK);
	assert_int_equal(f.mode, MODE_FILE);
	assert_true(data_is(&f, "hello world"));
	free(a);
}

static void test_non_hex_digit_in_any_field(void **state)
{
	(void)state;
	static const char bad[] = {'g', 'G', 'x', ' ', '-', '+', '\0', '/', ':', '@', '`'};
	struct archive *a = new_archive();
	add_file(a, "a", "1");
	add_trailer(a);
	for (int i = 0; i < FIELD_COUNT; i++) {
		for (size_t j = field_at(i); j < field_at(i + 1); j++) {
			for (size_t k = 0; k < sizeof(bad); k++) {
				uint8_t saved = a->buf[j];
				a->buf[j] = (uint8_t)bad[k];
				size_t cursor = 0;
				expect_error(a->buf, a->len, &cursor, CPIO_EHEADER);
				expect_not_found(a->buf, a->len, "a", CPIO_EHEADER);
				a->buf[j] = saved;
			}
		}
	}
	size_t cursor = 0;
	expect_next(a->buf, a->len, &cursor, "a", MODE_FILE, "1");
	free(a);
}

static void test_namesize_zero(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	uint32_t fields[FIELD_COUNT];
	entry_fields(a, fields, "a", MODE_FILE, 0);
	fields[F_NAMESIZE] = 0;
	add_raw(a, "070701", fields, "a", 2, NULL, 0);
	add_trailer(a);
	size_t cursor = 0;
	expect_error(a->buf, a->len, &cursor, CPIO_EHEADER);
	free(a);
}

/* namesize must cover the name and exactly one NUL, the last byte. */
static void test_name_without_terminating_nul(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t namesize;
		enum cpio_error want;
	} names[] = {
	    {"abcd", 4, CPIO_EHEADER},            /* no NUL at all */
	    {"ab\0d", 4, CPIO_EHEADER},           /* a NUL, but not the last byte */
	    {"a\0\0\0", 4, CPIO_EHEADER},         /* padding counted into the name */
	    {"TRAILER!!!", 10, CPIO_EHEADER},     /* not the trailer without its NUL */
	    {"TRAILER!!!\0\0", 12, CPIO_EHEADER}, /* nor with two */
	    {"\0", 1, CPIO_OK},                   /* an empty name is well-formed */
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct archive *a = new_archive();
		uint32_t fields[FIELD_COUNT];
		entry_fields(a, fields, "", MODE_FILE, 0);
		fields[F_NAMESIZE] = (uint32_t)names[i].namesize;
		add_raw(a, "070701", fields, names[i].bytes, names[i].namesize, NULL, 0);
		add_trailer(a);
		size_t cursor = 0;
		struct cpio_file f;
		enum cpio_error err = cpio_next(a->buf, a->len, &cursor, &f);
		if (err != names[i].want)
			fail_msg("name %zu: got %s", i, cpio_strerror(err));
		if (err == CPIO_OK)
			assert_int_equal(f.name_len, 0);
		free(a);
	}
}

/* Size fields far beyond the buffer, up to the largest 32-bit values. */
static void test_sizes_past_the_end(void **state)
{
	(void)state;
	static const uint32_t huge[] = {0xffffffff, 0xfffffffe, 0xfffffffc, 0x80000000,
	                                0x7fffffff, 0x10000,    0x1000,     200};
	for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
		struct archive *a = new_archive();
		uint32_t fields[FIELD_COUNT];
		entry_fields(a, fields, "a", MODE_FILE, 4);
		fields[F_FILESIZE] = huge[i];
		add_raw(a, "070701", fields, "a", 2, "data", 4);
		add_trailer(a);
		size_t cursor = 0;
		expect_error(a->buf, a->len, &cursor, CPIO_ETRUNCATED);
		expect_not_found(a->buf, a->len, "a", CPIO_ETRUNCATED);

		a->len = 0;
		entry_fields(a, fields, "a", MODE_FILE, 4);
		fields[F_NAMESIZE] = huge[i];
		add_raw(a, "070701", fields, "a", 2, "data", 4);
		add_trailer(a);
		expect_error(a->buf, a->len, &cursor, CPIO_ETRUNCATED);
		free(a);
	}
}

/* File sizes around the exact end of the buffer. */
static void test_file_size_at_the_boundary(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "abc", "12345678");
	assert_int_equal(a->len, 124);
	uint32_t size;
	for (size = 0; size <= 12; size++) {
		char text[9];
		snprintf(text, sizeof(text), "%08X", size);
		memcpy(a->buf + field_at(F_FILESIZE), text, 8);
		size_t cursor = 0;
		struct cpio_file f;
		enum cpio_error err = cpio_next(a->buf, a->len, &cursor, &f);
		/* Data starts at 116: up to 8 bytes, padded, fit in 124. */
		assert_int_equal(err, size <= 8 ? CPIO_OK : CPIO_ETRUNCATED);
		if (err == CPIO_OK)
			assert_int_equal(cursor, round_up4(116 + size));
	}
	free(a);
}

static void test_cursor_outside_archive(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "a", "1");
	add_trailer(a);
	const size_t cursors[] = {a->len + 1, a->len + 4, SIZE_MAX - 3, SIZE_MAX - 109, SIZE_MAX};
	for (size_t i = 0; i < ARRAY_SIZE(cursors); i++) {
		size_t cursor = cursors[i];
		expect_error(a->buf, a->len, &cursor, CPIO_ETRUNCATED);
	}
	/* A cursor in the middle of an entry reads whatever is there as a header. */
	size_t cursor = 4;
	expect_error(a->buf, a->len, &cursor, CPIO_EMAGIC);
	free(a);
}

/* Padding is relative to the archive, not to memory: any base address reads the same. */
static void test_unaligned_archive(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_file(a, "ab", "odd");
	add_file(a, "c", "12345");
	add_trailer(a);
	for (size_t shift = 0; shift < 8; shift++) {
		uint8_t *block = malloc(a->len + shift);
		assert_non_null(block);
		memcpy(block + shift, a->buf, a->len);
		const uint8_t *buf = block + shift;
		size_t cursor = 0;
		expect_next(buf, a->len, &cursor, "ab", MODE_FILE, "odd");
		expect_next(buf, a->len, &cursor, "c", MODE_FILE, "12345");
		expect_end(buf, a->len, &cursor);
		free(block);
	}
	free(a);
}

/* xorshift64*: a fixed seed makes every run test the same mutants. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void mutate(uint8_t *buf, size_t len, uint64_t *rng)
{
	static const uint8_t interesting[] = {'0', '1', '7', '8', 'f', 'F', 'g', 0, 0xff, '!'};
	unsigned count = 1 + (unsigned)(rng_next(rng) % 4);
	for (unsigned i = 0; i < count; i++) {
		size_t at = (size_t)(rng_next(rng) % len);
		uint64_t r = rng_next(rng);
		if (r % 3 == 0)
			buf[at] = (uint8_t)(r >> 8);
		else
			buf[at] = interesting[(r >> 8) % sizeof(interesting)];
	}
}

/* What the reader may return from any input: names and data inside it, a cursor that advances. */
static void check_entry(const uint8_t *buf, size_t len, const struct cpio_file *f)
{
	uintptr_t lo = (uintptr_t)buf, hi = lo + len;
	uintptr_t name = (uintptr_t)f->name, data = (uintptr_t)f->data;
	assert_true(name >= lo && name < hi && f->name_len < hi - name);
	assert_int_equal(f->name[f->name_len], '\0');
	assert_null(memchr(f->name, '\0', f->name_len));
	assert_true(data >= lo && data <= hi && f->size <= hi - data);
	assert_true(name + f->name_len < data);
}

static enum cpio_error walk_mutant(const uint8_t *buf, size_t len)
{
	size_t cursor = 0;
	struct cpio_file f;
	enum cpio_error err;
	while ((err = cpio_next(buf, len, &cursor, &f)) == CPIO_OK) {
		check_entry(buf, len, &f);
		size_t entry_at = (size_t)((const uint8_t *)f.name - buf) - HEADER_SIZE;
		assert_true(cursor > entry_at && cursor <= len && cursor % 4 == 0);
	}
	assert_true(err > CPIO_OK && err < CPIO_ERROR_COUNT);
	return err;
}

static void test_mutated_archives(void **state)
{
	(void)state;
	struct archive *a = new_archive();
	add_dir(a, ".");
	add_file(a, "./init", "#!/bin/sh\necho hi\n");
	add_file(a, "a", "");
	add_file(a, "bb", "1234");
	add_entry(a, "link", MODE_SYMLINK, "a", 1);
	add_trailer(a);
	pad_to(a, 512);
	unsigned seen[CPIO_ERROR_COUNT] = {0};
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 50000; i++) {
		size_t len = a->len;
		if (rng_next(&rng) % 8 == 0)
			len = (size_t)(rng_next(&rng) % (a->len + 1));
		uint8_t *buf = exact_copy(a->buf, len);
		if (len)
			mutate(buf, len, &rng);
		seen[walk_mutant(buf, len)]++;
		struct cpio_file f;
		enum cpio_error err = cpio_find(buf, len, "init", &f);
		if (err == CPIO_OK)
			check_entry(buf, len, &f);
		seen[err]++;
		free(buf);
	}
	for (int e = CPIO_OK; e < CPIO_ERROR_COUNT; e++)
		if (seen[e] == 0)
			fail_msg("no mutant gave %s", cpio_strerror((enum cpio_error)e));
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strerror_names_every_error),
	    cmocka_unit_test(test_reads_gnu_cpio_archive),
	    cmocka_unit_test(test_builder_matches_gnu_cpio),
	    cmocka_unit_test(test_several_files_in_order),
	    cmocka_unit_test(test_find_returns_only_regular_files),
	    cmocka_unit_test(test_dot_slash_prefix_is_ignored),
	    cmocka_unit_test(test_empty_files_and_one_letter_names),
	    cmocka_unit_test(test_padding_for_every_length),
	    cmocka_unit_test(test_unpadded_end),
	    cmocka_unit_test(test_missing_trailer_is_truncated),
	    cmocka_unit_test(test_every_truncation_of_gnu_archive),
	    cmocka_unit_test(test_every_truncation_of_built_archive),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test(test_bad_magic_after_good_entry),
	    cmocka_unit_test(test_crc_format_checksum_is_ignored),
	    cmocka_unit_test(test_lowercase_hex_is_accepted),
	    cmocka_unit_test(test_non_hex_digit_in_any_field),
	    cmocka_unit_test(test_namesize_zero),
	    cmocka_unit_test(test_name_without_terminating_nul),
	    cmocka_unit_test(test_sizes_past_the_end),
	    cmocka_unit_test(test_file_size_at_the_boundary),
	    cmocka_unit_test(test_cursor_outside_archive),
	    cmocka_unit_test(test_unaligned_archive),
	    cmocka_unit_test(test_mutated_archives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
