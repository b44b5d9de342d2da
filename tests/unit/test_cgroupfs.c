/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <string.h>

#include "cgroupfs.h"
#include "testlib.h"

static const char *const spellings[] = {
	"test.slice", "/test.slice", "/sys/fs/cgroup/test.slice", "test.slice/", "//test.slice",
};

START_TEST(test_resolve_spellings)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct error err = { 0 };
	char buf[256];

	ck_assert_int_eq(cgroupfs_resolve(root, spellings[_i], buf, sizeof(buf), &err), 0);
	/* "test.slice/" may keep its slash; the directory is the same */
	ck_assert_msg(strcmp(buf, "sys/fs/cgroup/test.slice") == 0 ||
			      strcmp(buf, "sys/fs/cgroup/test.slice/") == 0,
		      "%s -> %s", spellings[_i], buf);
	ck_assert_int_eq(err.code, 0);
}
END_TEST

START_TEST(test_resolve_nested)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	char buf[256];

	ck_assert_int_eq(cgroupfs_resolve(root, "/sys/fs/cgroup/test.slice/app.service", buf,
					  sizeof(buf), NULL),
			 0);
	ck_assert_str_eq(buf, "sys/fs/cgroup/test.slice/app.service");
	ck_assert_int_eq(cgroupfs_resolve(root, "test.slice/app.service", buf, sizeof(buf), NULL),
			 0);
	ck_assert_str_eq(buf, "sys/fs/cgroup/test.slice/app.service");
	/* does not fit */
	ck_assert_int_eq(cgroupfs_resolve(root, "test.slice/app.service", buf, 20, NULL),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(test_resolve_unknown)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct error err = { 0 };
	char buf[256];

	ck_assert_int_eq(cgroupfs_resolve(root, "nope.slice", buf, sizeof(buf), &err), -ENOENT);
	ck_assert_int_eq(err.code, -ENOENT);
	ck_assert_msg(strstr(err.message, "\"nope.slice\"") && strstr(err.message, "not found") &&
			      strstr(err.message, root->path),
		      "message: %s", err.message);
	/* a directory without cgroup.procs is no cgroup */
	ck_assert_int_eq(cgroupfs_resolve(root, "/sys/fs", buf, sizeof(buf), NULL), -ENOENT);
	ck_assert_int_eq(cgroupfs_resolve(root, "app.service", buf, sizeof(buf), NULL), -ENOENT);
}
END_TEST

static const char *const dotdot[] = {
	"..", "../etc", "test.slice/../test.slice", "/sys/fs/cgroup/../../proc", "test.slice/..",
};

START_TEST(test_resolve_dotdot)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	struct error err = { 0 };
	char buf[256];

	ck_assert_int_eq(cgroupfs_resolve(root, dotdot[_i], buf, sizeof(buf), &err), -EINVAL);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_msg(strstr(err.message, "..") && strstr(err.message, dotdot[_i]), "message: %s",
		      err.message);
}
END_TEST

