/* SPDX-License-Identifier: MIT */
/*
 * Make untrusted strings safe to show: process names (comm), file paths from
 * /proc/PID/maps, command-line arguments, file contents quoted in errors.
 * Any of these can hold newlines that forge output lines, ANSI escape
 * sequences that drive root's terminal, or bytes that are not UTF-8.
 *
 * Terminal escaping writes every byte that is not safe as "\xNN" (lower-case
 * hex) and a backslash as "\\", so the result is unambiguous and can be undone.
 * Not safe: C0 controls (< 0x20), DEL (0x7f), every byte of an invalid UTF-8
 * sequence (overlong forms, surrogates, code points above U+10FFFF, truncated
 * or stray continuation bytes), C1 controls (U+0080..U+009F, which some
 * terminals obey like ESC), and the code points that reorder or break lines
 * (U+2028, U+2029, the bidi embeddings, overrides and isolates
 * U+202A..U+202E, U+2066..U+2069).  Valid, printable UTF-8 passes unchanged.
 *
 * All functions are pure: no allocation except the *_dup variants, no errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum escape_flags {
	/*
	 * Also escape ' ' and '"' as \x20 and \x22, and show the empty string as
	 * "": one field of a whitespace-separated table (awk '{print $3}').
	 */
	ESCAPE_FIELD = 1 << 0,
	/*
	 * Leave '\\' alone.  Only for a last filter over a whole message whose
	 * parts were escaped already (so their "\x1b" is not shown as "\\x1b"):
	 * the output is safe for a terminal but no longer unambiguous.
	 */
	ESCAPE_KEEP_BACKSLASH = 1 << 1,
};

/* One input byte becomes at most 4 output bytes ("\xNN"). */
#define ESCAPE_MAX_GROWTH 4
/* A buffer that holds the escaped form of any @n-byte string, with the NUL. */
#define ESCAPE_BUF_SIZE(n) ((n)*ESCAPE_MAX_GROWTH + 1)
/* The buffer size of ESCAPE_TERMINAL() below: longer inputs end in "...". */
#define ESCAPE_SHORT_MAX 1024

/*
 * Escape @s (NUL-terminated; NULL is shown as "(null)") into @buf of @size
 * bytes and return @buf.  When the result does not fit, it is cut at a
 * boundary between whole escapes or characters and ends in "..." (visible,
 * never a half "\x1" or half a UTF-8 character).  @size 0 returns "" and
 * leaves @buf alone.
 */
const char *escape_bytes(const char *s, unsigned flags, char *buf, size_t size);
static inline const char *escape_terminal(const char *s, char *buf, size_t size)
{
	return escape_bytes(s, 0, buf, size);
}
static inline const char *escape_field(const char *s, char *buf, size_t size)
{
	return escape_bytes(s, ESCAPE_FIELD, buf, size);
}
/* Bytes escape_bytes() needs for all of @s, the NUL included (never truncates). */
size_t escape_bytes_size(const char *s, unsigned flags);
/* The whole escaped string in malloc'd memory; NULL when out of memory. */
char *escape_bytes_dup(const char *s, unsigned flags);

/*
 * For one argument of a printf-style message, in a buffer that lives until
 * the end of the enclosing block (as systemd's FORMAT_BYTES()):
 *     cli_fail(2, "invalid --pid \"%s\"", ESCAPE_TERMINAL(arg));
 */
#define ESCAPE_TERMINAL(s) escape_terminal((s), (char[ESCAPE_SHORT_MAX]){ 0 }, ESCAPE_SHORT_MAX)

/* True when @s[0..@n) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/*
 * Length of the valid UTF-8 character at @s (at most @n bytes): 1..4, or 0
 * when the bytes there do not start a valid character.  *@ret_cp (may be
 * NULL) gets the code point.
 */
size_t utf8_char_len(const char *s, size_t n, unsigned *ret_cp);

/*
 * For JSON output (json-c escapes control characters but copies invalid
 * UTF-8 through, making the document invalid): each byte of an invalid
 * sequence becomes U+FFFD, everything else is copied unchanged, so valid
 * names stay byte-identical.  Same buffer and truncation rules as
 * escape_bytes().  Returns @s itself when it is valid UTF-8 already.
 */
const char *utf8_sanitize(const char *s, char *buf, size_t size);
/* malloc'd copy of @s with invalid bytes as U+FFFD; NULL when out of memory. */
char *utf8_sanitize_dup(const char *s);
