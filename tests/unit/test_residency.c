/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "proclib.h"
#include "residency.h"
#include "testlib.h"

#define ABSENT 0xffu

static size_t psz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static const char *kernel_release(void)
{
	static struct utsname u;

	if (uname(&u) < 0)
		return "unknown";
	return u.release;
}

static int open_procdir(pid_t pid)
{
	char path[64];
	int fd;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self");
	else
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

static const char *method_name(enum residency_method m)
{
	return m == RESIDENCY_SCAN ? "PAGEMAP_SCAN" : m == RESIDENCY_PAGEMAP ? "pagemap" : "auto";
}

/*
 * Open residency of @pid (0: ourselves) with @method.  false (and a NOTE
 * naming the kernel) when PAGEMAP_SCAN was asked for and the kernel has none:
 * -EOPNOTSUPP is the documented answer there, and the SCAN path is proven on
 * 6.7+ kernels (this host, the hmat guest on 6.12).
 */
static bool open_method(pid_t pid, enum residency_method method, const char *test,
			struct residency *ret)
{
	_cleanup_close_ int dir = open_procdir(pid);
	int r = residency_open(dir, method, ret);

	if (r == -EOPNOTSUPP && method == RESIDENCY_SCAN) {
		/* The absent-kernel branch, as documented; the SCAN path runs on 6.7+ (host, hmat
		 * guest). */
		printf("NOTE %s: kernel %s has no PAGEMAP_SCAN ioctl (Linux 6.7+): -EOPNOTSUPP as "
		       "documented; the pagemap-entry reader was tested alone\n",
		       test, kernel_release());
		return false;
	}
	ck_assert_msg(r == 0, "residency_open(%s): %s", method_name(method), strerror(-r));
	ck_assert_int_ge(ret->fd, 0);
	ck_assert(ret->method == RESIDENCY_SCAN || ret->method == RESIDENCY_PAGEMAP);
	ck_assert(method == RESIDENCY_AUTO || ret->method == method);
	return true;
}

/*
 * Ranges of [@base, @base + @pages pages) as one flags byte per page
 * (ABSENT when not present), after checking the ranges are well formed:
 * inside the range, ascending, page aligned, non-empty and merged.
 */
static unsigned char *page_flags(struct residency *res, uint64_t base, size_t pages)
{
	_cleanup_free_ struct resident_range *ranges = NULL;
	unsigned char *flags = malloc(pages);
	size_t n = 0;
	int r;

	ck_assert_ptr_nonnull(flags);
	memset(flags, ABSENT, pages);
	r = residency_ranges(res, base, base + pages * psz(), &ranges, &n);
	ck_assert_msg(r == 0, "residency_ranges(%s): %s", method_name(res->method), strerror(-r));
	ck_assert(n == 0 || ranges != NULL);
	for (size_t i = 0; i < n; i++) {
		const struct resident_range *g = &ranges[i];

		ck_assert_uint_lt(g->start, g->end);
		ck_assert_uint_ge(g->start, base);
		ck_assert_uint_le(g->end, base + pages * psz());
		ck_assert_uint_eq(g->start % psz(), 0);
		ck_assert_uint_eq(g->end % psz(), 0);
		ck_assert_uint_eq(g->flags & ~(unsigned int)(RESIDENT_SHARED | RESIDENT_HUGE), 0);
		if (i > 0) {
			ck_assert_uint_le(ranges[i - 1].end, g->start);
			ck_assert_msg(ranges[i - 1].end != g->start ||
					      ranges[i - 1].flags != g->flags,
				      "ranges %zu and %zu touch with the same flags: not merged",
				      i - 1, i);
		}
		for (uint64_t a = g->start; a < g->end; a += psz())
			flags[(a - base) / psz()] = (unsigned char)g->flags;
	}
	return flags;
}

/* ---------------------------------------------------------------------------
 * Synthetic pagemap entries
 */

#define P PAGEMAP_ENTRY_PRESENT
#define F PAGEMAP_ENTRY_FILE
#define X PAGEMAP_ENTRY_EXCLUSIVE
#define S (PAGEMAP_ENTRY_SWAPPED | 0x1234) /* swap type/offset in the low bits */

static const uint64_t synthetic[] = {
	0, P | 0x42, P | X, P | F, P | F | X, S, P, 0, P | F, P, F, S | F,
};

static void assert_range(const struct resident_range *g, uint64_t start, uint64_t end,
			 unsigned int flags)
{
	ck_assert_uint_eq(g->start, start);
	ck_assert_uint_eq(g->end, end);
	ck_assert_uint_eq(g->flags, flags);
}

static void assert_synthetic(const struct resident_ranges *list, uint64_t base, size_t page)
{
	ck_assert_uint_eq(list->n, 5);
	assert_range(&list->items[0], base + 1 * page, base + 3 * page, 0);
	assert_range(&list->items[1], base + 3 * page, base + 5 * page, RESIDENT_SHARED);
	assert_range(&list->items[2], base + 6 * page, base + 7 * page, 0);
	assert_range(&list->items[3], base + 8 * page, base + 9 * page, RESIDENT_SHARED);
	assert_range(&list->items[4], base + 9 * page, base + 10 * page, 0);
}

START_TEST(test_parse_synthetic)
{
	_cleanup_(resident_ranges_free) struct resident_ranges list = { 0 };
	const uint64_t base = 0x7f0000010000;

	ck_assert_int_eq(
		residency_parse_pagemap(synthetic, ARRAY_SIZE(synthetic), base, 4096, &list), 0);
	assert_synthetic(&list, base, 4096);

	/* another page size scales the addresses */
	resident_ranges_free(&list);
	ck_assert_int_eq(
		residency_parse_pagemap(synthetic, ARRAY_SIZE(synthetic), base, 65536, &list), 0);
	assert_synthetic(&list, base, 65536);
}
END_TEST

START_TEST(test_parse_chunks_merge)
{
	const uint64_t base = 0x400000;

	/* every split point gives the same ranges as one call */
	for (size_t cut = 0; cut <= ARRAY_SIZE(synthetic); cut++) {
		_cleanup_(resident_ranges_free) struct resident_ranges list = { 0 };

		ck_assert_int_eq(residency_parse_pagemap(synthetic, cut, base, 4096, &list), 0);
		ck_assert_int_eq(residency_parse_pagemap(synthetic + cut,
							 ARRAY_SIZE(synthetic) - cut,
							 base + cut * 4096, 4096, &list),
				 0);
		assert_synthetic(&list, base, 4096);
	}
}
END_TEST

START_TEST(test_parse_edges)
{
	_cleanup_(resident_ranges_free) struct resident_ranges list = { 0 };
	const uint64_t all[4] = { P, P, P, P };
	const uint64_t none[3] = { 0, S, F };

	ck_assert_int_eq(residency_parse_pagemap(none, ARRAY_SIZE(none), 0, 4096, &list), 0);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_int_eq(residency_parse_pagemap(all, 0, 0, 4096, &list), 0);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_int_eq(residency_parse_pagemap(all, ARRAY_SIZE(all), 0, 4096, &list), 0);
	ck_assert_uint_eq(list.n, 1);
	assert_range(&list.items[0], 0, 4 * 4096, 0);

	/* bad input: list untouched */
	ck_assert_int_eq(residency_parse_pagemap(all, 1, 0x1001, 4096, &list), -EINVAL);
	ck_assert_int_eq(residency_parse_pagemap(all, 1, 0, 0, &list), -EINVAL);
	ck_assert_int_eq(residency_parse_pagemap(all, 1, 0, 3000, &list), -EINVAL);
	ck_assert_int_eq(residency_parse_pagemap(all, 2, UINT64_MAX - 4095, 4096, &list), -EINVAL);
	ck_assert_uint_eq(list.n, 1);
	assert_range(&list.items[0], 0, 4 * 4096, 0);

	/* the last page of the address space */
	resident_ranges_free(&list);
	ck_assert_int_eq(residency_parse_pagemap(all, 1, UINT64_MAX - 4095 - 4096, 4096, &list), 0);
	assert_range(&list.items[0], UINT64_MAX - 4095 - 4096, UINT64_MAX - 4095, 0);
}
END_TEST

/*
 * A directory whose "pagemap" is a plain file of synthetic entries: the
 * ioctl fails ENOTTY there as on a kernel before 6.7, so AUTO must fall back
 * to reading entries and SCAN must say EOPNOTSUPP, whatever this kernel is.
 */
START_TEST(test_fallback_without_scan)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *dir = mkdtemp(tmpl), path[PATH_MAX];
	const uint64_t first_page = 16, base = first_page * psz();
	_cleanup_free_ struct resident_range *ranges = NULL;
	struct resident_ranges list;
	struct residency res = { .fd = -7 };
	size_t n = 99;
	int fd, dfd;

	ck_assert_ptr_nonnull(dir);
	dir = strdup(dir);
	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/pagemap", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, synthetic, sizeof(synthetic), (off_t)(first_page * 8)),
			 (ssize_t)sizeof(synthetic));
	close(fd);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);

	ck_assert_int_eq(residency_open(dfd, RESIDENCY_SCAN, &res), -EOPNOTSUPP);
	ck_assert_int_eq(res.fd, -7);
	ck_assert_int_eq(residency_open(dfd, RESIDENCY_AUTO, &res), 0);
	ck_assert_int_eq(res.method, RESIDENCY_PAGEMAP);
	ck_assert_int_eq(
		residency_ranges(&res, base, base + ARRAY_SIZE(synthetic) * psz(), &ranges, &n), 0);
	list = (struct resident_ranges){ .items = ranges, .n = n, .cap = n };
	assert_synthetic(&list, base, psz());

	/* past the end of the entries: what a process without mm gives */
	free(TAKE_PTR(ranges));
	n = 99;
	ck_assert_int_eq(residency_ranges(&res, 64 * psz(), 65 * psz(), &ranges, &n), -ESRCH);
	ck_assert_uint_eq(n, 99);
	residency_close(&res);

	/* no pagemap at all in a directory that is not a live process */
	unlink(path);
	ck_assert_int_eq(residency_open(dfd, RESIDENCY_AUTO, &res), -ESRCH);
	close(dfd);
	remove_tree(dir);
}
END_TEST

