/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procinfo.h"
#include "testlib.h"

static char *read_fixture_file(const char *rel)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	char *text = NULL;

	ck_assert_int_eq(sysroot_read_file(root, rel, &text, NULL), 0);
	return text;
}

START_TEST(test_stat_cpu_fixture)
{
	_cleanup_free_ char *stat100 = read_fixture_file("proc/100/stat");
	_cleanup_free_ char *stat200 = read_fixture_file("proc/200/stat");
	int cpu = -1;

	/* comm "(my (weird) app)": fields counted from the last ')' */
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat100, &cpu), 0);
	ck_assert_int_eq(cpu, 3);
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat200, &cpu), 0);
	ck_assert_int_eq(cpu, 1);
}
END_TEST

START_TEST(test_stat_cpu_strings)
{
	/* fields 4..38 after the state; the processor is field 39 */
	static const char tail[] = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 "
				   "25 26 27 28 29 30 31 32 33 34 35 ";
	char stat[512];
	int cpu = -1;

	snprintf(stat, sizeof(stat), "42 (a) b) c) ) S %s17 0 0\n", tail);
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat, &cpu), 0);
	ck_assert_int_eq(cpu, 17);
	snprintf(stat, sizeof(stat), "42 (x) S %s5", tail); /* last field, no newline */
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat, &cpu), 0);
	ck_assert_int_eq(cpu, 5);

	cpu = -7;
	snprintf(stat, sizeof(stat), "42 (x) S %s\n", tail); /* too short */
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat, &cpu), -EINVAL);
	ck_assert_int_eq(procinfo_parse_stat_cpu("42 no parens S 1 2 3", &cpu), -EINVAL);
	snprintf(stat, sizeof(stat), "42 (x) S %sx\n", tail); /* not a number */
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat, &cpu), -EINVAL);
	snprintf(stat, sizeof(stat), "42 (x) S %s-1\n", tail);
	ck_assert_int_eq(procinfo_parse_stat_cpu(stat, &cpu), -EINVAL);
	ck_assert_int_eq(cpu, -7);
}
END_TEST

START_TEST(test_stat_fields)
{
	_cleanup_free_ char *stat100 = read_fixture_file("proc/100/stat");
	_cleanup_free_ char *stat200 = read_fixture_file("proc/200/stat");
	static const char tail[] =
		"4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 "; /* fields 4..21 */
	uint64_t v = 99;
	char state = '?', stat[512];

	ck_assert_int_eq(procinfo_parse_stat_start_time(stat100, &v), 0);
	ck_assert_uint_eq(v, 171220);
	ck_assert_int_eq(procinfo_parse_stat_state(stat100, &state), 0);
	ck_assert_int_eq(state, 'S');
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat200, &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert_int_eq(procinfo_parse_stat_u64(stat200, 20, &v), 0); /* num_threads */
	ck_assert_uint_eq(v, 1);

	/* a comm that looks like fields: counted from the last ')' */
	snprintf(stat, sizeof(stat), "7 (Z 1 2 ) 3) Z %s18446744073709551615 9\n", tail);
	ck_assert_int_eq(procinfo_parse_stat_state(stat, &state), 0);
	ck_assert_int_eq(state, 'Z');
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	v = 99;
	state = '?';
	snprintf(stat, sizeof(stat), "7 (x) Z %s18446744073709551616\n", tail); /* overflows */
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat, &v), -EINVAL);
	snprintf(stat, sizeof(stat), "7 (x) Z %s-5\n", tail);
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat, &v), -EINVAL);
	snprintf(stat, sizeof(stat), "7 (x) Z %s\n", tail); /* too short */
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat, &v), -EINVAL);
	snprintf(stat, sizeof(stat), "7 (x) Z %s12x\n", tail);
	ck_assert_int_eq(procinfo_parse_stat_start_time(stat, &v), -EINVAL);
	ck_assert_int_eq(procinfo_parse_stat_u64("7 (x) Z 1", 2, &v), -EINVAL); /* comm */
	ck_assert_uint_eq(v, 99);
	ck_assert_int_eq(procinfo_parse_stat_state("7 (x) ZZ 1", &state), -EINVAL);
	ck_assert_int_eq(procinfo_parse_stat_state("7 x Z 1", &state), -EINVAL);
	ck_assert_int_eq(procinfo_parse_stat_state("7 (x)", &state), -EINVAL);
	ck_assert_int_eq(state, '?');
}
END_TEST

