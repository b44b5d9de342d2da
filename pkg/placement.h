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

size_t placement_page_size(void);
