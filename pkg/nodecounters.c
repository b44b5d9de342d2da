/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "macro.h"
#include "nodecounters.h"
#include "topology.h"

/* The value of "@key N" on its own line of @text. */
static int numastat_value(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return topology_parse_u64_buf(line + klen + 1, len - klen - 1, 10,
						      UINT64_MAX, ret);
		line = eol ? eol + 1 : NULL;
	}
	return -EINVAL;
}

int nodecounters_parse_numastat(const char *text, uint64_t *ret_allocated)
{
	uint64_t hit, miss;
	int r;

	r = numastat_value(text, "numa_hit", &hit);
	if (r < 0)
		return -EINVAL;
	r = numastat_value(text, "numa_miss", &miss);
	if (r < 0)
		return -EINVAL;
	*ret_allocated = hit + miss; /* both count pages: wraps only after 2^63 each */
	return 0;
}

int nodecounters_read_allocated(const struct sysroot *root, const struct idset *nodes,
				uint64_t *ret_allocated, struct error *err)
{
	uint64_t sum = 0;

	IDSET_FOREACH(node, nodes) {
		_cleanup_free_ char *text = NULL;
		char rel[96];
		uint64_t v;
		int r;

		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/numastat", node);
		r = sysroot_read_file(root, rel, &text, NULL);
		if (r < 0)
			return error_set(err, r, "/%s: %s", rel, strerror(-r));
		r = nodecounters_parse_numastat(text, &v);
		if (r < 0)
			return error_set(err, r,
					 "/%s: expected \"numa_hit N\" and \"numa_miss N\" lines",
					 rel);
		sum += v;
	}
	*ret_allocated = sum;
	return 0;
}
