/* SPDX-License-Identifier: MIT */
/*
 * Read and write a cgroup's allowed memory nodes (cpuset.mems) on cgroup v2
 * and v1, in the hierarchy a cgroup_mode names (cpuset_dir).
 *
 * v2: an empty cpuset.mems means "inherit the parent's" (inherit = true);
 * cpuset.mems.effective is what the kernel applies.  A cgroup whose parent
 * has not enabled cpuset in cgroup.subtree_control has no cpuset files at
 * all (enabled = false, inherit = true, effective = the nearest ancestor's).
 * The root cgroup has no cpuset.mems: mems = effective.
 *
 * v1: cpuset.mems is what applies (an empty one means "no nodes", not
 * "inherit"); effective is cpuset.effective_mems where the kernel has it,
 * else cpuset.mems.  A v1 cpuset mounted with "noprefix" has the same files
 * without the "cpuset." prefix.
 *
 * Writes go through directory descriptors opened below the sysroot, one
 * path component at a time (O_NOFOLLOW), and each value is one write().
 */
#pragma once

#include <stdbool.h>

#include "cgroupmode.h"
#include "error.h"
#include "idset.h"
#include "sysroot.h"

struct cpuset_mems {
	bool enabled; /* v2: the cpuset controller is on for this cgroup; v1: true */
	bool inherit; /* v2: no own value, the parent's mems apply */
	struct idset mems; /* the cgroup's own value (empty when inherit) */
	struct idset effective;
};

/*
 * Read @cgroup's mems (@cgroup: relative to the cpuset hierarchy's root, see
 * cgroup_path_check()).  -ENODEV when the mode has no cpuset controller
 * (message: m->cpuset_missing), -ENOENT when the cgroup does not exist,
 * -EINVAL when a file does not hold a node list; messages name the file.
 */
int cpusetmems_read(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		    struct cpuset_mems *ret, struct error *err);

/*
 * Make @cgroup's cpuset.mems @mems (NULL: v2's "inherit", an empty write).
 * The cgroup must exist; it is not created.
 *
 * v2: first enables cpuset ("+cpuset") in cgroup.subtree_control of every
 * ancestor, from the root down to the parent, where it is not on yet.  The
 * kernel refuses that (EBUSY) in an ancestor that has member processes and
 * child cgroups with processes (the no-internal-process rule; cpuset being
 * a threaded controller, an ancestor with processes but no populated child
 * may enable it); the message says so.
 * v1: first sets cpuset.memory_migrate to 1 (so existing pages follow the
 * new mems).  The kernel requires a child's mems to be a subset of its
 * parent's (EACCES), a parent's to cover its children's (EBUSY), a cgroup
 * with tasks to keep a node (ENOSPC), and tasks can only join a cgroup whose
 * cpuset.cpus and cpuset.mems are both non-empty; messages say which.
 *
 * A value already there is not written again (nor is a controller already
 * enabled or memory_migrate already 1), so re-applying every interval does
 * not drag memory.  *@ret_changed (may be NULL) says whether anything was
 * written.  Errors: -EINVAL for an empty @mems, the root cgroup, or NULL on
 * v1; -ENODEV without a cpuset controller; the kernel's -errno of a refused
 * write, with a message naming the cgroup, the file and the value written.
 */
int cpusetmems_write(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		     const struct idset *mems, bool *ret_changed, struct error *err);

/* How cpusetmems_write() writes one file in a cgroup directory: 0 or -errno. */
typedef int (*cpusetmems_write_fn)(int dirfd, const char *name, const char *value, void *userdata);

/* cpusetmems_write() with the file writer replaced (NULL: the real one); for tests. */
int cpusetmems_write_with(const struct sysroot *root, const struct cgroup_mode *m,
			  const char *cgroup, const struct idset *mems,
			  cpusetmems_write_fn write_file, void *userdata, bool *ret_changed,
			  struct error *err);
