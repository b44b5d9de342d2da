/* SPDX-License-Identifier: MIT */
#include "migrate.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
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

/* The initial user namespace's inode number is fixed (PROC_USER_INIT_INO). */
#define INITIAL_USER_NS_INO 0xEFFFFFFDULL

bool migrate_in_initial_user_namespace(void)
{
	struct stat st;

	/* Our own namespace, not the sysroot's: this is about the caller's privileges. */
	if (stat("/proc/self/ns/user", &st) < 0)
		return true; /* cannot tell: EPERM at run time falls back */
	return (unsigned long long)st.st_ino == INITIAL_USER_NS_INO;
}

enum move_privilege migrate_privilege(void)
{
	if (!migrate_have_cap_sys_nice())
		return MOVE_PRIVILEGE_NO_CAP;
	if (!migrate_in_initial_user_namespace())
		return MOVE_PRIVILEGE_USERNS;
	return MOVE_PRIVILEGE_ALL;
}

int migrate_default_flags(void)
{
	return migrate_privilege() == MOVE_PRIVILEGE_ALL ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
}

void migrate_stats_count(struct migrate_stats *stats, int outcome)
{
	int e = -outcome;

	if (outcome >= 0) {
		stats->moved_pages++;
		return;
	}
	if (e == ESRCH) {
		stats->vanished_pages++;
		return;
	}
	if (e <= 0 || e >= MIGRATE_ERRNO_MAX)
		e = EIO;
	stats->failures[e]++;
	stats->failed_pages++;
}

/* Pages that failed in a way a second try can fix: on an LRU batch, under I/O, pinned briefly. */
static bool transient_failure(int outcome)
{
	return outcome == -EBUSY || outcome == -EAGAIN;
}

#define STATUS_UNSET INT_MIN

static long real_move_pages(int pid, unsigned long count, void **pages, const int *nodes,
			    int *status, int flags)
{
	return move_pages(pid, count, pages, nodes, status, flags);
}

/* One request in flight: the buffers of a chunk and what the calls taught us. */
struct mover {
	const struct migrate_request *req;
	pid_t pid; /* the task the calls go to (from still_same) */
	move_pages_fn move_pages;
	int flags;
	struct migrate_pacer *pacer;
	struct migrate_stats *stats;
	void **pages;
	int *status;
	int *verify;
	size_t cap;
};

/* Placement of the chunk again; per page its node or -errno.  -ESRCH when gone. */
static int requery(struct mover *m, size_t count)
{
	m->stats->requeries++;
	for (size_t i = 0; i < count; i++)
		m->verify[i] = STATUS_UNSET;
	if (m->move_pages(m->pid, count, m->pages, NULL, m->verify, 0) < 0)
		return negative_errno();
	return 0;
}

/* Whether the process went away; else m->pid is the task to call now. */
static bool process_gone(struct mover *m)
{
	pid_t pid = m->req->still_same ? m->req->still_same(m->req->userdata) : m->req->pid;

	if (pid <= 0)
		return true;
	m->pid = pid;
	return false;
}

/* Move one chunk of @count pages; fills @outcome[0..count). */
static int move_chunk(struct mover *m, const uint64_t *addrs, const int *nodes, size_t count,
		      int *outcome)
{
	int call_error = 0;
	uint64_t start, elapsed;
	long r;

	for (size_t i = 0; i < count; i++)
		m->pages[i] = (void *)(uintptr_t)addrs[i];
	if (process_gone(m))
		goto vanished;
	for (;;) {
		for (size_t i = 0; i < count; i++)
			m->status[i] = STATUS_UNSET;
		start = now_ns();
		r = m->move_pages(m->pid, count, m->pages, nodes, m->status, m->flags);
		elapsed = now_ns() - start;
		m->stats->calls++;
		m->stats->longest_call_ns = MAX(m->stats->longest_call_ns, elapsed);
		m->pacer->chunk = migrate_pacer_next(m->pacer, count, elapsed);
		if (r >= 0 || errno != EPERM || !(m->flags & MPOL_MF_MOVE_ALL))
			break;
		/* CAP_SYS_NICE is checked in the initial user namespace: move what we may. */
		m->flags = (m->flags & ~MPOL_MF_MOVE_ALL) | MPOL_MF_MOVE;
		m->stats->fell_back_to_move = true;
	}
	if (r < 0) {
		call_error = negative_errno();
		/*
		 * EINVAL with the flags and nodes we pass means the task has no mm:
		 * it is exiting (exit_mm() comes long before it shows as a zombie).
		 */
		if (call_error == -ESRCH || call_error == -EINVAL || process_gone(m))
			goto vanished;
		if (call_error == -EPERM) {
			/* Not allowed at all: nothing of it moved. */
			for (size_t i = 0; i < count; i++)
				outcome[i] = call_error;
			return 0;
		}
	}
	if (r == 0) {
		/* A clean call: the status array is the record. */
		for (size_t i = 0; i < count; i++)
			outcome[i] = m->status[i] == nodes[i] ? nodes[i]
				     : m->status[i] < 0	      ? m->status[i]
							      : -EAGAIN;
		return 0;
	}
	/* Some pages were not migrated (r > 0) or the call failed part way: look again. */
	r = requery(m, count);
	if (r == -ESRCH || (r < 0 && process_gone(m)))
		goto vanished;
	for (size_t i = 0; i < count; i++) {
		if (r == 0 && m->verify[i] == nodes[i])
			outcome[i] = nodes[i];
		else if (m->status[i] < 0 && m->status[i] != STATUS_UNSET)
			outcome[i] = m->status[i];
		else if (call_error)
			outcome[i] = call_error;
		else
			outcome[i] = -EAGAIN; /* not migrated, no reason given: pinned or busy */
	}
	return 0;

vanished:
	for (size_t i = 0; i < count; i++)
		outcome[i] = -ESRCH;
	return -ESRCH;
}

