/* SPDX-License-Identifier: MIT */
#include "cpusetmems.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define CGROUP_FILE_MAX ((size_t)64 << 10)
#define MEMS_TEXT_MAX 8192

/* A cpuset file's name: "cpuset.<name>", or "<name>" on a v1 noprefix mount. */
static const char *cpuset_file(const struct cgroup_mode *m, const char *name, char *buf,
			       size_t size)
{
	snprintf(buf, size, "%s%s", m->cpuset_noprefix ? "" : "cpuset.", name);
	return buf;
}

/* "<root>/<cpuset_dir>/<cgroup>/<file>" for messages, escaped. */
static const char *shown_file(const struct sysroot *root, const struct cgroup_mode *m,
			      const char *cgroup, const char *file, char *buf, size_t size)
{
	char dir[PATH_MAX], rel[PATH_MAX], raw[PATH_MAX];

	cgroup_path_join(m->cpuset_dir, cgroup, dir, sizeof(dir));
	cgroup_path_join(dir, file, rel, sizeof(rel));
	sysroot_display(root, rel, raw, sizeof(raw));
	return escape_terminal(raw, buf, size);
}

static int check_mode(const struct cgroup_mode *m, struct error *err)
{
	if (m->cpuset_dir[0])
		return 0;
	return error_set(err, -ENODEV, "no cpuset controller: %s",
			 m->cpuset_missing[0] ? m->cpuset_missing : "not detected");
}

static int parse_mems(const char *text, size_t len, struct idset *ret)
{
	return idset_parse_buf(text, len, ret);
}

/* ---- reading, by path below the sysroot ---- */

static int read_mems_file(const struct sysroot *root, const struct cgroup_mode *m,
			  const char *cgroup, const char *file, struct idset *ret, bool *ret_empty,
			  struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char dir[PATH_MAX], rel[PATH_MAX], shown[PATH_MAX];
	size_t len = 0;
	int r;

	if (cgroup_path_join(m->cpuset_dir, cgroup, dir, sizeof(dir)) < 0 ||
	    cgroup_path_join(dir, file, rel, sizeof(rel)) < 0)
		return error_set(err, -ENAMETOOLONG, "cgroup path too long");
	r = sysroot_read_file(root, rel, &text, &len);
	if (r == -ENOENT)
		return r; /* the caller knows what a missing file means */
	if (r < 0)
		return error_set(err, r, "%s: %s",
				 shown_file(root, m, cgroup, file, shown, sizeof(shown)),
				 strerror(-r));
	r = parse_mems(text, len, ret);
	if (r < 0)
		return error_set(err, -EINVAL,
				 "%s: expected a node list such as \"0-1,3\", got \"%s\"",
				 shown_file(root, m, cgroup, file, shown, sizeof(shown)),
				 ESCAPE_TERMINAL(text));
	if (ret_empty)
		*ret_empty = idset_empty(ret);
	return 0;
}

/* The parent of cgroup path @path, in place ("a/b" -> "a", "a" -> ""). */
static void chop_last(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash)
		*slash = '\0';
	else
		path[0] = '\0';
}

static int read_v2(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		   struct cpuset_mems *c, struct error *err)
{
	char anc[PATH_MAX], shown[PATH_MAX];
	bool empty = false;
	int r;

	if (!*cgroup) {
		r = read_mems_file(root, m, "", "cpuset.mems.effective", &c->effective, NULL, err);
		if (r == -ENOENT)
			return error_set(err, r, "%s: missing",
					 shown_file(root, m, "", "cpuset.mems.effective", shown,
						    sizeof(shown)));
		c->enabled = true;
		c->mems = c->effective;
		return r;
	}
	r = read_mems_file(root, m, cgroup, "cpuset.mems", &c->mems, &empty, err);
	if (r < 0 && r != -ENOENT)
		return r;
	c->enabled = r == 0;
	c->inherit = r == -ENOENT || empty;
	/* the effective set of this cgroup, or of the nearest ancestor that has cpuset on */
	snprintf(anc, sizeof(anc), "%s", cgroup);
	for (;;) {
		r = read_mems_file(root, m, anc, "cpuset.mems.effective", &c->effective, NULL, err);
		if (r != -ENOENT || !*anc)
			break;
		chop_last(anc);
	}
	if (r == -ENOENT)
		return error_set(
			err, r, "%s: missing",
			shown_file(root, m, "", "cpuset.mems.effective", shown, sizeof(shown)));
	return r;
}

