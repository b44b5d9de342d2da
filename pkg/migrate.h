/* SPDX-License-Identifier: MIT */
/*
 * Moving pages of another process with move_pages(2), in chunks paced so
 * that one call does not hold the target for much longer than a target time
 * (20 ms by default).
 *
 * Every outcome is what the kernel did, verified: move_pages() returns a
 * positive count when some pages of a call could not be migrated, and then
 * its status array is no record of which ones; a call-level error (EACCES,
 * ENODEV) can come after earlier pages of the same call were migrated.  After
 * any call that did not return 0 the chunk's placement is queried again
 * (nodes == NULL) and a page counts as moved only if it is now on its target.
 *
 * Pages busy on the first try (EBUSY, EAGAIN) get one more try at the end of
 * the pass.  MPOL_MF_MOVE_ALL refused with EPERM (CAP_SYS_NICE is checked in
 * the initial user namespace) falls back to MPOL_MF_MOVE for the rest of the
 * request.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "placement.h"

#define MIGRATE_TARGET_NS (20 * 1000 * 1000ULL)
#define MIGRATE_MIN_CHUNK 16
#define MIGRATE_FIRST_CHUNK 64 /* small: the first call is unpaced, and CXL reads may be slow */
#define MIGRATE_MAX_CHUNK 65536
#define MIGRATE_ERRNO_MAX 256

struct migrate_stats {
	size_t moved_pages; /* verified on their target node */
	size_t failed_pages;
	size_t failures[MIGRATE_ERRNO_MAX]; /* by errno */
	size_t vanished_pages; /* the process went away before they were settled */
	size_t calls; /* move_pages() calls that asked to move */
	size_t requeries; /* placement re-queried after a call that did not return 0 */
	size_t retried_pages; /* busy on the first try (EBUSY, EAGAIN), tried once more */
	uint64_t longest_call_ns;
	bool fell_back_to_move; /* MPOL_MF_MOVE_ALL gave EPERM: used MPOL_MF_MOVE */
};

/* Adapts the chunk size to the time the last move_pages() call took. */
struct migrate_pacer {
	size_t chunk;
	uint64_t target_ns;
};

void migrate_pacer_init(struct migrate_pacer *pacer, uint64_t target_ns);
/* Next chunk size after moving @pages in @elapsed_ns (pure, for tests). */
size_t migrate_pacer_next(const struct migrate_pacer *pacer, size_t pages, uint64_t elapsed_ns);

/* Why MPOL_MF_MOVE_ALL may or may not be used. */
enum move_privilege {
	MOVE_PRIVILEGE_ALL, /* CAP_SYS_NICE in the initial user namespace */
	MOVE_PRIVILEGE_NO_CAP, /* no CAP_SYS_NICE at all */
	MOVE_PRIVILEGE_USERNS, /* CAP_SYS_NICE, but only inside a user namespace */
};

enum move_privilege migrate_privilege(void);
/* MPOL_MF_MOVE_ALL with MOVE_PRIVILEGE_ALL, else MPOL_MF_MOVE. */
int migrate_default_flags(void);
bool migrate_have_cap_sys_nice(void);
/* Whether the caller's user namespace is the initial one (true when it cannot tell). */
bool migrate_in_initial_user_namespace(void);

struct migrate_request {
	pid_t pid; /* the task whose mm is moved (a live thread when the leader exited) */
	int flags; /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	/*
	 * Called before every call: the task to move through now (> 0; it may
	 * change when the thread used ends), or < 0 (-ESRCH) when the process is
	 * no longer the one scanned.  NULL: always @pid.
	 */
	pid_t (*still_same)(void *userdata);
	void *userdata;
	move_pages_fn move_pages; /* NULL: the real system call */
};

/*
 * Move @n pages (addresses @addrs) to @nodes.  @outcome (n entries) receives,
 * per page, its target node when verified there, else a negative errno:
 * the page's failure, -ESRCH when the process went away first.
 * Returns 0 when every page was tried, -ESRCH when the process went away
 * (pages settled before that keep their outcome), -ENOMEM.
 */
int migrate_move(const struct migrate_request *req, const uint64_t *addrs, const int *nodes,
		 size_t n, struct migrate_pacer *pacer, int *outcome, struct migrate_stats *stats);

/* Add @from into @into. */
void migrate_stats_add(struct migrate_stats *into, const struct migrate_stats *from);
/* Count one page's final outcome into @stats. */
void migrate_stats_count(struct migrate_stats *stats, int outcome);