START_TEST(test_status_field)
{
	_cleanup_free_ char *status = read_fixture_file("proc/100/status");
	char buf[512], tiny[3];

	ck_assert_int_eq(procinfo_parse_status_field(status, "Mems_allowed_list", buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "0-1");
	ck_assert_int_eq(procinfo_parse_status_field(status, "Cpus_allowed_list", buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "0-3");
	ck_assert_int_eq(procinfo_parse_status_field(status, "Threads", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "4");
	ck_assert_int_eq(procinfo_parse_status_field(status, "Name", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "my (weird) app");
	/* a key that is a prefix of another is not that other */
	ck_assert_int_eq(procinfo_parse_status_field(status, "Mems_allowed", buf, sizeof(buf)), 0);
	ck_assert_ptr_eq(strchr(buf, '-'), NULL);
	ck_assert_int_eq(buf[strlen(buf) - 1], '3');
	ck_assert_int_eq(procinfo_parse_status_field(status, "Mems", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(procinfo_parse_status_field(status, "Nope", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(
		procinfo_parse_status_field(status, "Mems_allowed_list", tiny, sizeof(tiny)),
		-ENAMETOOLONG);
	ck_assert_int_eq(procinfo_parse_status_field("", "Threads", buf, sizeof(buf)), -ENOENT);
	/* kernel threads have no Vm* lines */
	{
		_cleanup_free_ char *kstatus = read_fixture_file("proc/200/status");

		ck_assert_int_eq(procinfo_parse_status_field(kstatus, "VmRSS", buf, sizeof(buf)),
				 -ENOENT);
		ck_assert_int_eq(procinfo_parse_status_field(kstatus, "Kthread", buf, sizeof(buf)),
				 0);
		ck_assert_str_eq(buf, "1");
	}
}
END_TEST

START_TEST(test_cgroup)
{
	char buf[512], tiny[4];

	ck_assert_int_eq(procinfo_parse_cgroup("0::/system.slice/x.service\n", buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "/system.slice/x.service");
	ck_assert_int_eq(procinfo_parse_cgroup("0::/\n", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/");
	/* hybrid v1 + v2: only the unified line counts */
	ck_assert_int_eq(procinfo_parse_cgroup("12:cpuset:/\n1:name=systemd:/user.slice/u.scope\n"
					       "0::/user.slice/u.scope\n",
					       buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "/user.slice/u.scope");
	ck_assert_int_eq(procinfo_parse_cgroup("0::/no/newline", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/no/newline");
	/* v1 hosts: name=systemd, else cpuset, when the unified line is only "/" or absent */
	ck_assert_int_eq(procinfo_parse_cgroup("9:name=systemd:/user.slice\n3:cpuset:/c\n0::/\n",
					       buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "/user.slice");
	ck_assert_int_eq(procinfo_parse_cgroup("12:cpuset,cpu:/a\n", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/a");
	ck_assert_int_eq(procinfo_parse_cgroup("12:cpuacct:/a\n0::/\n", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/");
	strcpy(buf, "untouched");
	ck_assert_int_eq(procinfo_parse_cgroup("12:cpuacct:/a\n", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(procinfo_parse_cgroup("", buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(procinfo_parse_cgroup("10::/x\n", buf, sizeof(buf)), -ENOENT);
	ck_assert_str_eq(buf, "untouched");
	ck_assert_int_eq(procinfo_parse_cgroup("0::/long/path\n", tiny, sizeof(tiny)),
			 -ENAMETOOLONG);
}
END_TEST

static const char *const good_pids[] = { "1", "100", "4194304", "2147483647" };
static const pid_t good_values[] = { 1, 100, 4194304, 2147483647 };

START_TEST(test_parse_pid_good)
{
	pid_t pid = 0;

	ck_assert_int_eq(parse_pid(good_pids[_i], &pid), 0);
	ck_assert_int_eq(pid, good_values[_i]);
}
END_TEST

static const char *const bad_pids[] = { "",   "0",  "-1", "12a",  "99999999999", "2147483648",
					" 1", "+1", "1 ", "0x10", "1.0",	 "\n" };

START_TEST(test_parse_pid_bad)
{
	pid_t pid = 77;

	ck_assert_msg(parse_pid(bad_pids[_i], &pid) == -EINVAL, "\"%s\" must be -EINVAL",
		      bad_pids[_i]);
	ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(test_parse_pid_null)
{
	pid_t pid = 77;

	ck_assert_int_eq(parse_pid(NULL, &pid), -EINVAL);
	ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(test_read_fixture)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct procinfo info;
	char buf[64];

	ck_assert_int_eq(procinfo_read(root, 100, &info), 0);
	ck_assert_int_eq(info.pid, 100);
	ck_assert_str_eq(info.comm, "my (weird) app");
	ck_assert_int_eq(info.cpu, 3);
	ck_assert(info.has_mems_allowed);
	ck_assert_str_eq(idset_format(&info.mems_allowed, buf, sizeof(buf)), "0-1");
	ck_assert_str_eq(info.cgroup, ""); /* no proc/100/cgroup in the fixture */
	ck_assert_uint_eq(info.start_time, 171220);
	ck_assert_int_eq(info.state, 'S');
	ck_assert_int_eq(info.tgid, 100);
	ck_assert_int_eq(info.threads, 4);

	ck_assert_int_eq(procinfo_read(root, 200, &info), 0);
	ck_assert_str_eq(info.comm, "khugepaged");
	ck_assert_int_eq(info.cpu, 1);

	ck_assert_int_eq(info.start_time, 31);
	ck_assert_int_eq(info.state, 'S');
	ck_assert_int_eq(info.tgid, 200);
	ck_assert_int_eq(info.threads, 1);

	/* no stat: the process is gone */
	ck_assert_int_eq(procinfo_read(root, 300, &info), -ESRCH);
	ck_assert_int_eq(procinfo_read(root, 12345, &info), -ESRCH);
}
END_TEST

START_TEST(test_read_self)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ char *comm = slurp("proc/self/comm");
	_cleanup_free_ char *cgroup = slurp("proc/self/cgroup");
	_cleanup_free_ char *status = slurp("proc/self/status");
	struct procinfo info;
	char want[512], mems[256], buf[256];

	ck_assert_int_eq(procinfo_read(root, getpid(), &info), 0);
	ck_assert_int_eq(info.pid, getpid());
	comm[strcspn(comm, "\n")] = '\0';
	ck_assert_str_eq(info.comm, comm);
	ck_assert_int_ge(info.cpu, 0);
	ck_assert_int_lt(info.cpu, sysconf(_SC_NPROCESSORS_CONF));
	ck_assert(info.has_mems_allowed);
	/* whatever nodes this machine has: the same set as status says */
	ck_assert_int_eq(
		procinfo_parse_status_field(status, "Mems_allowed_list", mems, sizeof(mems)), 0);
	ck_assert_str_eq(idset_format(&info.mems_allowed, buf, sizeof(buf)), mems);
	ck_assert_int_eq(info.tgid, getpid());
	ck_assert_int_ge(info.threads, 1);
	ck_assert_int_eq(info.state, 'R'); /* reading its own stat, it runs */
	ck_assert_uint_gt(info.start_time, 0);
	if (procinfo_parse_cgroup(cgroup, want, sizeof(want)) == 0)
		ck_assert_str_eq(info.cgroup, want);
	ck_assert_int_eq(info.cgroup[0], '/');
}
END_TEST

/*
 * exec_signature: VmExe and VmLib from status, minflt and majflt from stat;
 * missing status fields (a kernel thread has no mm) are -ENOENT, a malformed
 * value -EINVAL.  Read live, it follows what the process does: a new
 * executable file mapping changes VmLib, faulting in one of its pages
 * changes minflt (exactly, unlike the RSS fields).
 */
START_TEST(test_exec_signature)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	const char *stat = "42 (a b) S 1 42 42 0 -1 4194560 7 0 3 0 0 0 0 0 20 0 1 0 777 "
			   "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 5 0 0 0 0 0\n";
	struct exec_signature sig, before, after, untouched = { 7, 7, 7, 7 };
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/cxlp-sig-XXXXXX";
	volatile const char *p;
	int fd;

	ck_assert_int_eq(
		procinfo_parse_exec_signature(stat, "VmExe:\t  12 kB\nVmLib:\t 3400 kB\n", &sig),
		0);
	ck_assert_uint_eq(sig.vm_exe_kb, 12);
	ck_assert_uint_eq(sig.vm_lib_kb, 3400);
	ck_assert_uint_eq(sig.min_flt, 7);
	ck_assert_uint_eq(sig.maj_flt, 3);
	ck_assert_int_eq(
		procinfo_parse_exec_signature(stat, "Name:\tkthreadd\nThreads:\t1\n", &untouched),
		-ENOENT);
	ck_assert_int_eq(
		procinfo_parse_exec_signature(stat, "VmExe:\t12 kB\nVmLib:\t-1 kB\n", &untouched),
		-EINVAL);
	ck_assert_int_eq(
		procinfo_parse_exec_signature(stat, "VmExe:\t12\nVmLib:\t1 kB\n", &untouched),
		-EINVAL);
	ck_assert_int_eq(procinfo_parse_exec_signature("42 (x) S 1\n",
						       "VmExe:\t1 kB\nVmLib:\t1 kB\n", &untouched),
			 -EINVAL);
	ck_assert_uint_eq(untouched.vm_exe_kb, 7);
	ck_assert_int_eq(procinfo_read_exec_signature(root, 999999999, &untouched), -ESRCH);
	/* pid 2 is kthreadd where there is a kernel; in a pid namespace it may be anything */
	if (procinfo_read_exec_signature(root, 2, &untouched) != -ENOENT)
		printf("NOTE test_exec_signature: pid 2 is not a kernel thread here\n");

	/* live: a new executable mapping of a file, then one of its pages faulted in */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	/* data, not a hole: a tmpfs hole may fault in as the shared zero page */
	for (size_t i = 0; i < 64; i++) {
		char page[65536] = { 1 };

		ck_assert_uint_le(pg, sizeof(page));
		ck_assert_int_eq(write(fd, page, pg), (ssize_t)pg);
	}
	ck_assert_int_eq(procinfo_read_exec_signature(root, getpid(), &before), 0);
	p = mmap(NULL, 64 * pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ck_assert(p != MAP_FAILED);
	ck_assert_int_eq(procinfo_read_exec_signature(root, getpid(), &after), 0);
	ck_assert_uint_eq(after.vm_lib_kb, before.vm_lib_kb + 64 * pg / 1024);
	before = after;
	(void)p[40 * pg];
	ck_assert_int_eq(procinfo_read_exec_signature(root, getpid(), &after), 0);
	ck_assert_uint_gt(after.min_flt + after.maj_flt, before.min_flt + before.maj_flt);
	munmap((void *)p, 64 * pg);
	/* an idle process (reading our own status faults in our own buffers): the same twice */
	{
		pid_t child = fork();

		ck_assert_int_ge(child, 0);
		if (child == 0) {
			for (;;)
				pause();
		}
		usleep(100 * 1000);
		ck_assert_int_eq(procinfo_read_exec_signature(root, child, &before), 0);
		usleep(100 * 1000);
		ck_assert_int_eq(procinfo_read_exec_signature(root, child, &after), 0);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		ck_assert_int_eq(memcmp(&before, &after, sizeof(after)), 0);
	}
	close(fd);
	unlink(path);
}
END_TEST

START_TEST(test_read_at_fixture)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_close_ int fd = sysroot_openat(root, "proc/100", O_RDONLY | O_DIRECTORY);
	_cleanup_close_ int fd300 = sysroot_openat(root, "proc/300", O_RDONLY | O_DIRECTORY);
	struct procinfo info = { .pid = 5 };

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(procinfo_read_at(fd, 100, &info), 0);
	ck_assert_int_eq(info.pid, 100);
	ck_assert_str_eq(info.comm, "my (weird) app");
	ck_assert_uint_eq(info.start_time, 171220);
	ck_assert_int_eq(info.threads, 4);
	/* no stat in proc/300: gone, and @ret untouched */
	ck_assert_int_ge(fd300, 0);
	info.pid = 5;
	ck_assert_int_eq(procinfo_read_at(fd300, 300, &info), -ESRCH);
	ck_assert_int_eq(info.pid, 5);
}
END_TEST

/* Start time through a dirfd, across fork: a child starts later; reaped, it is gone. */
START_TEST(test_read_at_child)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct procinfo self, child_info, again;
	_cleanup_close_ int fd = -1;
	char rel[64];
	int status;
	pid_t child;

	ck_assert_int_eq(procinfo_read(root, getpid(), &self), 0);
	usleep(20000); /* > 1 clock tick */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(rel, sizeof(rel), "proc/%d", (int)child);
	fd = sysroot_openat(root, rel, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(procinfo_read_at(fd, child, &child_info), 0);
	ck_assert_int_eq(child_info.tgid, child);
	ck_assert_uint_gt(child_info.start_time, self.start_time);
	ck_assert_int_eq(procinfo_read_at(fd, child, &again), 0);
	ck_assert_uint_eq(again.start_time, child_info.start_time);
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	/* the dirfd names the reaped process: gone, whatever reuses the pid */
	ck_assert_int_eq(procinfo_read_at(fd, child, &again), -ESRCH);
}
END_TEST

START_TEST(test_proclist_fixture)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(sysroot_freep) struct sysroot *laptop = open_fixture("laptop");
	_cleanup_free_ pid_t *pids = NULL;
	pid_t *none = NULL;
	size_t n = 0;

	ck_assert_int_eq(proclist_all(root, &pids, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(pids[0], 100);
	ck_assert_int_eq(pids[1], 200);
	ck_assert_int_eq(pids[2], 300);
	ck_assert_int_eq(pids[3], 400); /* its thread 401 is below task/ only */
	ck_assert_int_eq(proclist_all(laptop, &none, &n), -ENOENT); /* no proc/ at all */
	ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_proclist_real)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	bool self = false;

	ck_assert_int_eq(proclist_all(root, &pids, &n), 0);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_gt(pids[i], 0);
		if (i > 0)
			ck_assert_int_lt(pids[i - 1], pids[i]);
		if (pids[i] == getpid())
			self = true;
	}
	ck_assert(self);
}
END_TEST

START_TEST(test_pid_compare)
{
	pid_t v[] = { 30, 2, 2147483647, 1, 2 };

	qsort(v, 5, sizeof(v[0]), pid_compare);
	ck_assert_int_eq(v[0], 1);
	ck_assert_int_eq(v[1], 2);
	ck_assert_int_eq(v[2], 2);
	ck_assert_int_eq(v[3], 30);
	ck_assert_int_eq(v[4], 2147483647);
	ck_assert_int_eq(pid_compare(&v[1], &v[2]), 0);
	ck_assert_int_lt(pid_compare(&v[0], &v[4]), 0);
	ck_assert_int_gt(pid_compare(&v[4], &v[0]), 0);
}
END_TEST

/* procinfo_from_text(): the name from stat when no comm text, unknown fields without texts. */
START_TEST(test_from_text)
{
	const char *stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 777 "
			   "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 5 0 0 0 0 0\n";
	const char *status = "Name:\tx\nTgid:\t42\nThreads:\t3\nMems_allowed_list:\t0-1\n";
	struct procinfo info, untouched = { .pid = 9 };

	ck_assert_int_eq(procinfo_from_text(42, stat, NULL, status, "0::/a.slice/b\n", &info), 0);
	ck_assert_str_eq(info.comm, "a) b (c");
	ck_assert_int_eq(info.cpu, 5);
	ck_assert_int_eq(info.state, 'S');
	ck_assert_uint_eq(info.start_time, 777);
	ck_assert_int_eq(info.tgid, 42);
	ck_assert_int_eq(info.threads, 3);
	ck_assert(info.has_mems_allowed);
	ck_assert_str_eq(info.cgroup, "/a.slice/b");
	/* a comm text wins over stat's; no status or cgroup: unknown */
	ck_assert_int_eq(procinfo_from_text(42, stat, "other\n", NULL, NULL, &info), 0);
	ck_assert_str_eq(info.comm, "other");
	ck_assert_int_eq(info.tgid, 0);
	ck_assert(!info.has_mems_allowed);
	ck_assert_str_eq(info.cgroup, "");
	/* an empty stat: the task went away while it was read */
	ck_assert_int_eq(procinfo_from_text(42, "", NULL, NULL, NULL, &untouched), -ESRCH);
	ck_assert_int_eq(untouched.pid, 9);
}
END_TEST

static Suite *procinfo_suite(void)
{
	Suite *s = suite_create("procinfo");
	TCase *parse = tcase_create("parse");
	TCase *read = tcase_create("read");

	tcase_add_test(parse, test_stat_cpu_fixture);
	tcase_add_test(parse, test_stat_cpu_strings);
	tcase_add_test(parse, test_stat_fields);
	tcase_add_test(parse, test_from_text);
	tcase_add_test(parse, test_status_field);
	tcase_add_test(parse, test_cgroup);
	tcase_add_loop_test(parse, test_parse_pid_good, 0,
			    (int)(sizeof(good_pids) / sizeof(good_pids[0])));
	tcase_add_loop_test(parse, test_parse_pid_bad, 0,
			    (int)(sizeof(bad_pids) / sizeof(bad_pids[0])));
	tcase_add_test(parse, test_parse_pid_null);
	tcase_add_test(parse, test_pid_compare);
	suite_add_tcase(s, parse);

	tcase_add_test(read, test_read_fixture);
	tcase_add_test(read, test_read_self);
	tcase_add_test(read, test_exec_signature);
	tcase_add_test(read, test_read_at_fixture);
	tcase_add_test(read, test_read_at_child);
	tcase_add_test(read, test_proclist_fixture);
	tcase_add_test(read, test_proclist_real);
	suite_add_tcase(s, read);
	return s;
}

int main(void)
{
	return run_suite(procinfo_suite());
}
