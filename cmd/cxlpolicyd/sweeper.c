/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "governed.h"
#include "log.h"
#include "macro.h"
#include "moverlock.h"
#include "nodecounters.h"
#include "sweep.h"
#include "sweeper.h"

void sweep_counters_add_failure(struct sweep_counters *c, int errnum, uint64_t pages)
{
	size_t last = SWEEP_COUNTERS_ERRNOS - 1;

	for (size_t i = 0; i < last; i++)
		if (c->failures[i].errnum == errnum || c->failures[i].errnum == 0) {
			c->failures[i].errnum = errnum;
			c->failures[i].pages += pages;
			return;
		}
	c->failures[last].errnum = -1;
	c->failures[last].pages += pages;
}

void policy_runtime_clear(struct policy_runtime *rt)
{
	for (size_t i = 0; i < rt->n_pids; i++)
		if (rt->pidfds[i] >= 0)
			close(rt->pidfds[i]);
	free(rt->pids);
	free(rt->pidfds);
	free(rt->memo);
	rt->pids = NULL;
	rt->pidfds = NULL;
	rt->memo = NULL;
	rt->n_pids = 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Direct members (processes) of one cgroup, appended; a vanished cgroup has none. */
static int cgroup_direct_members(struct manager *m, const char *cgroup, pid_t **pids, size_t *n,
				 size_t *cap)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ pid_t *tids = NULL;
	size_t n_tids = 0, cap_tids = 0;
	char rel[PATH_MAX];
	int r;

	r = cgroup_path_join(manager_cgroup_dir(m), cgroup, rel, sizeof(rel) - 16);
	if (r < 0)
		return r;
	strcat(rel, "/cgroup.procs");
	r = sysroot_read_file(m->root, rel, &text, NULL);
	if (r == -ENOENT || r == -ENODEV)
		return 0; /* removed meanwhile */
	if (r == -EOPNOTSUPP) { /* a threaded cgroup: its threads' processes */
		char *slash = strrchr(rel, '/');

		strcpy(slash, "/cgroup.threads");
		r = sysroot_read_file(m->root, rel, &text, NULL);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		r = cgroupfs_parse_procs(text, &tids, &n_tids, &cap_tids);
		if (r < 0)
			return r;
		return cgroupfs_threads_tgids(m->root, tids, n_tids, pids, n, cap);
	}
	if (r < 0)
		return r;
	return cgroupfs_parse_procs(text, pids, n, cap);
}

/* A member process and the governed cgroup (index) it was listed in. */
struct member {
	pid_t pid;
	size_t cgroup;
};

static int cmp_member(const void *a, const void *b)
{
	return cmp_pid(&((const struct member *)a)->pid, &((const struct member *)b)->pid);
}

/*
 * Members of every cgroup policy @policy governs, sorted by pid, no repeats,
 * each with the cgroup it is in (a process counts where its cgroup.procs
 * lists it: on hybrid hosts that is the v1 cpuset cgroup, not the one
 * /proc/PID/cgroup names first).
 */
static int policy_members(struct manager *m, size_t policy, struct member **ret, size_t *ret_n)
{
	_cleanup_free_ struct member *mem = NULL;
	size_t n = 0, cap = 0, w = 0;

	for (size_t i = 0; i < m->n_cgroups; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n_pids = 0, cap_pids = 0;
		int r;

		if (m->cgroups[i].policy != policy)
			continue;
		r = cgroup_direct_members(m, m->cgroups[i].path, &pids, &n_pids, &cap_pids);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			struct log_fields f = { m->policies->set->policies[policy].name,
						m->cgroups[i].path, 0, -1 };

			log_full(LOG_WARNING, &f, "cannot list members: %s", strerror(-r));
			continue;
		}
		if (GROW_ARRAY(mem, cap, n + n_pids) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < n_pids; k++)
			mem[n++] = (struct member){ pids[k], i };
	}
	if (n)
		qsort(mem, n, sizeof(*mem), cmp_member);
	for (size_t i = 0; i < n; i++)
		if (w == 0 || mem[w - 1].pid != mem[i].pid)
			mem[w++] = mem[i];
	*ret = TAKE_PTR(mem);
	*ret_n = w;
	return 0;
}

