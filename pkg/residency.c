/* SPDX-License-Identifier: MIT */
#include "residency.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"

/*
 * linux/fs.h of 6.7+; Debian 12's headers (6.1) lack it.  The kernel
 * accepts exactly sizeof(struct pm_scan_arg) in .size (96 bytes so far).
 */
struct pm_scan_arg_v1 {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end; /* written by the kernel: where the walk stopped */
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages; /* 0: no limit */
	uint64_t category_inverted;
	uint64_t category_mask; /* skip pages for which any of these does not match */
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

struct page_region_v1 {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

#define PAGEMAP_SCAN_IOCTL _IOWR('f', 16, struct pm_scan_arg_v1)
#define PAGE_IS_FILE (1ULL << 2)
#define PAGE_IS_PRESENT (1ULL << 3)
#define PAGE_IS_PFNZERO (1ULL << 5)
#define PAGE_IS_HUGE (1ULL << 6)

#define SCAN_VEC_LEN 256 /* page_region entries per ioctl */
#define PAGEMAP_CHUNK 8192 /* pagemap entries per pread: 64 KiB, 32 MiB of address space */

void resident_ranges_free(struct resident_ranges *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->n = list->cap = 0;
}

/* Append [start, end) with @flags, merging with the last range when it touches it. */
static int ranges_push(struct resident_ranges *list, uint64_t start, uint64_t end,
		       unsigned int flags)
{
	struct resident_range *last = list->n ? &list->items[list->n - 1] : NULL;

	if (last && last->end == start && last->flags == flags) {
		last->end = end;
		return 0;
	}
	if (GROW_ARRAY(list->items, list->cap, list->n + 1) < 0)
		return -ENOMEM;
	list->items[list->n++] =
		(struct resident_range){ .start = start, .end = end, .flags = flags };
	return 0;
}

/* What a caller's @list looked like, to put it back after a failure half-way. */
struct ranges_mark {
	size_t n;
	uint64_t last_end;
};

static struct ranges_mark ranges_mark(const struct resident_ranges *list)
{
	return (struct ranges_mark){
		.n = list->n,
		.last_end = list->n ? list->items[list->n - 1].end : 0,
	};
}

static void ranges_rollback(struct resident_ranges *list, struct ranges_mark mark)
{
	list->n = mark.n;
	if (mark.n)
		list->items[mark.n - 1].end = mark.last_end;
}

static bool page_size_valid(size_t page_size)
{
	return page_size >= 8 && (page_size & (page_size - 1)) == 0;
}

static unsigned int entry_flags(uint64_t entry)
{
	return entry & PAGEMAP_ENTRY_FILE ? RESIDENT_SHARED : 0;
}

int residency_parse_pagemap(const uint64_t *entries, size_t n, uint64_t start, size_t page_size,
			    struct resident_ranges *list)
{
	struct ranges_mark mark = ranges_mark(list);

	if (!page_size_valid(page_size) || start % page_size != 0)
		return -EINVAL;
	if (n > (UINT64_MAX - start) / page_size)
		return -EINVAL;

	for (size_t i = 0; i < n;) {
		unsigned int flags;
		size_t j;
		int r;

		if (!(entries[i] & PAGEMAP_ENTRY_PRESENT)) {
			i++;
			continue;
		}
		flags = entry_flags(entries[i]);
		for (j = i + 1; j < n && (entries[j] & PAGEMAP_ENTRY_PRESENT) &&
				entry_flags(entries[j]) == flags;
		     j++)
			;
		r = ranges_push(list, start + i * page_size, start + j * page_size, flags);
		if (r < 0) {
			ranges_rollback(list, mark);
			return r;
		}
		i = j;
	}
	return 0;
}

/* One PAGEMAP_SCAN call on an empty range: 0 on 6.7+, ENOTTY before. */
static int scan_probe(int fd)
{
	struct pm_scan_arg_v1 arg = { .size = sizeof(arg) };

	if (ioctl(fd, PAGEMAP_SCAN_IOCTL, &arg) < 0)
		return negative_errno();
	return 0;
}

static int open_method(int procdir_fd, enum residency_method method, bool settled,
		       struct residency *ret)
{
	_cleanup_close_ int fd = -1;
	size_t page_size = (size_t)sysconf(_SC_PAGESIZE);
	enum residency_method chosen = method;

