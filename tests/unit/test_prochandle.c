/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "prochandle.h"
#include "procmaps.h"
#include "testlib.h"

/* ---- fixture trees ------------------------------------------------------ */

START_TEST(test_fixture_plain)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct proc_handle h = PROC_HANDLE_NULL;

	ck_assert_int_eq(proc_handle_open(root, 100, false, &h), 0);
	ck_assert_int_eq(h.pid, 100);
	ck_assert_int_eq(h.mm_tid, 100);
	ck_assert_int_ge(h.dirfd, 0);
	ck_assert_int_eq(h.pidfd, -1); /* not live */
	ck_assert_uint_eq(h.start_time, 171220);
	ck_assert_int_eq(proc_handle_check(&h), 0);
	/* another process with the same pid has another start time */
	h.start_time++;
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	h.start_time--;
	ck_assert_int_eq(proc_handle_check(&h), 0);
	proc_handle_close(&h);
	ck_assert_int_eq(h.dirfd, -1);
	ck_assert_int_eq(h.pidfd, -1);
	proc_handle_close(&h); /* idempotent */
	ck_assert_int_eq(proc_handle_check(&h), -EBADF);
}
END_TEST

START_TEST(test_fixture_gone)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct proc_handle h = { .pid = 7, .dirfd = -1, .pidfd = -1 };

	ck_assert_int_eq(proc_handle_open(root, 12345, false, &h), -ESRCH); /* no proc/12345 */
	ck_assert_int_eq(proc_handle_open(root, 300, false, &h), -ESRCH); /* no stat */
	ck_assert_int_eq(h.pid, 7); /* untouched */
	ck_assert_int_eq(proc_handle_open(root, 0, false, &h), -EINVAL);
}
END_TEST

/* The stat behind an open handle changes: another process now. */
START_TEST(test_fixture_stat_changes)
{
	char *dir = fixture_copy("procs");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	_cleanup_free_ char *stat = NULL;
	struct proc_handle h = PROC_HANDLE_NULL;
	char *p;

	ck_assert_int_eq(sysroot_read_file(root, "proc/100/stat", &stat, NULL), 0);
	ck_assert_int_eq(proc_handle_open(root, 100, false, &h), 0);
	ck_assert_int_eq(proc_handle_check(&h), 0);
	p = strstr(stat, " 171220 ");
	ck_assert_ptr_nonnull(p);
	memcpy(p, " 171221 ", 8);
	write_file(dir, "proc/100/stat", stat);
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	/* a zombie is gone too */
	memcpy(p, " 171220 ", 8);
	p = strstr(stat, ") S ");
	ck_assert_ptr_nonnull(p);
	p[2] = 'Z';
	write_file(dir, "proc/100/stat", stat);
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	remove_file(dir, "proc/100/stat");
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	proc_handle_close(&h);
	remove_tree(dir);
}
END_TEST

/*
 * proc/400: the leader called pthread_exit() (Z, empty maps, Threads 2),
 * thread 401 runs on: the handle reaches the mm through task/401.
 */
START_TEST(test_fixture_zombie_leader)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_(vma_list_free) struct vma_list old = { 0 };
	struct proc_handle h = PROC_HANDLE_NULL;
	struct error err = { 0 };

	ck_assert_int_eq(proc_handle_open(root, 400, false, &h), 0);
	ck_assert_int_eq(h.pid, 400);
	ck_assert_int_eq(h.mm_tid, 401);
	ck_assert_uint_eq(h.start_time, 5003); /* of the task the dirfd names */
	ck_assert_int_eq(proc_handle_check(&h), 0);
	ck_assert_int_eq(procmaps_read_exec_at(h.dirfd, PROCMAPS_AUTO, &list, &err), 0);
	ck_assert_uint_eq(list.n, 3);
	ck_assert_str_eq(list.items[0].name, "/usr/bin/worker");
	ck_assert_str_eq(list.items[1].name, "/anon_hugepage");
	ck_assert_str_eq(list.items[2].name, "[vdso]");
	/* text mode: smaps gives the hugetlb VMA its page size */
	ck_assert_uint_eq(list.items[1].page_size, 2 << 20);
	ck_assert_uint_eq(list.items[0].page_size, (uint64_t)sysconf(_SC_PAGESIZE));
	/* the leader's own maps are empty */
	ck_assert_int_eq(procmaps_read_exec(root, 400, PROCMAPS_AUTO, &old), 0);
	ck_assert_uint_eq(old.n, 0);
	proc_handle_close(&h);
}
END_TEST

