/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "sysroot.h"
#include "testlib.h"

START_TEST(test_read_file_relative_and_absolute)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("server-2s-cxl");
	_cleanup_free_ char *a = NULL, *b = NULL;
	size_t len = 0;

	ck_assert_str_eq(root->path, fixture_path("server-2s-cxl"));
	ck_assert_int_eq(sysroot_read_file(root, "sys/devices/system/node/node0/cpulist", &a, &len),
			 0);
	ck_assert_str_eq(a, "0-15,32-47\n");
	ck_assert_uint_eq(len, 11);
	/* a leading '/' is ignored: still below the root */
	ck_assert_int_eq(
		sysroot_read_file(root, "//sys/devices/system/node/node0/cpulist", &b, NULL), 0);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_read_line_and_empty)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *line = NULL, *empty = NULL, *nl = NULL;
	size_t len = 99;

	ck_assert_int_eq(sysroot_read_line(root, "proc/100/comm", &line), 0);
	ck_assert_str_eq(line, "my (weird) app");
	ck_assert_int_eq(sysroot_read_file(root, "proc/200/maps", &empty, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(empty, "");
	ck_assert_int_eq(sysroot_read_line(root, "sys/devices/system/node/node1/cpulist", &nl), 0);
	ck_assert_str_eq(nl, "");
}
END_TEST

START_TEST(test_read_large_file)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	/* 425013 bytes: many read() calls and buffer growths */
	ck_assert_int_eq(sysroot_read_file(root, "proc/300/maps", &buf, &len), 0);
	ck_assert_uint_eq(len, 425013);
	ck_assert_uint_eq(strlen(buf), 425013);
	ck_assert_int_eq(buf[len - 1], '\n');
}
END_TEST

START_TEST(test_read_proc_zero_size)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ char *buf = NULL;
	char want[64];
	size_t len = 0;

	/* /proc files report st_size 0: must read to EOF anyway */
	ck_assert_int_eq(sysroot_read_file(root, "proc/self/status", &buf, &len), 0);
	ck_assert_uint_gt(len, 100);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)getpid());
	ck_assert_ptr_nonnull(strstr(buf, want));
}
END_TEST

START_TEST(test_missing)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("laptop");
	char *buf = (char *)"untouched";
	DIR *d;

	ck_assert_int_eq(
		sysroot_read_file(root, "sys/devices/system/node/node1/cpulist", &buf, NULL),
		-ENOENT);
	ck_assert_str_eq(buf, "untouched");
	ck_assert_int_eq(sysroot_read_line(root, "proc/1/comm", &buf), -ENOENT);
	ck_assert(!sysroot_exists(root, "sys/bus/dax"));
	ck_assert(sysroot_exists(root, "sys/devices/system/node/node0"));
	ck_assert(sysroot_exists(root, "/"));
	errno = 0;
	d = sysroot_opendir(root, "sys/bus/dax/devices");
	ck_assert_ptr_null(d);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sysroot_openat(root, "nope", O_RDONLY), -ENOENT);
}
END_TEST

START_TEST(test_opendir)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	DIR *d = sysroot_opendir(root, "sys/bus/dax/devices");
	struct dirent *de;
	int seen = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			seen++;
	closedir(d);
	ck_assert_int_eq(seen, 3);
}
END_TEST

START_TEST(test_readlink)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	_cleanup_free_ char *target = NULL, *node = NULL;

	ck_assert_int_eq(sysroot_readlink(root, "sys/bus/dax/devices/dax0.0", &target), 0);
	ck_assert_str_eq(target, "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/"
				 "dax_region0/dax0.0");
	/* relative symlinks resolve inside the tree */
	ck_assert_int_eq(sysroot_read_line(root, "sys/bus/dax/devices/dax0.0/target_node", &node),
			 0);
	ck_assert_str_eq(node, "1");
	ck_assert_int_eq(sysroot_readlink(root, "sys/bus/dax/devices/dax9.0", &target), -ENOENT);
	/* not a symlink */
	ck_assert_int_eq(sysroot_readlink(root, "sys/devices/system/node/online", &target),
			 -EINVAL);
}
END_TEST

START_TEST(test_open_errors)
{
	struct sysroot *root = NULL;
	char path[PATH_MAX];

	ck_assert_int_eq(sysroot_open("/nonexistent/cxlpolicy-root", &root), -ENOENT);
	ck_assert_ptr_null(root);
	snprintf(path, sizeof(path), "%s/README.md", fixtures_root());
	ck_assert_int_eq(sysroot_open(path, &root), -ENOTDIR);
	ck_assert_ptr_null(root);
}
END_TEST

START_TEST(test_open_env)
{
	_cleanup_(sysroot_freep) struct sysroot *a = NULL;
	_cleanup_(sysroot_freep) struct sysroot *b = NULL;
	_cleanup_(sysroot_freep) struct sysroot *c = NULL;

	ck_assert_int_eq(setenv(SYSROOT_ENV, fixture_path("laptop"), 1), 0);
	ck_assert_int_eq(sysroot_open(NULL, &a), 0);
	ck_assert_str_eq(a->path, fixture_path("laptop"));
	ck_assert(sysroot_exists(a, "sys/devices/system/node/node0/meminfo"));
	/* an explicit path wins over the environment */
	ck_assert_int_eq(sysroot_open("/", &b), 0);
	ck_assert_str_eq(b->path, "/");
	ck_assert_int_eq(unsetenv(SYSROOT_ENV), 0);
	ck_assert_int_eq(sysroot_open(NULL, &c), 0);
	ck_assert_str_eq(c->path, "/");
}
END_TEST

START_TEST(test_display)
{
	_cleanup_(sysroot_freep) struct sysroot *slash = open_root("/");
	_cleanup_(sysroot_freep) struct sysroot *fix = open_fixture("laptop");
	char buf[PATH_MAX], want[PATH_MAX];

	ck_assert_str_eq(sysroot_display(slash, "proc/1/maps", buf, sizeof(buf)), "/proc/1/maps");
	ck_assert_str_eq(sysroot_display(slash, "/sys/x", buf, sizeof(buf)), "/sys/x");
	snprintf(want, sizeof(want), "%s/sys/devices/system/node/online", fix->path);
	ck_assert_str_eq(sysroot_display(fix, "sys/devices/system/node/online", buf, sizeof(buf)),
			 want);
}
END_TEST

START_TEST(test_read_fd_fully)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-fd-XXXXXX";
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int fd = mkstemp(tmpl);

	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	ck_assert_int_eq(write(fd, "abc\0def", 7), 7);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(read_fd_fully(fd, &buf, &len), 0);
	ck_assert_uint_eq(len, 7); /* binary content, length is exact */
	ck_assert_mem_eq(buf, "abc\0def", 8);
	close(fd);
	ck_assert_int_eq(read_fd_fully(fd, &buf, &len), -EBADF);
}
END_TEST

static Suite *sysroot_suite(void)
{
	Suite *s = suite_create("sysroot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_file_relative_and_absolute);
	tcase_add_test(tc, test_read_line_and_empty);
	tcase_add_test(tc, test_read_large_file);
	tcase_add_test(tc, test_read_proc_zero_size);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_opendir);
	tcase_add_test(tc, test_readlink);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_open_env);
	tcase_add_test(tc, test_display);
	tcase_add_test(tc, test_read_fd_fully);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sysroot_suite());
}
