/* SPDX-License-Identifier: MIT */
/*
 * What one run knows about shared page-cache pages, keyed by file (device,
 * inode) and page offset in the file.  Text shared by many processes is the
 * same physical page in each of them, so a run queries and moves it once,
 * through whichever mapper first has it resident and may move it.
 *
 * A page is *settled* once its placement is known and nothing more is owed:
 * it was found on DRAM, or moved, or (dry run) would be moved.  Settled pages
 * are not asked about again.  A page found on CXL that its mapper could not
 * move (no DRAM node in that mapper's cpuset, a failed call, the byte budget)
 * is *pending*: the next process that maps it tries again, and whatever is
 * still pending when the run ends is what the run failed to move.
 *
 * Only pages a process really had resident are recorded: a page it never
 * faulted says nothing about the page other processes map at that offset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

struct file_key {
	uint32_t dev_major;
	uint32_t dev_minor;
	uint64_t inode;
};

enum page_state {
	PAGE_UNKNOWN = 0, /* not seen resident by this run */
	PAGE_SETTLED, /* placement known and nothing more to do (DRAM, moved, unmovable) */
	PAGE_PENDING, /* on CXL, not moved yet: a later mapper should try */
};

/* Why a pending page is still on CXL. */
enum pending_reason {
	PENDING_NONE = 0,
	PENDING_NO_TARGET, /* the mapper's cpuset allows no DRAM node */
	PENDING_BUDGET, /* --max-bytes / bytes per sweep ran out */
	PENDING_FAILED, /* move_pages failed; errno in page_info.error */
	PENDING_VANISHED, /* the mapper exited before it could be moved */
	PENDING_REPORT_ONLY, /* scan only: nothing was asked to move */
};

struct page_info {
	enum page_state state;
	enum pending_reason reason; /* PAGE_PENDING only */
	int node; /* last known node, -1 unknown */
	int error; /* positive errno for PENDING_FAILED */
};

/* A run of consecutive file pages [lo, hi) with the same info. */
struct page_segment {
	uint64_t lo;
	uint64_t hi;
	struct page_info info;
};

struct pagestate;

int pagestate_new(struct pagestate **ret);
void pagestate_free(struct pagestate *set);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct pagestate *, pagestate_free)

/*
 * Cover [lo, hi) of @key with segments, ascending, gaps reported as
 * PAGE_UNKNOWN, into a newly allocated array (*ret_n >= 1 when lo < hi).
 */
int pagestate_segments(const struct pagestate *set, const struct file_key *key, uint64_t lo,
		       uint64_t hi, struct page_segment **ret, size_t *ret_n);

/* Record @info for [lo, hi) of @key (PAGE_UNKNOWN forgets the range). */
int pagestate_set(struct pagestate *set, const struct file_key *key, uint64_t lo, uint64_t hi,
		  const struct page_info *info);

/* Call @fn for every recorded segment (any order of files, ascending within one). */
void pagestate_foreach(const struct pagestate *set,
		       void (*fn)(const struct file_key *key, const struct page_segment *seg,
				  void *userdata),
		       void *userdata);

/* Number of files and segments held (for memory accounting and tests). */
size_t pagestate_segment_count(const struct pagestate *set);