/* ---- real processes ------------------------------------------------------ */

static bool have_pidfd(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static pid_t fork_paused(void)
{
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		for (;;)
			pause();
	}
	return child;
}

START_TEST(test_real_child_exits)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct proc_handle h = PROC_HANDLE_NULL, gone = PROC_HANDLE_NULL;
	pid_t child = fork_paused();
	int status;

	ck_assert_int_eq(proc_handle_open(root, child, true, &h), 0);
	ck_assert_int_eq(h.pid, child);
	ck_assert_int_eq(h.mm_tid, child);
	ck_assert_int_eq(h.pidfd >= 0, have_pidfd());
	ck_assert_uint_gt(h.start_time, 0);
	ck_assert_int_eq(proc_handle_check(&h), 0);

	ck_assert_int_eq(kill(child, SIGKILL), 0);
	/* exited, not yet reaped: the pidfd (or the zombie state) says so */
	for (int i = 0; i < 500 && proc_handle_check(&h) == 0; i++)
		usleep(10000);
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	ck_assert_int_eq(proc_handle_open(root, child, true, &gone), -ESRCH);
	ck_assert_int_eq(gone.dirfd, -1);
	proc_handle_close(&h);
}
END_TEST

/* Pid reuse cannot be forced portably: a changed start time stands in for it. */
START_TEST(test_real_start_time_mismatch)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct proc_handle h = PROC_HANDLE_NULL;
	pid_t child = fork_paused();
	int status;

	ck_assert_int_eq(proc_handle_open(root, child, true, &h), 0);
	ck_assert_int_eq(proc_handle_check(&h), 0);
	h.start_time += 1;
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	h.start_time -= 1;
	ck_assert_int_eq(proc_handle_check(&h), 0);
	proc_handle_close(&h);
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
}
END_TEST

