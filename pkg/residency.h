/* SPDX-License-Identifier: MIT */
/*
 * Which pages of a range are present in one process's page tables, so that
 * a scan costs what is resident, not what is mapped.  Two readers of
 * /proc/PID/pagemap:
 *   - the PAGEMAP_SCAN ioctl (Linux 6.7+): the kernel walks the page tables,
 *     skips empty ones whole and returns ranges of present pages; a huge
 *     empty mapping costs a few page-table steps;
 *   - reading the 64-bit pagemap entries (every kernel): still one entry per
 *     page of the range, but far cheaper per page than move_pages().
 * Each present page is either the shared page (page cache, or shared
 * anonymous memory: RESIDENT_SHARED) or this process's own anonymous page,
 * e.g. a copy-on-write copy of a text page made by relocations, breakpoints
 * or uprobes: such a copy is its own physical page, to be handled per
 * process and never deduplicated across processes.
 *
 * Not present: never touched, swapped out, or under migration at the moment
 * of the walk.  The two methods differ in two corners:
 *   - the shared zero page (an anonymous page only ever read) is skipped by
 *     PAGEMAP_SCAN and reported as a private present page by the entry
 *     reader (pagemap does not tell it apart without CAP_SYS_ADMIN);
 *     move_pages() reports it -EFAULT, i.e. not resident;
 *   - RESIDENT_HUGE comes only from PAGEMAP_SCAN (PMD-mapped THP, hugetlb);
 *     the entry reader cannot see it (smaps KernelPageSize/AnonHugePages can).
 * VM_PFNMAP mappings are skipped by PAGEMAP_SCAN; they hold no movable pages.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [start, end) of present pages with identical flags. */
struct resident_range {
	uint64_t start;
	uint64_t end;
	unsigned int flags;
};

#define RESIDENT_SHARED 0x1 /* file page or shared anon (pagemap bit 61 / PAGE_IS_FILE) */
#define RESIDENT_HUGE 0x2 /* PMD-mapped THP or hugetlb (PAGE_IS_HUGE), when known */

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_ENTRY_PRESENT (1ULL << 63)
#define PAGEMAP_ENTRY_SWAPPED (1ULL << 62)
#define PAGEMAP_ENTRY_FILE (1ULL << 61) /* file page or shared anon */
#define PAGEMAP_ENTRY_EXCLUSIVE (1ULL << 56) /* mapped by this process only (4.2+) */
#define PAGEMAP_ENTRY_PFN_MASK ((1ULL << 55) - 1) /* 0 unless CAP_SYS_ADMIN */

enum residency_method {
	RESIDENCY_AUTO, /* PAGEMAP_SCAN when the kernel has it, else pagemap entries */
	RESIDENCY_SCAN, /* PAGEMAP_SCAN only; residency_open() -EOPNOTSUPP when missing */
	RESIDENCY_PAGEMAP, /* always read pagemap entries */
};

struct residency {
	int fd; /* /proc/PID/pagemap */
	enum residency_method method; /* SCAN or PAGEMAP once opened, never AUTO */
	size_t page_size;
	/*
	 * Set by the caller after opening: an empty PAGEMAP_SCAN result is not
	 * checked against the process having exited right away (a pread per
	 * empty range) but once, by residency_confirm_alive().
	 */
	bool defer_alive_check;
	bool unconfirmed_empty; /* an empty result is waiting for that check */
	uint64_t unconfirmed_addr;
};

/* A growing array of ranges; residency_parse_pagemap() appends to it. */
struct resident_ranges {
	struct resident_range *items;
	size_t n;
	size_t cap;
};

void resident_ranges_free(struct resident_ranges *list);

/*
 * Append the present pages among @n pagemap @entries, the first describing
 * the page at @start, @page_size apart, to @list, merging with its last range
 * when adjacent with the same flags (so a range read in chunks comes out
 * whole).  -EINVAL when @start or @page_size is not a power-of-two-aligned
 * page address or the range overflows, -ENOMEM; on failure @list holds
 * what it held before.
 */
int residency_parse_pagemap(const uint64_t *entries, size_t n, uint64_t start, size_t page_size,
			    struct resident_ranges *list);

/*
 * Open "pagemap" relative to @procdir_fd, a directory fd of /proc/PID or
 * /proc/PID/task/TID.  AUTO probes PAGEMAP_SCAN once here and settles on a
 * method (ret->method).  -EOPNOTSUPP for RESIDENCY_SCAN without it; -ESRCH
 * when the process is gone; -EACCES/-EPERM when we may not look (pagemap
 * needs ptrace-read access).  @ret is untouched on failure.
 */
int residency_open(int procdir_fd, enum residency_method method, struct residency *ret);
/*
 * The same with the method an earlier residency_open() on this kernel settled
 * on (its ret->method, SCAN or PAGEMAP; else -EINVAL): no probe, one ioctl
 * fewer per process.
 */
int residency_open_settled(int procdir_fd, enum residency_method method, struct residency *ret);

/*
 * Present ranges inside [@start, @end) (page aligned), ascending, as a newly
 * allocated array (free()); *@ret_n may be 0, *@ret then NULL.  -ESRCH when
 * the process has no memory any more (exited), -EINVAL for an unaligned or
 * empty range.  @ret and @ret_n are untouched on failure.
 */
int residency_ranges(struct residency *r, uint64_t start, uint64_t end, struct resident_range **ret,
		     size_t *ret_n);

/* The same, appended to @list (merging as residency_parse_pagemap() does). */
int residency_ranges_append(struct residency *r, uint64_t start, uint64_t end,
			    struct resident_ranges *list);

/*
 * With defer_alive_check: 0 when every empty result since opening was a
 * live process's (one read of pagemap, only if there was one), -ESRCH when
 * the process has no memory any more, so those results mean nothing.
 */
int residency_confirm_alive(struct residency *r);

/*
 * The raw pagemap entries of the @n base pages from @start (page aligned)
 * into @ret (n entries), for what ranges do not say: whether an anonymous
 * page is mapped by this process alone (PAGEMAP_ENTRY_EXCLUSIVE) and its
 * frame (PAGEMAP_ENTRY_PFN_MASK, 0 without CAP_SYS_ADMIN).  -ESRCH when the
 * process has no memory any more; @ret is unspecified on failure.
 */
int residency_entries(struct residency *r, uint64_t start, size_t n, uint64_t *ret);

void residency_close(struct residency *r);

/*
 * What /proc/PID/smaps says about the VMA that starts at @vma_start: a cheap
 * test on kernels without PAGEMAP_SCAN (Rss == 0: nothing to look at; the
 * kernel's smaps walk skips empty page tables).  Sizes in bytes.
 */
struct smaps_usage {
	uint64_t rss;
	uint64_t swap;
	uint64_t anon_huge; /* AnonHugePages */
	uint64_t kernel_page_size; /* KernelPageSize: 2 MiB/1 GiB for hugetlb */
};

/*
 * Find the VMA starting at @vma_start in a /proc/PID/smaps text and read its
 * fields.  -ENOENT when no VMA starts there, -EINVAL when its Rss: line is
 * missing or malformed.  Fields other than Rss that are absent are 0.
 */
int residency_smaps_usage(const char *smaps_text, uint64_t vma_start, struct smaps_usage *ret);
