/* SPDX-License-Identifier: MIT */
#include "duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

struct unit {
	const char *name;
	uint64_t ns;
};

/* Longest names first where one is a prefix of another ("ms" before "m"). */
static const struct unit units[] = {
	{ "nsec", 1 },
	{ "ns", 1 },
	{ "usec", NSEC_PER_USEC },
	{ "us", NSEC_PER_USEC },
	{ "\xc2\xb5s", NSEC_PER_USEC }, /* µs */
	{ "msec", NSEC_PER_MSEC },
	{ "ms", NSEC_PER_MSEC },
	{ "seconds", NSEC_PER_SEC },
	{ "second", NSEC_PER_SEC },
	{ "sec", NSEC_PER_SEC },
	{ "s", NSEC_PER_SEC },
	{ "minutes", 60 * NSEC_PER_SEC },
	{ "minute", 60 * NSEC_PER_SEC },
	{ "min", 60 * NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC },
	{ "hours", 3600 * NSEC_PER_SEC },
	{ "hour", 3600 * NSEC_PER_SEC },
	{ "hr", 3600 * NSEC_PER_SEC },
	{ "h", 3600 * NSEC_PER_SEC },
	{ "days", 86400 * NSEC_PER_SEC },
	{ "day", 86400 * NSEC_PER_SEC },
	{ "d", 86400 * NSEC_PER_SEC },
	{ "weeks", 604800 * NSEC_PER_SEC },
	{ "week", 604800 * NSEC_PER_SEC },
	{ "w", 604800 * NSEC_PER_SEC },
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* The unit spelled exactly by @s[0..@n), or NULL. */
static const struct unit *find_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0)
			return &units[i];
	return NULL;
}

static int add_checked(uint64_t *sum, uint64_t v)
{
	if (v > UINT64_MAX - *sum)
		return -ERANGE;
	*sum += v;
	return 0;
}

/* One "<digits>[.<digits>]<unit>" at *@p; adds it to *@sum and steps *@p over it. */
static int parse_component(const char **p, uint64_t *sum)
{
	const char *s = *p, *u;
	uint64_t whole = 0, frac_ns = 0, frac_div = 1, frac = 0;
	const struct unit *unit;
	int r;

	if (!is_digit(*s))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (whole > (UINT64_MAX - d) / 10)
			return -ERANGE;
		whole = whole * 10 + d;
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		/* keep at most 18 digits: finer than any unit's nanosecond */
		for (int n = 0; is_digit(*s); s++, n++)
			if (n < 18) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				frac_div *= 10;
			}
	}
	for (u = s; is_alpha(*s); s++)
		;
	unit = find_unit(u, (size_t)(s - u));
	if (!unit)
		return -EINVAL;
	if (whole > UINT64_MAX / unit->ns)
		return -ERANGE;
	/* frac / frac_div * unit->ns without overflow: unit->ns < 2^60, frac_div <= 10^18 */
	if (frac) {
		unsigned __int128 x = (unsigned __int128)frac * unit->ns / frac_div;

		frac_ns = (uint64_t)x;
	}
	r = add_checked(sum, whole * unit->ns);
	if (r < 0)
		return r;
	r = add_checked(sum, frac_ns);
	if (r < 0)
		return r;
	*p = s;
	return 0;
}

int duration_parse(const char *text, uint64_t *ret_ns)
{
	const char *p = text;
	uint64_t sum = 0;
	int r;

	if (!text)
		return -EINVAL;
	while (is_space(*p))
		p++;
	if (!*p)
		return -EINVAL;
	while (*p) {
		r = parse_component(&p, &sum);
		if (r < 0)
			return r;
		while (is_space(*p))
			p++;
	}
	*ret_ns = sum;
	return 0;
}

const char *duration_format(uint64_t ns, char *buf, size_t size)
{
	static const struct unit out[] = {
		{ "w", 604800 * NSEC_PER_SEC }, { "d", 86400 * NSEC_PER_SEC },
		{ "h", 3600 * NSEC_PER_SEC },	{ "min", 60 * NSEC_PER_SEC },
		{ "s", NSEC_PER_SEC },		{ "ms", NSEC_PER_MSEC },
		{ "us", NSEC_PER_USEC },	{ "ns", 1 },
	};
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (ns == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(out) && ns; i++) {
		uint64_t n = ns / out[i].ns;
		int w;

		if (!n)
			continue;
		ns -= n * out[i].ns;
		w = snprintf(buf + len, size - len, "%s%llu%s", len ? " " : "",
			     (unsigned long long)n, out[i].name);
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return buf;
}