	if (method != RESIDENCY_AUTO && method != RESIDENCY_SCAN && method != RESIDENCY_PAGEMAP)
		return -EINVAL;
	fd = openat(procdir_fd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int r = negative_errno();

		/* no pagemap in a live /proc/PID: kernel without CONFIG_PROC_PAGE_MONITOR */
		if (r == -ENOENT)
			return faccessat(procdir_fd, "stat", F_OK, 0) == 0 ? -EOPNOTSUPP : -ESRCH;
		return r;
	}
	if (method != RESIDENCY_PAGEMAP && !settled) {
		int r = scan_probe(fd);

		if (r == 0)
			chosen = RESIDENCY_SCAN;
		else if (r == -ENOTTY || r == -EINVAL || r == -EOPNOTSUPP) {
			if (method == RESIDENCY_SCAN)
				return -EOPNOTSUPP;
			chosen = RESIDENCY_PAGEMAP;
		} else
			return r;
	}
	*ret = (struct residency){ .fd = TAKE_FD(fd), .method = chosen, .page_size = page_size };
	return 0;
}

int residency_open(int procdir_fd, enum residency_method method, struct residency *ret)
{
	return open_method(procdir_fd, method, false, ret);
}

int residency_open_settled(int procdir_fd, enum residency_method method, struct residency *ret)
{
	if (method != RESIDENCY_SCAN && method != RESIDENCY_PAGEMAP)
		return -EINVAL;
	return open_method(procdir_fd, method, true, ret);
}

void residency_close(struct residency *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static int ranges_scan(struct residency *r, uint64_t start, uint64_t end,
		       struct resident_ranges *list)
{
	struct page_region_v1 vec[SCAN_VEC_LEN];
	struct pm_scan_arg_v1 arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)vec,
		.vec_len = ARRAY_SIZE(vec),
		/* present, and not the shared zero page */
		.category_mask = PAGE_IS_PRESENT | PAGE_IS_PFNZERO,
		.category_inverted = PAGE_IS_PFNZERO,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_FILE | PAGE_IS_HUGE,
	};

	for (;;) {
		long n = ioctl(r->fd, PAGEMAP_SCAN_IOCTL, &arg);

		if (n < 0)
			return negative_errno();
		if ((uint64_t)n > ARRAY_SIZE(vec))
			return -EIO;
		for (long i = 0; i < n; i++) {
			unsigned int flags = 0;
			int k;

			if (vec[i].start >= vec[i].end || vec[i].start < arg.start ||
			    vec[i].end > end)
				return -EIO;
			if (vec[i].categories & PAGE_IS_FILE)
				flags |= RESIDENT_SHARED;
			if (vec[i].categories & PAGE_IS_HUGE)
				flags |= RESIDENT_HUGE;
			k = ranges_push(list, vec[i].start, vec[i].end, flags);
			if (k < 0)
				return k;
		}
		/* walk_end == end: the whole range was walked */
		if (arg.walk_end >= end)
			return 0;
		/* the vector filled up: go on where the kernel stopped */
		if (arg.walk_end <= arg.start)
			return -EIO;
		arg.start = arg.walk_end;
	}
}

static int ranges_pagemap(struct residency *r, uint64_t start, uint64_t end,
			  struct resident_ranges *list)
{
	_cleanup_free_ uint64_t *buf = malloc(PAGEMAP_CHUNK * sizeof(uint64_t));
	uint64_t page_size = r->page_size;

	if (!buf)
		return -ENOMEM;
	for (uint64_t addr = start; addr < end;) {
		size_t want = (size_t)MIN((end - addr) / page_size, (uint64_t)PAGEMAP_CHUNK);
		off_t off = (off_t)(addr / page_size * sizeof(uint64_t));
		ssize_t got = pread(r->fd, buf, want * sizeof(uint64_t), off);
		int k;

		if (got < 0)
			return negative_errno();
		/* 0 bytes: the process has no mm any more (or the range is past user space) */
		if (got == 0)
			return -ESRCH;
		if (got % sizeof(uint64_t) != 0)
			return -EIO;
		k = residency_parse_pagemap(buf, (size_t)got / sizeof(uint64_t), addr, page_size,
					    list);
		if (k < 0)
			return k;
		addr += (uint64_t)got / sizeof(uint64_t) * page_size;
	}
	return 0;
}

int residency_entries(struct residency *r, uint64_t start, size_t n, uint64_t *ret)
{
	size_t done = 0;

	if (!r || r->fd < 0)
		return -EBADF;
	if (start % r->page_size != 0)
		return -EINVAL;
	while (done < n) {
		off_t off = (off_t)((start / r->page_size + done) * sizeof(uint64_t));
		ssize_t got = pread(r->fd, ret + done, (n - done) * sizeof(uint64_t), off);

		if (got < 0)
			return negative_errno();
		if (got == 0)
			return -ESRCH;
		if (got % sizeof(uint64_t) != 0)
			return -EIO;
		done += (size_t)got / sizeof(uint64_t);
	}
	return 0;
}

static int pagemap_alive(struct residency *r, uint64_t addr)
{
	uint64_t entry;
	ssize_t got =
		pread(r->fd, &entry, sizeof(entry), (off_t)(addr / r->page_size * sizeof(entry)));

	if (got < 0)
		return negative_errno();
	return got == 0 ? -ESRCH : 0;
}

int residency_ranges_append(struct residency *r, uint64_t start, uint64_t end,
			    struct resident_ranges *list)
{
	struct ranges_mark mark = ranges_mark(list);
	int k;

