/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "cgroupmode.h"
#include "cpusetmems.h"
#include "testlib.h"

struct expect {
	const char *tree;
	enum cgroup_layout layout;
	const char *cpuset_dir;
	bool cpuset_v2, noprefix;
	const char *members_dir, *memory_dir;
	bool memory_v2;
};

static const struct expect trees[] = {
	{ "cgroup-v2", CGROUP_LAYOUT_UNIFIED, "sys/fs/cgroup", true, false, "sys/fs/cgroup",
	  "sys/fs/cgroup", true },
	{ "cgroup-hybrid", CGROUP_LAYOUT_HYBRID, "sys/fs/cgroup/cpuset", false, false,
	  "sys/fs/cgroup/unified", "sys/fs/cgroup/memory", false },
	{ "cgroup-v1", CGROUP_LAYOUT_LEGACY, "sys/fs/cgroup/cpuset", false, true,
	  "sys/fs/cgroup/systemd", "sys/fs/cgroup/memory", false },
};

static void check_mode(const struct expect *e, const struct cgroup_mode *m)
{
	ck_assert_msg(m->layout == e->layout, "%s: layout %s", e->tree,
		      cgroup_layout_name(m->layout));
	ck_assert_str_eq(m->cpuset_dir, e->cpuset_dir);
	ck_assert_int_eq(m->cpuset_v2, e->cpuset_v2);
	ck_assert_int_eq(m->cpuset_noprefix, e->noprefix);
	ck_assert_str_eq(m->members_dir, e->members_dir);
	ck_assert_str_eq(m->memory_dir, e->memory_dir);
	ck_assert_int_eq(m->memory_v2, e->memory_v2);
	ck_assert_str_eq(m->cpuset_missing, "");
}

/* From <root>/proc/self/mountinfo */
START_TEST(test_detect_mountinfo)
{
	const struct expect *e = &trees[_i];
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture(e->tree);
	struct cgroup_mode m;
	struct error err = { 0 };

	ck_assert_int_eq(cgroup_mode_detect(root, &m, &err), 0);
	check_mode(e, &m);
}
END_TEST

/* Without mountinfo the same answer comes from the files at the usual places. */
START_TEST(test_detect_probe)
{
	const struct expect *e = &trees[_i];
	char *dir = fixture_copy(e->tree);
	struct sysroot *root;
	struct cgroup_mode m;
	struct error err = { 0 };

	remove_file(dir, "proc/self/mountinfo");
	root = open_root(dir);
	ck_assert_int_eq(cgroup_mode_detect(root, &m, &err), 0);
	check_mode(e, &m);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_detect_nothing)
{
	/* "laptop" has sysfs but no cgroup files and no mountinfo */
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("laptop");
	struct cgroup_mode m = { .layout = 77 };
	struct error err = { 0 };

	ck_assert_int_eq(cgroup_mode_detect(root, &m, &err), -ENOENT);
	ck_assert_int_eq(m.layout, 77);
	ck_assert_msg(strstr(err.message, "no cgroup") && strstr(err.message, "sys/fs/cgroup"),
		      "message: %s", err.message);
}
END_TEST

