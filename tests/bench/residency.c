/* SPDX-License-Identifier: MIT */
/*
 * What it costs to find the resident pages of a huge, almost empty
 * executable mapping (issue 7 item 11), per method:
 *   move_pages(nodes=NULL) over every page (today's scan),
 *   reading /proc/PID/pagemap entries (residency, kernels < 6.7),
 *   the PAGEMAP_SCAN ioctl (residency, 6.7+),
 *   reading /proc/PID/smaps (the Rss == 0 test for old kernels).
 * A child maps SIZE GiB PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|
 * MAP_NORESERVE and writes 8 pages of it (mprotect'ed writable and back),
 * plus a dense 64 MiB region with every page written, for per-resident-page
 * rates.  Slow methods run over a prefix and are extrapolated; each time is
 * the fastest of 3 runs.
 * Measurement only: not part of make check.
 *
 * usage: residency [SIZE_GIB [MOVE_PAGES_GIB [PAGEMAP_GIB]]]   (4096 16 256)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "placement.h"
#include "residency.h"

#define GIB ((uint64_t)1 << 30)
#define DENSE_BYTES ((uint64_t)64 << 20)
#define TOUCHED 8
#define REPS 3 /* each measurement: the fastest of REPS runs (the machine is shared) */

#define BEST(expr)                                          \
	({                                                  \
		struct sample _best = { 1e30, 1e30, 1e30 }; \
		for (int _i = 0; _i < REPS; _i++) {         \
			struct sample _s = (expr);          \
			if (_s.wall < _best.wall)           \
				_best = _s;                 \
		}                                           \
		_best;                                      \
	})

