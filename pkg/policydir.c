/* SPDX-License-Identifier: MIT */
/* Load a policy directory into one policy set (policydir.h). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "policydir.h"
#include "sysroot.h"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

bool policydir_wants_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void policydir_free(struct policydir *dir)
{
	if (!dir)
		return;
	policy_set_free(dir->set);
	free_strv(dir->files, dir->n_files);
	free(dir->policy_file);
	free(dir);
}

const char *policydir_policy_file(const struct policydir *dir, size_t i)
{
	if (!dir || i >= dir->set->n_policies)
		return NULL;
	return dir->files[dir->policy_file[i]];
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* The wanted names of @dirfd, sorted. */
static int list_names(int dirfd, const char *shown, char ***ret, size_t *ret_n, struct error *err)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, r;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		return error_set(err, r, "%s: cannot open the directory: %s", shown, strerror(-r));
	}
	d = fdopendir(fd);
	if (!d) {
		r = negative_errno();
		close(fd);
		return error_set(err, r, "%s: cannot read the directory: %s", shown, strerror(-r));
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				r = negative_errno();
				free_strv(names, n);
				return error_set(err, r, "%s: cannot read the directory: %s", shown,
						 strerror(-r));
			}
			break;
		}
		if (!policydir_wants_name(de->d_name))
			continue;
		if (n >= POLICYDIR_MAX_FILES) {
			free_strv(names, n);
			return error_set(err, -E2BIG, "%s: more than %d policy files", shown,
					 POLICYDIR_MAX_FILES);
		}
		if (GROW_ARRAY(names, cap, n + 1) < 0 || !(names[n] = strdup(de->d_name))) {
			free_strv(names, n);
			return error_set(err, -ENOMEM, "%s: out of memory", shown);
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	return 0;
}

/* Read @name below @dirfd: a regular file (symlinks followed), never blocking, never a device. */
static int read_policy_file(int dirfd, const char *name, const char *shown, char **ret_buf,
			    size_t *ret_len, struct error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (fstatat(dirfd, name, &st, 0) < 0) {
		r = negative_errno();
		return error_set(err, r, "%s: %s", shown, strerror(-r));
	}
	if (!S_ISREG(st.st_mode))
		return error_set(err, -EINVAL, "%s: not a regular file (%s)", shown,
				 S_ISDIR(st.st_mode)	? "a directory"
				 : S_ISFIFO(st.st_mode) ? "a FIFO"
				 : S_ISSOCK(st.st_mode) ? "a socket"
				 : S_ISCHR(st.st_mode)	? "a character device"
				 : S_ISBLK(st.st_mode)	? "a block device"
							: "another kind of file");
	if ((size_t)st.st_size > POLICY_FILE_MAX)
		return error_set(err, -EFBIG, "%s: %jd bytes, over the limit of %zu (1 MiB)", shown,
				 (intmax_t)st.st_size, POLICY_FILE_MAX);
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		return error_set(err, r, "%s: %s", shown, strerror(-r));
	}
	/* read_fd_capped() checks fstat() again: a FIFO swapped in is -EINVAL, not a hang */
	r = read_fd_capped(fd, POLICY_FILE_MAX, ret_buf, ret_len);
	if (r == -EFBIG)
		return error_set(err, r, "%s: over the limit of %zu bytes (1 MiB)", shown,
				 POLICY_FILE_MAX);
	if (r == -EINVAL || r == -EISDIR)
		return error_set(err, -EINVAL, "%s: not a regular file", shown);
	if (r < 0)
		return error_set(err, r, "%s: %s", shown, strerror(-r));
	return 0;
}

