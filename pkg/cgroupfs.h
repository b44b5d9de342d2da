/* SPDX-License-Identifier: MIT */
/*
 * cgroup filesystem access below a sysroot: resolving a cgroup given by a
 * user and listing its member processes.  cgroup v2 (unified) first; on a v1
 * host the cpuset hierarchy, then the systemd one.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "sysroot.h"

#define CGROUPFS_MOUNT "sys/fs/cgroup"

/*
 * Turn a user's cgroup ("/sys/fs/cgroup/a.slice", "a.slice", "/a.slice")
 * into a path relative to the sysroot, in @buf.  -ENOENT (with a message)
 * when no hierarchy holds it.
 */
int cgroupfs_resolve(const struct sysroot *root, const char *cgroup, char *buf, size_t size,
		     struct error *err);

/* Parse a cgroup.procs text (one pid a line), appending to the array. */
int cgroupfs_parse_procs(const char *text, pid_t **pids, size_t *n, size_t *cap);

/*
 * The processes (tgids) of the threads @tids, from <root>/proc/TID/status,
 * appended to the array.  Threads that have exited are skipped; -EINVAL
 * when a status has no valid Tgid.
 */
int cgroupfs_threads_tgids(const struct sysroot *root, const pid_t *tids, size_t n_tids,
			   pid_t **pids, size_t *n, size_t *cap);

/*
 * Member processes of @cgroup and all its descendants, ascending, no repeats.
 * A threaded cgroup (cgroup v2 threaded subtree, whose cgroup.procs fails
 * with EOPNOTSUPP) contributes the processes of the threads in its
 * cgroup.threads.  Messages name the cgroup and the file that failed.
 */
int cgroupfs_members(const struct sysroot *root, const char *cgroup, pid_t **ret_pids,
		     size_t *ret_n, struct error *err);

/* How the walk reads a cgroup file: sysroot_read_file(), or a test's stand-in. */
typedef int (*cgroupfs_read_fn)(const struct sysroot *root, const char *relpath, char **ret_buf,
				size_t *ret_len);

/* cgroupfs_members() with the cgroup file reader replaced (NULL: sysroot_read_file). */
int cgroupfs_members_with(const struct sysroot *root, const char *cgroup,
			  cgroupfs_read_fn read_file, pid_t **ret_pids, size_t *ret_n,
			  struct error *err);
