/* SPDX-License-Identifier: MIT */
/*
 * One pass over a set of processes, one process at a time, in three steps:
 *
 *   acquire  (scan.h) identity, executable mappings, resident pages, nodes;
 *   plan     (pure) which CXL pages go to which DRAM node, through this
 *            process: its cpuset must allow the target; the byte budget;
 *   act      move_pages() with verified outcomes, then record in the run's
 *            page state what became of every shared page.
 *
 * A shared page that one mapper cannot move (no DRAM node in its cpuset, a
 * failed call, the budget, it exited) stays pending, and the next process
 * that has it resident tries again.  The run's counts are taken at the end
 * from that record, so each physical page is counted once, as what finally
 * became of it.  Data, heap, stack and non-executable file pages are never
 * touched.  Each process's report is handed to a callback and then freed:
 * memory stays flat with the number of processes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"
#include "migrate.h"
#include "scan.h"

struct sweep_options {
	bool migrate; /* move pages (else scan only) */
	bool dry_run; /* with migrate: count what would move */
	uint64_t max_bytes; /* bound on bytes moved in this pass, 0 = none */
	int move_flags; /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	uint64_t chunk_target_ns;
	/* Target nodes (a policy's node list); NULL: the nearest DRAM node of each process. */
	const struct idset *targets;
	bool no_dedupe; /* ask about and move shared pages through every mapper */
	/*
	 * Without migrate: do not read each process's status, which only moving
	 * (its cpuset) and a daemon's exec signature need; three syscalls fewer
	 * per process for a one-shot scan.
	 */
	bool scan_without_status;
};

/* What became of CXL pages of movable mappings; each physical page counted once. */
struct sweep_moves {
	size_t moved_pages; /* verified on DRAM after the move */
	uint64_t moved_bytes;
	size_t would_move_pages; /* dry run */
	uint64_t would_move_bytes;
	size_t failed_pages;
	size_t failures[MIGRATE_ERRNO_MAX]; /* by errno */
	size_t no_target_pages; /* no mapper's cpuset allowed a DRAM node */
	size_t budget_pages; /* left because max_bytes was reached */
	size_t vanished_pages; /* every mapper that had them exited first */
};

/* Pages this one process's calls decided (its share of the run's counts). */
struct process_moves {
	size_t planned;
	size_t moved;
	size_t failed;
	size_t failures[MIGRATE_ERRNO_MAX]; /* @failed by errno of the page's final outcome */
	size_t no_target;
	size_t budget;
	size_t vanished;
	bool not_moved_vanished; /* exited before its move */
};

/* A plan for one process: pages to move (index into report pages, target) and pages left. */
struct move_plan {
	size_t *refs;
	int *targets;
	size_t n;
	size_t *no_target; /* CXL pages with no DRAM node allowed to this process */
	size_t n_no_target;
	size_t *over_budget;
	size_t n_over_budget;
};

struct cgroup_totals {
	char cgroup[512];
	struct scan_totals totals;
};

struct sweep_result {
	struct scan_totals totals;
	size_t vanished; /* processes gone before or during the pass */
	size_t denied; /* processes we may not look at */
	pid_t first_denied;
	size_t malformed; /* processes whose /proc files did not parse */
	size_t failed; /* processes that could not be handled for another reason (see their error)
			*/
	struct migrate_stats calls; /* how the move_pages() calls went */
	struct sweep_moves moves;
	size_t planned_pages; /* CXL pages of movable mappings found, once each */
	bool used_procmap_query;
	bool used_pagemap_scan;
	struct cgroup_totals *cgroups; /* per cgroup (v2 path), in order of first appearance */
	size_t n_cgroups;
	size_t cap_cgroups;
};

/*
 * Called for every process after it was acted on; the report is freed after
 * the call.  A negative return stops the sweep with that error.
 */
typedef int (*sweep_process_fn)(const struct process_report *p, const struct process_moves *moves,
				void *userdata);

int sweep_run(const struct cxlp_ctx *ctx, const pid_t *pids, size_t n,
	      const struct sweep_options *opts, sweep_process_fn on_process, void *userdata,
	      struct sweep_result *ret);
void sweep_result_clear(struct sweep_result *r);

/*
 * The plan for @p (pure): CXL pages of movable mappings not settled by an
 * earlier process go to the nearest DRAM node that @p's cpuset allows and,
 * when @targets is given, that it lists (ties to the node of its CPU);
 * *@budget_bytes (UINT64_MAX: none) is spent in address order.
 */
int sweep_plan_process(const struct topology *topo, const struct process_report *p,
		       const struct idset *targets, uint64_t *budget_bytes, struct move_plan *ret);
void move_plan_clear(struct move_plan *plan);

/*
 * Whether code of a live process may have stayed on CXL: failed, no target,
 * or beyond a truncated pagemap walk.  Pages whose every mapper exited first
 * (vanished) are counted but are nobody's code any more.
 */
bool sweep_left_pages(const struct sweep_result *r);
