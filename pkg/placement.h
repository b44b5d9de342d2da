/* SPDX-License-Identifier: MIT */
/*
 * Where a process's pages are: move_pages(2) with nodes == NULL, in batches.
 * A status >= 0 is the node; PAGE_NOT_RESIDENT covers -ENOENT (file page
 * not mapped) and -EFAULT (anonymous page never touched), which are normal.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PLACEMENT_BATCH 512 /* pages per move_pages() query */

/* The move_pages(2) signature, so tests can put a model kernel in its place. */
typedef long (*move_pages_fn)(int pid, unsigned long count, void **pages, const int *nodes,
			      int *status, int flags);

static inline int placement_is_resident(int status)
{
	return status >= 0;
}

/*
 * Query the node of @n pages of @pid starting at @start (page aligned),
 * @page_size apart, into @status.  Batches internally.  -ESRCH when the
 * process is gone, -EPERM/-EACCES when we may not look.
 */
int placement_query_range(pid_t pid, uint64_t start, size_t n, size_t page_size, int *status);

/* The same for @n arbitrary page addresses, through @fn (NULL: the system call). */
int placement_query_pages(move_pages_fn fn, pid_t pid, const uint64_t *addrs, size_t n,
			  int *status);

size_t placement_page_size(void);
