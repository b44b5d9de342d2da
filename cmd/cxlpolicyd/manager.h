/* SPDX-License-Identifier: MIT */
/*
 * The daemon's whole state, in one place: the system it runs on (sysroot,
 * topology, cgroup layout), the policy set in force, which cgroup each
 * policy governs, per-policy sweep timers, counters, and the control socket.
 * Everything is rebuilt from the system at start: nothing that matters is
 * trusted from a file it wrote earlier.
 *
 * One thread, one sd-event loop.  A reload builds the new policy set and
 * the new governed-cgroup table beside the old ones and swaps only when the
 * new set validated completely; a failure keeps the previous set in force
 * and is shown in status and the log.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "cgroupmode.h"
#include "context.h"
#include "error.h"
#include "idset.h"
#include "macro.h"
#include "migrate.h"
#include "movedset.h"
#include "movers.h"
#include "policydir.h"
#include "sysroot.h"
#include "topology.h"
#include "version.h"

#define DAEMON_SOCKET_DEFAULT CXLPOLICY_SOCKET_DEFAULT
#define DAEMON_LOCK_DEFAULT CXLPOLICY_MOVER_LOCK_DEFAULT
#define DAEMON_FULL_EVERY_DEFAULT 10
/* Ticks between cgroup-tree rebuilds when no directory event said it changed. */
#define MANAGER_REBUILD_EVERY 30

struct daemon_config {
	const char *policy_dir;
	const char *socket_path;
	const char *lock_path;
	const char *sysroot;
	bool has_control_gid;
	gid_t control_gid; /* may change policy besides root */
	bool status_restricted; /* status only for root and the control group */
	unsigned full_every; /* every member re-read at least every N intervals */
	uint64_t control_timeout_ns; /* 0: the control server's default */
};

#define SWEEP_COUNTERS_ERRNOS 6

struct errno_count {
	int errnum; /* 0: unused; -1 in the last slot: any other */
	uint64_t pages;
};

/* What sweeps did to one cgroup (or, summed, to one policy). */
struct sweep_counters {
	uint64_t sweeps;
	/* the CXL counters still and the same members: only the rolling slice read */
	uint64_t quiet_sweeps;
	/* the CXL counters still, members came or went: new ones and the rolling slice read */
	uint64_t partial_sweeps;
	size_t processes; /* members at the last sweep */
	size_t last_processes; /* processes the last sweep read (policy only) */
	uint64_t exec_cxl_bytes; /* executable bytes on CXL after the last full sweep */
	uint64_t moved_pages, moved_bytes;
	uint64_t failed_pages;
	/* by errno, summed over sweeps; sparse (a few errnos happen): the last slot takes the rest
	 */
	struct errno_count failures[SWEEP_COUNTERS_ERRNOS];
	uint64_t no_target_pages; /* last sweep */
	uint64_t redemotions; /* pages moved to DRAM earlier and found on CXL again */
	uint64_t last_sweep_realtime_usec;
	uint64_t last_duration_usec;
	uint64_t last_cpu_usec;
};

struct governed_cgroup {
	char *path; /* relative to the cgroup root */
	size_t policy; /* index into the set */
	char *why; /* which match made it, what it beat */
	size_t n_candidates; /* policies that matched it */
	char mems_before[64]; /* cpuset.mems when first governed, as a node list */
	bool mems_inherit_before;
	int mems_error; /* last cpuset.mems write: 0 or -errno */
	char *mems_message;
	bool mems_written;
	char effective_mems[64]; /* node list: the policy's mems intersected with ancestors' */
	char *nesting_warning; /* a migrating policy left without DRAM by an ancestor's */
	struct sweep_counters counters;
};

/*
 * Per member, from the last time a sweep read it: the exec_signature its
 * status showed then, and how many rolling turns since were skipped because
 * the signature had not changed.
 */
struct member_memo {
	struct exec_signature sig;
	bool has_sig;
	uint8_t skips;
};