/*
 * Descriptors the daemon keeps for itself: pidfds are held only below the
 * file limit minus this, so that cgroup, procfs and socket opens never fail
 * for them.  A member without a pidfd is read as new by every sweep: slower,
 * still right.
 */
#define FD_RESERVE 256

static bool pidfd_room(int fd)
{
	static rlim_t limit;
	static bool warned;
	struct rlimit rl;

	if (!limit)
		limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
	if (limit == RLIM_INFINITY || (rlim_t)fd + FD_RESERVE < limit)
		return true;
	if (!warned)
		log_full(LOG_WARNING, &LOG_NO_FIELDS,
			 "file limit %llu: members beyond about %llu have no pidfd and are read by "
			 "every sweep (raise LimitNOFILE)",
			 (unsigned long long)limit,
			 (unsigned long long)(limit > FD_RESERVE ? limit - FD_RESERVE : 0));
	warned = true;
	return false;
}

static int pidfd_open_(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && !pidfd_room(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Which remembered members still run, in one poll() of their pidfds (a pidfd
 * turns readable when its process exits) instead of a syscall each.  A
 * member without a pidfd counts as gone: it is read again as new.
 */
static int members_alive(const struct policy_runtime *rt, bool **ret)
{
	_cleanup_free_ struct pollfd *fds = calloc(rt->n_pids ? rt->n_pids : 1, sizeof(*fds));
	_cleanup_free_ size_t *at = calloc(rt->n_pids ? rt->n_pids : 1, sizeof(*at));
	_cleanup_free_ bool *alive = calloc(rt->n_pids ? rt->n_pids : 1, sizeof(*alive));
	size_t n = 0;
	int r;

	if (!fds || !at || !alive)
		return -ENOMEM;
	/* only real descriptors: poll() refuses more entries than the file limit */
	for (size_t i = 0; i < rt->n_pids; i++)
		if (rt->pidfds[i] >= 0) {
			fds[n] = (struct pollfd){ .fd = rt->pidfds[i], .events = POLLIN };
			at[n++] = i;
		}
	do
		r = poll(fds, n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return negative_errno();
	for (size_t k = 0; k < n; k++)
		alive[at[k]] = !(fds[k].revents & (POLLIN | POLLHUP | POLLNVAL));
	*ret = TAKE_PTR(alive);
	return 0;
}

/*
 * The members of this sweep against those remembered from the last one: per
 * member, its index in rt->pids when it is the same process (same pid, pidfd
 * still alive), else SIZE_MAX (new, or a reused pid).  Both lists are sorted.
 */
struct member_diff {
	size_t *old;
	size_t n_new; /* members with old[i] == SIZE_MAX */
	bool changed; /* anything joined or left */
	bool left; /* some remembered member is no longer one */
};

static int member_diff(const struct policy_runtime *rt, const pid_t *pids, size_t n,
		       struct member_diff *ret)
{
	_cleanup_free_ size_t *old = malloc((n ? n : 1) * sizeof(*old));
	_cleanup_free_ bool *alive = NULL;
	size_t j = 0, kept = 0, n_new = 0;
	int r;

	if (!old)
		return -ENOMEM;
	r = members_alive(rt, &alive);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		while (j < rt->n_pids && rt->pids[j] < pids[i])
			j++;
		if (j < rt->n_pids && rt->pids[j] == pids[i] && alive[j]) {
			old[i] = j;
			kept++;
		} else {
			old[i] = SIZE_MAX;
			n_new++;
		}
	}
	ret->old = TAKE_PTR(old);
	ret->n_new = n_new;
	ret->left = kept < rt->n_pids;
	ret->changed = n_new > 0 || ret->left;
	return 0;
}

/*
 * Remember @pids (taking them) as the members for the next sweep: the pidfds
 * of members that stayed are carried over, only new ones are opened, those of
 * members that left are closed.
 */
static int remember_members(struct policy_runtime *rt, pid_t *pids, struct member_memo *memo,
			    size_t n, const struct member_diff *diff)
{
	int *fds = malloc((n ? n : 1) * sizeof(*fds));

	if (!fds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t j = diff->old[i];

		if (j != SIZE_MAX) {
			fds[i] = rt->pidfds[j];
			rt->pidfds[j] = -1;
		} else {
			fds[i] = pidfd_open_(pids[i]);
		}
	}
	policy_runtime_clear(rt);
	rt->pids = pids;
	rt->pidfds = fds;
	rt->memo = memo;
	rt->n_pids = n;
	return 0;
}

/* After a sweep: its members (and what it learnt of them) are the ones remembered. */
static int keep_members(struct policy_runtime *rt, pid_t **pids, struct member_memo **memo,
			size_t n, const struct member_diff *diff)
{
	int r;

	if (!diff->changed) {
		free(rt->memo); /* same members, same order */
		rt->memo = TAKE_PTR(*memo);
		return 0;
	}
	r = remember_members(rt, *pids, *memo, n, diff);
	if (r == 0) {
		*pids = NULL;
		*memo = NULL;
	}
	return r;
}

/* The memos of this sweep's members: carried over for those that stayed, blank for new ones. */
static struct member_memo *memos_for(const struct policy_runtime *rt, const size_t *old, size_t n)
{
	struct member_memo *memo = calloc(n ? n : 1, sizeof(*memo));

	if (!memo)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (old[i] != SIZE_MAX && rt->memo)
			memo[i] = rt->memo[old[i]];
	return memo;
}

/*
 * A member whose exec_signature is unchanged is skipped at most this many
 * rolling turns in a row: a process can swap one resident file page for
 * another of the same count, which the signature does not show.
 */
#define MEMO_MAX_SKIPS 4

/* Has the member's exec_signature changed since its last read?  Unknown counts as changed. */
static bool signature_changed(struct manager *m, pid_t pid, struct member_memo *memo)
{
	struct exec_signature now;

	/* --full-every 1: the admin asked for every member read every interval */
	if (!memo->has_sig || memo->skips >= MEMO_MAX_SKIPS || m->cfg.full_every <= 1)
		return true;
	if (procinfo_read_exec_signature(m->root, pid, &now) < 0)
		return true;
	if (memcmp(&now, &memo->sig, sizeof(now)) != 0)
		return true;
	memo->skips++;
	return false;
}

/*
 * What a sweep that is not full reads (the CXL counters did not move, so
 * nothing arrived on CXL through an allocation): the members new since the
 * last sweep, and of a rolling 1/@every of all of them (pid % @every ==
 * @turn, so a member's turn does not shift as others come and go) those
 * whose exec_signature shows new code or new page faults since their last
 * read: what
 * the counters cannot see is a process newly mapping page cache already on
 * CXL.  Every member is looked at within @every intervals, and read in full
 * within (MEMO_MAX_SKIPS + 1) * @every.
 */
static size_t partial_slice(struct manager *m, const pid_t *pids, const size_t *old,
			    struct member_memo *memo, size_t n, unsigned every, unsigned turn,
			    pid_t *slice)
{
	size_t n_slice = 0;

	for (size_t i = 0; i < n; i++)
		if (old[i] == SIZE_MAX ||
		    ((unsigned)pids[i] % every == turn && signature_changed(m, pids[i], &memo[i])))
			slice[n_slice++] = pids[i];
	return n_slice;
}

struct sweep_state {
	struct manager *m;
	ssize_t policy; /* -1: a repair sweep */
	const struct member *members; /* sorted by pid: which governed cgroup each is in */
	struct member_memo *memo; /* one per member (NULL in a repair sweep): filled as read */
	size_t n_members;
	uint64_t policy_cxl_bytes;
	/* per governed cgroup, this sweep (NULL in a repair sweep): CXL bytes left, no-target pages
	 */
	uint64_t *cxl_bytes;
	uint64_t *no_target;
	size_t seen; /* processes handed to the callback */
};

static bool stop_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

/* Count one process's outcome into its cgroup's and the policy's counters. */
static int on_process(const struct process_report *p, const struct process_moves *pm,
		      void *userdata)
{
	struct sweep_state *st = userdata;
	struct manager *m = st->m;
	struct member key = { .pid = p->info.pid };
	const struct member *who =
		st->n_members ? bsearch(&key, st->members, st->n_members, sizeof(key), cmp_member)
			      : NULL;
	const char *cg = p->info.cgroup[0] == '/' ? p->info.cgroup + 1 : p->info.cgroup;
	ssize_t gi = who ? (ssize_t)who->cgroup : governed_find(m, cg);
	struct sweep_counters *gc = gi >= 0 ? &m->cgroups[gi].counters : NULL;
	struct sweep_counters *pc = st->policy >= 0 ? &m->runtime[st->policy].counters : NULL;
	const char *pname = st->policy >= 0 ? m->policies->set->policies[st->policy].name : NULL;
	uint64_t moved_bytes = 0, redemoted = 0;
	int last_target = -1;

	st->seen++;
	if (who && st->memo) {
		struct member_memo *memo = &st->memo[who - st->members];

		memo->has_sig = p->error == 0 && p->info.has_exec_signature;
		memo->sig = p->info.exec_signature;
		memo->skips = 0;
	}

	if (p->error == 0) {
		for (size_t i = 0; i < p->n_pages; i++) {
			const struct page_ref *ref = &p->pages[i];
			size_t psz = p->maps[ref->map].page_size;

			if (ref->node >= 0 && topology_is_cxl(m->topo, ref->node)) {
				struct movedset_key k = movedset_key_of(p, ref);

				if (movedset_take(&m->moved, k))
					redemoted++;
			}
			if (ref->moved) {
				moved_bytes += psz;
				last_target = ref->moved_to;
				(void)movedset_add(&m->moved, movedset_key_of(p, ref));
			}
		}
	}
	if (pm->moved && moved_bytes) {
		struct log_fields f = { pname, gi >= 0 ? m->cgroups[gi].path : cg, p->info.pid,
					last_target };

		log_full(LOG_INFO, &f, "moved %zu executable pages (%llu KiB) of %s to DRAM",
			 pm->moved, (unsigned long long)(moved_bytes >> 10), p->info.comm);
	}
	if (redemoted) {
		struct log_fields f = { pname, gi >= 0 ? m->cgroups[gi].path : cg, p->info.pid,
					-1 };

		log_full(LOG_NOTICE, &f, "%llu pages moved to DRAM earlier are on CXL again",
			 (unsigned long long)redemoted);
	}
	for (struct sweep_counters *c = gc;; c = pc) {
		if (c) {
			c->moved_pages += p->error == 0 ? pm->moved : 0;
			c->moved_bytes += moved_bytes;
			c->failed_pages += pm->failed;
			if (c == gc) /* the policy's come from the run's record, each page once */
				for (int e = 1; e < MIGRATE_ERRNO_MAX; e++)
					if (pm->failures[e])
						sweep_counters_add_failure(c, e, pm->failures[e]);
			c->redemotions += redemoted;
		}
		if (c == pc)
			break;
	}
	if (gi >= 0 && p->error == 0 && st->cxl_bytes) {
		st->cxl_bytes[gi] +=
			p->totals.cxl_bytes > moved_bytes ? p->totals.cxl_bytes - moved_bytes : 0;
		st->no_target[gi] += pm->no_target;
	}
	if (p->error == 0)
		st->policy_cxl_bytes +=
			p->totals.cxl_bytes > moved_bytes ? p->totals.cxl_bytes - moved_bytes : 0;
	return stop_pending() ? -ECANCELED : 0;
}

/* The mover lock (moverlock.h): one mover on the node; -EWOULDBLOCK when a CLI migrate runs. */
static int take_lock(struct manager *m)
{
	if (!m->cfg.lock_path)
		return 0;
	return moverlock_take(m->cfg.lock_path, false, NULL, &m->lock_fd);
}

static void drop_lock(struct manager *m)
{
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	m->lock_fd = -1;
}

static int run_sweep(struct manager *m, struct sweep_state *st, const pid_t *pids, size_t n,
		     const struct sweep_options *opts, struct sweep_result *res)
{
	int r;

	r = take_lock(m);
	if (r < 0)
		return r;
	r = sweep_run(&m->ctx, pids, n, opts, on_process, st, res);
	drop_lock(m);
	return r;
}

/* Per governed cgroup of @policy: how many members (the member list is the truth). */
static void count_members(struct manager *m, size_t policy, const struct member *mem, size_t n)
{
	for (size_t i = 0; i < m->n_cgroups; i++)
		if (m->cgroups[i].policy == policy)
			m->cgroups[i].counters.processes = 0;
	for (size_t i = 0; i < n; i++)
		m->cgroups[mem[i].cgroup].counters.processes++;
}

static void finish_counters(struct sweep_counters *c, uint64_t t0, uint64_t c0)
{
	c->sweeps++;
	c->last_sweep_realtime_usec = clock_usec(CLOCK_REALTIME);
	c->last_duration_usec = clock_usec(CLOCK_MONOTONIC) - t0;
	c->last_cpu_usec = clock_usec(CLOCK_PROCESS_CPUTIME_ID) - c0;
}

int sweeper_sweep_policy(struct manager *m, size_t policy, bool full, struct error *err)
{
	const struct policy *pol = &m->policies->set->policies[policy];
	struct policy_runtime *rt = &m->runtime[policy];
	struct sweep_counters *pc = &rt->counters;
	struct log_fields f = { pol->name, NULL, 0, -1 };
	uint64_t t0 = clock_usec(CLOCK_MONOTONIC), c0 = clock_usec(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t cxl_alloc = UINT64_MAX;
	bool no_cxl = idset_empty(&m->topo->cxl), counters_still, partial;
	_cleanup_free_ struct member *mem = NULL;
	_cleanup_free_ pid_t *pids = NULL, *slice = NULL;
	_cleanup_free_ uint64_t *cxl = NULL, *no_target = NULL;
	_cleanup_free_ size_t *old = NULL;
	_cleanup_free_ struct member_memo *memo = NULL;
	struct sweep_options opts = {
		.migrate = pol->exec.migrate && !pol->exec.report_only,
		.max_bytes = pol->exec.bytes_per_sweep,
		.move_flags = migrate_default_flags(),
		.chunk_target_ns = pol->exec.call_time_ns,
		.targets = pol->exec.target_nearest_dram ? NULL : &pol->exec.target,
	};
	struct sweep_state st = { .m = m, .policy = (ssize_t)policy };
	struct member_diff diff;
	struct sweep_result res;
	size_t n = 0, n_slice = 0;
	bool first = pc->sweeps == 0;
	const char *what;
	int r;

	r = policy_members(m, policy, &mem, &n);
	if (r < 0)
		return error_set(err, r, "listing members: %s", strerror(-r));
	pids = malloc((n ? n : 1) * sizeof(*pids));
	slice = malloc((n ? n : 1) * sizeof(*slice));
	if (!pids || !slice)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		pids[i] = mem[i].pid;
	st.members = mem;
	st.n_members = n;
	r = member_diff(rt, pids, n, &diff);
	if (r < 0)
		return r;
	old = diff.old;
	memo = memos_for(rt, old, n);
	if (!memo)
		return -ENOMEM;
	st.memo = memo;
	if (no_cxl)
		cxl_alloc = 0; /* no CXL node: nothing can arrive there */
	else
		(void)nodecounters_read_allocated(m->root, &m->topo->cxl, &cxl_alloc, NULL);
	counters_still =
		!full && !first && cxl_alloc != UINT64_MAX && cxl_alloc == rt->cxl_allocated;
	/*
	 * Counters still: read new members and the rolling slice (quiet when no
	 * member changed, partial when some did).  Members that left take code
	 * the last full sweep counted on CXL with them: a full sweep then
	 * counts again.  Counters moved, forced or first sweep: every member.
	 */
	partial = counters_still && !(diff.left && pc->exec_cxl_bytes);
	if (no_cxl) {
		/* nothing can be on CXL: count members, read no process */
		count_members(m, policy, mem, n);
		pc->processes = n;
		pc->last_processes = 0;
		pc->quiet_sweeps += counters_still && !diff.changed;
		pc->partial_sweeps += counters_still && diff.changed;
		finish_counters(pc, t0, c0);
		rt->cxl_allocated = cxl_alloc;
		return keep_members(rt, &pids, &memo, n, &diff);
	}
	if (partial) {
		n_slice = partial_slice(m, pids, old, memo, n, m->cfg.full_every,
					rt->rolling++ % m->cfg.full_every, slice);
	} else {
		memcpy(slice, pids, n * sizeof(*pids));
		n_slice = n;
	}
	cxl = calloc(m->n_cgroups + 1, sizeof(*cxl));
	no_target = calloc(m->n_cgroups + 1, sizeof(*no_target));
	if (!cxl || !no_target)
		return -ENOMEM;
	st.cxl_bytes = cxl;
	st.no_target = no_target;
	what = !partial ? "full" : diff.changed ? "partial" : "rolling";
	log_full(LOG_DEBUG, &f, "%s sweep: %zu of %zu processes (%zu new)", what, n_slice, n,
		 diff.n_new);
	r = run_sweep(m, &st, slice, n_slice, &opts, &res);
	if (r == -EWOULDBLOCK) {
		log_full(LOG_INFO, &f, "another mover holds %s: sweep postponed", m->cfg.lock_path);
		rt->cxl_allocated = UINT64_MAX; /* the next one is full */
		return 0;
	}
	if (r == -ECANCELED)
		log_full(LOG_NOTICE, &f, "sweep stopped by a signal after %zu of %zu processes",
			 st.seen, n_slice);
	if (r < 0)
		return error_set(err, r, "sweep of policy %s: %s", pol->name, strerror(-r));
	for (int e = 1; e < MIGRATE_ERRNO_MAX; e++)
		if (res.moves.failures[e])
			sweep_counters_add_failure(pc, e, res.moves.failures[e]);
	count_members(m, policy, mem, n);
	pc->processes = n;
	pc->last_processes = n_slice;
	if (partial) {
		pc->quiet_sweeps += !diff.changed;
		pc->partial_sweeps += diff.changed;
		/*
		 * Not every member was read: the totals of the last full sweep
		 * stay.  A slice that found code on CXL makes the next sweep
		 * full, for true totals.
		 */
		if (st.policy_cxl_bytes || res.moves.moved_pages)
			rt->cxl_allocated = UINT64_MAX;
	} else {
		for (size_t i = 0; i < m->n_cgroups; i++) {
			struct governed_cgroup *g = &m->cgroups[i];

			if (g->policy != policy)
				continue;
			g->counters.sweeps++;
			g->counters.exec_cxl_bytes = cxl[i];
			g->counters.no_target_pages = no_target[i];
			g->counters.last_sweep_realtime_usec = clock_usec(CLOCK_REALTIME);
		}
		pc->exec_cxl_bytes = st.policy_cxl_bytes;
		pc->no_target_pages = res.moves.no_target_pages;
		rt->cxl_allocated = cxl_alloc;
	}
	finish_counters(pc, t0, c0);
	for (size_t i = 0; i < m->n_cgroups; i++)
		if (m->cgroups[i].policy == policy)
			m->cgroups[i].counters.last_duration_usec = pc->last_duration_usec;
	/*
	 * A process joining a cgroup whose mems hold no DRAM node has its memory
	 * migrated there by the kernel, shared library text included, for every
	 * process that maps it: repair as after a cpuset.mems write.
	 */
	if (!idset_intersects(&pol->mems, &m->topo->dram) && !first && diff.n_new)
		m->repair_pending = true;
	if (res.moves.failed_pages)
		log_full(LOG_WARNING, &f, "%zu executable pages could not be moved",
			 res.moves.failed_pages);
	sweep_result_clear(&res);
	return keep_members(rt, &pids, &memo, n, &diff);
}

/* Every process of the host, ascending. */
static int all_pids(struct manager *m, pid_t **ret, size_t *ret_n)
{
	_cleanup_close_ int fd = sysroot_openat(m->root, "proc", O_RDONLY | O_DIRECTORY);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -1;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0 || v == getpid())
			continue;
		if (GROW_ARRAY(pids, cap, n + 1) < 0) {
			closedir(d);
			return -ENOMEM;
		}
		pids[n++] = (pid_t)v;
	}
	closedir(d);
	if (n)
		qsort(pids, n, sizeof(*pids), cmp_pid);
	*ret = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}

/* Drop from the sorted @pids the members of cgroups whose policy moves nothing. */
static size_t drop_unmovable(struct manager *m, pid_t *pids, size_t n)
{
	_cleanup_free_ pid_t *held = NULL;
	size_t n_held = 0, cap = 0, w = 0;

	for (size_t i = 0; i < m->n_cgroups; i++) {
		const struct policy *p = &m->policies->set->policies[m->cgroups[i].policy];

		if (p->exec.migrate && !p->exec.report_only)
			continue;
		if (cgroup_direct_members(m, m->cgroups[i].path, &held, &n_held, &cap) == -ENOMEM)
			return n; /* keep all: better a move than a crash */
	}
	if (!n_held)
		return n;
	qsort(held, n_held, sizeof(*held), cmp_pid);
	for (size_t i = 0; i < n; i++)
		if (!bsearch(&pids[i], held, n_held, sizeof(*held), cmp_pid))
			pids[w++] = pids[i];
	return w;
}

int sweeper_repair(struct manager *m, struct error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct sweep_options opts = {
		.migrate = true,
		.move_flags = migrate_default_flags(),
	};
	struct sweep_state st = { .m = m, .policy = -1 };
	struct sweep_result res;
	size_t n = 0;
	int r;

	if (idset_empty(&m->topo->cxl))
		return 0;
	r = all_pids(m, &pids, &n);
	if (r < 0)
		return error_set(err, r, "listing processes: %s", strerror(-r));
	/*
	 * Processes whose policy is report-only or migrate: false are not moved
	 * through; pages they share with others still move through those others.
	 */
	if (m->policies)
		n = drop_unmovable(m, pids, n);
	r = run_sweep(m, &st, pids, n, &opts, &res);
	if (r == -EWOULDBLOCK) {
		/* a CLI migrate is moving: the policies' next full sweeps pick it up */
		for (size_t i = 0; m->policies && i < m->policies->set->n_policies; i++)
			m->runtime[i].cxl_allocated = UINT64_MAX;
		return 0;
	}
	if (r < 0)
		return error_set(err, r, "repair sweep: %s", strerror(-r));
	m->repair_sweeps++;
	/* what the policies showed is stale now: their next sweeps are full */
	for (size_t i = 0; m->policies && i < m->policies->set->n_policies; i++)
		m->runtime[i].cxl_allocated = UINT64_MAX;
	log_notice("repair sweep after cpuset.mems changes: %zu processes, %zu executable pages "
		   "moved back to DRAM, %zu left",
		   n, res.moves.moved_pages, res.moves.failed_pages + res.moves.no_target_pages);
	sweep_result_clear(&res);
	return 0;
}
