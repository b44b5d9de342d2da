/* SPDX-License-Identifier: MIT */
/*
 * Moving pages of another process with move_pages(2), in chunks paced so
 * that one call does not hold the target for much longer than a target time
 * (20 ms by default).  Pages that are busy (EBUSY/EAGAIN) get one more try at the end
 * of the pass; what still fails is counted by errno, never fatal.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MIGRATE_TARGET_NS (20 * 1000 * 1000ULL)
#define MIGRATE_MIN_CHUNK 16
#define MIGRATE_FIRST_CHUNK 64 /* small: the first call is unpaced, and CXL reads may be slow */
#define MIGRATE_MAX_CHUNK 65536
#define MIGRATE_ERRNO_MAX 256

struct migrate_stats {
	size_t moved_pages;
	size_t failed_pages;
	size_t failures[MIGRATE_ERRNO_MAX]; /* by errno */
	size_t calls;
	size_t retried_pages; /* busy on the first try (EBUSY, EAGAIN), tried once more */
	uint64_t longest_call_ns;
};

/* Adapts the chunk size to the time the last move_pages() call took. */
struct migrate_pacer {
	size_t chunk;
	uint64_t target_ns;
};

void migrate_pacer_init(struct migrate_pacer *pacer, uint64_t target_ns);
/* Next chunk size after moving @pages in @elapsed_ns (pure, for tests). */
size_t migrate_pacer_next(const struct migrate_pacer *pacer, size_t pages, uint64_t elapsed_ns);

/* MPOL_MF_MOVE_ALL when we hold CAP_SYS_NICE (shared page cache), else MPOL_MF_MOVE. */
int migrate_default_flags(void);
bool migrate_have_cap_sys_nice(void);

/*
 * Move @n pages of @pid (addresses @addrs) to @nodes.  Returns 0 when the
 * pages were tried (see @stats), -ESRCH when the process went away (pages
 * moved before that are counted), other -errno when nothing could be tried.
 */
int migrate_move(pid_t pid, const uint64_t *addrs, const int *nodes, size_t n, int flags,
		 struct migrate_pacer *pacer, struct migrate_stats *stats);

/* Add @from into @into. */
void migrate_stats_add(struct migrate_stats *into, const struct migrate_stats *from);
