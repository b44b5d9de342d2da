/* SPDX-License-Identifier: MIT */
#include "procinfo.h"

#include <ctype.h>
#include <fcntl.h>
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

/*
 * Field @field (1-based, >= 3) of a /proc/PID/stat text: counted from the
 * last ')', which closes field 2 (comm may hold spaces and parentheses).
 */
static int stat_field(const char *stat, int field, const char **ret, size_t *ret_len)
{
	const char *p = strrchr(stat, ')');
	int at = 2;

	if (!p || field < 3)
		return -EINVAL;
	p++;
	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		at++;
		len = strcspn(p, " \n");
		if (at == field) {
			*ret = p;
			*ret_len = len;
			return 0;
		}
		p += len;
	}
	return -EINVAL;
}

int procinfo_parse_stat_u64(const char *stat, int field, uint64_t *ret)
{
	const char *p;
	size_t len;
	uint64_t v = 0;
	int r = stat_field(stat, field, &p, &len);

	if (r < 0)
		return r;
	if (len == 0 || len > 20)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int d = (unsigned int)(p[i] - '0');

		if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int procinfo_parse_stat_cpu(const char *stat, int *ret_cpu)
{
	uint64_t cpu;
	int r = procinfo_parse_stat_u64(stat, 39, &cpu);

	if (r < 0)
		return r;
	if (cpu > INT_MAX)
		return -EINVAL;
	*ret_cpu = (int)cpu;
	return 0;
}

int procinfo_parse_stat_state(const char *stat, char *ret_state)
{
	const char *p;
	size_t len;
	int r = stat_field(stat, 3, &p, &len);

	if (r < 0)
		return r;
	if (len != 1 || !isalpha((unsigned char)*p))
		return -EINVAL;
	*ret_state = *p;
	return 0;
}

int procinfo_parse_stat_start_time(const char *stat, uint64_t *ret)
{
	return procinfo_parse_stat_u64(stat, 22, ret);
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

int procinfo_parse_status_int(const char *status, const char *key, int *ret)
{
	char buf[32], *end;
	long v;
	int r = procinfo_parse_status_field(status, key, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* Field 2 of stat, between the first '(' and the last ')': the same text as the comm file. */
static void stat_comm(const char *stat, char *buf, size_t size)
{
	const char *open = strchr(stat, '('), *close = strrchr(stat, ')');

	if (!open || !close || close < open)
		return;
	snprintf(buf, size, "%.*s", (int)(close - open - 1), open + 1);
}

int procinfo_from_text(pid_t pid, const char *stat, const char *comm, const char *status,
		       const char *cgroup, struct procinfo *ret)
{
	struct procinfo info = { .pid = pid, .cpu = -1 };
	char mems[256];
	int v;

	if (!stat || !*stat)
		return -ESRCH; /* a task that went away while we read */
	if (procinfo_parse_stat_cpu(stat, &info.cpu) < 0)
		info.cpu = -1;
	if (procinfo_parse_stat_start_time(stat, &info.start_time) < 0)
		info.start_time = 0;
	if (procinfo_parse_stat_state(stat, &info.state) < 0)
		info.state = '\0';
	if (comm) {
		size_t len = strcspn(comm, "\n");

		snprintf(info.comm, sizeof(info.comm), "%.*s", (int)len, comm);
	} else {
		stat_comm(stat, info.comm, sizeof(info.comm));
	}
	if (status) {
		if (procinfo_parse_status_field(status, "Mems_allowed_list", mems, sizeof(mems)) ==
			    0 &&
		    idset_parse(mems, &info.mems_allowed) == 0)
			info.has_mems_allowed = true;
		if (procinfo_parse_status_int(status, "Tgid", &v) == 0)
			info.tgid = (pid_t)v;
		if (procinfo_parse_status_int(status, "Threads", &v) == 0)
			info.threads = v;
		info.has_exec_signature =
			procinfo_parse_exec_signature(stat, status, &info.exec_signature) == 0;
	}
	if (cgroup)
		(void)procinfo_parse_cgroup(cgroup, info.cgroup, sizeof(info.cgroup));
	*ret = info;
	return 0;
}

/* "Key:\t   123 kB" -> 123; -ENOENT when absent, -EINVAL when not that shape. */
static int status_kb(const char *status, const char *key, uint64_t *ret)
{
	char buf[32], *end;
	unsigned long long v;
	int r = procinfo_parse_status_field(status, key, buf, sizeof(buf));

	if (r < 0)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || strcmp(end, " kB") != 0 || buf[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

int procinfo_parse_exec_signature(const char *stat, const char *status, struct exec_signature *ret)
{
	struct exec_signature sig;
	int r;

	r = status_kb(status, "VmExe", &sig.vm_exe_kb);
	if (r == 0)
		r = status_kb(status, "VmLib", &sig.vm_lib_kb);
	if (r == 0)
		r = procinfo_parse_stat_u64(stat, 10, &sig.min_flt);
	if (r == 0)
		r = procinfo_parse_stat_u64(stat, 12, &sig.maj_flt);
	if (r < 0)
		return r;
	*ret = sig;
	return 0;
}

int procinfo_read_exec_signature(const struct sysroot *root, pid_t pid, struct exec_signature *ret)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *stat = NULL, *status = NULL;
	int r;

	dirfd = proc_dir_open(root, pid);
	if (dirfd < 0)
		return dirfd;
	r = read_proc_file_at(dirfd, "stat", &stat, NULL);
	if (r == 0)
		r = read_proc_file_at(dirfd, "status", &status, NULL);
	if (r == -ENOENT || r == -ESRCH)
		return -ESRCH;
	if (r < 0)
		return r;
	if (!*stat || !*status)
		return -ESRCH;
	return procinfo_parse_exec_signature(stat, status, ret);
}

int procinfo_read_at(int procdir_fd, pid_t pid, struct procinfo *ret)
{
	_cleanup_free_ char *comm = NULL, *stat = NULL, *status = NULL, *cgroup = NULL;
	int r;

	r = read_proc_file_at(procdir_fd, "stat", &stat, NULL);
	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;
	if (read_proc_file_at(procdir_fd, "comm", &comm, NULL) < 0)
		comm = NULL;
	if (read_proc_file_at(procdir_fd, "status", &status, NULL) < 0)
		status = NULL;
	if (read_proc_file_at(procdir_fd, "cgroup", &cgroup, NULL) < 0)
		cgroup = NULL;
	return procinfo_from_text(pid, stat, comm, status, cgroup, ret);
}

int proc_dir_open(const struct sysroot *root, pid_t pid)
{
	char rel[64];
	int fd;

	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	fd = sysroot_openat(root, rel, O_RDONLY | O_DIRECTORY);
	return fd == -ENOENT ? -ESRCH : fd;
}

int procinfo_read(const struct sysroot *root, pid_t pid, struct procinfo *ret)
{
	_cleanup_close_ int dirfd = -1;

	dirfd = proc_dir_open(root, pid);
	if (dirfd < 0)
		return dirfd;
	return procinfo_read_at(dirfd, pid, ret);
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
