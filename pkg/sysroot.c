/* SPDX-License-Identifier: MIT */
#include "sysroot.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#define MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */
#define OPENAT2_RETRIES 32 /* EAGAIN: a rename raced with ".." */

static const char *relative(const char *relpath)
{
	while (*relpath == '/')
		relpath++;
	return *relpath ? relpath : ".";
}

static int sys_openat2(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static bool all_slashes(const char *path)
{
	return path[strspn(path, "/")] == '\0';
}

int sysroot_open(const char *path, struct sysroot **ret)
{
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;
	int fd;

	if (!path)
		path = "/";
	if (!*path)
		return -EINVAL;

	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->dirfd = -1;
	root->max_file_size = SYSROOT_MAX_FILE_SIZE_DEFAULT;
	root->path = strdup(path);
	if (!root->path)
		return -ENOMEM;
	root->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root->dirfd < 0)
		return negative_errno();

	/* open("/") is the process root: the kernel already contains paths there. */
	if (all_slashes(path)) {
		root->resolve = SYSROOT_RESOLVE_PLAIN;
	} else {
		/* ENOSYS before 5.6; EPERM or ENOSYS under an older seccomp profile */
		fd = sys_openat2(root->dirfd, ".", O_PATH | O_DIRECTORY);
		root->resolve = fd >= 0 ? SYSROOT_RESOLVE_OPENAT2 : SYSROOT_RESOLVE_WALK;
		if (fd >= 0)
			close(fd);
	}
	*ret = TAKE_PTR(root);
	return 0;
}

void sysroot_free(struct sysroot *root)
{
	if (!root)
		return;
	if (root->dirfd >= 0)
		close(root->dirfd);
	free(root->path);
	free(root);
}

/*
 * The walk: what openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does, in
 * user space.  A stack of O_PATH descriptors, one per directory entered,
 * fds[0] being the root.  Every component is opened with O_NOFOLLOW relative
 * to the top of the stack, so the kernel never resolves ".." or a symlink for
 * us: ".." pops (never below the root), a symlink's target is spliced in
 * front of the rest of the path (an absolute one from the root).
 */
struct walk {
	int *fds;
	size_t n, cap;
};

static void walk_pop_to(struct walk *w, size_t n)
{
	while (w->n > n)
		close(w->fds[--w->n]);
}

static void walk_done(struct walk *w)
{
	walk_pop_to(w, 1); /* fds[0] is the root's, not ours */
	free(w->fds);
}

static int walk_push(struct walk *w, int fd)
{
	int r = grow_array((void **)&w->fds, &w->cap, w->n + 1, sizeof(*w->fds));

	if (r < 0)
		return r;
	w->fds[w->n++] = fd;
	return 0;
}

