/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <string.h>

#include "movers.h"
#include "testlib.h"

static char *scratch(void)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(dir);
	dir = strdup(dir);
	ck_assert_ptr_nonnull(dir);
	return dir;
}

START_TEST(test_none)
{
	char *dir = scratch();
	struct sysroot *root;
	struct movers m;

	write_file(dir, "proc/sys/kernel/numa_balancing", "1\n"); /* plain balancing: no text */
	write_file(dir, "sys/kernel/mm/numa/demotion_enabled", "false\n");
	write_file(dir, "sys/kernel/mm/damon/admin/kdamonds/0/state", "off\n");
	root = open_root(dir);
	movers_detect(root, &m);
	ck_assert_uint_eq(m.n, 0);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_all_three)
{
	char *dir = scratch();
	struct sysroot *root;
	struct movers m;

	write_file(dir, "proc/sys/kernel/numa_balancing", "2\n");
	write_file(dir, "sys/kernel/mm/numa/demotion_enabled", "true\n");
	write_file(dir, "sys/kernel/mm/damon/admin/kdamonds/0/state", "off\n");
	write_file(dir, "sys/kernel/mm/damon/admin/kdamonds/1/state", "on\n");
	write_file(dir, "sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds", "2\n");
	root = open_root(dir);
	movers_detect(root, &m);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_msg(strstr(m.warnings[0], "numa_balancing = 2"), "%s", m.warnings[0]);
	ck_assert_msg(strstr(m.warnings[1], "demotion_enabled"), "%s", m.warnings[1]);
	ck_assert_msg(strstr(m.warnings[2], "kdamonds/1/state"), "%s", m.warnings[2]);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_absent_files)
{
	char *dir = scratch();
	struct sysroot *root = open_root(dir);
	struct movers m;

	movers_detect(root, &m);
	ck_assert_uint_eq(m.n, 0);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

static Suite *movers_suite(void)
{
	Suite *s = suite_create("movers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_all_three);
	tcase_add_test(tc, test_absent_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(movers_suite());
}