/* v2 whose root cgroup.controllers lacks cpuset: detected, and readers say why. */
START_TEST(test_v2_without_cpuset)
{
	char *dir = fixture_copy("cgroup-v2");
	struct sysroot *root;
	struct cgroup_mode m;
	struct cpuset_mems c;
	struct error err = { 0 };

	write_file(dir, "sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
	root = open_root(dir);
	ck_assert_int_eq(cgroup_mode_detect(root, &m, &err), 0);
	ck_assert_int_eq(m.layout, CGROUP_LAYOUT_UNIFIED);
	ck_assert_str_eq(m.cpuset_dir, "");
	ck_assert(!m.cpuset_v2);
	ck_assert_msg(strstr(m.cpuset_missing, "sys/fs/cgroup/cgroup.controllers") &&
			      strstr(m.cpuset_missing, "no cpuset") &&
			      strstr(m.cpuset_missing, "cpu io memory pids"),
		      "reason: %s", m.cpuset_missing);
	ck_assert_str_eq(m.memory_dir, "sys/fs/cgroup"); /* memory is still there */
	ck_assert_int_eq(cpusetmems_read(root, &m, "web.slice", &c, &err), -ENODEV);
	ck_assert_msg(strstr(err.message, "cgroup.controllers"), "message: %s", err.message);
	err = (struct error){ 0 };
	ck_assert_int_eq(cpusetmems_write(root, &m, "web.slice", NULL, NULL, &err), -ENODEV);
	ck_assert_msg(strstr(err.message, "no cpuset"), "message: %s", err.message);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

static const char v2_line[] =
	"25 24 0:23 / /sys/fs/cgroup rw,nosuid shared:3 - cgroup2 cgroup2 rw,nsdelegate\n";

START_TEST(test_parse_sysroot_prefix)
{
	struct cgroup_mode m;
	struct error err = { 0 };
	const char *host = "30 24 0:23 / /host/sys/fs/cgroup rw shared:3 master:1 - cgroup2 "
			   "cgroup2 rw\n"
			   "31 24 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

	/* a container's own /sys/fs/cgroup is outside the sysroot /host: ignored */
	ck_assert_int_eq(cgroup_mode_parse(host, "/host/", "mi", &m, &err), 0);
	ck_assert_str_eq(m.cpuset_dir, "sys/fs/cgroup");
	ck_assert_int_eq(m.layout, CGROUP_LAYOUT_UNIFIED);
	/* "/hostile" is not below "/host": nothing is, so the text is the sysroot's own view */
	ck_assert_int_eq(cgroup_mode_parse("30 24 0:23 / /hostile/sys/fs/cgroup rw - cgroup2 "
					   "cgroup2 rw\n",
					   "/host", "mi", &m, &err),
			 0);
	ck_assert_str_eq(m.cpuset_dir, "hostile/sys/fs/cgroup");
	ck_assert_int_eq(cgroup_mode_parse(v2_line, "/", "mi", &m, &err), 0);
	ck_assert_str_eq(m.members_dir, "sys/fs/cgroup");
	ck_assert_int_eq(cgroup_mode_parse(v2_line, NULL, "mi", &m, &err), 0);
	ck_assert_str_eq(m.members_dir, "sys/fs/cgroup");
}
END_TEST

START_TEST(test_parse_escapes_and_stacking)
{
	struct cgroup_mode m;
	struct error err = { 0 };
	/* a mount point with a space (\040); a v1 cpuset mounted over an earlier one */
	const char *text = "1 0 0:1 / /my\\040cg rw - cgroup cgroup rw,memory\n"
			   "2 0 0:2 / /x rw - cgroup cgroup rw,cpuset\n"
			   "3 0 0:3 / /x rw - cgroup cgroup rw,noprefix,cpuset,cpu\n";

	ck_assert_int_eq(cgroup_mode_parse(text, "/", "mi", &m, &err), 0);
	ck_assert_int_eq(m.layout, CGROUP_LAYOUT_LEGACY);
	ck_assert_str_eq(m.memory_dir, "my cg");
	ck_assert_str_eq(m.cpuset_dir, "x");
	ck_assert(m.cpuset_noprefix);
	/* only name=systemd and a v2 mount: unified, cpuset from v2 */
	ck_assert_int_eq(
		cgroup_mode_parse("1 0 0:1 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
				  "rw,xattr,name=systemd\n"
				  "2 0 0:2 / /sys/fs/cgroup/unified rw - cgroup2 none rw\n",
				  "/", "mi", &m, &err),
		0);
	ck_assert_int_eq(m.layout, CGROUP_LAYOUT_UNIFIED);
	ck_assert(m.cpuset_v2);
	ck_assert_str_eq(m.cpuset_dir, "sys/fs/cgroup/unified");
}
END_TEST

static const char *const bad_mountinfo[] = {
	"garbage\n",
	"1 0 0:1 / /sys/fs/cgroup rw cgroup2 cgroup2 rw\n", /* no "-" */
	"1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2\n", /* no super options */
	"1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw extra\n",
	"1 0 0:1 / /sys/fs/\\09cgroup rw - cgroup2 cgroup2 rw\n", /* bad escape */
	"1 0 0:1 / sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", /* relative mount point */
};

START_TEST(test_parse_bad)
{
	struct cgroup_mode m = { .layout = 77 };
	struct error err = { 0 };
	char text[512];

	snprintf(text, sizeof(text), "%s%s", v2_line, bad_mountinfo[_i]);
	ck_assert_int_eq(cgroup_mode_parse(text, "/", "t/mountinfo", &m, &err), -EINVAL);
	ck_assert_int_eq(m.layout, 77);
	ck_assert_msg(strstr(err.message, "t/mountinfo:2: expected"), "message: %s", err.message);
}
END_TEST

START_TEST(test_parse_no_cgroups)
{
	struct cgroup_mode m;
	struct error err = { 0 };

	ck_assert_int_eq(
		cgroup_mode_parse("1 0 0:1 / / rw - ext4 /dev/sda rw\n", "/", "mi", &m, &err),
		-ENOENT);
	ck_assert_msg(strstr(err.message, "mi: no cgroup"), "message: %s", err.message);
	ck_assert_int_eq(cgroup_mode_parse("", "/", "mi", &m, &err), -ENOENT);
}
END_TEST

static const char *const good_paths[] = { "",	   "a",	  "web.slice/app.service",
					  "a b/c", "...", ".hidden/x" };
static const char *const bad_paths[] = { "/",	 "/a",	 "a/",	   "a//b", "..",
					 "a/..", "../a", "a/../b", ".",	   "a/./b" };

START_TEST(test_path_check)
{
	struct error err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(good_paths); i++)
		ck_assert_msg(cgroup_path_check(good_paths[i], &err) == 0, "%s: %s", good_paths[i],
			      err.message);
	for (size_t i = 0; i < ARRAY_SIZE(bad_paths); i++) {
		err = (struct error){ 0 };
		ck_assert_msg(cgroup_path_check(bad_paths[i], &err) == -EINVAL, "%s accepted",
			      bad_paths[i]);
		ck_assert_msg(strstr(err.message, bad_paths[i]), "%s: %s", bad_paths[i],
			      err.message);
	}
	ck_assert_int_eq(cgroup_path_check(NULL, &err), -EINVAL);
}
END_TEST

START_TEST(test_path_join_and_names)
{
	char buf[16];

	ck_assert_int_eq(cgroup_path_join("sys/fs/cgroup", "", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "sys/fs/cgroup");
	ck_assert_int_eq(cgroup_path_join("a", "b/c", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "a/b/c");
	ck_assert_int_eq(cgroup_path_join("sys/fs/cgroup", "toolong", buf, sizeof(buf)),
			 -ENAMETOOLONG);
	ck_assert_str_eq(cgroup_layout_name(CGROUP_LAYOUT_UNIFIED), "unified");
	ck_assert_str_eq(cgroup_layout_name(CGROUP_LAYOUT_HYBRID), "hybrid");
	ck_assert_str_eq(cgroup_layout_name(CGROUP_LAYOUT_LEGACY), "legacy");
}
END_TEST

static Suite *cgroupmode_suite(void)
{
	Suite *s = suite_create("cgroupmode");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_detect_mountinfo, 0, ARRAY_SIZE(trees));
	tcase_add_loop_test(tc, test_detect_probe, 0, ARRAY_SIZE(trees));
	tcase_add_test(tc, test_detect_nothing);
	tcase_add_test(tc, test_v2_without_cpuset);
	tcase_add_test(tc, test_parse_sysroot_prefix);
	tcase_add_test(tc, test_parse_escapes_and_stacking);
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad_mountinfo));
	tcase_add_test(tc, test_parse_no_cgroups);
	tcase_add_test(tc, test_path_check);
	tcase_add_test(tc, test_path_join_and_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cgroupmode_suite());
}
