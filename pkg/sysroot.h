/* SPDX-License-Identifier: MIT */
/*
 * The root directory every /proc and /sys read goes through.  "/" on a normal
 * host, "/host" in a container that mounts the host there, a fixture tree in
 * unit tests.  Paths given to these functions are relative to the root
 * ("proc/42/maps"); a leading '/' is ignored.
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define SYSROOT_ENV "CXLPOLICY_SYSROOT"

struct sysroot {
	int dirfd; /* O_PATH | O_DIRECTORY */
	char *path; /* as given, for messages */
};

/* Open @path, or $CXLPOLICY_SYSROOT, or "/" when both are NULL/unset. */
int sysroot_open(const char *path, struct sysroot **ret);
void sysroot_free(struct sysroot *root);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sysroot *, sysroot_free)

/* Open a file or directory below the root: fd on success, -errno on failure. */
int sysroot_openat(const struct sysroot *root, const char *relpath, int flags);
/* opendir() below the root; NULL with errno set on failure. */
DIR *sysroot_opendir(const struct sysroot *root, const char *relpath);
bool sysroot_exists(const struct sysroot *root, const char *relpath);

/*
 * Read a whole file (works for /proc files that report size 0).  The buffer
 * is NUL-terminated; *ret_len excludes the NUL.  @ret_len may be NULL.
 */
int sysroot_read_file(const struct sysroot *root, const char *relpath, char **ret_buf,
		      size_t *ret_len);
/* Read a whole file from an already open descriptor (does not close it). */
int read_fd_fully(int fd, char **ret_buf, size_t *ret_len);
/* Read a one-line file, trailing newline stripped. */
int sysroot_read_line(const struct sysroot *root, const char *relpath, char **ret_line);
/* readlink() below the root. */
int sysroot_readlink(const struct sysroot *root, const char *relpath, char **ret_target);

/* Format "<root>/<relpath>" for messages, into @buf. */
const char *sysroot_display(const struct sysroot *root, const char *relpath, char *buf,
			    size_t size);
