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

/*
 * Fork a child that, when @map_pages > 0, maps @map_pages anonymous
 * read/write/exec pages and writes to the first @touch_pages of them (every
 * other page, so none is adjacent to another), then waits until released.
 */
static inline struct child child_start(size_t map_pages, size_t touch_pages)
{
	int ready[2], release[2];
	struct child c = { .release_fd = -1 };
	uint64_t addr = 0;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		size_t psz = (size_t)sysconf(_SC_PAGESIZE);
		char byte;

		close(ready[0]);
		close(release[1]);
		if (map_pages > 0) {
			char *mem = mmap(NULL, map_pages * psz, PROT_READ | PROT_WRITE | PROT_EXEC,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (mem == MAP_FAILED)
				_exit(2);
			/* no (m)THP: one touch must fault in exactly one page */
			(void)madvise(mem, map_pages * psz, MADV_NOHUGEPAGE);
			for (size_t i = 0; i < touch_pages; i++)
				mem[2 * i * psz] = (char)0xc3; /* ret */
			addr = (uint64_t)(uintptr_t)mem;
		}
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
	ck_assert(map_pages == 0 || addr != 0);
	c.exec_addr = addr;
	c.release_fd = release[1];
	return c;
}

static inline void child_stop(struct child *c)
{
	int status;

	close(c->release_fd);
	ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
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
