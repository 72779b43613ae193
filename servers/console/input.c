/* Console input routing (input.h). */
#include <stdio.h>
#include <string.h>

#include "input.h"

void input_init(struct console_input *in, void (*say)(void *, const char *), void *ctx)
{
	memset(in, 0, sizeof(*in));
	in->say = say;
	in->ctx = ctx;
}

static bool name_valid(const char *name)
{
	size_t n = strnlen(name, INPUT_NAME_MAX + 1);
	if (n == 0 || n > INPUT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return false;
	return true;
}

static struct input_client *find(struct console_input *in, uint64_t badge)
{
	for (unsigned i = 0; i < in->count; i++)
		if (in->clients[i].badge == badge)
			return &in->clients[i];
	return NULL;
}

unsigned input_attach(struct console_input *in, uint64_t badge, const char *name)
{
	if (in->count == INPUT_MAX_CLIENTS || find(in, badge) || !name_valid(name))
		return 0;
	struct input_client *c = &in->clients[in->count];
	memset(c, 0, sizeof(*c));
	c->badge = badge;
	strcpy(c->name, name);
	return ++in->count;
}

static void say(struct console_input *in, const char *text)
{
	if (in->say)
		in->say(in->ctx, text);
}

static void list_clients(struct console_input *in)
{
	char line[64];
	say(in, "console: Ctrl-T then 1-8 gives the input to:\n");
	for (unsigned i = 0; i < in->count; i++) {
		snprintf(line, sizeof(line), "console: %u %s%s\n", i + 1, in->clients[i].name,
		         i == in->focus ? " (has the input)" : "");
		say(in, line);
	}
}

static unsigned deliver(struct console_input *in, uint8_t key)
{
	if (in->count == 0)
		return 0;
	struct input_client *c = &in->clients[in->focus];
	if (c->count == INPUT_BUFFER) {
		c->dropped++;
		return 0;
	}
	c->buf[(c->head + c->count) % INPUT_BUFFER] = key;
	c->count++;
	return in->focus + 1;
}

/* The key after Ctrl-T. */
static unsigned command(struct console_input *in, uint8_t key)
{
	char line[64];
	if (key == INPUT_SWITCH_KEY)
		return deliver(in, key);
	if (key >= '1' && key <= '8' && (unsigned)(key - '1') < in->count) {
		in->focus = (unsigned)(key - '1');
		snprintf(line, sizeof(line), "console: input goes to %s\n",
		         in->clients[in->focus].name);
		say(in, line);
	} else {
		list_clients(in);
	}
	return 0;
}

unsigned input_key(struct console_input *in, uint8_t key)
{
	if (in->after_switch) {
		in->after_switch = false;
		return command(in, key);
	}
	if (key == INPUT_SWITCH_KEY) {
		in->after_switch = true;
		return 0;
	}
	return deliver(in, key);
}

const char *input_name(const struct console_input *in, uint64_t badge)
{
	for (unsigned i = 0; i < in->count; i++)
		if (in->clients[i].badge == badge)
			return in->clients[i].name;
	return NULL;
}

long input_read(struct console_input *in, uint64_t badge, uint8_t *out, size_t max)
{
	struct input_client *c = find(in, badge);
	if (!c)
		return -1;
	size_t n = c->count < max ? c->count : max;
	for (size_t i = 0; i < n; i++)
		out[i] = c->buf[(c->head + i) % INPUT_BUFFER];
	c->head = (c->head + n) % INPUT_BUFFER;
	c->count -= n;
	return (long)n;
}
