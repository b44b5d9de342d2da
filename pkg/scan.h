/* SPDX-License-Identifier: MIT */
/*
 * Scanning one process: its executable mappings (file-backed text and
 * anonymous executable memory such as JIT code), how many pages each has,
 * how many are resident and on which node, how many sit on CXL, and whether
 * a mapping straddles tiers.  A scanner shared by several processes counts a
 * page-cache page once: later mappers of the same (device, inode, offset)
 * see it as deduplicated.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procinfo.h"
#include "procmaps.h"
#include "rangeset.h"
#include "sysroot.h"
#include "topology.h"

struct scan_totals {
	size_t processes;
	size_t mappings;
	size_t pages;
	size_t resident;
	size_t deduplicated;
	size_t cxl_pages; /* on CXL, in mappings that can be moved */
	size_t unmovable_cxl_pages; /* on CXL in [vdso]-style mappings: reported, never moved */
	size_t straddling; /* mappings with resident pages on DRAM and CXL */
	size_t tier_boundaries; /* adjacent resident pages on different tiers */
};

struct page_at {
	uint64_t addr;
	int node;
};

struct mapping_report {
	struct vma vma; /* owns vma.name */
	bool special; /* [vdso] and friends: never moved */
	size_t pages; /* (end - start) / page size */
	size_t resident;
	size_t deduplicated; /* counted through an earlier process this run */
	size_t cxl_pages;
	size_t tier_boundaries;
	bool straddle;
	size_t *node_pages; /* resident pages per node, topology max_node + 1 */
};

struct process_report {
	struct procinfo info;
	int error; /* 0; -ESRCH vanished; -EACCES/-EPERM not allowed to look */
	bool used_procmap_query;
	struct mapping_report *maps;
	size_t n_maps;
	struct scan_totals totals;
	/* CXL-resident pages of movable mappings, with the node each is on. */
	struct page_at *moves;
	size_t n_moves;
	size_t cap_moves;
};

struct scan_options {
	enum procmaps_method maps_method;
	bool dedupe; /* count shared page cache once per scanner */
	bool collect_moves; /* fill process_report.move_* */
};

struct scanner {
	const struct sysroot *root;
	const struct topology *topo;
	struct scan_options opts;
	struct rangeset *seen;
	size_t page_size;
};

int scanner_init(struct scanner *s, const struct sysroot *root, const struct topology *topo,
		 const struct scan_options *opts);
void scanner_done(struct scanner *s);

/*
 * Scan @pid into @ret (always initialised, free with process_report_clear()).
 * Returns 0, or the -errno also stored in ret->error.
 */
int scanner_scan_process(struct scanner *s, pid_t pid, struct process_report *ret);
void process_report_clear(struct process_report *r);

void scan_totals_add(struct scan_totals *into, const struct scan_totals *from);
