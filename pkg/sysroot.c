/* SPDX-License-Identifier: MIT */
#include "sysroot.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *relative(const char *relpath)
{
	while (*relpath == '/')
		relpath++;
	return *relpath ? relpath : ".";
}

int sysroot_open(const char *path, struct sysroot **ret)
{
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;

	if (!path)
		path = getenv(SYSROOT_ENV);
	if (!path || !*path)
		path = "/";

	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->dirfd = -1;
	root->path = strdup(path);
	if (!root->path)
		return -ENOMEM;
	root->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root->dirfd < 0)
		return negative_errno();
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

int sysroot_openat(const struct sysroot *root, const char *relpath, int flags)
{
	int fd = openat(root->dirfd, relative(relpath), flags | O_CLOEXEC);

	return fd < 0 ? negative_errno() : fd;
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
	return faccessat(root->dirfd, relative(relpath), F_OK, 0) == 0;
}

int read_fd_fully(int fd, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096 + 1) {
			size_t ncap = cap ? cap * 2 : 16384;
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
	_cleanup_close_ int fd = sysroot_openat(root, relpath, O_RDONLY);

	if (fd < 0)
		return fd;
	return read_fd_fully(fd, ret_buf, ret_len);
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
	ssize_t n = readlinkat(root->dirfd, relative(relpath), buf, sizeof(buf) - 1);
	char *target;

	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	target = strdup(buf);
	if (!target)
		return -ENOMEM;
	*ret_target = target;
	return 0;
}

const char *sysroot_display(const struct sysroot *root, const char *relpath, char *buf, size_t size)
{
	const char *rel = relative(relpath);
	bool slash_root = strcmp(root->path, "/") == 0;

	snprintf(buf, size, "%s/%s", slash_root ? "" : root->path, rel);
	return buf;
}