/* ---------------------------------------------------------------------------
 * smaps
 */

static const char smaps_text[] =
	"55d4a1e02000-55d4a1e09000 r-xp 00002000 fd:01 1311042                    /usr/bin/demo\n"
	"Size:                 28 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                  20 kB\n"
	"Pss:                  20 kB\n"
	"Swap:                  0 kB\n"
	"VmFlags: rd ex mr mw me sd \n"
	"7f3c10000000-7f3c50000000 r-xp 00000000 00:00 0 \n"
	"Size:            1048576 kB\n"
	"KernelPageSize:        4 kB\n"
	"Rss:                   0 kB\n"
	"AnonHugePages:         0 kB\n"
	"Swap:                  8 kB\n"
	"VmFlags: rd ex mr mw me nr \n"
	"7f3c60000000-7f3c60400000 rw-p 00000000 00:10 40962                      /anon_hugepage "
	"(deleted)\n"
	"Size:               4096 kB\n"
	"KernelPageSize:     2048 kB\n"
	"Rss:                2048 kB\n"
	"AnonHugePages:      2048 kB\n"
	"VmFlags: rd wr mr mw me de ht \n";

START_TEST(test_smaps_usage_text)
{
	struct smaps_usage u = { .rss = 77 };

	ck_assert_int_eq(residency_smaps_usage(smaps_text, 0x55d4a1e02000, &u), 0);
	ck_assert_uint_eq(u.rss, 20 * 1024);
	ck_assert_uint_eq(u.swap, 0);
	ck_assert_uint_eq(u.kernel_page_size, 4096);
	ck_assert_int_eq(residency_smaps_usage(smaps_text, 0x7f3c10000000, &u), 0);
	ck_assert_uint_eq(u.rss, 0);
	ck_assert_uint_eq(u.swap, 8 * 1024);
	ck_assert_int_eq(residency_smaps_usage(smaps_text, 0x7f3c60000000, &u), 0);
	ck_assert_uint_eq(u.rss, 2048 * 1024);
	ck_assert_uint_eq(u.anon_huge, 2048 * 1024);
	ck_assert_uint_eq(u.kernel_page_size, 2048 * 1024);

	/* a VMA's end, or an address inside one, is not a start */
	u.rss = 77;
	ck_assert_int_eq(residency_smaps_usage(smaps_text, 0x55d4a1e09000, &u), -ENOENT);
	ck_assert_int_eq(residency_smaps_usage(smaps_text, 0x7f3c10001000, &u), -ENOENT);
	ck_assert_int_eq(residency_smaps_usage("", 0x1000, &u), -ENOENT);
	ck_assert_uint_eq(u.rss, 77);

	/* malformed or missing Rss */
	ck_assert_int_eq(residency_smaps_usage("1000-2000 r-xp 0 0:0 0\nRss: 4 MB\n", 0x1000, &u),
			 -EINVAL);
	ck_assert_int_eq(residency_smaps_usage("1000-2000 r-xp 0 0:0 0\nRss: x kB\n", 0x1000, &u),
			 -EINVAL);
	ck_assert_int_eq(residency_smaps_usage(
				 "1000-2000 r-xp 0 0:0 0\nRss: 99999999999999999 kB\n", 0x1000, &u),
			 -EINVAL);
	ck_assert_int_eq(residency_smaps_usage("1000-2000 r-xp 0 0:0 0\nSize: 4 kB\n"
					       "2000-3000 r-xp 0 0:0 0\nRss: 4 kB\n",
					       0x1000, &u),
			 -EINVAL);
	ck_assert_uint_eq(u.rss, 77);
}
END_TEST

