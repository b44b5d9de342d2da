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

int cgroupfs_threads_tgids(const struct sysroot *root, const pid_t *tids, size_t n_tids,
			   pid_t **pids, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < n_tids; i++) {
		_cleanup_free_ char *status = NULL;
		char rel[64], tgid_text[32];
		pid_t tgid;
		int r;

		snprintf(rel, sizeof(rel), "proc/%d/status", (int)tids[i]);
		r = sysroot_read_file(root, rel, &status, NULL);
		if (r == -ENOENT || r == -ESRCH)
			continue; /* the thread exited meanwhile */
		if (r < 0)
			return r;
		if (procinfo_parse_status_field(status, "Tgid", tgid_text, sizeof(tgid_text)) < 0 ||
		    parse_pid(tgid_text, &tgid) < 0)
			return -EINVAL;
		if (GROW_ARRAY(*pids, *cap, *n + 1) < 0)
			return -ENOMEM;
		(*pids)[(*n)++] = tgid;
	}
	return 0;
}

struct walk {
	const struct sysroot *root;
	cgroupfs_read_fn read_file;
	pid_t *pids;
	size_t n, cap;
	struct error *err;
};

static int walk_fail(struct walk *w, const char *rel, int r, const char *expected)
{
	char shown[PATH_MAX];

	return error_set_once(w->err, r, "%s: %s%s",
			      sysroot_display(w->root, rel, shown, sizeof(shown)),
			      expected ? "expected " : "", expected ? expected : strerror(-r));
}

/*
 * The processes of a threaded cgroup (cgroup.procs: EOPNOTSUPP): the tgids
 * of the threads in cgroup.threads.
 */
static int collect_threads(struct walk *w, const char *dir)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ pid_t *tids = NULL;
	size_t n_tids = 0, cap_tids = 0;
	char rel[PATH_MAX];
	int r;

	snprintf(rel, sizeof(rel), "%s/cgroup.threads", dir);
	r = w->read_file(w->root, rel, &text, NULL);
	if (r == -ENOENT || r == -ENODEV)
		return 0;
	if (r < 0)
		return walk_fail(w, rel, r, NULL);
	r = cgroupfs_parse_procs(text, &tids, &n_tids, &cap_tids);
	if (r == -EINVAL)
		return walk_fail(w, rel, r, "one thread id a line");
	if (r < 0)
		return r;
	r = cgroupfs_threads_tgids(w->root, tids, n_tids, &w->pids, &w->n, &w->cap);
	if (r == -EINVAL)
		return walk_fail(w, rel, r, "threads whose proc/TID/status has a Tgid");
	return r;
}

static int collect(struct walk *w, const char *dir, int depth)
{
	_cleanup_free_ char *text = NULL;
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r;

	if (depth > 64)
		return walk_fail(w, dir, -ELOOP, "at most 64 levels of cgroups");
	snprintf(rel, sizeof(rel), "%s/cgroup.procs", dir);
	r = w->read_file(w->root, rel, &text, NULL);
	if (r == -ENOENT || r == -ENODEV)
		return 0; /* removed while we walked */
	if (r == -EOPNOTSUPP) {
		/* a threaded cgroup: its processes are listed by the thread root too */
		r = collect_threads(w, dir);
	} else if (r < 0) {
		return walk_fail(w, rel, r, NULL);
	} else {
		r = cgroupfs_parse_procs(text, &w->pids, &w->n, &w->cap);
		if (r == -EINVAL)
			return walk_fail(w, rel, r, "one pid a line");
	}
	if (r < 0)
		return r;

	d = sysroot_opendir(w->root, dir);
	if (!d)
		return errno == ENOENT ? 0 : walk_fail(w, dir, negative_errno(), NULL);
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name);
		r = collect(w, rel, depth + 1);
		if (r < 0)
			break;
	}
	closedir(d);
	return r < 0 ? r : 0;
}

int cgroupfs_members_with(const struct sysroot *root, const char *cgroup,
			  cgroupfs_read_fn read_file, pid_t **ret_pids, size_t *ret_n,
			  struct error *err)
{
	struct walk w = { .root = root, .read_file = read_file ? read_file : sysroot_read_file };
	struct error inner = { 0 };
	size_t kept = 0;
	char dir[PATH_MAX];
	int r;

	r = cgroupfs_resolve(root, cgroup, dir, sizeof(dir), err);
	if (r < 0)
		return r;
	w.err = &inner;
	r = collect(&w, dir, 0);
	if (r < 0) {
		free(w.pids);
		if (inner.code == 0)
			walk_fail(&w, dir, r, NULL);
		return error_set(err, r, "cannot list members of cgroup \"%s\": %s", cgroup,
				 inner.message);
	}
	if (w.n > 0) {
		qsort(w.pids, w.n, sizeof(*w.pids), pid_compare);
		for (size_t i = 0; i < w.n; i++)
			if (kept == 0 || w.pids[kept - 1] != w.pids[i])
				w.pids[kept++] = w.pids[i];
	}
	*ret_pids = w.pids;
	*ret_n = kept;
	return 0;
}

int cgroupfs_members(const struct sysroot *root, const char *cgroup, pid_t **ret_pids,
		     size_t *ret_n, struct error *err)
{
	return cgroupfs_members_with(root, cgroup, NULL, ret_pids, ret_n, err);
}
