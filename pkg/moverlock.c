/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "moverlock.h"

int moverlock_take(const char *path, bool wait, bool *ret_waited, int *ret_fd)
{
	char dir[PATH_MAX];
	char *slash;
	_cleanup_close_ int fd = -1;
	bool waited = false;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return negative_errno();
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return negative_errno();
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || !wait)
			return negative_errno();
		waited = true;
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return negative_errno();
	}
	if (ret_waited)
		*ret_waited = waited;
	*ret_fd = TAKE_FD(fd);
	return 0;
}