/* Move the policies of @add (emptied) to the end of @into. */
static int append_policies(struct policy_set *into, struct policy_set *add)
{
	struct policy *grown;

	if (add->n_policies == 0)
		return 0;
	grown = realloc(into->policies, (into->n_policies + add->n_policies) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memcpy(grown + into->n_policies, add->policies, add->n_policies * sizeof(*grown));
	into->policies = grown;
	into->n_policies += add->n_policies;
	add->n_policies = 0; /* the string lists now belong to @into */
	return 0;
}

/* "DIR/B: policy "x" is also defined in DIR/A ..." */
static int duplicate_error(const char *display_path, const char *file, const char *earlier,
			   const char *name, struct error *err)
{
	const char *d = display_path ? display_path : ".";
	_cleanup_free_ char *a = NULL, *b = NULL, *ea = NULL, *eb = NULL;

	if (asprintf(&a, "%s/%s", d, file) < 0)
		a = NULL;
	if (asprintf(&b, "%s/%s", d, earlier) < 0)
		b = NULL;
	ea = a ? escape_bytes_dup(a, 0) : NULL;
	eb = b ? escape_bytes_dup(b, 0) : NULL;
	if (!ea || !eb)
		return error_set(err, -ENOMEM, "out of memory");
	return error_set(err, -EINVAL,
			 "%s: policy \"%s\" is also defined in %s (policy names must be unique "
			 "across the directory)",
			 ea, name, eb);
}

int policydir_load_at(int dirfd, const char *display_path, const struct topology *topo,
		      struct policydir **ret, struct error *err)
{
	_cleanup_(policydir_freep) struct policydir *dir = NULL;
	_cleanup_free_ char *shown_dir =
		escape_bytes_dup(display_path ? display_path : "(policy directory)", 0);
	int r;

	if (!shown_dir)
		return error_set(err, -ENOMEM, "out of memory");
	dir = calloc(1, sizeof(*dir));
	if (!dir)
		return error_set(err, -ENOMEM, "out of memory");
	dir->set = calloc(1, sizeof(*dir->set));
	if (!dir->set)
		return error_set(err, -ENOMEM, "out of memory");
	r = list_names(dirfd, shown_dir, &dir->files, &dir->n_files, err);
	if (r < 0)
		return r;
	dir->hash = FNV_OFFSET;

	for (size_t f = 0; f < dir->n_files; f++) {
		_cleanup_(policy_set_freep) struct policy_set *one = NULL;
		_cleanup_free_ char *buf = NULL, *shown = NULL;
		size_t len = 0, first = dir->set->n_policies;
		uint64_t size;
		size_t *grown;

		if (asprintf(&shown, "%s/%s", display_path ? display_path : ".", dir->files[f]) <
		    0) {
			shown = NULL;
			return error_set(err, -ENOMEM, "out of memory");
		}
		{
			_cleanup_free_ char *esc = escape_bytes_dup(shown, 0);

			if (!esc)
				return error_set(err, -ENOMEM, "out of memory");
			r = read_policy_file(dirfd, dir->files[f], esc, &buf, &len, err);
		}
		if (r < 0)
			return r;
		r = policy_set_parse(buf, len, shown, topo, &one, err);
		if (r < 0)
			return r;

		for (size_t i = 0; i < one->n_policies; i++)
			for (size_t j = 0; j < first; j++)
				if (strcmp(one->policies[i].name, dir->set->policies[j].name) == 0)
					return duplicate_error(display_path, dir->files[f],
							       dir->files[dir->policy_file[j]],
							       one->policies[i].name, err);

		grown = realloc(dir->policy_file,
				(first + one->n_policies ? first + one->n_policies : 1) *
					sizeof(*grown));
		if (!grown)
			return error_set(err, -ENOMEM, "out of memory");
		dir->policy_file = grown;
		for (size_t i = 0; i < one->n_policies; i++)
			dir->policy_file[first + i] = f;
		if (append_policies(dir->set, one) < 0)
			return error_set(err, -ENOMEM, "out of memory");

		size = len;
		dir->hash = fnv1a(dir->hash, dir->files[f], strlen(dir->files[f]) + 1);
		dir->hash = fnv1a(dir->hash, &size, sizeof(size));
		dir->hash = fnv1a(dir->hash, buf, len);
	}
	*ret = TAKE_PTR(dir);
	return 0;
}

int policydir_load(const char *path, const struct topology *topo, struct policydir **ret,
		   struct error *err)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!path)
		path = POLICYDIR_DEFAULT;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		_cleanup_free_ char *shown = escape_bytes_dup(path, 0);

		r = negative_errno();
		return error_set(err, r, "%s: cannot open the policy directory: %s",
				 shown ? shown : "(policy directory)", strerror(-r));
	}
	return policydir_load_at(fd, path, topo, ret, err);
}
