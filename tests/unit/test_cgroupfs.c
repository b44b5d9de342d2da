/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
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

START_TEST(test_members_real_self)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ char *text = slurp("proc/self/cgroup");
	_cleanup_free_ pid_t *pids = NULL;
	struct error err = { 0 };
	char path[512];
	size_t n = 0;
	bool self = false;
	int r;

	/* v2: the unified path; v1 (this may be a hybrid host): the cpuset one */
	if (sysroot_exists(root, "sys/fs/cgroup/cgroup.controllers") && strstr(text, "0::/"))
		ck_assert_int_eq(sscanf(strstr(text, "0::/"), "0::%511s", path), 1);
	else if (strstr(text, ":cpuset:/"))
		ck_assert_int_eq(sscanf(strstr(text, ":cpuset:/"), ":cpuset:%511s", path), 1);
	else {
		printf("SKIP test_members_real_self: neither cgroup v2 nor a v1 cpuset "
		       "hierarchy\n");
		return;
	}
	r = cgroupfs_members(root, path, &pids, &n, &err);
	if (r == -ENOENT) {
		printf("SKIP test_members_real_self: %s not visible here (%s)\n", path,
		       err.message);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", path, err.message);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == getpid())
			self = true;
	ck_assert_msg(self, "pid %d not among the %zu members of %s", (int)getpid(), n, path);
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
	tcase_add_test(members, test_members_real_self);
	suite_add_tcase(s, members);
	return s;
}

int main(void)
{
	return run_suite(cgroupfs_suite());
}
