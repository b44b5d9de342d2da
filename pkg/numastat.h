/* SPDX-License-Identifier: MIT */
/*
 * A cgroup's memory per NUMA node, from memory.numa_stat, in bytes.
 *
 * cgroup v2 prints one line per item, in bytes, recursive (the cgroup and
 * its descendants):   anon N0=1228800 N1=0
 * cgroup v1 prints pages, the cgroup's own and the recursive
 * "hierarchical_" variant:   total=300 N0=300 N1=0
 * v1 values are converted to bytes with the page size the caller passes.
 *
 * Parsing is strict: a line must be NAME followed by " N<id>=<value>" fields
 * (v1: NAME=<total> first); garbage, a value beyond 64 bits (also after the
 * page conversion), a node id beyond NUMASTAT_MAX_NODE, a node twice in a
 * line or an item twice are -EINVAL.  Items this module does not keep are
 * checked the same way and skipped (kernels add items).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroupmode.h"
#include "error.h"
#include "idset.h"
#include "sysroot.h"

#define NUMASTAT_MAX_NODE 1023 /* MAX_NUMNODES on x86_64 (NODES_SHIFT 10) */

enum numastat_item {
	NUMASTAT_ANON, /* v2 "anon", v1 "anon" */
	NUMASTAT_FILE, /* v2 "file" (page cache, shmem included), v1 "file" */
	NUMASTAT_KERNEL_STACK, /* v2 only */
	NUMASTAT_SHMEM, /* v2 only */
	NUMASTAT_FILE_MAPPED, /* v2 only: page cache mapped by some process */
	NUMASTAT_UNEVICTABLE, /* v2 and v1 */
	NUMASTAT_TOTAL, /* v1 only: file + anon + unevictable */
	NUMASTAT_HIERARCHICAL_TOTAL, /* v1 "hierarchical_*": with descendants */
	NUMASTAT_HIERARCHICAL_FILE,
	NUMASTAT_HIERARCHICAL_ANON,
	NUMASTAT_HIERARCHICAL_UNEVICTABLE,
	NUMASTAT_ITEM_COUNT
};

struct numastat_node {
	int node;
	uint64_t bytes[NUMASTAT_ITEM_COUNT];
};

struct numa_stat {
	bool v1;
	unsigned present; /* bit (1u << item) for each item seen */
	size_t n_nodes;
	struct numastat_node *nodes; /* ascending node ids, only nodes the file named */
};

/* The kernel's name of @item ("anon", "hierarchical_total"). */
const char *numastat_item_name(enum numastat_item item);

/*
 * Parse a memory.numa_stat text; @v1 selects the v1 format, whose pages are
 * multiplied by @page_size (ignored for v2; must be non-zero for v1).  @what
 * names the text in messages ("<file>:<line>: ...").  Free *@ret with
 * numastat_done().
 */
int numastat_parse(const char *text, bool v1, size_t page_size, const char *what,
		   struct numa_stat *ret, struct error *err);

/*
 * Read <memory_dir>/<cgroup>/memory.numa_stat below @root, in the format of
 * the hierarchy the mode names (m->memory_v2).  -ENODEV when the mode has no
 * memory controller, -ENOENT when the file is missing (the v2 root cgroup on
 * older kernels, a removed cgroup).
 */
int numastat_read(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		  size_t page_size, struct numa_stat *ret, struct error *err);

void numastat_done(struct numa_stat *st);

/* Bytes of @item on @node (0 when the file did not name the node). */
uint64_t numastat_get(const struct numa_stat *st, enum numastat_item item, int node);

struct numastat_move {
	int node;
	uint64_t bytes; /* what leaves this node */
};

/*
 * What narrowing a cgroup's mems to @after moves: for each node in
 * @before_effective but not in @after (ascending), the bytes there that the
 * kernel migrates with the tasks: pages mapped by them.  v2: anon +
 * file_mapped (unmapped page cache, kernel stacks and slab stay); v1: anon
 * (v1 has no per-node mapped-file count, so mapped file pages are not in
 * the estimate).  Pages charged to the cgroup but mapped only by processes
 * elsewhere stay, and pages its processes map but another cgroup was
 * charged for move: an estimate from the kernel's own counters.
 * *@ret has *@ret_n entries (free()); *@ret_total (may be NULL) their sum.
 */
int numastat_narrowing(const struct numa_stat *st, const struct idset *before_effective,
		       const struct idset *after, struct numastat_move **ret, size_t *ret_n,
		       uint64_t *ret_total);
