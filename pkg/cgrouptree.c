/* SPDX-License-Identifier: MIT */
#include "cgrouptree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroupmode.h"
#include "escape.h"

struct tree {
	const struct sysroot *root;
	const char *base_dir;
	cgrouptree_open_fn open_child;
	void *userdata;
	unsigned max_depth;
	size_t max_count;
	char **paths;
	size_t n, cap;
	struct error *err;
};

void cgrouptree_free(char **paths)
{
	if (!paths)
		return;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
}

static int open_child_default(int dirfd, const char *name, void *userdata)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	(void)userdata;
	return fd < 0 ? negative_errno() : fd;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int tree_fail(struct tree *t, const char *path, int r, const char *what)
{
	char rel[PATH_MAX], shown[PATH_MAX];

	cgroup_path_join(t->base_dir, path, rel, sizeof(rel));
	sysroot_display(t->root, rel, shown, sizeof(shown));
	return error_set(t->err, r, "%s: %s", ESCAPE_TERMINAL(shown), what ? what : strerror(-r));
}

/* Names of the subdirectories of @dirfd, sorted; a directory removed meanwhile has none. */
static int read_children(int dirfd, char ***ret_names, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3), r = 0;

	if (fd < 0)
		return negative_errno();
	d = fdopendir(fd);
	if (!d) {
		r = negative_errno();
		close(fd);
		return r;
	}
	rewinddir(d);
	for (;;) {
		struct stat st;
		bool dir;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno && errno != ENOENT)
				r = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN)
			dir = fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			      S_ISDIR(st.st_mode);
		if (!dir)
			continue;
		if (GROW_ARRAY(names, cap, n + 1) < 0) {
			r = -ENOMEM;
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		free_names(names, n);
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

static int walk(struct tree *t, int dirfd, const char *path, unsigned depth)
{
	char **names = NULL;
	size_t n_names = 0;
	char *copy;
	int r;

	if (t->n >= t->max_count) {
		char what[96];

		snprintf(what, sizeof(what), "more than %zu cgroups (the listing's bound)",
			 t->max_count);
		return tree_fail(t, path, -E2BIG, what);
	}
	/* room for the NULL terminator too */
	if (GROW_ARRAY(t->paths, t->cap, t->n + 2) < 0)
		return -ENOMEM;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	t->paths[t->n++] = copy;
	t->paths[t->n] = NULL;

	r = read_children(dirfd, &names, &n_names);
	if (r < 0)
		return tree_fail(t, path, r, NULL);
	if (n_names > 0 && depth >= t->max_depth) {
		char what[96];

		free_names(names, n_names);
		snprintf(what, sizeof(what),
			 "cgroups nested more than %u levels below the start (the listing's bound)",
			 t->max_depth);
		return tree_fail(t, path, -ELOOP, what);
	}
	for (size_t i = 0; i < n_names && r >= 0; i++) {
		char child[PATH_MAX];
		int fd;

		if (cgroup_path_join(path, names[i], child, sizeof(child)) < 0) {
			r = tree_fail(t, path, -ENAMETOOLONG, "a child's path is too long");
			break;
		}
		fd = t->open_child(dirfd, names[i], t->userdata);
		if (fd == -ENOENT)
			continue; /* removed since readdir() */
		if (fd < 0) {
			r = tree_fail(t, child, fd, NULL);
			break;
		}
		r = walk(t, fd, child, depth + 1);
		close(fd);
	}
	free_names(names, n_names);
	return r;
}

int cgrouptree_list_with(const struct sysroot *root, const char *base_dir, const char *start,
			 const struct cgrouptree_options *opts, char ***ret_paths, size_t *ret_n,
			 struct error *err)
{
	static const struct cgrouptree_options defaults = { 0 };
	struct tree t = {
		.root = root,
		.base_dir = base_dir,
		.err = err,
	};
	_cleanup_close_ int fd = -1;
	char rel[PATH_MAX];
	int r;

	if (!opts)
		opts = &defaults;
	t.open_child = opts->open_child ? opts->open_child : open_child_default;
	t.userdata = opts->userdata;
	t.max_depth = opts->max_depth ? opts->max_depth : CGROUPTREE_MAX_DEPTH;
	t.max_count = opts->max_count ? opts->max_count : CGROUPTREE_MAX_COUNT;
	r = cgroup_path_check(start, err);
	if (r < 0)
		return r;
	if (cgroup_path_join(base_dir, start, rel, sizeof(rel)) < 0)
		return error_set(err, -ENAMETOOLONG, "cgroup path too long");
	fd = sysroot_openat(root, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return tree_fail(&t, start, fd, fd == -ENOENT ? "no such cgroup" : NULL);
	r = walk(&t, fd, start, 0);
	if (r < 0) {
		if (t.paths)
			cgrouptree_free(t.paths);
		return r;
	}
	*ret_paths = t.paths;
	*ret_n = t.n;
	return 0;
}

int cgrouptree_list(const struct sysroot *root, const char *base_dir, const char *start,
		    char ***ret_paths, size_t *ret_n, struct error *err)
{
	return cgrouptree_list_with(root, base_dir, start, NULL, ret_paths, ret_n, err);
}
