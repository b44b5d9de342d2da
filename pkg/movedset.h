/* SPDX-License-Identifier: MIT */
/*
 * The pages the daemon moved to DRAM, remembered between sweeps so that one
 * found on CXL again is counted as a re-demotion (reclaim demoting it, a
 * cpuset.mems change, another mover).  A page is its file page
 * (device, inode, offset) when it is page cache, else (pid, start time,
 * address).  Bounded: at most MOVEDSET_CAPACITY pages are remembered; when
 * full the oldest half is forgotten (counted in `forgotten`), so memory is
 * fixed (MOVEDSET_SLOTS * 16 bytes) whatever moves.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan.h"

#define MOVEDSET_SLOTS (1u << 16)
#define MOVEDSET_CAPACITY (MOVEDSET_SLOTS / 4 * 3)

struct movedset_key {
	uint64_t a, b;
};

struct movedset {
	struct movedset_key *slots; /* {0,0} empty */
	uint32_t *age; /* insertion generation of each slot */
	size_t n;
	uint32_t generation;
	uint64_t forgotten;
};

int movedset_init(struct movedset *s);
void movedset_done(struct movedset *s);
/* The key of page @ref of @p. */
struct movedset_key movedset_key_of(const struct process_report *p, const struct page_ref *ref);
int movedset_add(struct movedset *s, struct movedset_key key);
bool movedset_contains(const struct movedset *s, struct movedset_key key);
/* Remove @key; true when it was there. */
bool movedset_take(struct movedset *s, struct movedset_key key);
