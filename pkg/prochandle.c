/* SPDX-License-Identifier: MIT */
#include "prochandle.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "procinfo.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/*
 * stat of the task @dirfd names: start time and state (and, with
 * @ret_text, the text).  A gone task: -ESRCH.
 */
static int read_stat(int dirfd, uint64_t *ret_start, char *ret_state, char **ret_text)
{
	_cleanup_free_ char *stat = NULL;
	size_t len = 0;
	int r;

	r = read_proc_file_at(dirfd, "stat", &stat, &len);
	if (r == -ENOENT || r == -ESRCH || (r == 0 && len == 0))
		return -ESRCH;
	if (r < 0)
		return r;
	r = procinfo_parse_stat_start_time(stat, ret_start);
	if (r < 0)
		return r;
	if (ret_state && procinfo_parse_stat_state(stat, ret_state) < 0)
		*ret_state = '\0';
	if (ret_text)
		*ret_text = TAKE_PTR(stat);
	return 0;
}

/* Tgid and Threads from status; each left 0 when absent (fixture trees), NULL text then. */
static int read_status(int dirfd, int *ret_tgid, int *ret_threads, char **ret_text)
{
	_cleanup_free_ char *status = NULL;
	int r;

	*ret_tgid = *ret_threads = 0;
	r = read_proc_file_at(dirfd, "status", &status, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = procinfo_parse_status_int(status, "Tgid", ret_tgid);
	if (r < 0 && r != -ENOENT)
		return r;
	r = procinfo_parse_status_int(status, "Threads", ret_threads);
	if (r < 0 && r != -ENOENT)
		return r;
	*ret_text = TAKE_PTR(status);
	return 0;
}

static bool is_dead(char state)
{
	return state == 'Z' || state == 'X' || state == 'x';
}

/*
 * The leader has exited while other threads run: find a live one below
 * task/.  On success *ret_fd is its directory and *ret_tid its id; -ESRCH
 * when none is left.
 */
static int find_live_thread(int procdir_fd, pid_t pid, int *ret_fd, pid_t *ret_tid,
			    uint64_t *ret_start)
{
	int taskfd = openat(procdir_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int r = -ESRCH;

	if (taskfd < 0)
		return errno == ENOENT ? -ESRCH : negative_errno();
	dir = fdopendir(taskfd);
	if (!dir) {
		r = negative_errno();
		close(taskfd);
		return r;
	}
	while ((de = readdir(dir))) {
		_cleanup_close_ int fd = -1;
		uint64_t start;
		char state;
		pid_t tid;

		if (parse_pid(de->d_name, &tid) < 0 || tid == pid)
			continue;
		fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* exited meanwhile */
		if (read_stat(fd, &start, &state, NULL) < 0 || is_dead(state))
			continue;
		*ret_fd = TAKE_FD(fd);
		*ret_tid = tid;
		*ret_start = start;
		r = 0;
		break;
	}
	closedir(dir);
	return r;
}

/*
 * Open the handle; with @ret_info, also what the stat and status read for it
 * (and cgroup) say about the process, so the caller need not read them again.
 */
static int handle_open(const struct sysroot *root, pid_t pid, bool live, bool want_status,
		       struct proc_handle *ret, struct procinfo *ret_info)
{
	_cleanup_free_ char *stat = NULL, *status = NULL, *cgroup = NULL;
	struct procinfo info;
	_cleanup_close_ int procfd = -1, pidfd = -1, taskfd = -1;
	int kept_procfd;
	uint64_t start;
	char state = '\0';
	int tgid = 0, threads = 0, r;
	pid_t mm_tid = pid;

	if (pid <= 0)
		return -EINVAL;
	procfd = proc_dir_open(root, pid);
	if (procfd < 0)
		return procfd;
	if (live) {
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			/* gone, or not a thread-group leader (EINVAL; ENOENT since 6.9) */
			if (errno == ESRCH || errno == EINVAL || errno == ENOENT)
				return -ESRCH;
			if (errno != ENOSYS)
				return negative_errno();
		}
	}
	/*
	 * The dirfd names the process that held the pid when it was opened;
	 * reads through it fail once that process is reaped.  So a stat read
	 * after pidfd_open() succeeds only if it held the pid all along (a pid
	 * is not reused before its holder is reaped): the pidfd, the dirfd and
	 * everything read below name the same process.
	 */
	r = read_stat(procfd, &start, &state, &stat);
	if (r < 0)
		return r;
	if (live && !want_status) {
		/* pidfd_open() refused threads already; the thread count is in stat too */
		uint64_t n = 0;

		(void)procinfo_parse_stat_u64(stat, 20, &n);
		threads = n > INT_MAX ? INT_MAX : (int)n;
	} else {
		r = read_status(procfd, &tgid, &threads, &status);
		if (r < 0)
			return r;
		if (tgid != 0 && tgid != pid)
			return -ESRCH; /* a thread's hidden /proc/TID, not a process */
	}

	if (is_dead(state) && threads > 1) {
		r = find_live_thread(procfd, pid, &taskfd, &mm_tid, &start);
		if (r < 0 && r != -ESRCH)
			return r;
		/* -ESRCH: no live thread left; the leader stays (an empty mm) */
	}

	if (ret_info) {
		if (taskfd >= 0) {
			/* a live thread of an exited leader: what that thread says */
			r = procinfo_read_at(taskfd, pid, &info);
		} else {
			if (read_proc_file_at(procfd, "cgroup", &cgroup, NULL) < 0)
				cgroup = NULL;
			r = procinfo_from_text(pid, stat, NULL, status, cgroup, &info);
		}
		if (r < 0)
			return r;
	}
	kept_procfd = taskfd >= 0 ? TAKE_FD(procfd) : -1;
	if (ret_info)
		*ret_info = info;
	*ret = (struct proc_handle){
		.pid = pid,
		.mm_tid = mm_tid,
		.dirfd = taskfd >= 0 ? TAKE_FD(taskfd) : TAKE_FD(procfd),
		.procfd = kept_procfd,
		.pidfd = TAKE_FD(pidfd),
		.start_time = start,
	};
	return 0;
}

int proc_handle_open(const struct sysroot *root, pid_t pid, bool live, struct proc_handle *ret)
{
	return handle_open(root, pid, live, true, ret, NULL);
}

int proc_handle_open_info(const struct sysroot *root, pid_t pid, bool live, bool with_status,
			  struct proc_handle *ret, struct procinfo *ret_info)
{
	return handle_open(root, pid, live, with_status, ret, ret_info);
}

int proc_handle_retarget(struct proc_handle *h)
{
	int fd = -1, r;
	pid_t tid;
	uint64_t start;

	if (!h || h->procfd < 0)
		return -ESRCH; /* reached through the leader: its end is the process's */
	if (h->pidfd >= 0) {
		struct pollfd p = { .fd = h->pidfd, .events = POLLIN };

		do
			r = poll(&p, 1, 0);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return -ESRCH;
	}
	r = find_live_thread(h->procfd, h->pid, &fd, &tid, &start);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	close(h->dirfd);
	h->dirfd = fd;
	h->mm_tid = tid;
	h->start_time = start;
	return 0;
}

pid_t proc_handle_task(struct proc_handle *h)
{
	int r = proc_handle_check(h);

	if (r == -ESRCH)
		r = proc_handle_retarget(h);
	return r < 0 ? r : h->mm_tid;
}

int proc_handle_check(const struct proc_handle *h)
{
	char state = '\0';
	uint64_t start;
	int r;

	if (!h || h->dirfd < 0)
		return -EBADF;
	if (h->pidfd >= 0) {
		struct pollfd p = { .fd = h->pidfd, .events = POLLIN };

		do
			r = poll(&p, 1, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return negative_errno();
		if (r > 0)
			return -ESRCH; /* readable: the process has exited */
	}
	r = read_stat(h->dirfd, &start, &state, NULL);
	if (r == -EINVAL)
		return -ESRCH; /* the stat we read is no longer one we understand */
	if (r < 0)
		return r;
	/* a zombie has exited too: without a pidfd only its state tells */
	if (start != h->start_time || is_dead(state))
		return -ESRCH;
	return 0;
}

void proc_handle_close(struct proc_handle *h)
{
	if (!h)
		return;
	if (h->dirfd >= 0)
		close(h->dirfd);
	if (h->procfd >= 0)
		close(h->procfd);
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->dirfd = h->procfd = h->pidfd = -1;
}
