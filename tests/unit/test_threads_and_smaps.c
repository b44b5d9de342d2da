/* SPDX-License-Identifier: MIT */
/*
 * Second review of issue 7: a process whose main thread has exited is
 * reached through one of its other threads (proc_handle's mm_tid).  That
 * thread may end while the process lives on through the others; the scan
 * must not then report the whole process as vanished (its pages would stay
 * where they are, uncounted, and the run would exit 0).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>

#include "procmaps.h"
#include "proclib.h"
#include "scan.h"
#include "testlib.h"

#define THREADS 2

static struct {
	pid_t child;
	pid_t tids[THREADS];
	int end_fd[THREADS]; /* closing end_fd[i] ends thread i */
	bool ended;
} g;

/* In the child: thread i waits on its pipe, then exits alone (the exit system call). */
static void *waiter(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char byte;

	while (read(fd, &byte, 1) < 0 && errno == EINTR)
		;
	syscall(SYS_exit, 0);
	return NULL;
}

static bool task_gone(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) < 0;
}

static bool leader_zombie(pid_t pid)
{
	char path[64], buf[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "\nState:\tZ") != NULL;
}

/*
 * The first call the scan makes to move_pages() on the process's mm_tid:
 * that thread ends just before it (as it may at any time); the process
 * itself lives on through its other thread.
 */
static long end_thread_then_move_pages(int pid, unsigned long count, void **pages, const int *nodes,
				       int *status, int flags)
{
	if (!g.ended) {
		for (int i = 0; i < THREADS; i++) {
			if (g.tids[i] != pid)
				continue;
			close(g.end_fd[i]);
			g.end_fd[i] = -1;
			for (int k = 0; k < 500 && !task_gone(g.child, pid); k++)
				usleep(10000);
			ck_assert_msg(task_gone(g.child, pid), "thread %d did not end", pid);
			g.ended = true;
		}
	}
	return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

static void start_child(void)
{
	int ready[2], end[THREADS][2];

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pipe2(end[i], O_CLOEXEC), 0);
	g.child = fork();
	ck_assert_int_ge(g.child, 0);
	if (g.child == 0) {
		for (int i = 0; i < THREADS; i++) {
			pthread_t t;

			close(end[i][1]);
			if (pthread_create(&t, NULL, waiter, (void *)(intptr_t)end[i][0]) != 0)
				_exit(1);
		}
		close(ready[0]);
		close(ready[1]);
		syscall(SYS_exit, 0); /* the main thread only; the waiters keep the process */
	}
	close(ready[1]);
	for (int i = 0; i < THREADS; i++) {
		close(end[i][0]);
		g.end_fd[i] = end[i][1];
	}
	/* wait until the main thread is gone and both waiters are there */
	for (int k = 0; k < 500; k++) {
		char path[64];
		DIR *d;
		struct dirent *de;
		int n = 0;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)g.child);
		d = opendir(path);
		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && atoi(de->d_name) != g.child && n < THREADS)
				g.tids[n++] = atoi(de->d_name);
		closedir(d);
		if (n == THREADS && leader_zombie(g.child))
			break;
		usleep(10000);
	}
	ck_assert_msg(leader_zombie(g.child), "the child's main thread did not exit");
	ck_assert_int_gt(g.tids[0], 0);
	ck_assert_int_gt(g.tids[1], 0);
	close(ready[0]);
}

static void stop_child(void)
{
	int status;

	for (int i = 0; i < THREADS; i++)
		if (g.end_fd[i] >= 0)
			close(g.end_fd[i]);
	ck_assert_int_eq(waitpid(g.child, &status, 0), g.child);
}

