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

/* Resident pages of a mapping on one node. */
struct node_pages {
	int32_t node;
	uint32_t pages;
};

/*
 * What mappings of a process have in common: the file (or anonymous
 * memory) and how it is mapped.  Mappings of one file with the same
 * permissions and identity share one entry: a process with 65,000 mappings
 * of one file holds its name once.
 */
struct mapping_file {
	char *name; /* path or "[vdso]"-style name, "" for anonymous; " (deleted)" stripped */
	uint64_t inode;
	unsigned int dev_major;
	unsigned int dev_minor;
	/*
	 * The file whose page cache backs it: st_dev/st_ino of map_files/START-END
	 * (btrfs subvolumes and overlay layers share the device /proc/PID/maps
	 * shows, and their inode numbers repeat), else the maps fields.
	 */
	struct file_key key;
	char perms[5]; /* "r-xp" */
	bool deleted;
	/*
	 * map_files could not be read (the leader exited, or no CAP_SYS_ADMIN) and
	 * the device is one that several file systems' subvolumes or layers share
	 * (major 0): the maps fields may name two files as one, so its pages are
	 * matched across processes by page frame only, never by file offset.
	 */
	bool key_uncertain;
	bool special; /* [vdso] and friends: never moved */
};

/*
 * One executable mapping.  A process holds one per mapping, so it is kept
 * small (72 bytes; the unit tests check): what it shares with other mappings
 * is in process_report.files, counts of its resident pages are 32 bits (a
 * mapping with 2^32 resident pages would need 64 GiB of page_refs first),
 * and its pages per node are inline when they are all on one node.
 */
struct mapping_report {
	uint64_t start;
	uint64_t end;
	uint64_t offset; /* in the file, bytes */
	uint64_t page_size; /* of the mapping: hugetlb pages are counted as themselves */
	uint32_t file; /* index in process_report.files */
	uint32_t resident;
	uint32_t deduplicated;
	uint32_t private_copies;
	uint32_t huge; /* resident pages mapped by a huge page (THP, hugetlb), when known */
	uint32_t cxl_pages; /* resident pages of this mapping on CXL, in this process's view */
	uint32_t tier_boundaries;
	uint32_t nodes_at; /* n_nodes > 1: its counts are process_report.nodes[nodes_at...] */
	uint16_t n_nodes; /* nodes with resident pages of it */
	int16_t node; /* n_nodes == 1: the node of every resident page */
	bool special : 1; /* the file's, at hand for the sweep */
	bool skipped_empty : 1; /* a large mapping with no resident page, known without a walk */
	bool walk_truncated : 1; /* pagemap walk stopped at the budget: pages beyond were not seen
				  */
	bool straddle : 1; /* resident pages on DRAM and CXL */
};

/* Mappings a process may have: page_ref.map has 28 bits. */
#define MAPPING_INDEX_MAX ((uint32_t)1 << 28)

#define PAGE_REF_PRIVATE UINT64_MAX

/*
 * The key of anonymous pages mapped by several processes (copy-on-write
 * after fork, not yet copied; KSM): their page frame is their identity.
 */
#define ANON_FRAME_KEY ((struct file_key){ UINT32_MAX, UINT32_MAX, UINT64_MAX })

/* A resident page of an executable mapping, as this process sees it (24 bytes). */
struct page_ref {
	uint64_t addr;
	uint64_t file_page; /* page offset in the file, PAGE_REF_PRIVATE when not shared */
	uint32_t map : 28; /* index in process_report.maps */
	uint32_t by_frame : 1; /* file_page holds the frame of an anonymous page others map too */
	uint32_t deduplicated : 1; /* node taken from the run's record */
	uint32_t counted : 1; /* already counted on CXL by an earlier process of the run */
	uint32_t moved : 1; /* moved by this run's call through this process, verified on @moved_to
			     */
	int16_t node; /* -1 until known */
	int16_t moved_to;
};

struct process_report {
	struct procinfo info;
	struct proc_handle handle; /* open while the report lives */
	int error; /* 0; -ESRCH vanished; -EACCES/-EPERM not allowed to look; -EINVAL bad maps */
	char message[ERROR_MESSAGE_MAX]; /* for -EINVAL: what was malformed */
	bool used_procmap_query;
	bool used_pagemap_scan;
	struct mapping_report *maps; /* in the order the kernel lists them */
	size_t n_maps;
	size_t cap_maps;
	struct mapping_file *files; /* what the mappings share, by mapping_report.file */
	size_t n_files;
	size_t cap_files;
	struct node_pages *nodes; /* per node counts of mappings on more than one node */
	size_t n_nodes;
	size_t cap_nodes;
	struct scan_totals totals;
	struct page_ref *pages; /* resident pages of movable and special mappings, by address */
	size_t n_pages;
	size_t cap_pages;
};

static inline const struct mapping_file *mapping_file_of(const struct process_report *r,
							 const struct mapping_report *m)
{
	return &r->files[m->file];
}

/* Mapped pages of @m: (end - start) / page_size. */
static inline uint64_t mapping_pages(const struct mapping_report *m)
{
	return (m->end - m->start) / m->page_size;
}

/* The @k-th (k < m->n_nodes) of @m's resident pages per node, ascending node. */
struct node_pages mapping_node(const struct process_report *r, const struct mapping_report *m,
			       size_t k);

struct scanner {
	const struct cxlp_ctx *ctx;
	uint64_t walk_left; /* of the pagemap walk budget, for the process being acquired */
	struct pagestate *state; /* NULL: no deduplication */
	size_t page_size;
	enum residency_method residency; /* AUTO until the first process settled it */
	bool no_status; /* scan only: status (cpuset, exec_signature) is not read */
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
size_t mapping_node_pages(const struct process_report *r, const struct mapping_report *m, int node);
