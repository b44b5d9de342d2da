/* SPDX-License-Identifier: MIT */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ELLIPSIS "..."

static __attribute__((format(printf, 3, 0))) int error_vset(struct error *err, int code,
							    const char *fmt, va_list ap)
{
	size_t end = sizeof(err->message) - sizeof(ELLIPSIS);
	int n;

	if (!err)
		return code;
	err->code = code;
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	if (n < 0) {
		snprintf(err->message, sizeof(err->message), "(unprintable message)");
	} else if ((size_t)n >= sizeof(err->message)) {
		/* Cut visibly, and not inside a UTF-8 character (back over continuation bytes). */
		while (end > 0 && ((unsigned char)err->message[end] & 0xc0) == 0x80)
			end--;
		memcpy(err->message + end, ELLIPSIS, sizeof(ELLIPSIS));
	}
	return code;
}

int error_set(struct error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int error_set_once(struct error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && err->code != 0)
		return code;
	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}
