/* SPDX-License-Identifier: MIT */
/*
 * A human-readable error beside the negative errno.  Library functions that
 * can fail because of bad input take an optional `struct error *` and fill it
 * with a message naming the file, the field and what was expected.  The
 * library never prints; the caller decides where the message goes.
 */
#pragma once

#include <stddef.h>

struct error {
	int code; /* negative errno, 0 when unset */
	char message[512]; /* "what failed: why" */
};

/* Fill @err (may be NULL) and return @code, so `return error_set(...)` works. */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like error_set(), but only when @err holds no message yet. */
int error_set_once(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
