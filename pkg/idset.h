/* SPDX-License-Identifier: MIT */
/*
 * Sets of small ids (NUMA nodes, CPUs) and the kernel's list syntax for them:
 * "0-3,8,10-11".  Parsing is strict: reversed ranges, dangling dashes,
 * signs, embedded NUL bytes and trailing garbage are -EINVAL, ids beyond
 * IDSET_MAX are -ERANGE.
 *
 * Memory: a set is a fixed 1 KiB bitmap (IDSET_MAX bits), never allocated,
 * so no input can make a parse allocate ("0-4294967295" is -ERANGE after at
 * most 11 digits, and a range sets at most IDSET_MAX bits).  IDSET_MAX is
 * sized for CPU ids (x86 CONFIG_NR_CPUS goes to 8192); NUMA node ids are
 * bounded tighter by the topology (TOPOLOGY_MAX_NODES).
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
/* Whether @a and @b share an id. */
bool idset_intersects(const struct idset *a, const struct idset *b);
/* Lowest id >= @from in the set, or -1. */
int idset_next(const struct idset *set, int from);

#define IDSET_FOREACH(id, set) \
	for (int id = idset_next((set), 0); id >= 0; id = idset_next((set), id + 1))

/* Parse a list such as "0-3,8"; surrounding white space is ignored. */
int idset_parse(const char *text, struct idset *ret);
/*
 * The same on a buffer of @len bytes that need not be NUL-terminated (a file
 * read whole): a NUL byte inside it is -EINVAL, so "0-1\0garbage" is not "0-1".
 */
int idset_parse_buf(const char *buf, size_t len, struct idset *ret);
/* Format as "0-3,8" ("" when empty) into @buf; returns @buf. */
const char *idset_format(const struct idset *set, char *buf, size_t size);
