/*
 * The system description in the boot archive (system.conf): which guests the
 * root task starts. The host tool fvconfig writes it from the YAML system
 * configuration, which it has checked; the root task checks it again, since
 * nothing it reads may crash it. One guest per block:
 *
 *     # comment
 *     guest alpha                  starts a block: [a-z0-9-], 1..31 bytes, unique
 *     vcpus 1                      1..SYSTEM_MAX_VCPUS
 *     memory 134217728             bytes, a non-zero multiple of 2 MiB
 *     kernel guest-alpha.kernel    a file of the archive (required)
 *     initrd guest-alpha.initrd    a file of the archive (optional)
 *     cmdline console=ttyS0 quiet  the rest of the line (optional)
 *     on_fault restart             stop (the default) or restart (optional)
 *     end
 *
 * Portable C11 (no allocation) so that it is unit-tested and fuzzed on the host.
 */
#ifndef ROOT_SYSTEM_H
#define ROOT_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#define SYSTEM_FILE        "system.conf"
#define SYSTEM_MAX_GUESTS  8
#define SYSTEM_MAX_VCPUS   8
#define SYSTEM_NAME_MAX    31
#define SYSTEM_FILE_MAX    63
#define SYSTEM_CMDLINE_MAX 1023
#define SYSTEM_RAM_BLOCK   (2ull << 20)
#define SYSTEM_MAX_MEMORY  (64ull << 30)

struct system_guest {
	char name[SYSTEM_NAME_MAX + 1];
	unsigned vcpus;
	uint64_t memory;
	char kernel[SYSTEM_FILE_MAX + 1];
	char initrd[SYSTEM_FILE_MAX + 1]; /* "" when there is none */
	char cmdline[SYSTEM_CMDLINE_MAX + 1];
	int restart_on_fault; /* on_fault restart: a guest fault restarts the guest */
};

struct system_desc {
	unsigned count;
	struct system_guest guests[SYSTEM_MAX_GUESTS];
};

/*
 * Parses len bytes of text (no byte at or past len is read). Returns 0, or
 * -1 with a message naming the line in err[0..err_size) and *out emptied.
 */
int system_parse(const char *text, size_t len, struct system_desc *out, char *err, size_t err_size);

/* True if `name` is a guest name: [a-z0-9-], 1..SYSTEM_NAME_MAX bytes. */
int system_name_valid(const char *name);

#endif
