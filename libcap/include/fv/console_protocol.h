/*
 * The console server's protocol. Requests are calls on its endpoint; the
 * badge tells clients apart (the root task's is FV_CONSOLE_ROOT_BADGE).
 *
 * FV_CONSOLE_WRITE: words[0] = byte count n (at most FV_CONSOLE_WRITE_MAX),
 * the bytes packed little-endian from words[1]. Reply: label 0, words[0] =
 * bytes written.
 *
 * FV_CONSOLE_ATTACH (the root task only): makes the client with badge
 * words[0] an input client named by words[1..4] (a NUL-padded name of at
 * most FV_CONSOLE_NAME_MAX bytes), with the capability sent along: a
 * notification the console signals when input for it arrives. The first
 * client attached has the input first. Reply: label 0, words[0] = its number
 * (1-based) for the switch key sequence.
 *
 * FV_CONSOLE_READ (an attached client): words[0] = most bytes wanted (at
 * most FV_CONSOLE_READ_MAX). Never waits. Reply: label 0, words[0] = n, the
 * bytes from words[1]; words[0] may be less than asked when no more is
 * buffered.
 *
 * FV_CONSOLE_GUEST_WRITE (an attached client): like FV_CONSOLE_WRITE, for a
 * guest's console output: each line starts with "[name] ", a line another
 * client interrupts goes on under its label on a new line, and carriage
 * returns are dropped.
 *
 * Input goes to one client at a time. The key sequence Ctrl-T then a digit
 * 1-8 gives it to that client; Ctrl-T Ctrl-T sends one Ctrl-T; Ctrl-T ? lists
 * the clients.
 */
#ifndef FV_CONSOLE_PROTOCOL_H
#define FV_CONSOLE_PROTOCOL_H

#include <fv/libcap.h>

enum fv_console_label {
	FV_CONSOLE_WRITE = 1,
	FV_CONSOLE_ATTACH = 2,
	FV_CONSOLE_READ = 3,
	FV_CONSOLE_GUEST_WRITE = 4,
};

#define FV_CONSOLE_WRITE_MAX  ((FV_MSG_MAX_WORDS - 1) * 8)
#define FV_CONSOLE_READ_MAX   ((FV_MSG_MAX_WORDS - 1) * 8)
#define FV_CONSOLE_NAME_MAX   31
#define FV_CONSOLE_ROOT_BADGE 1
#define FV_CONSOLE_SWITCH_KEY 0x14 /* Ctrl-T */

#endif
