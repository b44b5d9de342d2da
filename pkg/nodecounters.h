/* SPDX-License-Identifier: MIT */
/*
 * Evidence that no page can have arrived on a set of nodes since an earlier
 * reading: the kernel counts every page allocated from a node in
 * /sys/devices/system/node/nodeN/numastat (numa_hit: allocated here as
 * asked, numa_miss: allocated here though another node was preferred; each
 * counts allocations, so a huge page is one).
 * Page cache, anonymous memory, and the destination pages of every
 * migration (demotion, NUMA balancing, a cpuset.mems change, another
 * mover's move_pages) are allocated that way, so while the sum over the CXL
 * nodes stays the same, nothing new sits there.  What it cannot see: a
 * process newly mapping a page that was already on CXL (mmap of a file whose
 * page cache is there), and pages taken from a pre-reserved hugetlb pool.
 * The daemon therefore re-checks everything on a slower full interval.
 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "idset.h"
#include "sysroot.h"

/* numa_hit + numa_miss of one numastat text; -EINVAL when either is missing or malformed. */
int nodecounters_parse_numastat(const char *text, uint64_t *ret_allocated);

/*
 * The sum of numa_hit + numa_miss over @nodes, from
 * <root>/sys/devices/system/node/nodeN/numastat.  Errors name the file.
 */
int nodecounters_read_allocated(const struct sysroot *root, const struct idset *nodes,
				uint64_t *ret_allocated, struct error *err);