struct policy_runtime {
	sd_event_source *timer;
	unsigned rolling; /* which 1/full_every of the members the next partial sweep re-reads */
	uint64_t cxl_allocated; /* node counters at the last full sweep, UINT64_MAX: none */
	pid_t *pids; /* members at the last full sweep, sorted */
	int *pidfds; /* one per pid, -1 when none could be opened */
	struct member_memo *memo; /* one per pid: what its last read saw */
	size_t n_pids;
	struct sweep_counters counters;
};

struct control_server;
struct units_watch;
struct treewatch;
struct carried_policy;

struct manager {
	struct daemon_config cfg;
	sd_event *event;
	struct sysroot *root;
	struct topology *topo;
	struct cxlp_ctx ctx;
	struct cgroup_mode cgmode;
	bool have_cgroups; /* cgmode detected */
	char cgroup_error[ERROR_MESSAGE_MAX];

	struct policydir *policies; /* in force; never NULL after the first load */
	char load_error[ERROR_MESSAGE_MAX]; /* the last reload that failed, "" after a good one */
	uint64_t loads, load_failures;
	uint64_t last_load_realtime_usec;

	struct governed_cgroup *cgroups;
	size_t n_cgroups;
	struct policy_runtime *runtime; /* one per policy of the set in force */

	struct movedset moved;
	struct movers movers;
	struct control_server *control;
	sd_event_source *inotify_source;
	int lock_fd;
	bool stopping;
	uint64_t started_realtime_usec;
	uint64_t repair_sweeps;
	unsigned mems_tick; /* governed_apply_mems() calls: which cgroups it re-checks */
	struct treewatch *treewatch; /* NULL: no inotify, rebuild every tick */
	unsigned refreshes_since_build; /* a rebuild at least every MANAGER_REBUILD_EVERY */
	bool built; /* the table reflects the tree at least once */
	bool repair_pending; /* a repair sweep is owed (new members of a CXL-only cgroup) */
	sd_bus *bus; /* systemd, for unit names; NULL until needed or when absent */
	struct units_watch *units_watch;
	bool carried_dirty; /* re-read which slices carry X-CXLPolicy= */
	struct carried_policy *carried;
	size_t n_carried;
	bool bus_unavailable;
	char bus_error[ERROR_MESSAGE_MAX + 64];
};

/* @clock (CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_PROCESS_CPUTIME_ID) in microseconds. */
static inline uint64_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The hierarchy whose cgroups policies govern, and whose cgroup.procs says
 * who is in them: where cpuset.mems lives.  On cgroup v1 and hybrid hosts
 * that is the v1 cpuset hierarchy, because a process's v1 cpuset cgroup is
 * independent of its cgroup2 (or name=systemd) one, and mems written there
 * apply to that hierarchy's members only.
 */
static inline const char *manager_cgroup_dir(const struct manager *m)
{
	if (m->cgmode.cpuset_dir[0] && !m->cgmode.cpuset_v2)
		return m->cgmode.cpuset_dir;
	return m->cgmode.members_dir;
}

/* Add @pages failed with @errnum to @c. */
void sweep_counters_add_failure(struct sweep_counters *c, int errnum, uint64_t pages);

int manager_new(const struct daemon_config *cfg, struct manager **ret, struct error *err);
struct manager *manager_free(struct manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct manager *, manager_free)

/* Load the policy directory; on failure keep what is in force (-errno, message in @err). */
int manager_reload(struct manager *m, const char *why, struct error *err);
/* Re-read the cgroup tree, re-match, write cpuset.mems where needed; repair-sweep after writes. */
int manager_refresh_cgroups(struct manager *m, struct error *err);
/* One sweep of policy @i now (full: ignore quiescence); -ECANCELED when a stop signal came. */
int manager_sweep_policy(struct manager *m, size_t i, bool full, struct error *err);
/* Start the event loop's sources: signals, inotify, timers, control socket. */
int manager_start(struct manager *m, struct error *err);
int manager_run(struct manager *m);
/* The status reply (all cgroups, or the one given). */
