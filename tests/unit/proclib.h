/* SPDX-License-Identifier: MIT */
/*
 * Real-process helpers for the scan and sweep suites: a forked child that
 * holds still while we look at it, a pid that is certainly gone, and
 * /proc/PID/numa_maps page counts to compare a scan against.
 */
#pragma once

#include <signal.h>
#include <sys/mman.h>

#include "testlib.h"

struct child {
	pid_t pid;
	int release_fd; /* closing it lets the child exit */
	uint64_t exec_addr; /* start of its anonymous PROT_EXEC region, 0 if none */
};

/* In a forked child: keep only stdio and two pipe ends (other children's pipes must see EOF). */
static inline void close_other_fds(int keep1, int keep2)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep1 && fd != keep2)
			close(fd);
}

/*
 * Fork a child that runs @setup(@arg) (returning the address of what it
 * mapped, 0 for nothing; it _exit()s non-zero on failure), reports that
 * address, and waits until released.  The child keeps no other fds, so each
 * child's release pipe sees EOF when the parent closes it.
 */
static inline struct child child_spawn(uint64_t (*setup)(const void *arg), const void *arg)
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

		close_other_fds(ready[1], release[0]);
		addr = setup(arg);
		if (write(ready[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(3);
		while (read(release[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	ck_assert_int_eq(read(ready[0], &addr, sizeof(addr)), (ssize_t)sizeof(addr));
	close(ready[0]);
	c.exec_addr = addr;
	c.release_fd = release[1];
	return c;
}

struct anon_exec_args {
	size_t map_pages;
	size_t touch_pages;
};

static inline uint64_t map_anon_exec(const void *arg)
{
	const struct anon_exec_args *a = arg;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *mem;

	if (a->map_pages == 0)
		return 0;
	mem = mmap(NULL, a->map_pages * psz, PROT_READ | PROT_WRITE | PROT_EXEC,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		_exit(2);
	/* no (m)THP: one touch must fault in exactly one page */
	(void)madvise(mem, a->map_pages * psz, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < a->touch_pages; i++)
		mem[2 * i * psz] = (char)0xc3; /* ret */
	return (uint64_t)(uintptr_t)mem;
}

/*
 * Fork a child that, when @map_pages > 0, maps @map_pages anonymous
 * read/write/exec pages and writes to the first @touch_pages of them (every
 * other page, so none is adjacent to another), then waits until released.
 */
static inline struct child child_start(size_t map_pages, size_t touch_pages)
{
	struct anon_exec_args a = { map_pages, touch_pages };
	struct child c = child_spawn(map_anon_exec, &a);

	ck_assert(map_pages == 0 || c.exec_addr != 0);
	return c;
}

static inline void child_stop(struct child *c)
{
	int status;

	close(c->release_fd);
	ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * A scratch file of @pages pages (in the page cache once written) for
 * shared-text scenarios; the caller unlinks it.
 */
static inline void make_text_file(char *path, size_t size, size_t pages)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *buf = calloc(pages, psz);
	int fd;

	ck_assert_ptr_nonnull(buf);
	snprintf(path, size, "/tmp/cxlpolicy-text-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0xc3, pages * psz); /* ret, ret, ... */
	ck_assert_int_eq(write(fd, buf, pages * psz), (ssize_t)(pages * psz));
	close(fd);
	free(buf);
}

struct text_map_args {
	const char *path;
	size_t pages;
	const char *touch;
};

static inline uint64_t map_text_file(const void *arg)
{
	const struct text_map_args *a = arg;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	volatile char sink = 0;
	int fd = open(a->path, O_RDONLY | O_CLOEXEC);
	char *mem;

	if (fd < 0)
		_exit(2);
	mem = mmap(NULL, a->pages * psz, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (mem == MAP_FAILED)
		_exit(2);
	for (size_t i = 0; i < a->pages && a->touch[i]; i++) {
		if (a->touch[i] == 'r') {
			sink += mem[i * psz];
		} else if (a->touch[i] == 'w') {
			if (mprotect(mem + i * psz, psz, PROT_READ | PROT_WRITE) < 0)
				_exit(4);
			mem[i * psz] = (char)0x90;
			if (mprotect(mem + i * psz, psz, PROT_READ | PROT_EXEC) < 0)
				_exit(4);
		}
	}
	(void)sink;
	return (uint64_t)(uintptr_t)mem;
}

/*
 * Fork a child that maps @path (@pages pages) PROT_READ|PROT_EXEC,
 * MAP_PRIVATE, as a loader maps text, and for each page i acts on @touch[i]:
 * 'r' reads it (faults the shared page-cache page in), 'w' makes it
 * writable for a moment and writes it (a private copy-on-write copy, as a
 * breakpoint or a text relocation makes), '.' leaves it alone.  Fault-around
 * may map neighbours of a read page too: tests read the truth from
 * numa_maps.  Waits until released; exec_addr is the mapping's address.
 */
static inline struct child child_map_file(const char *path, size_t pages, const char *touch)
{
	struct text_map_args a = { path, pages, touch };
	struct child c = child_spawn(map_text_file, &a);

	ck_assert(c.exec_addr != 0);
	return c;
}

/* A pid that existed a moment ago and is now reaped. */
static inline pid_t dead_pid(void)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return pid;
}

/*
 * Pages of the VMA starting at @start on all nodes (sum of "N<k>=" fields)
 * in a /proc/PID/numa_maps text; -1 when no line starts there.
 */
static inline long numa_maps_pages(const char *text, uint64_t start)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		unsigned long long at;

		if (sscanf(line, "%llx ", &at) == 1 && at == start) {
			long sum = 0;

			for (const char *p = line; p < line + len; p++) {
				long v;
				int node, used = 0;

				if (p > line && p[-1] == ' ' && *p == 'N' &&
				    sscanf(p, "N%d=%ld%n", &node, &v, &used) == 2 && used > 0)
					sum += v;
			}
			return sum;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}
