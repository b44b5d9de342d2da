/* SPDX-License-Identifier: MIT */
#include "placement.h"

#include <errno.h>
#include <numaif.h>
#include <unistd.h>

#include "macro.h"

size_t placement_page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

int placement_query_range(pid_t pid, uint64_t start, size_t n, size_t page_size, int *status)
{
	void *pages[PLACEMENT_BATCH];

	/* Small stack batches; the kernel walks them under one mmap lock each. */
	for (size_t done = 0; done < n;) {
		size_t count = MIN(n - done, ARRAY_SIZE(pages));

		for (size_t i = 0; i < count; i++)
			pages[i] = (void *)(uintptr_t)(start + (done + i) * page_size);
		if (move_pages(pid, count, pages, NULL, status + done, 0) < 0)
			return negative_errno();
		done += count;
	}
	return 0;
}

int placement_query_pages(move_pages_fn fn, pid_t pid, const uint64_t *addrs, size_t n, int *status)
{
	void *pages[PLACEMENT_BATCH];

	for (size_t done = 0; done < n;) {
		size_t count = MIN(n - done, ARRAY_SIZE(pages));

		for (size_t i = 0; i < count; i++)
			pages[i] = (void *)(uintptr_t)addrs[done + i];
		if ((fn ? fn(pid, count, pages, NULL, status + done, 0)
			: move_pages(pid, count, pages, NULL, status + done, 0)) < 0)
			return negative_errno();
		done += count;
	}
	return 0;
}
