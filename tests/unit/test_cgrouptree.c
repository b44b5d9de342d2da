/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cgrouptree.h"
#include "testlib.h"

#define V2 "sys/fs/cgroup"

static void check_list(char **paths, size_t n, const char *const *want, size_t n_want)
{
	ck_assert_uint_eq(n, n_want);
	for (size_t i = 0; i < n_want; i++)
		ck_assert_msg(strcmp(paths[i], want[i]) == 0, "[%zu] = \"%s\", expected \"%s\"", i,
			      paths[i], want[i]);
	ck_assert_ptr_null(paths[n]);
}

/* pre-order, children sorted by byte order ("Zed" < "init"), files left out */
static const char *const whole_v2[] = {
	"",
	"Zed.slice",
	"init.scope",
	"system.slice",
	"system.slice/cron.service",
	"web.slice",
	"web.slice/api.service",
	"web.slice/api.service/worker",
	"web.slice/app.service",
};

START_TEST(test_list_whole)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	char **paths = NULL;
	size_t n = 0;
	struct error err = { 0 };

	ck_assert_int_eq(cgrouptree_list(root, V2, "", &paths, &n, &err), 0);
	check_list(paths, n, whole_v2, ARRAY_SIZE(whole_v2));
	cgrouptree_free(paths);
}
END_TEST

START_TEST(test_list_subtree)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	static const char *const want[] = { "web.slice", "web.slice/api.service",
					    "web.slice/api.service/worker",
					    "web.slice/app.service" };
	static const char *const leaf[] = { "web.slice/api.service/worker" };
	char **paths = NULL;
	size_t n = 0;

	ck_assert_int_eq(cgrouptree_list(root, V2, "web.slice", &paths, &n, NULL), 0);
	check_list(paths, n, want, ARRAY_SIZE(want));
	cgrouptree_free(paths);
	ck_assert_int_eq(
		cgrouptree_list(root, V2, "web.slice/api.service/worker", &paths, &n, NULL), 0);
	check_list(paths, n, leaf, 1);
	cgrouptree_free(paths);
}
END_TEST

START_TEST(test_list_hybrid_and_v1)
{
	_cleanup_(sysroot_freep) struct sysroot *hybrid = open_fixture("cgroup-hybrid");
	_cleanup_(sysroot_freep) struct sysroot *v1 = open_fixture("cgroup-v1");
	static const char *const unified[] = { "", "batch.slice", "system.slice",
					       "system.slice/cron.service" };
	static const char *const cpuset[] = { "", "docker", "docker/abc123" };
	char **paths = NULL;
	size_t n = 0;

	ck_assert_int_eq(cgrouptree_list(hybrid, V2 "/unified", "", &paths, &n, NULL), 0);
	check_list(paths, n, unified, ARRAY_SIZE(unified));
	cgrouptree_free(paths);
	ck_assert_int_eq(cgrouptree_list(v1, V2 "/cpuset", "", &paths, &n, NULL), 0);
	check_list(paths, n, cpuset, ARRAY_SIZE(cpuset));
	cgrouptree_free(paths);
}
END_TEST

START_TEST(test_list_errors)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	char **paths = (char **)0x1;
	size_t n = 77;
	struct error err = { 0 };

	ck_assert_int_eq(cgrouptree_list(root, V2, "nope.slice", &paths, &n, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "nope.slice") && strstr(err.message, "no such cgroup"),
		      "message: %s", err.message);
	err = (struct error){ 0 };
	ck_assert_int_eq(cgrouptree_list(root, V2, "/web.slice", &paths, &n, &err), -EINVAL);
	ck_assert_int_eq(cgrouptree_list(root, V2, "web.slice/..", &paths, &n, &err), -EINVAL);
	ck_assert_int_eq(cgrouptree_list(root, V2, "web.slice//app.service", &paths, &n, &err),
			 -EINVAL);
	/* a file is not a cgroup */
	ck_assert_int_eq(cgrouptree_list(root, V2, "cgroup.procs", &paths, &n, &err), -ENOTDIR);
	ck_assert_ptr_eq(paths, (char **)0x1);
	ck_assert_uint_eq(n, 77);
}
END_TEST

/* A test opener: the child named @userdata fails with the errno in vanish_errno. */
static int vanish_errno;