/* One paced pass over the pages listed in @idx (indexes into addrs/nodes/outcome). */
static int move_pass(struct mover *m, const uint64_t *addrs, const int *nodes, const size_t *idx,
		     size_t n, uint64_t *chunk_addrs, int *chunk_nodes, int *chunk_outcome,
		     int *outcome)
{
	for (size_t done = 0; done < n;) {
		size_t count = MIN(MIN(m->pacer->chunk, m->cap), n - done);
		int r;

		for (size_t i = 0; i < count; i++) {
			chunk_addrs[i] = addrs[idx[done + i]];
			chunk_nodes[i] = nodes[idx[done + i]];
		}
		r = move_chunk(m, chunk_addrs, chunk_nodes, count, chunk_outcome);
		for (size_t i = 0; i < count; i++)
			outcome[idx[done + i]] = chunk_outcome[i];
		done += count;
		if (r == -ESRCH) {
			for (; done < n; done++)
				outcome[idx[done]] = -ESRCH;
			return -ESRCH;
		}
	}
	return 0;
}

int migrate_move(const struct migrate_request *req, const uint64_t *addrs, const int *nodes,
		 size_t n, struct migrate_pacer *pacer, int *outcome, struct migrate_stats *stats)
{
	size_t cap = MIN((size_t)MIGRATE_MAX_CHUNK, n), n_retry = 0;
	_cleanup_free_ void **pages = NULL;
	_cleanup_free_ int *status = NULL, *verify = NULL, *chunk_nodes = NULL,
			   *chunk_outcome = NULL;
	_cleanup_free_ uint64_t *chunk_addrs = NULL;
	_cleanup_free_ size_t *idx = NULL;
	struct mover m = {
		.req = req,
		.pid = req->pid,
		.move_pages = req->move_pages ? req->move_pages : real_move_pages,
		.flags = req->flags,
		.pacer = pacer,
		.stats = stats,
		.cap = cap,
	};
	int r;

	if (n == 0)
		return 0;
	m.pages = pages = malloc(cap * sizeof(*pages));
	m.status = status = malloc(cap * sizeof(*status));
	m.verify = verify = malloc(cap * sizeof(*verify));
	chunk_addrs = malloc(cap * sizeof(*chunk_addrs));
	chunk_nodes = malloc(cap * sizeof(*chunk_nodes));
	chunk_outcome = malloc(cap * sizeof(*chunk_outcome));
	idx = malloc(n * sizeof(*idx));
	if (!pages || !status || !verify || !chunk_addrs || !chunk_nodes || !chunk_outcome || !idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;

	r = move_pass(&m, addrs, nodes, idx, n, chunk_addrs, chunk_nodes, chunk_outcome, outcome);
	if (r == 0) {
		/* Once more for pages that were busy: the first pass drained the LRU batches. */
		for (size_t i = 0; i < n; i++)
			if (transient_failure(outcome[i]))
				idx[n_retry++] = i;
		stats->retried_pages += n_retry;
		if (n_retry)
			r = move_pass(&m, addrs, nodes, idx, n_retry, chunk_addrs, chunk_nodes,
				      chunk_outcome, outcome);
	}
	for (size_t i = 0; i < n; i++)
		migrate_stats_count(stats, outcome[i]);
	return r;
}

void migrate_stats_add(struct migrate_stats *into, const struct migrate_stats *from)
{
	into->moved_pages += from->moved_pages;
	into->failed_pages += from->failed_pages;
	for (size_t i = 0; i < MIGRATE_ERRNO_MAX; i++)
		into->failures[i] += from->failures[i];
	into->vanished_pages += from->vanished_pages;
	into->calls += from->calls;
	into->requeries += from->requeries;
	into->retried_pages += from->retried_pages;
	into->longest_call_ns = MAX(into->longest_call_ns, from->longest_call_ns);
	into->fell_back_to_move |= from->fell_back_to_move;
}