static int read_v1(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		   struct cpuset_mems *c, struct error *err)
{
	char mems[64], eff[64], shown[PATH_MAX];
	int r;

	cpuset_file(m, "mems", mems, sizeof(mems));
	cpuset_file(m, "effective_mems", eff, sizeof(eff));
	r = read_mems_file(root, m, cgroup, mems, &c->mems, NULL, err);
	if (r == -ENOENT)
		return error_set(err, r, "%s: missing",
				 shown_file(root, m, cgroup, mems, shown, sizeof(shown)));
	if (r < 0)
		return r;
	c->enabled = true;
	r = read_mems_file(root, m, cgroup, eff, &c->effective, NULL, err);
	if (r == -ENOENT) { /* older kernels: what is configured applies */
		c->effective = c->mems;
		r = 0;
	}
	return r;
}

int cpusetmems_read(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		    struct cpuset_mems *ret, struct error *err)
{
	struct cpuset_mems c = { 0 };
	char dir[PATH_MAX], shown[PATH_MAX];
	int r;

	r = cgroup_path_check(cgroup, err);
	if (r < 0)
		return r;
	r = check_mode(m, err);
	if (r < 0)
		return r;
	if (cgroup_path_join(m->cpuset_dir, cgroup, dir, sizeof(dir)) < 0)
		return error_set(err, -ENAMETOOLONG, "cgroup path too long");
	if (!sysroot_exists(root, dir))
		return error_set(err, -ENOENT, "cgroup \"%s\" does not exist (%s)",
				 ESCAPE_TERMINAL(cgroup),
				 shown_file(root, m, cgroup, "", shown, sizeof(shown)));
	r = m->cpuset_v2 ? read_v2(root, m, cgroup, &c, err) : read_v1(root, m, cgroup, &c, err);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

/* ---- writing, through directory descriptors ---- */

struct writer {
	const struct sysroot *root;
	const struct cgroup_mode *m;
	const char *cgroup;
	cpusetmems_write_fn write_file;
	void *userdata;
	bool changed;
	struct error *err;
};

static int write_file_default(int dirfd, const char *name, const char *value, void *userdata)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	(void)userdata;
	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	/* cgroup files take a value in one write(); a short write is an error */
	n = write(fd, value, len);
	if (n < 0)
		return negative_errno();
	return (size_t)n == len ? 0 : -EIO;
}

static int read_at(int dirfd, const char *name, char **ret_text, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return negative_errno();
	return read_fd_capped(fd, CGROUP_FILE_MAX, ret_text, ret_len);
}

static int fail_io(struct writer *w, const char *cgroup, const char *file, int r, const char *doing)
{
	char shown[PATH_MAX];

	return error_set(w->err, r, "cgroup \"%s\": %s %s: %s", ESCAPE_TERMINAL(cgroup), doing,
			 shown_file(w->root, w->m, cgroup, file, shown, sizeof(shown)),
			 strerror(-r));
}

