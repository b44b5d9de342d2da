/* SPDX-License-Identifier: MIT */
#include "cgroupfs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"

static const char *const hierarchies[] = {
	CGROUPFS_MOUNT, /* v2 unified, or the v1 tmpfs */
	CGROUPFS_MOUNT "/unified", /* hybrid */
	CGROUPFS_MOUNT "/cpuset", /* v1 */
	CGROUPFS_MOUNT "/systemd", /* v1 name=systemd */
};

int cgroupfs_resolve(const struct sysroot *root, const char *cgroup, char *buf, size_t size,
		     struct error *err)
{
	const char *rel = cgroup;
	char procs[PATH_MAX];

	if (strncmp(rel, "/" CGROUPFS_MOUNT, strlen("/" CGROUPFS_MOUNT)) == 0)
		rel += strlen("/" CGROUPFS_MOUNT);
	while (*rel == '/')
		rel++;
	if (strstr(rel, ".."))
		return error_set(err, -EINVAL, "cgroup \"%s\": expected a path without \"..\"",
				 cgroup);
	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++) {
		snprintf(procs, sizeof(procs), "%s/%s%scgroup.procs", hierarchies[i], rel,
			 *rel ? "/" : "");
		if (!sysroot_exists(root, procs))
			continue;
		if ((size_t)snprintf(buf, size, "%s%s%s", hierarchies[i], *rel ? "/" : "", rel) >=
		    size)
			return -ENAMETOOLONG;
		return 0;
	}
	return error_set(err, -ENOENT,
			 "cgroup \"%s\" not found below %s (expected a path such as "
			 "system.slice/foo.service)",
			 cgroup, sysroot_display(root, CGROUPFS_MOUNT, procs, sizeof(procs)));
}

int cgroupfs_parse_procs(const char *text, pid_t **pids, size_t *n, size_t *cap)
{
	const char *line = text;

	while (*line) {
		char word[32];
		size_t len = strcspn(line, "\n");
		pid_t pid;

		if (len > 0) {
			if (len >= sizeof(word))
				return -EINVAL;
			memcpy(word, line, len);
			word[len] = '\0';
			if (parse_pid(word, &pid) < 0)
				return -EINVAL;
			if (GROW_ARRAY(*pids, *cap, *n + 1) < 0)
				return -ENOMEM;
			(*pids)[(*n)++] = pid;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return 0;
}

static int collect(const struct sysroot *root, const char *dir, pid_t **pids, size_t *n,
		   size_t *cap, int depth)
{
	_cleanup_free_ char *text = NULL;
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r;

	if (depth > 64)
		return -ELOOP;
	snprintf(rel, sizeof(rel), "%s/cgroup.procs", dir);
	r = sysroot_read_file(root, rel, &text, NULL);
	if (r == -ENOENT || r == -ENODEV)
		return 0; /* removed while we walked */
	if (r < 0)
		return r;
	r = cgroupfs_parse_procs(text, pids, n, cap);
	if (r < 0)
		return r;

	d = sysroot_opendir(root, dir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name);
		r = collect(root, rel, pids, n, cap, depth + 1);
		if (r < 0)
			break;
	}
	closedir(d);
	return r < 0 ? r : 0;
}

int cgroupfs_members(const struct sysroot *root, const char *cgroup, pid_t **ret_pids,
		     size_t *ret_n, struct error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, cap = 0, kept = 0;
	char dir[PATH_MAX], shown[PATH_MAX];
	int r;

	r = cgroupfs_resolve(root, cgroup, dir, sizeof(dir), err);
	if (r < 0)
		return r;
	r = collect(root, dir, &pids, &n, &cap, 0);
	if (r < 0)
		return error_set(err, r, "cannot list members of %s: %s",
				 sysroot_display(root, dir, shown, sizeof(shown)), strerror(-r));
	if (n > 0) {
		qsort(pids, n, sizeof(*pids), pid_compare);
		for (size_t i = 0; i < n; i++)
			if (kept == 0 || pids[kept - 1] != pids[i])
				pids[kept++] = pids[i];
	}
	*ret_pids = TAKE_PTR(pids);
	*ret_n = kept;
	return 0;
}