static void *sleeper(void *arg)
{
	int *tid = arg;

	if (tid)
		__atomic_store_n(tid, (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

/* A thread's id is a hidden /proc/TID, not a process. */
START_TEST(test_real_tid_is_no_process)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct proc_handle h = PROC_HANDLE_NULL;
	pthread_t thread;
	int tid = 0;

	ck_assert_int_eq(pthread_create(&thread, NULL, sleeper, &tid), 0);
	for (int i = 0; i < 500 && !__atomic_load_n(&tid, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	ck_assert_int_gt(tid, 0);
	ck_assert_int_eq(proc_handle_open(root, tid, true, &h), -ESRCH);
	ck_assert_int_eq(proc_handle_open(root, tid, false, &h), -ESRCH);
	ck_assert_int_eq(proc_handle_open(root, getpid(), true, &h), 0);
	ck_assert_int_eq(h.mm_tid, getpid());
	proc_handle_close(&h);
	/* without status (a one-shot scan): pidfd_open() alone refuses the thread */
	{
		struct procinfo info = { .pid = 77 };

		ck_assert_int_eq(proc_handle_open_info(root, tid, true, false, &h, &info), -ESRCH);
		ck_assert_int_eq(info.pid, 77);
		ck_assert_int_eq(h.dirfd, -1);
	}
}
END_TEST

/*
 * proc_handle_open_info(): the info from the handle's own reads; without
 * status, no cpuset and no exec signature, the thread count from stat.
 */
START_TEST(test_open_info_with_and_without_status)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct proc_handle h = PROC_HANDLE_NULL;
	struct procinfo full, light, read;
	pthread_t thread;
	int tid = 0;

	ck_assert_int_eq(pthread_create(&thread, NULL, sleeper, &tid), 0);
	for (int i = 0; i < 500 && !__atomic_load_n(&tid, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	ck_assert_int_eq(procinfo_read(root, getpid(), &read), 0);
	ck_assert_int_eq(proc_handle_open_info(root, getpid(), true, true, &h, &full), 0);
	proc_handle_close(&h);
	ck_assert_int_eq(proc_handle_open_info(root, getpid(), true, false, &h, &light), 0);
	proc_handle_close(&h);
	ck_assert_str_eq(full.comm, read.comm);
	ck_assert_str_eq(light.comm, read.comm);
	ck_assert_str_eq(full.cgroup, read.cgroup);
	ck_assert_str_eq(light.cgroup, read.cgroup);
	ck_assert_uint_eq(full.start_time, read.start_time);
	ck_assert_uint_eq(light.start_time, read.start_time);
	ck_assert(full.has_mems_allowed);
	ck_assert(full.has_exec_signature);
	ck_assert_int_eq(full.tgid, getpid());
	ck_assert_int_ge(full.threads, 2);
	ck_assert(!light.has_mems_allowed);
	ck_assert(!light.has_exec_signature);
	ck_assert_int_eq(light.tgid, 0);
}
END_TEST

/* "State:\tZ" in <pid>/status: its main thread has exited. */
static bool leader_is_zombie(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "\nState:\tZ") != NULL;
}

/* Issue 7 item 8: a process whose main thread called pthread_exit(). */
START_TEST(test_real_main_thread_exited)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_(vma_list_free) struct vma_list text = { 0 };
	_cleanup_(vma_list_free) struct vma_list old = { 0 };
	struct proc_handle h = PROC_HANDLE_NULL;
	struct error err = { 0 };
	pid_t child = fork();
	int status;

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		pthread_t thread;

		if (pthread_create(&thread, NULL, sleeper, NULL) != 0)
			_exit(1);
		pthread_exit(NULL); /* the other thread keeps the process alive */
	}
	for (int i = 0; i < 500 && !leader_is_zombie(child); i++)
		usleep(10000);
	ck_assert_msg(leader_is_zombie(child), "the child's main thread did not exit");

	ck_assert_int_eq(proc_handle_open(root, child, true, &h), 0);
	ck_assert_int_eq(h.pid, child);
	ck_assert_int_ne(h.mm_tid, child);
	ck_assert_int_gt(h.mm_tid, 0);
	ck_assert_int_eq(proc_handle_check(&h), 0);
	ck_assert_int_eq(procmaps_read_exec_at(h.dirfd, PROCMAPS_AUTO, &list, &err), 0);
	ck_assert_uint_gt(list.n, 0);
	ck_assert_int_eq(procmaps_read_exec_at(h.dirfd, PROCMAPS_TEXT, &text, &err), 0);
	ck_assert_uint_eq(text.n, list.n);
	/* what the old reader sees through /proc/PID */
	ck_assert_int_eq(procmaps_read_exec(root, child, PROCMAPS_AUTO, &old), 0);
	ck_assert_uint_eq(old.n, 0);

	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(proc_handle_check(&h), -ESRCH);
	proc_handle_close(&h);
}
END_TEST

static Suite *prochandle_suite(void)
{
	Suite *s = suite_create("prochandle");
	TCase *fixture = tcase_create("fixture");
	TCase *real = tcase_create("real");

	tcase_add_test(fixture, test_fixture_plain);
	tcase_add_test(fixture, test_fixture_gone);
	tcase_add_test(fixture, test_fixture_stat_changes);
	tcase_add_test(fixture, test_fixture_zombie_leader);
	suite_add_tcase(s, fixture);

	tcase_add_test(real, test_real_child_exits);
	tcase_add_test(real, test_real_start_time_mismatch);
	tcase_add_test(real, test_real_tid_is_no_process);
	tcase_add_test(real, test_open_info_with_and_without_status);
	tcase_add_test(real, test_real_main_thread_exited);
	suite_add_tcase(s, real);
	return s;
}

int main(void)
{
	return run_suite(prochandle_suite());
}