/* Why the kernel refused a value; "" when errno says it all. */
static const char *refusal_hint(const struct cgroup_mode *m, const char *file, int r)
{
	bool subtree = strcmp(file, "cgroup.subtree_control") == 0;

	if (subtree) {
		switch (r) {
		case -EBUSY:
			return "the cgroup has member processes and child cgroups with processes "
			       "(cgroup v2's no-internal-process rule); move its processes into a "
			       "leaf cgroup first";
		case -ENOENT:
			return "the cpuset controller is not available here (not in this "
			       "cgroup's cgroup.controllers)";
		case -EOPNOTSUPP:
			return "the cgroup cannot host controllers (threaded, or below a "
			       "threaded cgroup)";
		}
	} else if (strstr(file, "mems") && !m->cpuset_v2) {
		switch (r) {
		case -EACCES:
			return "cgroup v1 requires a cgroup's mems to be a subset of its "
			       "parent's cpuset.mems";
		case -EBUSY:
			return "a child cgroup's cpuset.mems is not a subset of the new value "
			       "(cgroup v1 requires it)";
		case -ENOSPC:
			return "the cgroup has tasks and would be left without nodes";
		case -EINVAL:
			return "a node is not online, or the value overlaps an exclusive "
			       "sibling's";
		}
	} else if (strstr(file, "mems") && r == -EINVAL) {
		return "a node is not online (not in the root's cpuset.mems.effective)";
	}
	if (r == -EACCES || r == -EPERM)
		return "permission denied: writing cgroup files needs root or a delegated "
		       "cgroup";
	return "";
}

static int write_value(struct writer *w, int dirfd, const char *cgroup, const char *file,
		       const char *value)
{
	char shown[PATH_MAX];
	const char *hint;
	int r = w->write_file(dirfd, file, value, w->userdata);

	if (r >= 0) {
		w->changed = true;
		return 0;
	}
	hint = refusal_hint(w->m, file, r);
	/* the target cgroup first: an ancestor's file shows in the path */
	return error_set(w->err, r, "cgroup \"%s\": writing \"%s\" to %s failed: %s%s%s",
			 ESCAPE_TERMINAL(w->cgroup), value,
			 shown_file(w->root, w->m, cgroup, file, shown, sizeof(shown)),
			 strerror(-r), *hint ? ": " : "", hint);
}

/* v2: make sure the ancestor @cgroup (open as @dirfd) enables cpuset for its children. */
static int enable_cpuset(struct writer *w, int dirfd, const char *cgroup)
{
	_cleanup_free_ char *text = NULL;
	int r = read_at(dirfd, "cgroup.subtree_control", &text, NULL);

	if (r < 0)
		return fail_io(w, cgroup, "cgroup.subtree_control", r, "reading");
	if (cgroup_list_has(text, "cpuset"))
		return 0;
	return write_value(w, dirfd, cgroup, "cgroup.subtree_control", "+cpuset");
}

/* v1: cpuset.memory_migrate must be 1 so that existing pages follow new mems. */
static int enable_migrate(struct writer *w, int dirfd)
{
	_cleanup_free_ char *text = NULL;
	char file[64], shown[PATH_MAX];
	size_t len = 0;
	int r;

	cpuset_file(w->m, "memory_migrate", file, sizeof(file));
	r = read_at(dirfd, file, &text, &len);
	if (r < 0)
		return fail_io(w, w->cgroup, file, r, "reading");
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (strcmp(text, "1") == 0)
		return 0;
	if (strcmp(text, "0") != 0)
		return error_set(w->err, -EINVAL, "%s: expected 0 or 1, got \"%s\"",
				 shown_file(w->root, w->m, w->cgroup, file, shown, sizeof(shown)),
				 ESCAPE_TERMINAL(text));
	return write_value(w, dirfd, w->cgroup, file, "1");
}