static int read_link_fd(int fd, char *buf, size_t size)
{
	ssize_t n = readlinkat(fd, "", buf, size);

	if (n < 0)
		return negative_errno();
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/*
 * procfs magic links (exe, cwd, root, fd/N, map_files/RANGE, ns/TYPE) read as an
 * absolute path or as "type:[inode]"; procfs's plain symlinks (self,
 * thread-self, mounts, net) are relative paths without ':'.
 */
static bool is_magic_link(int linkfd, const char *target)
{
	struct statfs sfs;

	if (fstatfs(linkfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	return target[0] == '/' || strchr(target, ':');
}

/* Open @name in the directory @dirfd as the last component, never following it. */
static int walk_final(int dirfd, const char *name, int flags)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return negative_errno();
	/* O_PATH without O_NOFOLLOW raced with a symlink: do not hand out the link */
	if ((flags & O_PATH) && !(flags & O_NOFOLLOW) && fstat(fd, &st) == 0 &&
	    S_ISLNK(st.st_mode)) {
		close(fd);
		return -ELOOP;
	}
	return fd;
}

static int walk_open(const struct sysroot *root, const char *relpath, int flags)
{
	_cleanup_(walk_done) struct walk w = { 0 };
	_cleanup_free_ char *path = strdup(relpath);
	unsigned int links = 0;
	char *p = path;
	int r;

	if (!path)
		return -ENOMEM;
	r = walk_push(&w, root->dirfd);
	if (r < 0)
		return r;
	for (;;) {
		char target[PATH_MAX], *end, *joined;
		const char *name;
		_cleanup_close_ int fd = -1;
		struct stat st;
		bool last;

		while (*p == '/')
			p++;
		name = p;
		end = strchrnul(p, '/');
		last = *end == '\0';
		p = last ? end : end + 1;
		*end = '\0';
		if (!*name) /* "" or a trailing slash: the directory itself */
			name = ".";

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			if (name[1] == '.' && w.n > 1)
				walk_pop_to(&w, w.n - 1);
			if (last)
				return walk_final(w.fds[w.n - 1], ".", flags);
			continue;
		}

		fd = openat(w.fds[w.n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return negative_errno();
		if (fstat(fd, &st) < 0)
			return negative_errno();

		if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			if (++links > MAX_SYMLINKS)
				return -ELOOP;
			r = read_link_fd(fd, target, sizeof(target));
			if (r < 0)
				return r;
			if (is_magic_link(fd, target))
				return -ELOOP;
			if (target[0] == '/')
				walk_pop_to(&w, 1);
			/* "link/rest" becomes "target/rest"; a last "link" becomes "target" */
			if (asprintf(&joined, "%s%s%s", target, *p ? "/" : "", p) < 0)
				return -ENOMEM;
			free(path);
			path = p = joined;
			continue;
		}
		if (last)
			return walk_final(w.fds[w.n - 1], name, flags);
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		r = walk_push(&w, fd);
		if (r < 0)
			return r;
		fd = -1;
	}
}

int sysroot_openat(const struct sysroot *root, const char *relpath, int flags)
{
	const char *rel = relative(relpath);
	int fd = -1;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return -EINVAL;

	switch (root->resolve) {
	case SYSROOT_RESOLVE_PLAIN:
		fd = openat(root->dirfd, rel, flags | O_CLOEXEC);
		break;
	case SYSROOT_RESOLVE_OPENAT2:
		for (int i = 0; i < OPENAT2_RETRIES; i++) {
			fd = sys_openat2(root->dirfd, rel, flags);
			if (fd >= 0 || errno != EAGAIN)
				break;
		}
		break;
	case SYSROOT_RESOLVE_WALK:
		return walk_open(root, rel, flags);
	default:
		return -EINVAL;
	}
	return fd < 0 ? negative_errno() : fd;
}

/* 0 when @fd is a regular file, -EISDIR for a directory, -EINVAL for anything else. */
static int check_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISREG(st.st_mode))
		return 0;
	return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

/* A regular file, opened O_NONBLOCK so that a FIFO does not wait for a writer. */
static int open_regular_nonblock(const struct sysroot *root, const char *relpath)
{
	_cleanup_close_ int fd = sysroot_openat(root, relpath, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	int r;

	if (fd < 0)
		return fd;
	r = check_regular(fd);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

int sysroot_open_file(const struct sysroot *root, const char *relpath)
{
	_cleanup_close_ int fd = open_regular_nonblock(root, relpath);

	if (fd < 0)
		return fd;
	if (fcntl(fd, F_SETFL, 0) < 0) /* back to blocking mode for the caller */
		return negative_errno();
	return TAKE_FD(fd);
}

DIR *sysroot_opendir(const struct sysroot *root, const char *relpath)
{
	int fd = sysroot_openat(root, relpath, O_RDONLY | O_DIRECTORY);
	DIR *dir;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	dir = fdopendir(fd);
	if (!dir) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return dir;
}

bool sysroot_exists(const struct sysroot *root, const char *relpath)
{
	int fd = sysroot_openat(root, relpath, O_PATH);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* read_fd_capped() on a descriptor known to be a regular file */
static int read_capped(int fd, size_t max_size, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, limit;

	/* the buffer never needs more than the cap, one byte to see it exceeded, the NUL */
	limit = MIN(max_size, SIZE_MAX / 4) + 2;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096 + 1 && cap < limit) {
			size_t ncap = MIN(cap ? cap * 2 : 16384, limit);
			char *nbuf = realloc(buf, ncap);

			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size)
			return -EFBIG;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int read_fd_capped(int fd, size_t max_size, char **ret_buf, size_t *ret_len)
{
	int r = check_regular(fd);

	if (r < 0)
		return r;
	return read_capped(fd, max_size, ret_buf, ret_len);
}

int read_fd_fully(int fd, char **ret_buf, size_t *ret_len)
{
	return read_fd_capped(fd, SYSROOT_MAX_FILE_SIZE_DEFAULT, ret_buf, ret_len);
}

#define PROC_FILE_MAX (1U << 20)

int read_proc_file_at(int dirfd, const char *name, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return negative_errno();
	for (;;) {
		size_t room;
		ssize_t n;

		if (cap - len < 2) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nbuf;

			if (ncap > PROC_FILE_MAX + 1)
				return -EFBIG;
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		room = cap - len - 1;
		n = read(fd, buf + len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		len += (size_t)n;
		if ((size_t)n < room)
			break;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int sysroot_read_file(const struct sysroot *root, const char *relpath, char **ret_buf,
		      size_t *ret_len)
{
	/* O_NONBLOCK does not change reads of a regular file: no need to clear it */
	_cleanup_close_ int fd = open_regular_nonblock(root, relpath);

	if (fd < 0)
		return fd;
	return read_capped(fd, root->max_file_size, ret_buf, ret_len);
}

int sysroot_read_line(const struct sysroot *root, const char *relpath, char **ret_line)
{
	char *buf = NULL;
	size_t len = 0;
	int r = sysroot_read_file(root, relpath, &buf, &len);

	if (r < 0)
		return r;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	*ret_line = buf;
	return 0;
}

int sysroot_readlink(const struct sysroot *root, const char *relpath, char **ret_target)
{
	char buf[PATH_MAX];
	char *target;
	int r;

	if (root->resolve == SYSROOT_RESOLVE_PLAIN) {
		ssize_t n = readlinkat(root->dirfd, relative(relpath), buf, sizeof(buf));

		if (n < 0)
			return negative_errno();
		if ((size_t)n >= sizeof(buf))
			return -ENAMETOOLONG;
		buf[n] = '\0';
	} else {
		_cleanup_close_ int fd = sysroot_openat(root, relpath, O_PATH | O_NOFOLLOW);
		struct stat st;

		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0)
			return negative_errno();
		if (!S_ISLNK(st.st_mode))
			return -EINVAL;
		r = read_link_fd(fd, buf, sizeof(buf));
		if (r < 0)
			return r;
	}
	target = strdup(buf);
	if (!target)
		return -ENOMEM;
	*ret_target = target;
	return 0;
}

/* The first number of the "NSpid:" line and how many there are; -ENOENT without one. */
static int parse_nspid(const char *status, long *ret_first, int *ret_count)
{
	const char *line = strstr(status, "\nNSpid:");
	long first = -1;
	int count = 0;

	if (!line)
		return -ENOENT;
	line += strlen("\nNSpid:");
	for (;;) {
		char *end;
		long v;

		line += strspn(line, " \t");
		if (*line == '\n' || !*line)
			break;
		errno = 0;
		v = strtol(line, &end, 10);
		if (end == line || errno)
			return -EINVAL;
		if (count++ == 0)
			first = v;
		line = end;
	}
	if (count == 0)
		return -EINVAL;
	*ret_first = first;
	*ret_count = count;
	return 0;
}

int sysroot_check_pid_namespace(const struct sysroot *root, struct error *err)
{
	_cleanup_close_ int procfd = sysroot_openat(root, "proc", O_PATH | O_DIRECTORY);
	_cleanup_free_ char *status = NULL;
	char shown[PATH_MAX], self[32], why[96];
	struct statfs sfs;
	long first;
	int count;
	ssize_t n;
	int r;

	sysroot_display(root, "proc", shown, sizeof(shown));
	if (procfd == -ENOENT || procfd == -ENOTDIR)
		return 0; /* no /proc: a fixture tree */
	if (procfd < 0)
		return error_set(err, procfd, "cannot open %s: %s", shown, strerror(-procfd));
	if (fstatfs(procfd, &sfs) < 0)
		return error_set(err, negative_errno(), "cannot statfs %s: %s", shown,
				 strerror(errno));
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return 0; /* a fixture tree's proc/ directory */

	n = readlinkat(procfd, "self", self, sizeof(self) - 1);
	if (n < 0 && errno != ENOENT)
		return error_set(err, negative_errno(), "cannot read %s/self: %s", shown,
				 strerror(errno));
	if (n < 0) {
		snprintf(why, sizeof(why), "this process %d is not visible in it", (int)getpid());
		goto other;
	}
	self[n] = '\0';
	if (strtol(self, NULL, 10) != (long)getpid()) {
		snprintf(why, sizeof(why), "it shows this process %d as pid %.20s", (int)getpid(),
			 self);
		goto other;
	}
	/* Same number, but an ancestor namespace's procfs lists one pid per level. */
	r = sysroot_read_file(root, "proc/self/status", &status, NULL);
	if (r < 0)
		return error_set(err, r, "cannot read %s/self/status: %s", shown, strerror(-r));
	r = parse_nspid(status, &first, &count);
	if (r == -ENOENT)
		return 0; /* kernel before 4.1: the pid check above is all there is */
	if (r < 0)
		return error_set(err, r, "%s/self/status: malformed NSpid line", shown);
	if (count == 1)
		return 0;
	snprintf(why, sizeof(why), "its NSpid line for this process lists %d namespaces", count);
other:
	return error_set(err, -EXDEV,
			 "%s belongs to another pid namespace (%s): the pids read there would make "
			 "move_pages() reach different processes; run in the pid namespace of that "
			 "/proc (a Kubernetes pod needs hostPID: true) or use a sysroot whose proc "
			 "is this namespace's /proc",
			 shown, why);
}

const char *sysroot_display(const struct sysroot *root, const char *relpath, char *buf, size_t size)
{
	const char *rel = relative(relpath);
	size_t plen = strlen(root->path);

	/* "/host/" + "proc" is "/host/proc"; the root "/" shows as "" + "/proc" */
	while (plen > 0 && root->path[plen - 1] == '/')
		plen--;
	snprintf(buf, size, "%.*s/%s", (int)plen, root->path, rel);
	return buf;
}
