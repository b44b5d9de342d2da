/* SPDX-License-Identifier: MIT */
/*
 * How cgroups are laid out on a host, decided once: unified (cgroup v2 at
 * sys/fs/cgroup), hybrid (v1 controllers under sys/fs/cgroup, cgroup2 at
 * sys/fs/cgroup/unified) or legacy (v1 only), and where each thing the
 * controller needs lives: the cpuset controller, cgroup membership, and
 * memory.numa_stat.  Every directory is relative to the sysroot, without a
 * leading '/' ("sys/fs/cgroup/cpuset").
 *
 * cgroup paths given to pkg/ are relative to a hierarchy's root, without a
 * leading '/' ("" is the root itself): cgroup_path_check() says which are
 * accepted.
 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "sysroot.h"

enum cgroup_layout {
	CGROUP_LAYOUT_UNIFIED,
	CGROUP_LAYOUT_HYBRID,
	CGROUP_LAYOUT_LEGACY,
};

#define CGROUP_MODE_DIR_MAX 256

struct cgroup_mode {
	enum cgroup_layout layout;
	/*
	 * The hierarchy that has the cpuset controller: the cgroup2 mount
	 * (cpuset_v2) or the v1 cpuset mount.  "" when no hierarchy has it;
	 * cpuset_missing then says why (naming the file or mountinfo), and
	 * cpusetmems_read()/cpusetmems_write() fail with -ENODEV and that text.
	 */
	char cpuset_dir[CGROUP_MODE_DIR_MAX];
	bool cpuset_v2;
	/* v1 cpuset mounted with "noprefix": files are "mems", not "cpuset.mems" */
	bool cpuset_noprefix;
	char cpuset_missing[512];
	/*
	 * Where cgroup names and member processes are read: the cgroup2 mount
	 * when there is one (unified, hybrid), else the v1 name=systemd
	 * hierarchy, else the v1 cpuset one.
	 */
	char members_dir[CGROUP_MODE_DIR_MAX];
	/* Where memory.numa_stat is: the cgroup2 mount or the v1 memory mount ("" if none). */
	char memory_dir[CGROUP_MODE_DIR_MAX];
	bool memory_v2;
};

/* "unified", "hybrid", "legacy" */
const char *cgroup_layout_name(enum cgroup_layout layout);

/*
 * Decide the layout from a mountinfo text (pure; no controller files are
 * read, so cpuset_v2 means "cpuset is not on a v1 hierarchy").  Mount points
 * are made relative to the sysroot: when some cgroup mounts lie below
 * @root_path (as given to sysroot_open(); a container that sees the host's
 * cgroups under /host, --sysroot /host) only those count, with that prefix
 * stripped; otherwise the text is the sysroot's own view (the host's
 * mountinfo, a fixture) and every mount point counts as it is.  -ENOENT when
 * no cgroup filesystem is mounted, -EINVAL for a malformed line (message
 * "<what>:<line>: expected ...").
 */
int cgroup_mode_parse(const char *mountinfo, const char *root_path, const char *what,
		      struct cgroup_mode *ret, struct error *err);

/*
 * Detect the layout below @root from <root>/proc/self/mountinfo; when that
 * file is missing (a fixture tree, a sysroot without /proc), from what
 * exists: sys/fs/cgroup/cgroup.controllers (unified),
 * sys/fs/cgroup/unified/cgroup.controllers (hybrid), sys/fs/cgroup/cpuset
 * (legacy).  On cgroup v2 the root's cgroup.controllers must list cpuset,
 * else cpuset_dir is "" and cpuset_missing names that file.
 */
int cgroup_mode_detect(const struct sysroot *root, struct cgroup_mode *ret, struct error *err);

/*
 * 0 when @cgroup is a valid cgroup path: "" (the root) or names joined by
 * single '/', none of them "." or "..", no leading or trailing '/', shorter
 * than PATH_MAX.  -EINVAL with a message quoting it otherwise.
 */
int cgroup_path_check(const char *cgroup, struct error *err);

/*
 * Whether @word is one of the space- or newline-separated words of @list (a
 * cgroup.controllers or cgroup.subtree_control text).
 */
bool cgroup_list_has(const char *list, const char *word);

/*
 * "<dir>/<cgroup>" (or "<dir>" for the root cgroup) into @buf: -ENAMETOOLONG
 * when it does not fit.  Does not check @cgroup.
 */
int cgroup_path_join(const char *dir, const char *cgroup, char *buf, size_t size);
