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
