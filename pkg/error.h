/* SPDX-License-Identifier: MIT */
/*
 * A human-readable error beside the negative errno.  Library functions that
 * can fail because of bad input take an optional `struct error *` and fill it
 * with a message naming the file, the field and what was expected.  The
 * library never prints; the caller decides where the message goes.
 *
 * Untrusted text (a process name, a path read from /proc/PID/maps, a value
 * read from a file, an argument) must not reach the message raw: escape each
 * such %s argument with escape_terminal() or ESCAPE_TERMINAL() (escape.h)
 * before passing it, so newlines and terminal escapes cannot forge output.
 */
#pragma once

#include <stddef.h>

#define ERROR_MESSAGE_MAX 4096

struct error {
	int code; /* negative errno, 0 when unset */
	/*
	 * "what failed: why".  A message longer than the buffer is cut at a
	 * character boundary and ends in "..." so the cut is visible.
	 */
	char message[ERROR_MESSAGE_MAX];
};

/* Fill @err (may be NULL) and return @code, so `return error_set(...)` works. */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like error_set(), but only when @err holds no message yet. */
int error_set_once(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