	if (!r || r->fd < 0)
		return -EBADF;
	if (start >= end || start % r->page_size != 0 || end % r->page_size != 0)
		return -EINVAL;
	k = r->method == RESIDENCY_SCAN ? ranges_scan(r, start, end, list)
					: ranges_pagemap(r, start, end, list);
	/*
	 * Nothing found: make sure that is not because the process is gone.
	 * 6.18 fails PAGEMAP_SCAN with ESRCH then; should a kernel walk the
	 * dead mm as empty instead, reading one entry tells (0 bytes: no mm).
	 */
	if (k == 0 && r->method == RESIDENCY_SCAN && list->n == mark.n &&
	    (!list->n || list->items[list->n - 1].end == mark.last_end)) {
		if (!r->defer_alive_check) {
			k = pagemap_alive(r, start);
		} else if (!r->unconfirmed_empty) {
			r->unconfirmed_empty = true;
			r->unconfirmed_addr = start;
		}
	}
	if (k < 0)
		ranges_rollback(list, mark);
	return k;
}

int residency_confirm_alive(struct residency *r)
{
	int k;

	if (!r || r->fd < 0)
		return -EBADF;
	if (!r->unconfirmed_empty)
		return 0;
	k = pagemap_alive(r, r->unconfirmed_addr);
	if (k == 0)
		r->unconfirmed_empty = false;
	return k;
}

int residency_ranges(struct residency *r, uint64_t start, uint64_t end, struct resident_range **ret,
		     size_t *ret_n)
{
	_cleanup_(resident_ranges_free) struct resident_ranges list = { 0 };
	int k;

	k = residency_ranges_append(r, start, end, &list);
	if (k < 0)
		return k;
	*ret_n = list.n;
	*ret = TAKE_PTR(list.items);
	return 0;
}

/* "Key:   123 kB" -> bytes; -EINVAL unless exactly that shape. */
static int smaps_kb(const char *value, const char *eol, uint64_t *ret)
{
	unsigned long long kb;
	char *e;

	while (value < eol && *value == ' ')
		value++;
	if (value == eol || !isdigit((unsigned char)*value))
		return -EINVAL;
	errno = 0;
	kb = strtoull(value, &e, 10);
	if (errno != 0 || e > eol || (size_t)(eol - e) != 3 || strncmp(e, " kB", 3) != 0)
		return -EINVAL;
	if (kb > UINT64_MAX / 1024)
		return -EINVAL;
	*ret = (uint64_t)kb * 1024;
	return 0;
}

/* A VMA header line ("start-end perms ..."): its start address. */
static bool smaps_header(const char *line, uint64_t *ret_start)
{
	unsigned long long v;
	char *e;

	if (!isxdigit((unsigned char)*line))
		return false;
	errno = 0;
	v = strtoull(line, &e, 16);
	if (errno != 0 || *e != '-')
		return false;
	*ret_start = v;
	return true;
}

int residency_smaps_usage(const char *smaps_text, uint64_t vma_start, struct smaps_usage *ret)
{
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{ "Rss:", offsetof(struct smaps_usage, rss) },
		{ "Swap:", offsetof(struct smaps_usage, swap) },
		{ "AnonHugePages:", offsetof(struct smaps_usage, anon_huge) },
		{ "KernelPageSize:", offsetof(struct smaps_usage, kernel_page_size) },
	};
	struct smaps_usage u = { 0 };
	bool in_vma = false, have_rss = false;

	for (const char *line = smaps_text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *eol = nl ? nl : line + strlen(line);
		uint64_t at;

		if (smaps_header(line, &at)) {
			if (in_vma)
				break;
			in_vma = at == vma_start;
		} else if (in_vma) {
			for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
				size_t len = strlen(fields[i].key);

				if ((size_t)(eol - line) < len || strncmp(line, fields[i].key, len))
					continue;
				if (smaps_kb(line + len, eol,
					     (uint64_t *)((char *)&u + fields[i].offset)) < 0)
					return -EINVAL;
				if (i == 0)
					have_rss = true;
				break;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!in_vma)
		return -ENOENT;
	if (!have_rss)
		return -EINVAL;
	*ret = u;
	return 0;
}