START_TEST(test_smaps_usage_real)
{
	const size_t pages = 16;
	char *mem = mmap(NULL, 2 * pages * psz(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	_cleanup_free_ char *text = NULL;
	struct smaps_usage u;

	ck_assert(mem != MAP_FAILED);
	/* two VMAs of their own: the second PROT_READ only */
	ck_assert_int_eq(mprotect(mem + pages * psz(), pages * psz(), PROT_READ), 0);
	(void)madvise(mem, pages * psz(), MADV_NOHUGEPAGE);
	mem[0] = 1;
	mem[5 * psz()] = 1;
	mem[15 * psz()] = 1;
	text = slurp("proc/self/smaps");
	ck_assert_int_eq(residency_smaps_usage(text, (uint64_t)(uintptr_t)mem, &u), 0);
	ck_assert_uint_eq(u.rss, 3 * psz());
	ck_assert_int_eq(
		residency_smaps_usage(text, (uint64_t)(uintptr_t)(mem + pages * psz()), &u), 0);
	ck_assert_uint_eq(u.rss, 0);
	munmap(mem, 2 * pages * psz());
}
END_TEST

/* ---------------------------------------------------------------------------
 * Real processes: anonymous memory
 */

static const enum residency_method methods[] = { RESIDENCY_PAGEMAP, RESIDENCY_SCAN,
						 RESIDENCY_AUTO };

/* Pages 0-2, 10, 20-21 and 63 of 64, written: ranges [0,3) [10,11) [20,22) [63,64). */
static const size_t anon_touched[] = { 0, 1, 2, 10, 20, 21, 63 };
#define ANON_PAGES 64

static void assert_anon(const unsigned char *flags, size_t pages, const size_t *touched,
			size_t n_touched)
{
	for (size_t p = 0, t = 0; p < pages; p++) {
		bool want = t < n_touched && touched[t] == p;

		if (want) {
			ck_assert_msg(flags[p] == 0, "page %zu: flags %#x, want present private", p,
				      flags[p]);
			t++;
		} else
			ck_assert_msg(flags[p] == ABSENT, "page %zu: flags %#x, want absent", p,
				      flags[p]);
	}
}

START_TEST(test_self_anon)
{
	char *mem = mmap(NULL, ANON_PAGES * psz(), PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base = (uint64_t)(uintptr_t)mem;

	ck_assert(mem != MAP_FAILED);
	/* no THP: one write must fault in exactly one page */
	(void)madvise(mem, ANON_PAGES * psz(), MADV_NOHUGEPAGE);
	for (size_t i = 0; i < ARRAY_SIZE(anon_touched); i++)
		mem[anon_touched[i] * psz()] = (char)0xc3;

	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		struct residency res;
		_cleanup_free_ struct resident_range *ranges = NULL;
		_cleanup_free_ unsigned char *flags = NULL;
		size_t n = 99;

		if (!open_method(0, methods[m], "test_self_anon", &res))
			continue;
		flags = page_flags(&res, base, ANON_PAGES);
		assert_anon(flags, ANON_PAGES, anon_touched, ARRAY_SIZE(anon_touched));

		/* a window cutting ranges at both ends: [1,3) [10,11) [20,21) */
		ck_assert_int_eq(
			residency_ranges(&res, base + psz(), base + 21 * psz(), &ranges, &n), 0);
		ck_assert_uint_eq(n, 3);
		assert_range(&ranges[0], base + psz(), base + 3 * psz(), 0);
		assert_range(&ranges[1], base + 10 * psz(), base + 11 * psz(), 0);
		assert_range(&ranges[2], base + 20 * psz(), base + 21 * psz(), 0);
		free(TAKE_PTR(ranges));

		/* nothing there: no ranges, no array */
		n = 99;
		ck_assert_int_eq(
			residency_ranges(&res, base + 3 * psz(), base + 10 * psz(), &ranges, &n),
			0);
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_null(ranges);

		/* bad ranges: outputs untouched */
		n = 99;
		ck_assert_int_eq(residency_ranges(&res, base + 1, base + psz(), &ranges, &n),
				 -EINVAL);
		ck_assert_int_eq(residency_ranges(&res, base, base, &ranges, &n), -EINVAL);
		ck_assert_int_eq(residency_ranges(&res, base + psz(), base, &ranges, &n), -EINVAL);
		ck_assert_uint_eq(n, 99);
		ck_assert_ptr_null(ranges);
		residency_close(&res);
		ck_assert_int_eq(res.fd, -1);
	}
	munmap(mem, ANON_PAGES * psz());
}
END_TEST

START_TEST(test_child_anon)
{
	/* proclib's child writes every other page: 0, 2, ..., 14 of 32 */
	const size_t touched[] = { 0, 2, 4, 6, 8, 10, 12, 14 };
	struct child c = child_start(32, ARRAY_SIZE(touched));

	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		struct residency res;
		_cleanup_free_ unsigned char *flags = NULL;

		if (!open_method(c.pid, methods[m], "test_child_anon", &res))
			continue;
		flags = page_flags(&res, c.exec_addr, 32);
		assert_anon(flags, 32, touched, ARRAY_SIZE(touched));
		residency_close(&res);
	}
	child_stop(&c);
}
END_TEST

/* ---------------------------------------------------------------------------
 * Real processes: a private file mapping with a copy-on-write page
 */

#define BLOCK_PAGES ((size_t)(2u << 20) / psz()) /* one PMD: fault-around never crosses it */
#define FILE_PAGES (2 * BLOCK_PAGES)
static const size_t file_read[] = { 0, 3, 7 };
#define FILE_COW 5

/*
 * A 4 MiB temporary file (unlinked at once), mapped MAP_PRIVATE
 * PROT_READ|PROT_EXEC (PROT_READ where /tmp is noexec) at a 2 MiB-aligned address; pages 0, 3, 7
 * read, page 5 written after mprotect(PROT_WRITE) (a private copy), the second 2 MiB untouched.
 * Returns the mapping or NULL; never asserts (runs in forked children too).
 */
static char *file_layout(void)
{
	char path[] = "/tmp/cxlpolicy-residency-XXXXXX";
	size_t len = FILE_PAGES * psz(), align = BLOCK_PAGES * psz();
	char *buf, *reserve, *map;
	uintptr_t at;
	int fd = mkstemp(path), prot = PROT_READ | PROT_EXEC;
	volatile char sink;
	bool ok = true;

	if (fd < 0)
		return NULL;
	unlink(path);
	buf = malloc(len);
	if (!buf) {
		close(fd);
		return NULL;
	}
	memset(buf, 0x90, len); /* nop: real data, no sparse holes */
	ok = write(fd, buf, len) == (ssize_t)len;
	free(buf);
	reserve = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok || reserve == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	at = ((uintptr_t)reserve + align - 1) & ~(uintptr_t)(align - 1);
	map = mmap((void *)at, len, prot, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (map == MAP_FAILED && errno == EPERM) { /* /tmp mounted noexec */
		prot = PROT_READ;
		map = mmap((void *)at, len, prot, MAP_PRIVATE | MAP_FIXED, fd, 0);
	}
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	if (at > (uintptr_t)reserve)
		munmap(reserve, at - (uintptr_t)reserve);
	munmap((char *)at + len, (uintptr_t)reserve + len + align - (at + len));
	/* no PMD mapping of a large page-cache folio: pages stay pages */
	(void)madvise(map, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < ARRAY_SIZE(file_read); i++)
		sink = map[file_read[i] * psz()];
	(void)sink;
	if (mprotect(map + FILE_COW * psz(), psz(), prot | PROT_WRITE) < 0)
		return NULL;
	map[FILE_COW * psz()] = (char)0xcc; /* a breakpoint: the page becomes our own copy */
	return map;
}

static void assert_file_layout(const unsigned char *flags, const char *who,
			       enum residency_method method)
{
	for (size_t p = 0; p < FILE_PAGES; p++) {
		unsigned int f = flags[p] == ABSENT ? ABSENT : (flags[p] & ~RESIDENT_HUGE);
		bool read = false;

		for (size_t i = 0; i < ARRAY_SIZE(file_read); i++)
			read |= file_read[i] == p;
		if (p == FILE_COW)
			ck_assert_msg(f == 0, "%s/%s: COW page %zu flags %#x, want present private",
				      who, method_name(method), p, flags[p]);
		else if (read)
			ck_assert_msg(f == RESIDENT_SHARED,
				      "%s/%s: read page %zu flags %#x, want present shared", who,
				      method_name(method), p, flags[p]);
		else if (p >= BLOCK_PAGES)
			ck_assert_msg(f == ABSENT,
				      "%s/%s: untouched page %zu flags %#x, want absent", who,
				      method_name(method), p, flags[p]);
		else
			/* fault-around may have mapped it: the page-cache page if so */
			ck_assert_msg(f == ABSENT || f == RESIDENT_SHARED,
				      "%s/%s: page %zu flags %#x, want absent or shared", who,
				      method_name(method), p, flags[p]);
	}
}

/* Check the file layout at @base in @pid with every method; all agree (HUGE aside). */
static void check_file_layout(pid_t pid, uint64_t base, const char *who)
{
	_cleanup_free_ unsigned char *first = NULL;

	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		struct residency res;
		_cleanup_free_ unsigned char *flags = NULL;

		if (!open_method(pid, methods[m], who, &res))
			continue;
		flags = page_flags(&res, base, FILE_PAGES);
		assert_file_layout(flags, who, methods[m]);
		for (size_t p = 0; p < FILE_PAGES; p++)
			if (flags[p] != ABSENT)
				flags[p] &= ~RESIDENT_HUGE;
		if (!first)
			first = TAKE_PTR(flags);
		else
			ck_assert_msg(memcmp(first, flags, FILE_PAGES) == 0,
				      "%s: %s disagrees with pagemap", who,
				      method_name(methods[m]));
		residency_close(&res);
	}
}

START_TEST(test_self_file_cow)
{
	char *map = file_layout();

	ck_assert_msg(map != NULL, "file layout: %s", strerror(errno));
	check_file_layout(0, (uint64_t)(uintptr_t)map, "test_self_file_cow");
	munmap(map, FILE_PAGES * psz());
}
END_TEST

/* A child that runs file_layout() and holds still until released. */
static struct child file_child_start(void)
{
	int ready[2], release[2];
	struct child c = { .release_fd = -1 };
	uint64_t addr = 0;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		char byte;

		close(ready[0]);
		close(release[1]);
		addr = (uint64_t)(uintptr_t)file_layout();
		if (write(ready[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(3);
		while (read(release[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(addr ? 0 : 2);
	}
	close(ready[1]);
	close(release[0]);
	ck_assert_int_eq(read(ready[0], &addr, sizeof(addr)), (ssize_t)sizeof(addr));
	close(ready[0]);
	c.exec_addr = addr;
	c.release_fd = release[1];
	if (!addr)
		child_stop(&c); /* fails with the child's exit status */
	return c;
}

START_TEST(test_child_file_cow)
{
	struct child c = file_child_start();

	check_file_layout(c.pid, c.exec_addr, "test_child_file_cow");
	child_stop(&c);
}
END_TEST

/* A thread's directory (/proc/self/task/TID) works like the process's. */
START_TEST(test_task_dir)
{
	char *mem =
		mmap(NULL, 8 * psz(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base = (uint64_t)(uintptr_t)mem;
	char path[64];

	ck_assert(mem != MAP_FAILED);
	(void)madvise(mem, 8 * psz(), MADV_NOHUGEPAGE);
	mem[3 * psz()] = 1;
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)gettid());
	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		_cleanup_free_ struct resident_range *ranges = NULL;
		struct residency res;
		size_t n = 0;
		int r;

		ck_assert_msg(dir >= 0, "open %s: %s", path, strerror(errno));
		r = residency_open(dir, methods[m], &res);
		if (r == -EOPNOTSUPP && methods[m] == RESIDENCY_SCAN) {
			printf("NOTE test_task_dir: kernel %s has no PAGEMAP_SCAN ioctl (Linux "
			       "6.7+): -EOPNOTSUPP as documented\n",
			       kernel_release());
			continue;
		}
		ck_assert_int_eq(r, 0);
		ck_assert_int_eq(residency_ranges(&res, base, base + 8 * psz(), &ranges, &n), 0);
		ck_assert_uint_eq(n, 1);
		assert_range(&ranges[0], base + 3 * psz(), base + 4 * psz(), 0);
		residency_close(&res);
	}
	munmap(mem, 8 * psz());
}
END_TEST

/* ---------------------------------------------------------------------------
 * Vanished processes
 */

START_TEST(test_vanished)
{
	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		struct child c = child_start(8, 2);
		_cleanup_close_ int dir = open_procdir(c.pid);
		_cleanup_free_ struct resident_range *ranges = NULL;
		struct residency res, untouched = { .fd = -7 };
		size_t n = 99;
		int r;

		if (!open_method(c.pid, methods[m], "test_vanished", &res)) {
			child_stop(&c);
			continue;
		}
		child_stop(&c); /* exited and reaped */
		r = residency_ranges(&res, c.exec_addr, c.exec_addr + 8 * psz(), &ranges, &n);
		ck_assert_msg(r == -ESRCH, "%s: ranges of an exited process: %s, want ESRCH",
			      method_name(res.method), strerror(-r));
		ck_assert_uint_eq(n, 99);
		residency_close(&res);
		/* opening it now: gone */
		ck_assert_int_eq(residency_open(dir, methods[m], &untouched), -ESRCH);
		ck_assert_int_eq(untouched.fd, -7);
	}
}
END_TEST

/* ---------------------------------------------------------------------------
 * Huge pages
 */

/* A 2 MiB-aligned, 2 MiB anonymous region of its own (the rest of the reservation unmapped). */
static char *aligned_2m(int extra_flags)
{
	size_t len = 2u << 20;
	char *reserve = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
	uintptr_t at;

	ck_assert(reserve != MAP_FAILED);
	at = ((uintptr_t)reserve + len - 1) & ~(uintptr_t)(len - 1);
	if (at > (uintptr_t)reserve)
		munmap(reserve, at - (uintptr_t)reserve);
	if ((uintptr_t)reserve + 2 * len > at + len)
		munmap((char *)at + len, (uintptr_t)reserve + 2 * len - (at + len));
	return (char *)at;
}

static char *read_line_of(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	}
	fclose(f);
	return line;
}

START_TEST(test_thp)
{
	const char *enabled_path = "/sys/kernel/mm/transparent_hugepage/enabled";
	_cleanup_free_ char *enabled = read_line_of(enabled_path);
	_cleanup_free_ char *smaps = NULL;
	const size_t len = 2u << 20;
	struct smaps_usage u;
	uint64_t base;
	char *mem;

	if (!enabled || strstr(enabled, "[never]")) {
		printf("SKIP test_thp: transparent huge pages unavailable (%s: %s)\n", enabled_path,
		       enabled ? "[never]" : strerror(errno));
		return;
	}
	mem = aligned_2m(0);
	base = (uint64_t)(uintptr_t)mem;
	ck_assert_int_eq(madvise(mem, len, MADV_HUGEPAGE), 0);
	mem[0] = 1; /* one write fault: a whole THP when the allocation succeeds */
	smaps = slurp("proc/self/smaps");
	ck_assert_int_eq(residency_smaps_usage(smaps, base, &u), 0);
	if (u.anon_huge < len) {
		printf("SKIP test_thp: the THP allocation fell back to small pages "
		       "(AnonHugePages %" PRIu64 " kB, Rss %" PRIu64 " kB)\n",
		       u.anon_huge / 1024, u.rss / 1024);
		munmap(mem, len);
		return;
	}
	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		_cleanup_free_ struct resident_range *ranges = NULL;
		struct residency res;
		size_t n = 0;

		if (!open_method(0, methods[m], "test_thp", &res))
			continue;
		ck_assert_int_eq(residency_ranges(&res, base, base + len, &ranges, &n), 0);
		ck_assert_uint_eq(n, 1);
		/* only PAGEMAP_SCAN can tell it is huge */
		assert_range(&ranges[0], base, base + len,
			     res.method == RESIDENCY_SCAN ? RESIDENT_HUGE : 0);
		residency_close(&res);
	}
	munmap(mem, len);
}
END_TEST

START_TEST(test_hugetlb)
{
	_cleanup_free_ char *nr = read_line_of("/proc/sys/vm/nr_hugepages");
	_cleanup_free_ char *meminfo = slurp("proc/meminfo");
	const char *hps = strstr(meminfo, "\nHugepagesize:");
	unsigned long long kb = 0;
	uint64_t base;
	size_t len;
	char *mem;

	if (!nr || strtoul(nr, NULL, 10) == 0 || !hps ||
	    sscanf(hps, "\nHugepagesize: %llu kB", &kb) != 1 || kb == 0) {
		printf("SKIP test_hugetlb: no hugetlb pages configured (/proc/sys/vm/nr_hugepages "
		       "is %s)\n",
		       nr ? strtok(nr, "\n") : "unreadable");
		return;
	}
	len = (size_t)kb * 1024;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1,
		   0);
	if (mem == MAP_FAILED) {
		printf("SKIP test_hugetlb: mmap(MAP_HUGETLB, %llu kB): %s (all huge pages in "
		       "use?)\n",
		       kb, strerror(errno));
		return;
	}
	base = (uint64_t)(uintptr_t)mem;
	mem[0] = 1;
	for (size_t m = 0; m < ARRAY_SIZE(methods); m++) {
		_cleanup_free_ struct resident_range *ranges = NULL;
		struct residency res;
		size_t n = 0;

		if (!open_method(0, methods[m], "test_hugetlb", &res))
			continue;
		ck_assert_int_eq(residency_ranges(&res, base, base + len, &ranges, &n), 0);
		ck_assert_uint_eq(n, 1);
		assert_range(&ranges[0], base, base + len,
			     res.method == RESIDENCY_SCAN ? RESIDENT_HUGE : 0);
		residency_close(&res);
	}
	munmap(mem, len);
}
END_TEST

/*
 * With defer_alive_check, an empty PAGEMAP_SCAN result costs no pagemap read
 * of its own; residency_confirm_alive() makes the one check: 0 while the
 * process lives, -ESRCH once it has exited, so a scan that found nothing
 * because the process died in the middle is not taken as "nothing resident".
 */
START_TEST(test_deferred_alive_check)
{
	struct child c = child_start(8, 0);
	struct resident_ranges list = { 0 };
	struct residency res;

	if (!open_method(c.pid, RESIDENCY_SCAN, "test_deferred_alive_check", &res)) {
		child_stop(&c);
		return;
	}
	res.defer_alive_check = true;
	ck_assert_int_eq(residency_confirm_alive(&res), 0); /* nothing empty yet: no read */
	ck_assert_int_eq(residency_ranges_append(&res, c.exec_addr, c.exec_addr + 8 * psz(), &list),
			 0);
	ck_assert_uint_eq(list.n, 0); /* the child touched none of the 8 pages */
	ck_assert(res.unconfirmed_empty);
	ck_assert_int_eq(residency_confirm_alive(&res), 0); /* it lives */
	ck_assert(!res.unconfirmed_empty);
	ck_assert_int_eq(residency_ranges_append(&res, c.exec_addr, c.exec_addr + 8 * psz(), &list),
			 0);
	child_stop(&c); /* exited and reaped: that empty result meant nothing */
	ck_assert_int_eq(residency_confirm_alive(&res), -ESRCH);
	residency_close(&res);
	resident_ranges_free(&list);
}
END_TEST

static Suite *residency_suite(void)
{
	Suite *s = suite_create("residency");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_parse_synthetic);
	tcase_add_test(tc, test_parse_chunks_merge);
	tcase_add_test(tc, test_parse_edges);
	tcase_add_test(tc, test_fallback_without_scan);
	tcase_add_test(tc, test_smaps_usage_text);
	tcase_add_test(tc, test_smaps_usage_real);
	tcase_add_test(tc, test_self_anon);
	tcase_add_test(tc, test_child_anon);
	tcase_add_test(tc, test_self_file_cow);
	tcase_add_test(tc, test_child_file_cow);
	tcase_add_test(tc, test_task_dir);
	tcase_add_test(tc, test_vanished);
	tcase_add_test(tc, test_deferred_alive_check);
	tcase_add_test(tc, test_thp);
	tcase_add_test(tc, test_hugetlb);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(residency_suite());
}
