/* SPDX-License-Identifier: MIT */
/*
 * Which page-cache pages a run has already handled, keyed by file
 * (device, inode) and file page offset.  Lets a scan over many processes
 * query and move a shared library's page once, not once per process.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

struct file_key {
	uint32_t dev_major;
	uint32_t dev_minor;
	uint64_t inode;
};

struct page_range {
	uint64_t lo; /* first page offset in the file */
	uint64_t hi; /* one past the last */
};

struct rangeset;

int rangeset_new(struct rangeset **ret);
void rangeset_free(struct rangeset *set);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rangeset *, rangeset_free)

/*
 * The parts of [lo, hi) of @key not claimed yet, ascending, in a newly
 * allocated array (*ret_gaps may be NULL when *ret_n is 0).
 */
int rangeset_gaps(const struct rangeset *set, const struct file_key *key, uint64_t lo, uint64_t hi,
		  struct page_range **ret_gaps, size_t *ret_n);
/* Mark [lo, hi) of @key as handled. */
int rangeset_claim(struct rangeset *set, const struct file_key *key, uint64_t lo, uint64_t hi);
