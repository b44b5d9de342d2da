/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "..."
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

size_t utf8_char_len(const char *s, size_t n, unsigned *ret_cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp, min;
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		len = 1;
		cp = p[0];
		min = 0;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) { /* 0xc0, 0xc1: always overlong */
		len = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) { /* 0xf5..: above U+10FFFF */
		len = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0; /* a stray continuation byte, 0xc0, 0xc1, 0xf5..0xff */
	}
	if (len > n)
		return 0; /* truncated */
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, or a UTF-16 surrogate */
	if (ret_cp)
		*ret_cp = cp;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t len = utf8_char_len(s + i, n - i, NULL);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

/* Code points a terminal may act on rather than show. */
static bool unsafe_code_point(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static size_t put_hex(char *out, unsigned char byte)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[byte >> 4];
	out[3] = hex[byte & 0xf];
	return 4;
}

/*
 * The escaped form of the character at @s (up to 16 bytes, not terminated)
 * into @out; its length is returned and the input bytes used go to *@used.
 */
static size_t escape_unit(const char *s, unsigned flags, char out[16], size_t *used)
{
	unsigned char c = (unsigned char)s[0];
	size_t len, n;
	unsigned cp;

	*used = 1;
	if (c == '\\' && !(flags & ESCAPE_KEEP_BACKSLASH)) {
		out[0] = out[1] = '\\';
		return 2;
	}
	if ((flags & ESCAPE_FIELD) && (c == ' ' || c == '"'))
		return put_hex(out, c);
	if (c < 0x80) {
		if (unsafe_code_point(c))
			return put_hex(out, c);
		out[0] = (char)c;
		return 1;
	}
	/* A multi-byte character never spans a NUL, so strnlen bounds it. */
	len = utf8_char_len(s, strnlen(s, 4), &cp);
	if (len == 0)
		return put_hex(out, c); /* one byte at a time: resynchronise after it */
	*used = len;
	if (!unsafe_code_point(cp)) {
		memcpy(out, s, len);
		return len;
	}
	n = 0;
	for (size_t i = 0; i < len; i++)
		n += put_hex(out + n, (unsigned char)s[i]);
	return n;
}

size_t escape_bytes_size(const char *s, unsigned flags)
{
	char unit[16];
	size_t total = 1, used;

	if (!s)
		return sizeof("(null)");
	if ((flags & ESCAPE_FIELD) && !*s)
		return sizeof("\"\"");
	for (; *s; s += used)
		total += escape_unit(s, flags, unit, &used);
	return total;
}

/* Copy as much of "..." as fits in @size (which counts the NUL) to @out. */
static void put_ellipsis(char *out, size_t size)
{
	size_t n = size - 1 < sizeof(ELLIPSIS) - 1 ? size - 1 : sizeof(ELLIPSIS) - 1;

	memcpy(out, ELLIPSIS, n);
	out[n] = '\0';
}

const char *escape_bytes(const char *s, unsigned flags, char *buf, size_t size)
{
	char unit[16];
	size_t pos = 0, used, n, limit;

	if (size == 0)
		return "";
	if (!s)
		s = "(null)";
	if ((flags & ESCAPE_FIELD) && !*s) {
		s = "\"\""; /* the empty field; a real '"' is escaped, so this is unambiguous */
		flags &= ~ESCAPE_FIELD;
	}
	/* Reserve room for "..." only when the whole result does not fit. */
	limit = escape_bytes_size(s, flags) <= size ? size - 1 : size > 4 ? size - 4 : 0;
	for (; *s; s += used) {
		n = escape_unit(s, flags, unit, &used);
		if (pos + n > limit)
			break;
		memcpy(buf + pos, unit, n);
		pos += n;
	}
	if (*s)
		put_ellipsis(buf + pos, size - pos);
	else
		buf[pos] = '\0';
	return buf;
}

char *escape_bytes_dup(const char *s, unsigned flags)
{
	size_t size = escape_bytes_size(s, flags);
	char *buf = malloc(size);

	if (!buf)
		return NULL;
	return (char *)escape_bytes(s, flags, buf, size);
}

/* The U+FFFD form of @s: each unit is a valid character or one replaced byte. */
static size_t sanitize_unit(const char *s, const char **out, size_t *used)
{
	size_t len = utf8_char_len(s, strnlen(s, 4), NULL);

	if (len == 0) {
		*out = REPLACEMENT;
		*used = 1;
		return sizeof(REPLACEMENT) - 1;
	}
	*out = s;
	*used = len;
	return len;
}

static size_t sanitize_size(const char *s)
{
	const char *unit;
	size_t total = 1, used;

	for (; *s; s += used)
		total += sanitize_unit(s, &unit, &used);
	return total;
}

const char *utf8_sanitize(const char *s, char *buf, size_t size)
{
	const char *unit;
	size_t pos = 0, used, n, limit;

	if (!s)
		return "(null)";
	if (utf8_valid(s, strlen(s)))
		return s;
	if (size == 0)
		return "";
	limit = sanitize_size(s) <= size ? size - 1 : size > 4 ? size - 4 : 0;
	for (; *s; s += used) {
		n = sanitize_unit(s, &unit, &used);
		if (pos + n > limit)
			break;
		memcpy(buf + pos, unit, n);
		pos += n;
	}
	if (*s)
		put_ellipsis(buf + pos, size - pos);
	else
		buf[pos] = '\0';
	return buf;
}

char *utf8_sanitize_dup(const char *s)
{
	size_t size;
	char *buf;

	if (!s)
		s = "(null)";
	size = sanitize_size(s);
	buf = malloc(size);
	if (!buf)
		return NULL;
	if (utf8_valid(s, strlen(s)))
		return memcpy(buf, s, size);
	return (char *)utf8_sanitize(s, buf, size);
}
