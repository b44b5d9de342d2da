/* SPDX-License-Identifier: MIT */
#include "procinfo.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_pid(const char *text, pid_t *ret)
{
	char *end;
	long v;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*ret = (pid_t)v;
	return 0;
}

int procinfo_parse_stat_cpu(const char *stat, int *ret_cpu)
{
	const char *p = strrchr(stat, ')');
	int field = 2; /* the ')' closes field 2, comm */

	if (!p)
		return -EINVAL;
	p++;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		field++;
		if (field == 39) {
			char *end;
			long cpu = strtol(p, &end, 10);

			if (end == p || cpu < 0 || cpu > INT_MAX)
				return -EINVAL;
			*ret_cpu = (int)cpu;
			return 0;
		}
		while (*p && *p != ' ')
			p++;
	}
	return -EINVAL;
}

int procinfo_parse_status_field(const char *status, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *line = status;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			size_t len;

			while (*v == ' ' || *v == '\t')
				v++;
			len = strcspn(v, "\n");
			if (len >= size)
				return -ENAMETOOLONG;
			memcpy(buf, v, len);
			buf[len] = '\0';
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

/* Path of the first line for which @match holds, or NULL; *len set. */
static const char *cgroup_line(const char *text, bool (*match)(const char *line, size_t len),
			       size_t *ret_len)
{
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");
		const char *path = memchr(line, ':', len);

		if (path)
			path = memchr(path + 1, ':', len - (size_t)(path + 1 - line));
		if (path && match(line, len)) {
			*ret_len = len - (size_t)(path + 1 - line);
			return path + 1;
		}
		line = line[len] ? line + len + 1 : NULL;
	}
	return NULL;
}

static bool is_unified(const char *line, size_t len)
{
	return len >= 3 && strncmp(line, "0::", 3) == 0;
}

static bool is_v1_systemd(const char *line, size_t len)
{
	return memmem(line, len, ":name=systemd:", strlen(":name=systemd:")) != NULL;
}

static bool is_v1_cpuset(const char *line, size_t len)
{
	const char *controllers = memchr(line, ':', len);
	const char *end =
		controllers ? memchr(controllers + 1, ':', len - (size_t)(controllers + 1 - line))
			    : NULL;

	for (const char *c = controllers ? controllers + 1 : NULL; c && c < end;) {
		size_t n = strcspn(c, ",:");

		if (n == 6 && strncmp(c, "cpuset", 6) == 0)
			return true;
		c += n + 1;
	}
	return false;
}

int procinfo_parse_cgroup(const char *text, char *buf, size_t size)
{
	size_t len = 0, v1_len = 0;
	const char *path = cgroup_line(text, is_unified, &len);
	const char *v1 = cgroup_line(text, is_v1_systemd, &v1_len);

	if (!v1)
		v1 = cgroup_line(text, is_v1_cpuset, &v1_len);
	/* A v1 host still prints "0::/": the v1 path says more there. */
	if (!path || (len == 1 && *path == '/' && v1)) {
		path = v1;
		len = v1_len;
	}
	if (!path)
		return -ENOENT;
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return 0;
}

int procinfo_read(const struct sysroot *root, pid_t pid, struct procinfo *ret)
{
	_cleanup_free_ char *comm = NULL, *stat = NULL, *status = NULL, *cgroup = NULL;
	struct procinfo info = { .pid = pid, .cpu = -1 };
	char rel[64], mems[256];
	int r;

	snprintf(rel, sizeof(rel), "proc/%d/stat", (int)pid);
	r = sysroot_read_file(root, rel, &stat, NULL);
	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;
	if (procinfo_parse_stat_cpu(stat, &info.cpu) < 0)
		info.cpu = -1;

	snprintf(rel, sizeof(rel), "proc/%d/comm", (int)pid);
	if (sysroot_read_line(root, rel, &comm) == 0)
		snprintf(info.comm, sizeof(info.comm), "%s", comm);

	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	if (sysroot_read_file(root, rel, &status, NULL) == 0 &&
	    procinfo_parse_status_field(status, "Mems_allowed_list", mems, sizeof(mems)) == 0 &&
	    idset_parse(mems, &info.mems_allowed) == 0)
		info.has_mems_allowed = true;

	snprintf(rel, sizeof(rel), "proc/%d/cgroup", (int)pid);
	if (sysroot_read_file(root, rel, &cgroup, NULL) == 0)
		(void)procinfo_parse_cgroup(cgroup, info.cgroup, sizeof(info.cgroup));
	*ret = info;
	return 0;
}

int pid_compare(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int proclist_all(const struct sysroot *root, pid_t **ret_pids, size_t *ret_n)
{
	DIR *dir = sysroot_opendir(root, "proc");
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!dir)
		return negative_errno();
	while ((de = readdir(dir))) {
		pid_t pid;

		if (parse_pid(de->d_name, &pid) < 0)
			continue;
		if (GROW_ARRAY(pids, cap, n + 1) < 0) {
			closedir(dir);
			return -ENOMEM;
		}
		pids[n++] = pid;
	}
	closedir(dir);
	qsort(pids, n, sizeof(*pids), pid_compare);
	*ret_pids = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}
