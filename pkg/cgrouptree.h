/* SPDX-License-Identifier: MIT */
/*
 * List the cgroups of one hierarchy: every directory below a start cgroup,
 * pre-order (a cgroup before its children), children sorted by name (byte
 * order), so the same tree always gives the same list.  Paths are relative
 * to the hierarchy's root without a leading '/' ("" is the root).
 *
 * cgroups come and go while we walk: a directory that vanishes between
 * readdir() and opening it (ENOENT) is left out with its subtree, not an
 * error.  Every directory is opened relative to its parent's descriptor
 * (O_NOFOLLOW), below the sysroot.
 *
 * Bounds: at most CGROUPTREE_MAX_DEPTH levels below the start (-ELOOP
 * beyond) and CGROUPTREE_MAX_COUNT cgroups in all (-E2BIG beyond), each
 * with a message; nothing is silently cut.
 */
#pragma once

#include <stddef.h>

#include "error.h"
#include "sysroot.h"

#define CGROUPTREE_MAX_DEPTH 64
#define CGROUPTREE_MAX_COUNT 100000

/*
 * @base_dir: the hierarchy's directory relative to the sysroot (a
 * cgroup_mode's members_dir or cpuset_dir); @start: a cgroup path (checked
 * with cgroup_path_check()), "" for the whole hierarchy.  *@ret_paths is a
 * NULL-terminated array of *@ret_n strings, the first being @start; free it
 * with cgrouptree_free().  -ENOENT (with a message) when @start does not
 * exist.
 */
int cgrouptree_list(const struct sysroot *root, const char *base_dir, const char *start,
		    char ***ret_paths, size_t *ret_n, struct error *err);

/*
 * How the walk opens a child directory @name of @dirfd: an fd or -errno.
 * Tests replace it to make a directory vanish mid-walk.
 */
typedef int (*cgrouptree_open_fn)(int dirfd, const char *name, void *userdata);

struct cgrouptree_options {
	cgrouptree_open_fn open_child; /* NULL: openat(O_DIRECTORY | O_NOFOLLOW) */
	void *userdata;
	unsigned max_depth; /* 0: CGROUPTREE_MAX_DEPTH */
	size_t max_count; /* 0: CGROUPTREE_MAX_COUNT */
};

/* cgrouptree_list() with other bounds or child opener (@opts may be NULL). */
int cgrouptree_list_with(const struct sysroot *root, const char *base_dir, const char *start,
			 const struct cgrouptree_options *opts, char ***ret_paths, size_t *ret_n,
			 struct error *err);

/* Free a list from cgrouptree_list() (NULL is fine). */
void cgrouptree_free(char **paths);
