/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonstrict.h"
#include "macro.h"

struct raw_object {
	size_t start;
	size_t keys;
};

struct key_count {
	struct raw_object *raw;
	size_t n_raw, cap_raw;
	size_t *kept;
	size_t n_kept, cap_kept;
};

/* @buf is JSON json-c accepted, so a light scan is enough. */
static int scan_raw_objects(const char *buf, size_t len, size_t max_depth, struct key_count *kc,
			    size_t *ret_bad)
{
	_cleanup_free_ size_t *stack = calloc(max_depth + 1, sizeof(*stack)); /* SIZE_MAX: array */
	_cleanup_free_ bool *expect_key = calloc(max_depth + 1, sizeof(*expect_key));
	size_t depth = 0;

	if (!stack || !expect_key)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		switch (ch) {
		case '"':
			if (depth && stack[depth - 1] != SIZE_MAX && expect_key[depth - 1]) {
				kc->raw[stack[depth - 1]].keys++;
				expect_key[depth - 1] = false;
			}
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			break;
		case '{':
		case '[':
			if (depth > max_depth)
				return -EINVAL;
			if (ch == '{') {
				if (GROW_ARRAY(kc->raw, kc->cap_raw, kc->n_raw + 1) < 0)
					return -ENOMEM;
				kc->raw[kc->n_raw] = (struct raw_object){ .start = i };
				stack[depth] = kc->n_raw++;
			} else {
				stack[depth] = SIZE_MAX;
			}
			expect_key[depth] = ch == '{';
			depth++;
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			break;
		case ',':
			if (depth && stack[depth - 1] != SIZE_MAX)
				expect_key[depth - 1] = true;
			break;
		case '\'':
			*ret_bad = i;
			return -EBADMSG;
		default:
			break;
		}
	}
	return 0;
}

static int walk_kept(json_object *o, struct key_count *kc)
{
	int r;

	if (json_object_is_type(o, json_type_object)) {
		if (GROW_ARRAY(kc->kept, kc->cap_kept, kc->n_kept + 1) < 0)
			return -ENOMEM;
		kc->kept[kc->n_kept++] = (size_t)json_object_object_length(o);
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			r = walk_kept(val, kc);
			if (r < 0)
				return r;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			r = walk_kept(json_object_array_get_idx(o, i), kc);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int jsonstrict_check(const char *buf, size_t len, struct json_object *root, size_t max_depth,
		     size_t *ret_offset)
{
	struct key_count kc = { 0 };
	size_t bad = 0;
	int r;

	r = scan_raw_objects(buf, len, max_depth, &kc, &bad);
	if (r >= 0)
		r = walk_kept(root, &kc);
	if (r >= 0) {
		/* every object before the first that differs was parsed whole */
		for (size_t i = 0; i < MIN(kc.n_raw, kc.n_kept); i++)
			if (kc.raw[i].keys != kc.kept[i]) {
				bad = kc.raw[i].start;
				r = -ENOTUNIQ;
				break;
			}
		if (r >= 0 && kc.n_raw != kc.n_kept) {
			bad = SIZE_MAX;
			r = -ENOTUNIQ;
		}
	}
	free(kc.raw);
	free(kc.kept);
	if (r == -ENOTUNIQ || r == -EBADMSG)
		*ret_offset = bad;
	return r;
}