START_TEST(test_parse_procs)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, cap = 0;

	ck_assert_int_eq(cgroupfs_parse_procs("100\n200\n", &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pids[0], 100);
	ck_assert_int_eq(pids[1], 200);
	/* appends; blank lines and a missing final newline are fine */
	ck_assert_int_eq(cgroupfs_parse_procs("\n7\n\n8", &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(pids[2], 7);
	ck_assert_int_eq(pids[3], 8);
	ck_assert_int_eq(cgroupfs_parse_procs("", &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_ge(cap, n);

	ck_assert_int_eq(cgroupfs_parse_procs("abc\n", &pids, &n, &cap), -EINVAL);
	ck_assert_int_eq(cgroupfs_parse_procs("0\n", &pids, &n, &cap), -EINVAL);
	ck_assert_int_eq(cgroupfs_parse_procs("-5\n", &pids, &n, &cap), -EINVAL);
	ck_assert_int_eq(cgroupfs_parse_procs("12 13\n", &pids, &n, &cap), -EINVAL);
	ck_assert_int_eq(
		cgroupfs_parse_procs("1111111111111111111111111111111111111\n", &pids, &n, &cap),
		-EINVAL);
	ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(test_parse_procs_many)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *text = NULL;
	size_t n = 0, cap = 0, len = 0;

	text = malloc(1000 * 8);
	ck_assert_ptr_nonnull(text);
	for (int i = 1; i <= 1000; i++)
		len += (size_t)sprintf(text + len, "%d\n", i);
	ck_assert_int_eq(cgroupfs_parse_procs(text, &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 1000);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pids[i], (pid_t)i + 1);
}
END_TEST

static void assert_members(const struct sysroot *root, const char *cgroup, const pid_t *want,
			   size_t n_want)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 0;
	int r = cgroupfs_members(root, cgroup, &pids, &n, &err);

	ck_assert_msg(r == 0, "%s: %d %s", cgroup, r, err.message);
	ck_assert_uint_eq(n, n_want);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pids[i], want[i]);
}

START_TEST(test_members_fixture)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	static const pid_t both[] = { 100, 200 };

	/* test.slice's own cgroup.procs is empty: its members come from app.service */
	assert_members(root, "test.slice", both, 2);
	assert_members(root, "/sys/fs/cgroup/test.slice", both, 2);
	assert_members(root, "test.slice/app.service", both, 2);
}
END_TEST

START_TEST(test_members_recursive_sorted_unique)
{
	static const pid_t want[] = { 5, 100, 200, 300, 400 };
	char *dir = fixture_copy("procs");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);

	write_file(dir, "sys/fs/cgroup/test.slice/cgroup.procs", "300\n100\n");
	write_file(dir, "sys/fs/cgroup/test.slice/b.service/cgroup.procs", "5\n");
	write_file(dir, "sys/fs/cgroup/test.slice/b.service/deep/cgroup.procs", "400\n200\n");
	/* a directory without cgroup.procs is skipped, not an error */
	write_file(dir, "sys/fs/cgroup/test.slice/b.service/notes/readme", "x\n");
	assert_members(root, "test.slice", want, 5);
	remove_tree(dir);
}
END_TEST

START_TEST(test_members_errors)
{
	char *dir = fixture_copy("procs");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 99;

	ck_assert_int_eq(cgroupfs_members(root, "missing.slice", &pids, &n, &err), -ENOENT);
	ck_assert_ptr_null(pids);
	ck_assert_uint_eq(n, 99);
	ck_assert_msg(strstr(err.message, "missing.slice"), "message: %s", err.message);

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cgroupfs_members(root, "../proc", &pids, &n, &err), -EINVAL);
	ck_assert_ptr_null(pids);

	/* a corrupt cgroup.procs below the cgroup: the error names the cgroup */
	write_file(dir, "sys/fs/cgroup/test.slice/app.service/cgroup.procs", "100\nabc\n");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(cgroupfs_members(root, "test.slice", &pids, &n, &err), -EINVAL);
	ck_assert_ptr_null(pids);
	ck_assert_msg(strstr(err.message, "test.slice"), "message: %s", err.message);
	remove_tree(dir);
}
END_TEST

/* Set by main() when this host shows our own cgroup (else the test is not registered). */
static char self_cgroup[512];

START_TEST(test_members_real_self)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 0;
	bool self = false;
	int r;

	r = cgroupfs_members(root, self_cgroup, &pids, &n, &err);
	ck_assert_msg(r == 0, "%s: %s", self_cgroup, err.message);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == getpid())
			self = true;
	ck_assert_msg(self, "pid %d not among the %zu members of %s", (int)getpid(), n,
		      self_cgroup);
}
END_TEST

/* Stand-in reader: a threaded cgroup "worker" whose cgroup.procs fails as the kernel's does. */
static int read_threaded_worker(const struct sysroot *root, const char *relpath, char **ret_buf,
				size_t *ret_len)
{
	const char *tail = "/worker/cgroup.procs";
	size_t len = strlen(relpath);

	if (len >= strlen(tail) && strcmp(relpath + len - strlen(tail), tail) == 0)
		return -EOPNOTSUPP;
	return sysroot_read_file(root, relpath, ret_buf, ret_len);
}

