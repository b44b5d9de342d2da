/* SPDX-License-Identifier: MIT */
/*
 * Sets of small ids (NUMA nodes, CPUs) and the kernel's list syntax for them:
 * "0-3,8,10-11".  Parsing is strict: reversed ranges, dangling dashes and
 * trailing garbage are -EINVAL, ids beyond IDSET_MAX are -ERANGE.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDSET_MAX 8192 /* covers CONFIG_NR_CPUS and MAX_NUMNODES */

struct idset {
	uint64_t bits[IDSET_MAX / 64];
};

void idset_clear(struct idset *set);
int idset_add(struct idset *set, int id);
bool idset_has(const struct idset *set, int id);
size_t idset_count(const struct idset *set);
bool idset_empty(const struct idset *set);
/* Lowest id >= @from in the set, or -1. */
int idset_next(const struct idset *set, int from);

#define IDSET_FOREACH(id, set) \
	for (int id = idset_next((set), 0); id >= 0; id = idset_next((set), id + 1))

/* Parse a list such as "0-3,8"; surrounding white space is ignored. */
int idset_parse(const char *text, struct idset *ret);
/* Format as "0-3,8" ("" when empty) into @buf; returns @buf. */
const char *idset_format(const struct idset *set, char *buf, size_t size);
