/* SPDX-License-Identifier: MIT */
/*
 * What json-c's strict mode lets through, found for the parsers of
 * untrusted JSON (policy files, control-socket requests): json-c keeps the
 * last of two equal keys in one object and says nothing, and 0.16 still
 * takes a single-quoted key ({'a': 1}).
 */
#pragma once

#include <stddef.h>

struct json_object;

/*
 * Check the JSON text @buf[0..@len), which json-c parsed into @root, for an
 * object holding a key twice (keys spelled differently with escapes count as
 * equal: json-c kept one) and for single-quoted strings.  The text's objects
 * are counted in pre-order and compared with what json-c kept.  Returns 0;
 * -ENOTUNIQ with the byte offset of the first object holding a duplicate in
 * *@ret_offset (SIZE_MAX when only the number of objects disagrees);
 * -EBADMSG with the offset of a single quote; -EINVAL for nesting deeper
 * than @max_depth; -ENOMEM.
 */
int jsonstrict_check(const char *buf, size_t len, struct json_object *root, size_t max_depth,
		     size_t *ret_offset);

enum jsonstrict_failure_kind {
	JSONSTRICT_NUL = 1, /* a NUL byte at @offset */
	JSONSTRICT_NOT_UTF8, /* @byte at @offset starts no valid UTF-8 character */
	JSONSTRICT_EOF, /* the text ends inside the value */
	JSONSTRICT_SYNTAX, /* json-c stopped at @offset: @desc */
	JSONSTRICT_TRAILING, /* something but white space at @offset after the value */
};

struct jsonstrict_failure {
	enum jsonstrict_failure_kind kind;
	size_t offset;
	unsigned char byte;
	const char *desc; /* json-c's, for JSONSTRICT_SYNTAX */
};

/*
 * Parse the @len bytes at @buf (at most INT32_MAX) strictly: UTF-8 without
 * NUL bytes, json-c's strict mode, at most @depth levels, nothing after the
 * value but white space.  0 and the value in *@ret (NULL for JSON null);
 * -EINVAL with what failed in *@ret_failure, for the caller's message;
 * -ENOMEM.  Does not check for duplicate keys (jsonstrict_check()).
 */
int jsonstrict_parse(const char *buf, size_t len, int depth, struct json_object **ret,
		     struct jsonstrict_failure *ret_failure);
