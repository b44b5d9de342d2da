/* SPDX-License-Identifier: MIT */
#include "migrate.h"

#include <errno.h>
#include <linux/capability.h>
#include <numaif.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void migrate_pacer_init(struct migrate_pacer *pacer, uint64_t target_ns)
{
	pacer->chunk = MIGRATE_FIRST_CHUNK;
	pacer->target_ns = target_ns ? target_ns : MIGRATE_TARGET_NS;
}

size_t migrate_pacer_next(const struct migrate_pacer *pacer, size_t pages, uint64_t elapsed_ns)
{
	uint64_t next;

	if (pages == 0)
		return pacer->chunk;
	if (elapsed_ns == 0)
		elapsed_ns = 1;
	next = (uint64_t)pages * pacer->target_ns / elapsed_ns;
	/* Grow at most 2x a step (timing noise), shrink at once. */
	next = MIN(next, (uint64_t)pages * 2);
	next = MAX(next, (uint64_t)MIGRATE_MIN_CHUNK);
	next = MIN(next, (uint64_t)MIGRATE_MAX_CHUNK);
	return (size_t)next;
}

bool migrate_have_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_SYS_NICE / 32].effective & (1U << (CAP_SYS_NICE % 32));
}

int migrate_default_flags(void)
{
	return migrate_have_cap_sys_nice() ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
}

static void count_failure(struct migrate_stats *stats, int error, size_t pages)
{
	int e = error < 0 ? -error : error;

	if (e <= 0 || e >= MIGRATE_ERRNO_MAX)
		e = EIO;
	stats->failures[e] += pages;
	stats->failed_pages += pages;
}

/* Pages that failed in a way a second try can fix: still on an LRU batch, under I/O. */
static bool transient_failure(int status)
{
	return status == -EBUSY || status == -EAGAIN;
}

/*
 * One paced pass over @n pages.  With @retry, pages failing transiently are appended
 * there (addresses and nodes, *@n_retry of them) instead of being counted as failed.
 */
static int move_pass(pid_t pid, const uint64_t *addrs, const int *nodes, size_t n, int flags,
		     struct migrate_pacer *pacer, struct migrate_stats *stats, void **pages,
		     int *status, size_t cap, uint64_t *retry_addrs, int *retry_nodes,
		     size_t *n_retry)
{
	for (size_t done = 0; done < n;) {
		size_t count = MIN(MIN(pacer->chunk, cap), n - done);
		uint64_t start, elapsed;
		long r;

		for (size_t i = 0; i < count; i++) {
			pages[i] = (void *)(uintptr_t)addrs[done + i];
			status[i] = -EINPROGRESS;
		}
		start = now_ns();
		r = move_pages(pid, count, pages, nodes + done, status, flags);
		elapsed = now_ns() - start;
		stats->calls++;
		stats->longest_call_ns = MAX(stats->longest_call_ns, elapsed);
		if (r < 0) {
			int e = errno;

			if (e == ESRCH)
				return -ESRCH;
			if (e == EPERM || e == EINVAL)
				return -e; /* nothing in this process can move */
			/* e.g. EACCES: target node outside the process's cpuset */
			count_failure(stats, -e, count);
		} else {
			for (size_t i = 0; i < count; i++) {
				int st = status[i] >= 0 && status[i] != nodes[done + i] ? -EAGAIN
											: status[i];

				if (st >= 0) {
					stats->moved_pages++;
				} else if (retry_addrs && transient_failure(st)) {
					retry_addrs[*n_retry] = addrs[done + i];
					retry_nodes[*n_retry] = nodes[done + i];
					(*n_retry)++;
				} else {
					count_failure(stats, st, 1);
				}
			}
		}
		pacer->chunk = migrate_pacer_next(pacer, count, elapsed);
		done += count;
	}
	return 0;
}

int migrate_move(pid_t pid, const uint64_t *addrs, const int *nodes, size_t n, int flags,
		 struct migrate_pacer *pacer, struct migrate_stats *stats)
{
	_cleanup_free_ void **pages = NULL;
	_cleanup_free_ int *status = NULL;
	_cleanup_free_ uint64_t *retry_addrs = NULL;
	_cleanup_free_ int *retry_nodes = NULL;
	size_t cap = MIN((size_t)MIGRATE_MAX_CHUNK, n), n_retry = 0;
	int r;

	if (n == 0)
		return 0;
	pages = malloc(cap * sizeof(*pages));
	status = malloc(cap * sizeof(*status));
	retry_addrs = malloc(n * sizeof(*retry_addrs));
	retry_nodes = malloc(n * sizeof(*retry_nodes));
	if (!pages || !status || !retry_addrs || !retry_nodes)
		return -ENOMEM;

	r = move_pass(pid, addrs, nodes, n, flags, pacer, stats, pages, status, cap, retry_addrs,
		      retry_nodes, &n_retry);
	if (r < 0 || n_retry == 0)
		return r;
	/* Once more for pages that were busy: the first pass drained the LRU batches. */
	stats->retried_pages += n_retry;
	return move_pass(pid, retry_addrs, retry_nodes, n_retry, flags, pacer, stats, pages, status,
			 cap, NULL, NULL, NULL);
}

void migrate_stats_add(struct migrate_stats *into, const struct migrate_stats *from)
{
	into->moved_pages += from->moved_pages;
	into->failed_pages += from->failed_pages;
	for (size_t i = 0; i < MIGRATE_ERRNO_MAX; i++)
		into->failures[i] += from->failures[i];
	into->calls += from->calls;
	into->retried_pages += from->retried_pages;
	into->longest_call_ns = MAX(into->longest_call_ns, from->longest_call_ns);
}
