/* SPDX-License-Identifier: MIT */
#include "idset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void idset_clear(struct idset *set)
{
	memset(set, 0, sizeof(*set));
}

int idset_add(struct idset *set, int id)
{
	if (id < 0 || id >= IDSET_MAX)
		return -ERANGE;
	set->bits[id / 64] |= UINT64_C(1) << (id % 64);
	return 0;
}

bool idset_has(const struct idset *set, int id)
{
	if (id < 0 || id >= IDSET_MAX)
		return false;
	return set->bits[id / 64] & (UINT64_C(1) << (id % 64));
}

size_t idset_count(const struct idset *set)
{
	size_t n = 0;

	for (size_t i = 0; i < IDSET_MAX / 64; i++)
		n += (size_t)__builtin_popcountll(set->bits[i]);
	return n;
}

bool idset_empty(const struct idset *set)
{
	return idset_next(set, 0) < 0;
}

int idset_next(const struct idset *set, int from)
{
	if (from < 0)
		from = 0;
	for (int w = from / 64; w < IDSET_MAX / 64; w++) {
		uint64_t word = set->bits[w];

		if (w == from / 64)
			word &= ~UINT64_C(0) << (from % 64);
		if (word)
			return w * 64 + __builtin_ctzll(word);
	}
	return -1;
}

static int parse_id(const char **p, const char *end, int *ret)
{
	long v = 0;

	if (*p >= end || !isdigit((unsigned char)**p))
		return -EINVAL;
	while (*p < end && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v >= IDSET_MAX)
			return -ERANGE;
		(*p)++;
	}
	*ret = (int)v;
	return 0;
}

static bool is_space_at(const char *p, const char *end)
{
	return p < end && isspace((unsigned char)*p);
}

int idset_parse_buf(const char *buf, size_t len, struct idset *ret)
{
	const char *p = buf, *end = buf + len;
	struct idset set;
	int r;

	if (memchr(buf, '\0', len))
		return -EINVAL;
	idset_clear(&set);
	while (is_space_at(p, end))
		p++;
	while (p < end && !isspace((unsigned char)*p)) {
		int lo, hi;

		r = parse_id(&p, end, &lo);
		if (r < 0)
			return r;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			r = parse_id(&p, end, &hi);
			if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		/* bounded: hi < IDSET_MAX */
		for (int id = lo; id <= hi; id++)
			idset_add(&set, id);
		if (p < end && *p == ',') {
			p++;
			if (p >= end || !isdigit((unsigned char)*p))
				return -EINVAL;
		} else if (p < end && !isspace((unsigned char)*p)) {
			return -EINVAL;
		}
	}
	while (is_space_at(p, end))
		p++;
	if (p < end)
		return -EINVAL;
	*ret = set;
	return 0;
}

int idset_parse(const char *text, struct idset *ret)
{
	return idset_parse_buf(text, strlen(text), ret);
}

const char *idset_format(const struct idset *set, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (int id = idset_next(set, 0); id >= 0;) {
		int end = id;
		int n;

		while (idset_has(set, end + 1))
			end++;
		if (end == id)
			n = snprintf(buf + len, size - len, "%s%d", len ? "," : "", id);
		else
			n = snprintf(buf + len, size - len, "%s%d-%d", len ? "," : "", id, end);
		if (n < 0 || (size_t)n >= size - len) {
			buf[len] = '\0'; /* truncated: keep the whole items that fit */
			break;
		}
		len += (size_t)n;
		id = idset_next(set, end + 1);
	}
	return buf;
}

bool idset_intersects(const struct idset *a, const struct idset *b)
{
	for (size_t i = 0; i < sizeof(a->bits) / sizeof(a->bits[0]); i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}