static void assert_members_with(const struct sysroot *root, const char *cgroup,
				cgroupfs_read_fn read_file, const pid_t *want, size_t n_want)
{
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 0;
	int r = cgroupfs_members_with(root, cgroup, read_file, &pids, &n, &err);

	ck_assert_msg(r == 0, "%s: %d %s", cgroup, r, err.message);
	ck_assert_uint_eq(n, n_want);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pids[i], want[i]);
}

/* Issue 7 item 7: a threaded cgroup below the target no longer aborts the walk. */
START_TEST(test_members_threaded_injected)
{
	static const pid_t all[] = { 100, 200, 400 };
	static const pid_t worker[] = { 400 };
	static const pid_t plain[] = { 100, 200, 999 };
	char *dir = fixture_copy("procs");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 0;

	/* threads 401 and 403 of process 400; 402 has exited since cgroup.threads was read */
	write_file(dir, "sys/fs/cgroup/test.slice/worker/cgroup.procs", "999\n");
	write_file(dir, "sys/fs/cgroup/test.slice/worker/cgroup.threads", "401\n402\n403\n");
	write_file(dir, "proc/401/status", "Name:\tworker\nTgid:\t400\nPid:\t401\n");
	write_file(dir, "proc/403/status", "Name:\tworker\nTgid:\t400\nPid:\t403\n");
	assert_members_with(root, "test.slice", read_threaded_worker, all, 3);
	assert_members_with(root, "test.slice/worker", read_threaded_worker, worker, 1);
	/* the same tree read plainly: worker's cgroup.procs is used as it is */
	assert_members_with(root, "test.slice", NULL, plain, 3);

	/* a broken cgroup.threads: the message names it */
	write_file(dir, "sys/fs/cgroup/test.slice/worker/cgroup.threads", "401\nabc\n");
	ck_assert_int_eq(
		cgroupfs_members_with(root, "test.slice", read_threaded_worker, &pids, &n, &err),
		-EINVAL);
	ck_assert_ptr_null(pids);
	ck_assert_msg(strstr(err.message, "test.slice/worker/cgroup.threads") &&
			      strstr(err.message, "expected one thread id a line"),
		      "message: %s", err.message);
	/* a thread whose status has no Tgid */
	write_file(dir, "sys/fs/cgroup/test.slice/worker/cgroup.threads", "401\n");
	write_file(dir, "proc/401/status", "Name:\tworker\n");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(
		cgroupfs_members_with(root, "test.slice", read_threaded_worker, &pids, &n, &err),
		-EINVAL);
	ck_assert_msg(strstr(err.message, "Tgid"), "message: %s", err.message);
	/* no cgroup.threads either: removed meanwhile, not an error */
	remove_file(dir, "sys/fs/cgroup/test.slice/worker/cgroup.threads");
	assert_members_with(root, "test.slice", read_threaded_worker, all, 2);
	remove_tree(dir);
}
END_TEST

/* Any other read failure still fails the walk, naming the file. */
static int read_eio_worker(const struct sysroot *root, const char *relpath, char **ret_buf,
			   size_t *ret_len)
{
	if (strstr(relpath, "app.service/cgroup.procs"))
		return -EIO;
	return sysroot_read_file(root, relpath, ret_buf, ret_len);
}

START_TEST(test_members_other_errors_fail)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	pid_t *pids = NULL;
	struct error err = { 0 };
	size_t n = 0;

	ck_assert_int_eq(
		cgroupfs_members_with(root, "test.slice", read_eio_worker, &pids, &n, &err), -EIO);
	ck_assert_ptr_null(pids);
	ck_assert_msg(strstr(err.message, "test.slice/app.service/cgroup.procs") &&
			      strstr(err.message, strerror(EIO)),
		      "message: %s", err.message);
}
END_TEST

START_TEST(test_threads_tgids)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ pid_t *pids = NULL;
	static const pid_t tids[] = { 100, 4242, 200 };
	size_t n = 0, cap = 0;

	/* 4242 is gone: skipped */
	ck_assert_int_eq(cgroupfs_threads_tgids(root, tids, 3, &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pids[0], 100);
	ck_assert_int_eq(pids[1], 200);
}
END_TEST

