/*
 * Console input routing: which client the keys go to, the switch key
 * sequence (fv/console_protocol.h) and each client's buffered input.
 * Portable (no system calls) so that it is unit-tested on the host.
 */
#ifndef CONSOLE_INPUT_H
#define CONSOLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INPUT_MAX_CLIENTS 8
#define INPUT_BUFFER      1024 /* bytes a client may leave unread; more are dropped */
#define INPUT_NAME_MAX    31
#define INPUT_SWITCH_KEY  0x14 /* Ctrl-T: FV_CONSOLE_SWITCH_KEY */

struct input_client {
	uint64_t badge;
	char name[INPUT_NAME_MAX + 1];
	uint8_t buf[INPUT_BUFFER];
	size_t head, count; /* unread bytes: buf[head..], wrapping */
	uint64_t dropped;   /* bytes lost to a full buffer */
};

struct console_input {
	struct input_client clients[INPUT_MAX_CLIENTS];
	unsigned count;
	unsigned focus;    /* index of the client the keys go to */
	bool after_switch; /* the switch key came: the next key is the command */
	/* Where the console's own messages go (switches, the client list). */
	void (*say)(void *ctx, const char *text);
	void *ctx;
};

void input_init(struct console_input *in, void (*say)(void *, const char *), void *ctx);

/* A new client: its number (1-based), or 0 if the table is full, the badge taken or the name bad.
 */
unsigned input_attach(struct console_input *in, uint64_t badge, const char *name);

/*
 * One key from the console. Returns the index + 1 of the client whose buffer
 * got a byte (to be told), or 0 if none did.
 */
unsigned input_key(struct console_input *in, uint8_t key);

/* The name of the client with `badge`, or NULL. */
const char *input_name(const struct console_input *in, uint64_t badge);

/* Takes up to `max` buffered bytes of the client with `badge`; -1 if it is not a client. */
long input_read(struct console_input *in, uint64_t badge, uint8_t *out, size_t max);

#endif
