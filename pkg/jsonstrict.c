/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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

static void json_tokener_freep(json_tokener **t)
{
	if (*t)
		json_tokener_free(*t);
}

static bool json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int failed(struct jsonstrict_failure *f, enum jsonstrict_failure_kind kind, size_t offset)
{
	*f = (struct jsonstrict_failure){ .kind = kind, .offset = offset };
	return -EINVAL;
}

int jsonstrict_parse(const char *buf, size_t len, int depth, struct json_object **ret,
		     struct jsonstrict_failure *ret_failure)
{
	_cleanup_(json_tokener_freep) json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	json_object *root;
	const char *nul = memchr(buf, '\0', len);
	size_t end;

	if (nul)
		return failed(ret_failure, JSONSTRICT_NUL, (size_t)(nul - buf));
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(buf + i, len - i, NULL);

		if (n == 0) {
			failed(ret_failure, JSONSTRICT_NOT_UTF8, i);
			ret_failure->byte = (unsigned char)buf[i];
			return -EINVAL;
		}
		i += n;
	}
	tok = json_tokener_new_ex(depth);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* a top-level number may go on: the end of the text ends it */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_continue)
			return failed(ret_failure, JSONSTRICT_EOF, len);
		end = len;
	} else {
		end = json_tokener_get_parse_end(tok);
	}
	if (jerr != json_tokener_success) {
		json_object_put(root);
		failed(ret_failure, JSONSTRICT_SYNTAX, MIN(end, len));
		ret_failure->desc = json_tokener_error_desc(jerr);
		return -EINVAL;
	}
	for (size_t i = end; i < len; i++)
		if (!json_space(buf[i])) {
			json_object_put(root);
			return failed(ret_failure, JSONSTRICT_TRAILING, i);
		}
	*ret = root;
	return 0;
}
