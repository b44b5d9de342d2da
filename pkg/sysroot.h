/* SPDX-License-Identifier: MIT */
/*
 * The root directory every /proc and /sys read goes through.  "/" on a normal
 * host, "/host" in a container that mounts the host there, a fixture tree in
 * unit tests.  Paths given to these functions are relative to the root
 * ("proc/42/maps"); a leading '/' is ignored.
 *
 * Containment: every path resolves inside the root, as if the root were "/"
 * for a chroot.  ".." stops at the root, an absolute symlink ("/etc/passwd")
 * resolves below the root, and procfs magic links (/proc/PID/exe, fd/N,
 * ns/TYPE, cwd, root) are not followed (-ELOOP; sysroot_readlink() still reads
 * them).  So a sysroot must hold a bind mount of a real /proc, not a symlink
 * to one ("proc -> /proc" resolves to itself: -ELOOP).  This holds for
 * sysroot_openat(), sysroot_opendir(), sysroot_exists(), sysroot_readlink()
 * and every reader below.  The root "/" is the process's own root: plain
 * openat(), so magic links keep working there.
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "macro.h"

/* The environment variable the CLI reads; the library itself never reads it. */
#define SYSROOT_ENV "CXLPOLICY_SYSROOT"

/* Default cap on what sysroot_read_file() and read_fd_fully() read: 64 MiB. */
#define SYSROOT_MAX_FILE_SIZE_DEFAULT ((size_t)64 << 20)

enum sysroot_resolve {
	SYSROOT_RESOLVE_PLAIN, /* root is "/": plain openat(), the kernel's own root */
	SYSROOT_RESOLVE_OPENAT2, /* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) */
	SYSROOT_RESOLVE_WALK, /* no openat2 (ENOSYS, seccomp): one component at a time */
};

struct sysroot {
	int dirfd; /* O_PATH | O_DIRECTORY */
	char *path; /* as given (not escaped), for messages */
	/*
	 * How paths below a root other than "/" are resolved, chosen by
	 * sysroot_open(): openat2() when the kernel has it (5.6+), else the
	 * walk.  Both give the same results (tests/unit/test_sysroot.c
	 * proves it on one tree); tests may force SYSROOT_RESOLVE_WALK.
	 */
	enum sysroot_resolve resolve;
	/* Cap for sysroot_read_file()/sysroot_read_line(); callers may change it. */
	size_t max_file_size;
};

/*
 * Open @path as the root; NULL means "/".  -EINVAL for "" (an empty
 * --sysroot is a mistake, not "/"); -ENOENT, -ENOTDIR, ... from open().
 */
int sysroot_open(const char *path, struct sysroot **ret);
void sysroot_free(struct sysroot *root);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sysroot *, sysroot_free)

/*
 * Open a file or directory below the root, contained (see above): fd on
 * success, -errno on failure (-ELOOP for a symlink loop or a magic link).
 * @flags are open(2) flags; O_CREAT and O_TMPFILE are refused (-EINVAL).
 * O_CLOEXEC is always added.
 */
int sysroot_openat(const struct sysroot *root, const char *relpath, int flags);
/*
 * Open a regular file below the root for reading, without blocking on a FIFO
 * and without reading a device: fd (blocking mode, O_RDONLY) on success;
 * -EISDIR for a directory, -EINVAL for any other file that is not regular
 * (FIFO, socket, device).  procfs and sysfs files are regular (st_size 0).
 */
int sysroot_open_file(const struct sysroot *root, const char *relpath);
/* opendir() below the root; NULL with errno set on failure. */
DIR *sysroot_opendir(const struct sysroot *root, const char *relpath);
/* Whether @relpath resolves (symlinks followed, contained) below the root. */
bool sysroot_exists(const struct sysroot *root, const char *relpath);

/*
 * Read a whole regular file (works for /proc files that report size 0).  The
 * buffer is NUL-terminated; *ret_len excludes the NUL.  @ret_len may be NULL.
 * Errors: those of sysroot_open_file(), -EFBIG when the file holds more than
 * root->max_file_size bytes (a file of exactly that size is read).
 */
int sysroot_read_file(const struct sysroot *root, const char *relpath, char **ret_buf,
		      size_t *ret_len);
/*
 * Read a whole regular file from an already open descriptor (does not close
 * it), at most @max_size bytes: -EFBIG beyond, -EISDIR/-EINVAL when @fd is
 * not a regular file.
 */
int read_fd_capped(int fd, size_t max_size, char **ret_buf, size_t *ret_len);
/* read_fd_capped() with SYSROOT_MAX_FILE_SIZE_DEFAULT. */
int read_fd_fully(int fd, char **ret_buf, size_t *ret_len);
/*
 * Read one of a process's small procfs files below @dirfd (stat, status,
 * cgroup) into a NUL-terminated buffer, with fewer syscalls than
 * read_fd_fully(): no fstat, and a read shorter than the room offered is the
 * end (procfs fills a read while it has text).  Opened O_NONBLOCK, so a FIFO
 * planted in a fixture tree does not wait for a writer.  At most 1 MiB:
 * -EFBIG beyond.  A missing file: -ENOENT.
 */
int read_proc_file_at(int dirfd, const char *name, char **ret_buf, size_t *ret_len);
/* Read a one-line file, trailing newline stripped (same errors as sysroot_read_file()). */
int sysroot_read_line(const struct sysroot *root, const char *relpath, char **ret_line);
/*
 * readlink() below the root: the directories leading to the link resolve
 * contained; the link itself is read, not followed.  -EINVAL when it is not
 * a symlink.
 */
int sysroot_readlink(const struct sysroot *root, const char *relpath, char **ret_target);

/*
 * Check that <root>/proc, when it is a procfs, belongs to the caller's pid
 * namespace, so that pids read there name the processes move_pages() and
 * kill() reach.  0 when it does, or when <root>/proc is missing or not a
 * procfs (a fixture tree).  -EXDEV, with a message in @err saying what to do
 * (hostPID), when it belongs to another pid namespace: it does not show this
 * process as itself (<proc>/self is absent or another number), or it is an
 * ancestor namespace's procfs (<proc>/self/status NSpid has several pids).
 * Other -errno (with @err) when <root>/proc cannot be inspected.
 */
int sysroot_check_pid_namespace(const struct sysroot *root, struct error *err);

/*
 * Format "<root>/<relpath>" for messages, into @buf, with the root path as
 * given (the caller escapes control bytes when it prints); "/<relpath>" for
 * the root "/".
 */
const char *sysroot_display(const struct sysroot *root, const char *relpath, char *buf,
			    size_t size);
