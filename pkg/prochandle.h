/* SPDX-License-Identifier: MIT */
/*
 * The identity of a process across a sweep.  Between reading a process's
 * maps and moving its pages the process may exit and its pid be reused by
 * another; a handle pins the one that was opened (a /proc/PID directory fd,
 * a pidfd and the start time) so a mover can check, right before each
 * move_pages() call, that the pid still names it.
 *
 * It also finds the task through which the process's memory is reachable:
 * once the main thread has exited (a zombie leader with live threads),
 * /proc/PID/maps is empty and move_pages(PID) finds no mm, while a live
 * thread's /proc/PID/task/TID and move_pages(TID) still work.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "procinfo.h"
#include "sysroot.h"

struct proc_handle {
	pid_t pid; /* the process (tgid) */
	pid_t mm_tid; /* task whose maps/pagemap/move_pages reach the mm: pid, or a live thread */
	int dirfd; /* O_DIRECTORY of <root>/proc/PID, or <root>/proc/PID/task/TID for mm_tid */
	int procfd; /* O_DIRECTORY of <root>/proc/PID when dirfd is a task's, else -1 */
	int pidfd; /* pidfd_open(pid), -1 when not live or the kernel has none */
	uint64_t start_time; /* stat field 22 of the task dirfd names, clock ticks */
};

#define PROC_HANDLE_NULL ((struct proc_handle){ .dirfd = -1, .procfd = -1, .pidfd = -1 })

/*
 * Open @pid below @root.  @live: @root's proc is the procfs of our own pid
 * namespace (a pidfd is taken); false for fixture trees.  -ESRCH when the
 * process is gone, or @pid is a thread rather than a process; -EACCES/-EPERM
 * passed through; -EINVAL when its stat has no start time.  @ret untouched
 * on failure.
 */
int proc_handle_open(const struct sysroot *root, pid_t pid, bool live, struct proc_handle *ret);
/*
 * proc_handle_open(), and what the process's stat, status and cgroup say in
 * @ret_info (procinfo_read_at()'s fields; the name from stat), from the same
 * reads the handle needed: three procfs reads fewer per process.  Without
 * @with_status (live only: a fixture tree needs status's Tgid), status is
 * not read: no cpuset (has_mems_allowed false), no exec_signature, the
 * thread count from stat.  Both outputs untouched on failure.
 */
int proc_handle_open_info(const struct sysroot *root, pid_t pid, bool live, bool with_status,
			  struct proc_handle *ret, struct procinfo *ret_info);

/*
 * 0 while the process is still the one opened: its pidfd (if any) does not
 * report exit, and the stat read through the dirfd still shows the same
 * start time, and that task is no zombie.  -ESRCH otherwise (exited, reaped,
 * pid reused, or the mm_tid thread exited: reopen to pick another thread),
 * -EBADF on a closed handle.  A few syscalls; no allocation beyond one read.
 */
int proc_handle_check(const struct proc_handle *h);

/*
 * The mm_tid thread of a process whose leader exited has exited too while
 * the process lives on: point the handle at another live thread.  0 when it
 * did, -ESRCH when the process itself is gone (or was reached through its
 * leader, whose end is the process's).
 */
int proc_handle_retarget(struct proc_handle *h);

/*
 * proc_handle_check(), re-targeting a thread that ended: the task to pass to
 * move_pages() (> 0), or -ESRCH.
 */
pid_t proc_handle_task(struct proc_handle *h);

/* Close the descriptors; idempotent, every fd is -1 after. */
void proc_handle_close(struct proc_handle *h);