static int vanishing_open(int dirfd, const char *name, void *userdata)
{
	int fd;

	if (strcmp(name, (const char *)userdata) == 0)
		return -vanish_errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A directory removed between readdir() and opening it is skipped with its subtree. */
START_TEST(test_list_vanishing)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	static const char *const want[] = { "",
					    "Zed.slice",
					    "init.scope",
					    "system.slice",
					    "system.slice/cron.service",
					    "web.slice",
					    "web.slice/app.service" };
	struct cgrouptree_options opts = { .open_child = vanishing_open,
					   .userdata = (void *)"api.service" };
	char **paths = NULL;
	size_t n = 0;
	struct error err = { 0 };

	vanish_errno = ENOENT;
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "", &opts, &paths, &n, &err), 0);
	check_list(paths, n, want, ARRAY_SIZE(want));
	cgrouptree_free(paths);

	/* any other error stops the walk and names the directory */
	vanish_errno = EACCES;
	paths = NULL;
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "", &opts, &paths, &n, &err), -EACCES);
	ck_assert_ptr_null(paths);
	ck_assert_msg(strstr(err.message, "web.slice/api.service") &&
			      strstr(err.message, strerror(EACCES)),
		      "message: %s", err.message);
}
END_TEST

/* Really removed: a directory that is gone when the walk reaches it (rmdir mid-walk). */
static int removing_open(int dirfd, const char *name, void *userdata)
{
	const char *victim = userdata;

	if (strcmp(name, "app.service") == 0)
		ck_assert_int_eq(unlinkat(dirfd, victim, AT_REMOVEDIR), 0);
	return vanishing_open(dirfd, name, (void *)"");
}

START_TEST(test_list_removed_for_real)
{
	char *dir = fixture_copy("cgroup-v2");
	char path[PATH_MAX];
	struct sysroot *root;
	struct cgrouptree_options opts = { .open_child = removing_open,
					   .userdata = (void *)"zz.service" };
	char **paths = NULL;
	size_t n = 0;

	/* an empty directory after app.service in the same parent */
	snprintf(path, sizeof(path), "%s/" V2 "/web.slice/zz.service", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	root = open_root(dir);
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "web.slice", &opts, &paths, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(paths[3], "web.slice/app.service");
	cgrouptree_free(paths);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_list_bounds)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	struct cgrouptree_options opts = { .max_depth = 1 };
	char **paths = NULL;
	size_t n = 0;
	struct error err = { 0 };

	/* web.slice/api.service has a child two levels below web.slice */
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "web.slice", &opts, &paths, &n, &err),
			 -ELOOP);
	ck_assert_msg(strstr(err.message, "web.slice/api.service") &&
			      strstr(err.message, "more than 1 levels"),
		      "message: %s", err.message);
	opts.max_depth = 2;
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "web.slice", &opts, &paths, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	cgrouptree_free(paths);

	opts = (struct cgrouptree_options){ .max_count = 8 };
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "", &opts, &paths, &n, &err), -E2BIG);
	ck_assert_msg(strstr(err.message, "more than 8 cgroups"), "message: %s", err.message);
	opts.max_count = 9;
	ck_assert_int_eq(cgrouptree_list_with(root, V2, "", &opts, &paths, &n, &err), 0);
	ck_assert_uint_eq(n, 9);
	cgrouptree_free(paths);
}
END_TEST

/* The default depth bound, on a real chain of directories. */
START_TEST(test_list_default_depth)
{
	char *dir = fixture_copy("cgroup-v2");
	char path[PATH_MAX];
	struct sysroot *root;
	char **paths = NULL;
	size_t n = 0;
	int len;

	len = snprintf(path, sizeof(path), "%s/" V2 "/Zed.slice", dir);
	for (int i = 0; i < CGROUPTREE_MAX_DEPTH; i++) {
		len += snprintf(path + len, sizeof(path) - (size_t)len, "/d");
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	root = open_root(dir);
	ck_assert_int_eq(cgrouptree_list(root, V2, "Zed.slice", &paths, &n, NULL), 0);
	ck_assert_uint_eq(n, CGROUPTREE_MAX_DEPTH + 1);
	cgrouptree_free(paths);
	snprintf(path + len, sizeof(path) - (size_t)len, "/d");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(cgrouptree_list(root, V2, "Zed.slice", &paths, &n, NULL), -ELOOP);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

/* A symlink to a directory is no cgroup and is not followed. */
START_TEST(test_list_symlink)
{
	char *dir = fixture_copy("cgroup-v2");
	char path[PATH_MAX];
	struct sysroot *root;
	char **paths = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/" V2 "/init.scope/link", dir);
	ck_assert_int_eq(symlink("../web.slice", path), 0);
	root = open_root(dir);
	ck_assert_int_eq(cgrouptree_list(root, V2, "init.scope", &paths, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	cgrouptree_free(paths);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

static Suite *cgrouptree_suite(void)
{
	Suite *s = suite_create("cgrouptree");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_list_whole);
	tcase_add_test(tc, test_list_subtree);
	tcase_add_test(tc, test_list_hybrid_and_v1);
	tcase_add_test(tc, test_list_errors);
	tcase_add_test(tc, test_list_vanishing);
	tcase_add_test(tc, test_list_removed_for_real);
	tcase_add_test(tc, test_list_bounds);
	tcase_add_test(tc, test_list_default_depth);
	tcase_add_test(tc, test_list_symlink);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cgrouptree_suite());
}
