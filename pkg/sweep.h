/* SPDX-License-Identifier: MIT */
/*
 * One pass over a set of processes: scan each one's executable mappings
 * (shared page cache counted once) and, when asked, move their CXL-resident
 * pages to the nearest DRAM node the process may use.  Data, heap, stack and
 * non-executable file pages are never touched.  Processes that vanish,
 * pages that cannot move and budgets that run out are counted, not fatal.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "migrate.h"
#include "scan.h"

struct sweep_options {
	enum procmaps_method maps_method;
	bool migrate; /* move pages (else scan only) */
	bool dry_run; /* with migrate: count what would move */
	uint64_t max_bytes; /* bound on bytes moved in this pass, 0 = none */
	int move_flags; /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	uint64_t chunk_target_ns;
};

struct cgroup_totals {
	char cgroup[512];
	struct scan_totals totals;
};

struct sweep_result {
	struct process_report *procs;
	size_t n_procs;
	struct scan_totals totals;
	size_t vanished; /* processes gone before or during the pass */
	size_t denied; /* processes we may not look at */
	pid_t first_denied;
	struct migrate_stats moves;
	size_t planned_pages; /* CXL pages of movable mappings found */
	size_t would_move_pages; /* dry run: pages that would be moved */
	size_t no_target_pages; /* no DRAM node allowed for the process */
	size_t budget_skipped_pages; /* left because max_bytes was reached */
	bool used_procmap_query;
};

int sweep_run(const struct sysroot *root, const struct topology *topo, const pid_t *pids, size_t n,
	      const struct sweep_options *opts, struct sweep_result *ret);
void sweep_result_clear(struct sweep_result *r);

/* Totals grouped by cgroup (v2 path), newly allocated. */
int sweep_cgroup_totals(const struct sweep_result *r, struct cgroup_totals **ret, size_t *ret_n);