/* A real cgroup v2 threaded subtree (main() found one we may create). */
static char v2_mount[64];
/* Its names, fixed by main() so the teardown in the runner process knows them. */
static char threaded_rel[64], threaded_base[256], threaded_sub[300];

/*
 * Unchecked teardown: runs in the runner even when the test failed half
 * way (Check kills the test's process group, so the cgroups empty).
 */
static void threaded_teardown(void)
{
	for (int i = 0; i < 100 && rmdir(threaded_sub) < 0 && errno != ENOENT; i++)
		usleep(10000);
	for (int i = 0; i < 100 && rmdir(threaded_base) < 0 && errno != ENOENT; i++)
		usleep(10000);
}

static void write_cgroup_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, text, (size_t)len) == len, "write \"%s\" to %s: %s", text, path,
		      strerror(errno));
	close(fd);
}

static void *thread_sleeper(void *arg)
{
	int *pipe_w = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (write(*pipe_w, &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

START_TEST(test_members_threaded_real)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	const char *rel = threaded_rel, *base = threaded_base, *sub = threaded_sub;
	char path[400], text[32];
	int p[2], status;
	bool found = false;
	size_t n = 0;
	pid_t child, tid = 0;

	ck_assert_msg(mkdir(base, 0755) == 0, "mkdir %s: %s", base, strerror(errno));
	ck_assert_msg(mkdir(sub, 0755) == 0, "mkdir %s: %s", sub, strerror(errno));
	snprintf(path, sizeof(path), "%s/cgroup.type", sub);
	write_cgroup_file(path, "threaded");

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		pthread_t thread;

		if (pthread_create(&thread, NULL, thread_sleeper, &p[1]) != 0)
			_exit(1);
		for (;;)
			pause();
	}
	ck_assert_int_eq(read(p[0], &tid, sizeof(tid)), sizeof(tid));
	close(p[0]);
	close(p[1]);
	snprintf(path, sizeof(path), "%s/cgroup.procs", base);
	snprintf(text, sizeof(text), "%d", (int)child);
	write_cgroup_file(path, text);
	snprintf(path, sizeof(path), "%s/cgroup.threads", sub);
	snprintf(text, sizeof(text), "%d", (int)tid);
	write_cgroup_file(path, text);

	/* the threaded cgroup itself: its cgroup.procs fails with EOPNOTSUPP */
	snprintf(path, sizeof(path), "%s/t", rel);
	ck_assert_msg(cgroupfs_members(root, path, &pids, &n, &err) == 0, "%s: %s", path,
		      err.message);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pids[0], child);
	free(pids);
	pids = NULL;
	/* the thread root and its threaded child */
	ck_assert_msg(cgroupfs_members(root, rel, &pids, &n, &err) == 0, "%s: %s", rel,
		      err.message);
	for (size_t i = 0; i < n; i++)
		found |= pids[i] == child;
	ck_assert_msg(found, "%d not among the %zu members of %s", (int)child, n, rel);

	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	threaded_teardown();
	ck_assert_msg(access(base, F_OK) < 0, "%s left behind", base);
}
END_TEST