struct sample {
	double wall;
	double sys;
	double user;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sys_time(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double user_time(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "residency bench: %s: %s\n", what, strerror(err));
	exit(1);
}

struct layout {
	uint64_t sparse;
	uint64_t dense;
};

static pid_t child_start(uint64_t size, int *release_fd, struct layout *ret)
{
	int ready[2], release[2];
	struct layout l = { 0 };
	pid_t pid;

	if (pipe(ready) < 0 || pipe(release) < 0)
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		size_t psz = (size_t)sysconf(_SC_PAGESIZE);
		char *sparse = mmap(NULL, size, PROT_READ | PROT_EXEC,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		char *dense = mmap(NULL, DENSE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char byte;

		close(ready[0]);
		close(release[1]);

		if (sparse == MAP_FAILED || dense == MAP_FAILED)
			_exit(2);
		(void)madvise(dense, DENSE_BYTES, MADV_NOHUGEPAGE);
		for (uint64_t off = 0; off < DENSE_BYTES; off += psz)
			dense[off] = (char)0xc3;
		for (int i = 0; i < TOUCHED; i++) {
			char *p = sparse + (size / TOUCHED) * (uint64_t)i +
				  (i == TOUCHED - 1 ? size / TOUCHED - psz : 0);

			if (mprotect(p, psz, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
				_exit(3);
			*p = (char)0xc3;
			if (mprotect(p, psz, PROT_READ | PROT_EXEC) < 0)
				_exit(3);
		}
		l.sparse = (uint64_t)(uintptr_t)sparse;
		l.dense = (uint64_t)(uintptr_t)dense;
		if (write(ready[1], &l, sizeof(l)) != sizeof(l))
			_exit(4);
		while (read(release[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	if (read(ready[0], &l, sizeof(l)) != sizeof(l)) {
		int status = 0;

		waitpid(pid, &status, 0);
		fprintf(stderr, "residency bench: child could not map %" PRIu64 " GiB (exit %d)\n",
			size / GIB, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		exit(1);
	}
	close(ready[0]);
	*release_fd = release[1];
	*ret = l;
	return pid;
}

static struct sample time_move_pages(pid_t pid, uint64_t start, uint64_t bytes, size_t psz,
				     size_t *ret_resident)
{
	size_t n = bytes / psz, resident = 0;
	int *status = malloc(n * sizeof(int));
	struct sample s;
	double w, t, us;
	int r;

	if (!status)
		die("malloc", ENOMEM);
	w = now();
	t = sys_time();
	us = user_time();
	r = placement_query_range(pid, start, n, psz, status);
	s.wall = now() - w;
	s.sys = sys_time() - t;
	s.user = user_time() - us;
	if (r < 0)
		die("move_pages", -r);
	for (size_t i = 0; i < n; i++)
		resident += status[i] >= 0;
	free(status);
	*ret_resident = resident;
	return s;
}

static struct sample time_residency(int procdir, enum residency_method method, uint64_t start,
				    uint64_t bytes, size_t psz, size_t *ret_resident)
{
	struct resident_range *ranges = NULL;
	struct residency res;
	size_t n = 0, resident = 0;
	struct sample s;
	double w, t, us;
	int r;

	r = residency_open(procdir, method, &res);
	if (r < 0)
		die("residency_open", -r);
	w = now();
	t = sys_time();
	us = user_time();
	r = residency_ranges(&res, start, start + bytes, &ranges, &n);
	s.wall = now() - w;
	s.sys = sys_time() - t;
	s.user = user_time() - us;
	if (r < 0)
		die("residency_ranges", -r);
	for (size_t i = 0; i < n; i++)
		resident += (ranges[i].end - ranges[i].start) / psz;
	free(ranges);
	residency_close(&res);
	*ret_resident = resident;
	return s;
}

static struct sample time_smaps(pid_t pid, uint64_t vma_start, uint64_t *ret_rss)
{
	char path[64], *text = NULL;
	size_t len = 0, cap = 0;
	struct smaps_usage u;
	struct sample s;
	double w, t, us;
	ssize_t got;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	w = now();
	t = sys_time();
	us = user_time();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path, errno);
	do {
		if (len + 65536 + 1 > cap) {
			cap = (len + 65536 + 1) * 2;
			text = realloc(text, cap);
			if (!text)
				die("realloc", ENOMEM);
		}
		got = read(fd, text + len, cap - len - 1);
		if (got < 0)
			die(path, errno);
		len += (size_t)got;
	} while (got > 0);
	close(fd);
	text[len] = '\0';
	r = residency_smaps_usage(text, vma_start, &u);
	s.wall = now() - w;
	s.sys = sys_time() - t;
	s.user = user_time() - us;
	if (r < 0)
		die("smaps usage", -r);
	free(text);
	*ret_rss = u.rss;
	return s;
}

static void report(const char *method, const char *what, struct sample s, uint64_t bytes,
		   uint64_t full_bytes, size_t psz, size_t resident)
{
	double pages = (double)(bytes / psz);
	double rate = s.wall > 0 ? pages / s.wall : 0;
	double full = s.wall * ((double)full_bytes / (double)bytes);

	printf("%-13s %-15s %10.3f GiB %11.3f ms (sys %8.3f user %8.3f) %9.3g pages/s  resident "
	       "%6zu"
	       "  -> %.3f GiB: %.3f s%s\n",
	       method, what, (double)bytes / GIB, s.wall * 1e3, s.sys * 1e3, s.user * 1e3, rate,
	       resident, (double)full_bytes / GIB, full,
	       bytes == full_bytes ? "" : " (extrapolated)");
}

int main(int argc, char **argv)
{
	uint64_t size = (argc > 1 ? strtoull(argv[1], NULL, 10) : 4096) * GIB;
	uint64_t move_bytes = (argc > 2 ? strtoull(argv[2], NULL, 10) : 16) * GIB;
	uint64_t pagemap_bytes = (argc > 3 ? strtoull(argv[3], NULL, 10) : 256) * GIB;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE), resident;
	struct residency probe;
	struct sample s;
	struct utsname u;
	struct layout l;
	char dirpath[64];
	int release_fd, procdir, status;
	bool have_scan;
	uint64_t rss;
	pid_t pid;

	if (!size || !move_bytes || !pagemap_bytes)
		die("usage: residency [SIZE_GIB [MOVE_PAGES_GIB [PAGEMAP_GIB]]]", EINVAL);
	move_bytes = move_bytes < size ? move_bytes : size;
	pagemap_bytes = pagemap_bytes < size ? pagemap_bytes : size;
	uname(&u);
	pid = child_start(size, &release_fd, &l);
	snprintf(dirpath, sizeof(dirpath), "/proc/%d", (int)pid);
	procdir = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procdir < 0)
		die(dirpath, errno);
	have_scan = residency_open(procdir, RESIDENCY_SCAN, &probe) == 0;
	if (have_scan)
		residency_close(&probe);

	printf("kernel %s, page size %zu; sparse mapping %" PRIu64
	       " GiB with %d pages written, dense %" PRIu64 " MiB all written\n",
	       u.release, psz, size / GIB, TOUCHED, DENSE_BYTES >> 20);

	s = BEST(time_move_pages(pid, l.sparse, move_bytes, psz, &resident));
	report("move_pages", "sparse prefix", s, move_bytes, size, psz, resident);
	s = BEST(time_residency(procdir, RESIDENCY_PAGEMAP, l.sparse, pagemap_bytes, psz,
				&resident));
	report("pagemap read", "sparse prefix", s, pagemap_bytes, size, psz, resident);
	if (have_scan) {
		s = BEST(time_residency(procdir, RESIDENCY_SCAN, l.sparse, size, psz, &resident));
		report("PAGEMAP_SCAN", "sparse whole", s, size, size, psz, resident);
	} else
		printf("PAGEMAP_SCAN  not available on kernel %s (6.7+)\n", u.release);
	s = BEST(time_smaps(pid, l.sparse, &rss));
	report("smaps", "whole file", s, size, size, psz, 0);
	printf("              smaps Rss of the sparse VMA: %" PRIu64 " kB\n", rss / 1024);

	s = BEST(time_move_pages(pid, l.dense, DENSE_BYTES, psz, &resident));
	report("move_pages", "dense", s, DENSE_BYTES, DENSE_BYTES, psz, resident);
	s = BEST(time_residency(procdir, RESIDENCY_PAGEMAP, l.dense, DENSE_BYTES, psz, &resident));
	report("pagemap read", "dense", s, DENSE_BYTES, DENSE_BYTES, psz, resident);
	if (have_scan) {
		s = BEST(time_residency(procdir, RESIDENCY_SCAN, l.dense, DENSE_BYTES, psz,
					&resident));
		report("PAGEMAP_SCAN", "dense", s, DENSE_BYTES, DENSE_BYTES, psz, resident);
	}

	close(procdir);
	close(release_fd);
	waitpid(pid, &status, 0);
	return 0;
}
