/*
 * The console server's protocol. Requests are calls on its endpoint; the
 * badge tells clients apart.
 *
 * FV_CONSOLE_WRITE: words[0] = byte count n (at most FV_CONSOLE_WRITE_MAX),
 * the bytes packed little-endian from words[1]. Reply: label 0, words[0] =
 * bytes written.
 */
#ifndef FV_CONSOLE_PROTOCOL_H
#define FV_CONSOLE_PROTOCOL_H

#include <fv/libcap.h>

enum fv_console_label {
	FV_CONSOLE_WRITE = 1,
};

#define FV_CONSOLE_WRITE_MAX ((FV_MSG_MAX_WORDS - 1) * 8)

#endif