static Suite *cgroupfs_suite(void)
{
	Suite *s = suite_create("cgroupfs");
	TCase *resolve = tcase_create("resolve");
	TCase *members = tcase_create("members");

	tcase_add_loop_test(resolve, test_resolve_spellings, 0,
			    (int)(sizeof(spellings) / sizeof(spellings[0])));
	tcase_add_test(resolve, test_resolve_nested);
	tcase_add_test(resolve, test_resolve_unknown);
	tcase_add_loop_test(resolve, test_resolve_dotdot, 0,
			    (int)(sizeof(dotdot) / sizeof(dotdot[0])));
	suite_add_tcase(s, resolve);

	tcase_add_test(members, test_parse_procs);
	tcase_add_test(members, test_parse_procs_many);
	tcase_add_test(members, test_members_fixture);
	tcase_add_test(members, test_members_recursive_sorted_unique);
	tcase_add_test(members, test_members_errors);
	tcase_add_test(members, test_members_threaded_injected);
	tcase_add_test(members, test_members_other_errors_fail);
	tcase_add_test(members, test_threads_tgids);
	if (self_cgroup[0])
		tcase_add_test(members, test_members_real_self);
	suite_add_tcase(s, members);
	if (v2_mount[0]) {
		TCase *threaded = tcase_create("threaded");

		snprintf(threaded_rel, sizeof(threaded_rel), "cxlpolicy-unit-%d", (int)getpid());
		snprintf(threaded_base, sizeof(threaded_base), "%s/%s", v2_mount, threaded_rel);
		snprintf(threaded_sub, sizeof(threaded_sub), "%s/t", threaded_base);
		tcase_add_unchecked_fixture(threaded, NULL, threaded_teardown);
		tcase_add_test(threaded, test_members_threaded_real);
		suite_add_tcase(s, threaded);
	}
	return s;
}

/*
 * Our own cgroup, when this host shows it below /sys/fs/cgroup: v2 the
 * unified path, v1 (or hybrid) the cpuset one.  Else a loud SKIP.
 */
static void probe_self_cgroup(void)
{
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;
	_cleanup_free_ char *text = NULL;
	char buf[512], path[512];
	struct error err = { 0 };
	const char *at;

	if (sysroot_open("/", &root) < 0 ||
	    sysroot_read_file(root, "proc/self/cgroup", &text, NULL) < 0) {
		printf("SKIP test_members_real_self: cannot read /proc/self/cgroup\n");
		return;
	}
	if (sysroot_exists(root, "sys/fs/cgroup/cgroup.controllers") && (at = strstr(text, "0::/")))
		sscanf(at, "0::%511s", path);
	else if ((at = strstr(text, ":cpuset:/")))
		sscanf(at, ":cpuset:%511s", path);
	else {
		printf("SKIP test_members_real_self: neither cgroup v2 nor a v1 cpuset "
		       "hierarchy\n");
		return;
	}
	if (cgroupfs_resolve(root, path, buf, sizeof(buf), &err) < 0) {
		printf("SKIP test_members_real_self: %s not visible here (%s)\n", path,
		       err.message);
		return;
	}
	snprintf(self_cgroup, sizeof(self_cgroup), "%s", path);
}

/* A cgroup v2 hierarchy where we may create a threaded subtree; else a loud SKIP. */
static void probe_threaded(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char base[128], sub[160], type[192],
		why[256] = "no cgroup v2 hierarchy at /sys/fs/cgroup "
			   "or /sys/fs/cgroup/unified";

	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		char threads[128];
		int fd;

		snprintf(threads, sizeof(threads), "%s/cgroup.threads", mounts[i]);
		if (access(threads, F_OK) < 0)
			continue;
		snprintf(base, sizeof(base), "%s/cxlpolicy-probe-%d", mounts[i], (int)getpid());
		snprintf(sub, sizeof(sub), "%s/t", base);
		snprintf(type, sizeof(type), "%s/cgroup.type", sub);
		if (mkdir(base, 0755) < 0) {
			snprintf(why, sizeof(why), "cannot create a cgroup in %s (%s)", mounts[i],
				 strerror(errno));
			continue;
		}
		if (mkdir(sub, 0755) == 0) {
			fd = open(type, O_WRONLY | O_CLOEXEC);
			if (fd >= 0 && write(fd, "threaded", 8) == 8)
				snprintf(v2_mount, sizeof(v2_mount), "%s", mounts[i]);
			else
				snprintf(why, sizeof(why),
					 "cannot make a threaded cgroup in %s (%s)", mounts[i],
					 strerror(errno));
			if (fd >= 0)
				close(fd);
			rmdir(sub);
		}
		rmdir(base);
		if (v2_mount[0])
			return;
	}
	printf("SKIP test_members_threaded_real: %s\n", why);
}

int main(void)
{
	probe_self_cgroup();
	probe_threaded();
	fflush(stdout); /* before Check forks: else each child repeats it */
	return run_suite(cgroupfs_suite());
}