/* Open the cgroup directory, enabling cpuset in each ancestor on v2; fd or -errno. */
static int open_target(struct writer *w)
{
	_cleanup_close_ int fd = -1;
	char prefix[PATH_MAX] = "", shown[PATH_MAX];
	const char *p = w->cgroup;
	int r;

	fd = sysroot_openat(w->root, w->m->cpuset_dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail_io(w, "", "", fd, "opening");
	while (*p) {
		size_t len = strcspn(p, "/");
		char name[NAME_MAX + 1];
		int child;

		if (len > NAME_MAX)
			return error_set(w->err, -ENAMETOOLONG, "cgroup \"%s\": a name is too long",
					 ESCAPE_TERMINAL(w->cgroup));
		memcpy(name, p, len);
		name[len] = '\0';
		if (w->m->cpuset_v2) {
			r = enable_cpuset(w, fd, prefix);
			if (r < 0)
				return r;
		}
		child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0) {
			r = negative_errno();
			snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix), "%s%s",
				 *prefix ? "/" : "", name);
			if (r == -ENOENT)
				return error_set(w->err, r, "cgroup \"%s\" does not exist (%s)",
						 ESCAPE_TERMINAL(w->cgroup),
						 shown_file(w->root, w->m, prefix, "", shown,
							    sizeof(shown)));
			return fail_io(w, prefix, "", r, "opening");
		}
		close(fd);
		fd = child;
		snprintf(prefix + strlen(prefix), sizeof(prefix) - strlen(prefix), "%s%s",
			 *prefix ? "/" : "", name);
		p += len;
		if (*p == '/')
			p++;
	}
	return TAKE_FD(fd);
}

int cpusetmems_write_with(const struct sysroot *root, const struct cgroup_mode *m,
			  const char *cgroup, const struct idset *mems,
			  cpusetmems_write_fn write_file, void *userdata, bool *ret_changed,
			  struct error *err)
{
	struct writer w = {
		.root = root,
		.m = m,
		.cgroup = cgroup,
		.write_file = write_file ? write_file : write_file_default,
		.userdata = userdata,
		.err = err,
	};
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char value[MEMS_TEXT_MAX], file[64], shown[PATH_MAX];
	struct idset current;
	size_t len = 0;
	int r;

	r = cgroup_path_check(cgroup, err);
	if (r < 0)
		return r;
	r = check_mode(m, err);
	if (r < 0)
		return r;
	if (!*cgroup)
		return error_set(err, -EINVAL,
				 "the root cgroup's cpuset.mems cannot be set (expected a cgroup "
				 "below the root)");
	if (mems && idset_empty(mems))
		return error_set(err, -EINVAL, "cgroup \"%s\": empty node set for cpuset.mems",
				 ESCAPE_TERMINAL(cgroup));
	if (!mems && !m->cpuset_v2)
		return error_set(
			err, -EINVAL,
			"cgroup \"%s\": cgroup v1 has no \"inherit\" value for cpuset.mems",
			ESCAPE_TERMINAL(cgroup));
	idset_format(mems ? mems : &(struct idset){ 0 }, value, sizeof(value));
	if (mems && !*value)
		return error_set(err, -E2BIG, "cgroup \"%s\": node list too long",
				 ESCAPE_TERMINAL(cgroup));

	fd = open_target(&w);
	if (fd < 0)
		return fd;
	if (!m->cpuset_v2) {
		r = enable_migrate(&w, fd);
		if (r < 0)
			return r;
	}
	cpuset_file(m, "mems", file, sizeof(file));
	r = read_at(fd, file, &text, &len);
	if (r < 0)
		return fail_io(&w, cgroup, file, r, "reading");
	r = parse_mems(text, len, &current);
	if (r < 0)
		return error_set(err, -EINVAL, "%s: expected a node list, got \"%s\"",
				 shown_file(root, m, cgroup, file, shown, sizeof(shown)),
				 ESCAPE_TERMINAL(text));
	if (!mems ? !idset_empty(&current) : memcmp(&current, mems, sizeof(current)) != 0) {
		r = write_value(&w, fd, cgroup, file, value);
		if (r < 0)
			return r;
	}
	if (ret_changed)
		*ret_changed = w.changed;
	return 0;
}

int cpusetmems_write(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		     const struct idset *mems, bool *ret_changed, struct error *err)
{
	return cpusetmems_write_with(root, m, cgroup, mems, NULL, NULL, ret_changed, err);
}
