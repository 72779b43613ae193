/*
 * The system configuration: which guests the boot image holds, read from a
 * small, strict subset of YAML.
 *
 *     # comment
 *     guests:
 *       - name: alpha                  # [a-z][a-z0-9-]{0,30}, unique
 *         vcpus: 1                     # 1 to 8
 *         memory: 256M                 # <n> MiB, or <n>K, <n>M, <n>G
 *         kernel: ${FV_CACHE}/riscv64/Image   # ${NAME}: a variable (config_expand_paths)
 *         initrd: build/guest/initramfs.cpio       # optional
 *         command_line: "console=ttyS0 earlycon"   # optional, at most 1023 bytes
 *         on_fault: restart            # optional: stop (the default) or restart the guest when
 *                                      # it touches memory it does not own
 *
 * The subset: one top-level mapping whose only key is `guests`, a block
 * sequence of 1 to 8 mappings with the keys above; scalars plain,
 * 'single-quoted' ('' is a quote) or "double-quoted" (escapes \" \\ \n \t).
 * Indentation is by spaces; a tab outside a quoted scalar is an error. A
 * comment starts at a `#` at the start of a line or after a space; a `#`
 * glued to a plain scalar is an error rather than a guess. CRLF line ends and
 * a UTF-8 byte-order mark are accepted. Flow collections, anchors, aliases,
 * tags, directives, document markers, block scalars, multi-line scalars,
 * quoted keys and null values are errors, so that whatever is accepted has
 * the same structure for a full YAML 1.2 parser.
 *
 * The parser is portable C11 with no allocation: it is meant for host tools
 * and must not trust its input (see test/fuzz/fuzz_fvconfig.c).
 */
#ifndef FVCONFIG_H
#define FVCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_GUESTS     8
#define CONFIG_NAME_MAX       31   /* bytes of a guest name */
#define CONFIG_PATH_MAX       255  /* bytes of a kernel or initrd path */
#define CONFIG_CMDLINE_MAX    1023 /* bytes of a command line */
#define CONFIG_FILE_NAME_MAX  127  /* bytes of a file name kept for messages */
#define CONFIG_MESSAGE_MAX    159
#define CONFIG_MIN_VCPUS      1
#define CONFIG_MAX_VCPUS      8
#define CONFIG_MAX_FILE_BYTES (1024u * 1024u)

#define CONFIG_MIB              (UINT64_C(1024) * 1024)
#define CONFIG_MIN_MEMORY       (16 * CONFIG_MIB)
#define CONFIG_MAX_MEMORY       (64 * 1024 * CONFIG_MIB)
#define CONFIG_MEMORY_ALIGNMENT (2 * CONFIG_MIB) /* guests are mapped with 2 MiB pages */

/*
 * What the machine needs besides the guests' own memory (config_check_fit):
 * a fixed reserve for the firmware (the 2 MiB below the kernel), the kernel
 * image, its page tables and objects, the root task and the servers; and per
 * guest, its VMM server, stage-2 page tables and virtio queues.
 */
#define CONFIG_RESERVE_BYTES        (64 * CONFIG_MIB)
#define CONFIG_GUEST_OVERHEAD_BYTES (4 * CONFIG_MIB)
#define CONFIG_VCPUS_PER_HART       4 /* more vCPUs than this per hart only thrash */

struct guest_config {
	char name[CONFIG_NAME_MAX + 1];
	unsigned vcpus;
	uint64_t memory_bytes;
	char kernel[CONFIG_PATH_MAX + 1];
	char initrd[CONFIG_PATH_MAX + 1]; /* "" when there is none */
	char command_line[CONFIG_CMDLINE_MAX + 1];
	bool restart_on_fault; /* on_fault: restart */
	unsigned line;         /* of the guest's "-" */
	unsigned kernel_line;  /* of its kernel key */
	unsigned initrd_line;  /* of its initrd key, 0 when there is none */
};

struct system_config {
	char file_name[CONFIG_FILE_NAME_MAX + 1]; /* as given to config_parse, for messages */
	unsigned guest_count;
	struct guest_config guests[CONFIG_MAX_GUESTS];
};

/*
 * An error: where and what. line is 1-based, 0 when the error is about the
 * whole file (too large, no guests key); column is a 1-based byte column
 * after any byte-order mark, 0 when the error is about the whole line.
 * message names the problem without the place; config_error_format() puts
 * both together.
 */
struct config_error {
	char file_name[CONFIG_FILE_NAME_MAX + 1];
	unsigned line;
	unsigned column;
	char message[CONFIG_MESSAGE_MAX + 1];
};

/*
 * Parses len bytes of text (need not be NUL-terminated; no byte at or past
 * len is read) into *out. file_name (may be NULL) is only used in messages.
 * Returns 0, or -1 with *err filled and *out zeroed.
 */
int config_parse(const char *text, size_t len, const char *file_name, struct system_config *out,
                 struct config_error *err);

/* Variables for kernel and initrd paths: NAME [A-Z_][A-Z0-9_]*, up to 31 bytes. */
#define CONFIG_MAX_VARIABLES 8
struct config_variables {
	unsigned count;
	const char *name[CONFIG_MAX_VARIABLES];
	const char *value[CONFIG_MAX_VARIABLES];
};

/*
 * Replaces each ${NAME} in every kernel and initrd path with the variable's
 * value (the build scripts define FV_CACHE and FV_BUILD_DIR), so that a
 * configuration can name files wherever the build puts them. A `$` not
 * followed by `{` is kept. Returns 0, or -1 with *err naming the key's line
 * for a variable that is not defined, a `${` without `}` or a path longer
 * than CONFIG_PATH_MAX once expanded (the paths are then left as they were).
 */
int config_expand_paths(struct system_config *config, const struct config_variables *vars,
                        struct config_error *err);

/* True if `name` is a valid variable name. */
bool config_variable_name_is_valid(const char *name);

/*
 * Checks that every guest's kernel and initrd can be opened and read and are
 * not empty. Relative paths are taken from base_dir (the current directory
 * when NULL or ""). Returns 0, or -1 with *err naming the key's line.
 */
int config_check_files(const struct system_config *config, const char *base_dir,
                       struct config_error *err);

/*
 * Checks that the guests fit a machine of ram_bytes and harts: the sum of
 * their memory plus CONFIG_RESERVE_BYTES plus CONFIG_GUEST_OVERHEAD_BYTES per
 * guest must not exceed ram_bytes, and no guest may have more than
 * harts * CONFIG_VCPUS_PER_HART vCPUs. Returns 0, or -1 with *err filled.
 */
int config_check_fit(const struct system_config *config, uint64_t ram_bytes, unsigned harts,
                     struct config_error *err);

/*
 * Writes "file:line:column: message" (without the parts that are 0) into
 * buf, truncated to size, always NUL-terminated when size > 0. Returns the
 * length snprintf would return.
 */
int config_error_format(const struct config_error *err, char *buf, size_t size);

#endif