START_TEST(test_mm_thread_ends_mid_scan)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct topology *topo = NULL;
	struct error err = { 0 };
	struct scanner s;
	struct process_report rep;
	struct cxlp_ctx ctx;
	int r;

	ck_assert_msg(topology_read(root, NULL, &topo, &err) == 0, "topology: %s", err.message);
	ctx = (struct cxlp_ctx){
		.root = root,
		.topo = topo,
		.maps_method = PROCMAPS_AUTO,
		.residency_method = RESIDENCY_AUTO,
		.live = true,
		.move_pages = end_thread_then_move_pages,
	};
	memset(&g, 0, sizeof(g));
	start_child();
	ck_assert_int_eq(scanner_init(&s, &ctx, true), 0);
	r = scanner_scan_process(&s, g.child, &rep);
	ck_assert_msg(g.ended, "the scan never asked move_pages about the process's mm thread");
	/* the process is alive (one thread left): it did not vanish */
	ck_assert_msg(!task_gone(g.child, g.tids[0]) || !task_gone(g.child, g.tids[1]),
		      "setup: the process should still have a live thread");
	ck_assert_msg(r == 0,
		      "scan of a live process whose mm thread %d ended: %s (reported as vanished: "
		      "its resident text is neither counted nor moved)",
		      (int)rep.handle.mm_tid, strerror(-r));
	ck_assert_uint_gt(rep.totals.resident, 0);
	process_report_clear(&rep);
	scanner_done(&s);
	stop_child();
	topology_free(topo);
}
END_TEST

/*
 * Without PROCMAP_QUERY (6.1, --maps-method text) a hugetlb mapping's page
 * size comes from smaps.  Real smaps has field lines that start with a hex
 * digit ("Anonymous:", "AnonHugePages:", "FilePmdMapped:"): each block is
 * read as a VMA header.  In the guest (6.1) a 4 MiB hugetlbfs text mapping
 * was then counted as 1024 pages of 4 KiB, migrate moved "1022" pages and
 * exited 3 with 2 EACCES failures although every byte reached node 0
 * (tests/guest/cases/review2-huge-text.sh).
 */
START_TEST(test_smaps_page_sizes_real_shape)
{
	static const char smaps[] =
		"1000-2000 r-xp 00000000 08:01 5 /bin/a\n"
		"Size:                  4 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                   4 kB\n"
		"Pss:                   4 kB\n"
		"Shared_Clean:          0 kB\n"
		"Private_Clean:         4 kB\n"
		"Referenced:            4 kB\n"
		"Anonymous:             0 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"THPeligible:           0\n"
		"VmFlags: rd ex mr mw me\n"
		"7f0000000000-7f0000400000 r-xp 00000000 00:2d 4 /mnt/huge/text\n"
		"Size:               4096 kB\n"
		"KernelPageSize:     2048 kB\n"
		"MMUPageSize:        2048 kB\n"
		"Rss:                   0 kB\n"
		"Anonymous:             0 kB\n"
		"AnonHugePages:         0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:     4096 kB\n"
		"VmFlags: rd ex mr mw me de ht\n";
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	int r;

	ck_assert_int_eq(procmaps_parse("1000-2000 r-xp 00000000 08:01 5 /bin/a\n"
					"7f0000000000-7f0000400000 r-xp 00000000 00:2d 4 "
					"/mnt/huge/text\n",
					true, &list),
			 0);
	ck_assert_uint_eq(list.n, 2);
	r = procmaps_parse_smaps_page_sizes(smaps, &list);
	ck_assert_msg(r == 0,
		      "smaps as the kernel writes it rejected: %s (field lines such as "
		      "\"Anonymous:\" start with a hex digit and are taken for VMA headers)",
		      strerror(-r));
	ck_assert_uint_eq(list.items[0].page_size, 4096);
	ck_assert_uint_eq(list.items[1].page_size, 2 << 20);
}
END_TEST

static Suite *review2_suite(void)
{
	Suite *s = suite_create("review2");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mm_thread_ends_mid_scan);
	tcase_add_test(tc, test_smaps_page_sizes_real_shape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(review2_suite());
}
