/* SPDX-License-Identifier: MIT */
/*
 * Acquiring one process: its identity (pidfd, start time), its executable
 * mappings (file text, anonymous executable memory such as JIT code, and
 * [vdso]-style mappings that are reported but never moved), which of their
 * pages are resident in *this* process, and on which node each one is.
 *
 * The work is bounded by what is resident: residency comes from pagemap
 * (PAGEMAP_SCAN where the kernel has it), and only resident pages are asked
 * about with move_pages().  A shared page-cache page that an earlier
 * process of the same run already settled (see pagestate.h) is not asked
 * about again; its node is taken from the run's record.  A private copy of a
 * text page (copy-on-write after relocations, breakpoints, uprobes) is its
 * own physical page: always asked about, never shared with other processes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"
#include "pagestate.h"
#include "procinfo.h"
#include "prochandle.h"
#include "procmaps.h"

struct scan_totals {
	size_t processes;
	size_t mappings;
	size_t pages; /* mapped pages of executable mappings */
	size_t resident; /* resident in the process (shared pages in every process that maps them)
			  */
	size_t deduplicated; /* resident pages whose node an earlier process of the run settled */
	size_t private_copies; /* resident private copies inside file mappings (COW) */
	size_t cxl_pages; /* on CXL in movable mappings, each physical page counted once per run */
	size_t unmovable_cxl_pages; /* on CXL in [vdso]-style mappings: reported, never moved */
	size_t straddling; /* mappings with resident pages on DRAM and CXL */
	size_t tier_boundaries; /* adjacent resident pages on different tiers */
	size_t truncated_mappings; /* mappings walked only up to the pagemap budget */
	uint64_t resident_bytes;
	uint64_t cxl_bytes; /* cxl_pages in bytes */
};

struct node_pages {
	int node;
	size_t pages;
};

struct mapping_report {
	struct vma vma; /* owns vma.name */
	/*
	 * The file whose page cache backs it: st_dev/st_ino of map_files/START-END
	 * (btrfs subvolumes and overlay layers share the device /proc/PID/maps
	 * shows, and their inode numbers repeat), else the maps fields.
	 */
	struct file_key key;
	/*
	 * map_files could not be read (the leader exited, or no CAP_SYS_ADMIN) and
	 * the device is one that several file systems' subvolumes or layers share
	 * (major 0): the maps fields may name two files as one, so its pages are
	 * matched across processes by page frame only, never by file offset.
	 */
	bool key_uncertain;
	bool special; /* [vdso] and friends: never moved */
	bool skipped_empty; /* a large mapping with no resident page, known without a walk */
	bool walk_truncated; /* pagemap walk stopped at the budget: pages beyond were not seen */
	size_t page_size; /* of the mapping: hugetlb pages are counted as themselves */
	size_t pages; /* (end - start) / page_size */
	size_t resident;
	size_t deduplicated;
	size_t private_copies;
	size_t huge; /* resident pages mapped by a huge page (THP, hugetlb), when known */
	size_t cxl_pages; /* resident pages of this mapping on CXL, in this process's view */
	size_t tier_boundaries;
	bool straddle;
	struct node_pages *nodes; /* resident pages per node, ascending node, sparse */
	size_t n_nodes;
};

#define PAGE_REF_PRIVATE UINT64_MAX

/*
 * The key of anonymous pages mapped by several processes (copy-on-write
 * after fork, not yet copied; KSM): their page frame is their identity.
 */
#define ANON_FRAME_KEY ((struct file_key){ UINT32_MAX, UINT32_MAX, UINT64_MAX })

/* A resident page of an executable mapping, as this process sees it. */
struct page_ref {
	uint64_t addr;
	uint64_t file_page; /* page offset in the file, PAGE_REF_PRIVATE when not shared */
	uint32_t map; /* index in process_report.maps */
	int node; /* -1 until known */
	bool by_frame; /* file_page holds the frame of an anonymous page other processes map too */
	bool deduplicated; /* node taken from the run's record */
	bool counted; /* already counted on CXL by an earlier process of the run */
	bool moved; /* moved by this run's call through this process, verified on @moved_to */
	int moved_to;
};

struct process_report {
	struct procinfo info;
	struct proc_handle handle; /* open while the report lives */
	int error; /* 0; -ESRCH vanished; -EACCES/-EPERM not allowed to look; -EINVAL bad maps */
	char message[ERROR_MESSAGE_MAX]; /* for -EINVAL: what was malformed */
	bool used_procmap_query;
	bool used_pagemap_scan;
	struct mapping_report *maps;
	size_t n_maps;
	struct scan_totals totals;
	struct page_ref *pages; /* resident pages of movable and special mappings, by address */
	size_t n_pages;
	size_t cap_pages;
};

struct scanner {
	const struct cxlp_ctx *ctx;
	uint64_t walk_left; /* of the pagemap walk budget, for the process being acquired */
	struct pagestate *state; /* NULL: no deduplication */
	size_t page_size;
	enum residency_method residency; /* AUTO until the first process settled it */
};

/* @dedupe: share placement of page-cache pages between the processes of a run. */
int scanner_init(struct scanner *s, const struct cxlp_ctx *ctx, bool dedupe);
void scanner_done(struct scanner *s);

/*
 * Acquire @pid into @ret (always initialised, free with process_report_clear()).
 * Returns 0, or the -errno also stored in ret->error.  Records nothing in
 * the run's page state: the caller settles pages once it knows what became
 * of them (scanner_settle()).
 */
int scanner_scan_process(struct scanner *s, pid_t pid, struct process_report *ret);

/*
 * Record the shared pages among r->pages[first, first + n) as @info in the
 * run's page state (private pages are skipped: they belong to @r alone).
 */
int scanner_record(struct scanner *s, const struct process_report *r, size_t first, size_t n,
		   const struct page_info *info);

void process_report_clear(struct process_report *r);
void scan_totals_add(struct scan_totals *into, const struct scan_totals *from);
/* Pages of @m on @node. */
size_t mapping_node_pages(const struct mapping_report *m, int node);
