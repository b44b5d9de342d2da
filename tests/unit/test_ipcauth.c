/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ipcauth.h"
#include "testlib.h"

static const enum ipc_command all_commands[] = { IPC_PING, IPC_STATUS, IPC_APPLY, IPC_SWEEP,
						 IPC_RELOAD };

START_TEST(test_classes)
{
	ck_assert(!ipcauth_command_changes(IPC_PING));
	ck_assert(!ipcauth_command_changes(IPC_STATUS));
	ck_assert(ipcauth_command_changes(IPC_APPLY));
	ck_assert(ipcauth_command_changes(IPC_SWEEP));
	ck_assert(ipcauth_command_changes(IPC_RELOAD));
	/* a value out of range is refused like a change, never let through */
	ck_assert(ipcauth_command_changes((enum ipc_command)99));
}
END_TEST

START_TEST(test_root_may_do_everything)
{
	struct ipcauth_config closed = { .status_open = false };
	struct ipc_peer root = { .pid = 1, .uid = 0, .gid = 0 };

	for (size_t i = 0; i < ARRAY_SIZE(all_commands); i++)
		ck_assert_int_eq(ipcauth_check(&closed, &root, all_commands[i], NULL), 0);
}
END_TEST

START_TEST(test_other_uid)
{
	struct ipcauth_config open = { .status_open = true };
	struct ipcauth_config closed = { .status_open = false };
	/* gid 0 is no group membership unless configured as the group */
	struct ipc_peer user = { .pid = 77, .uid = 1000, .gid = 0 };
	struct error err = { 0 };

	ck_assert_int_eq(ipcauth_check(&open, &user, IPC_PING, &err), 0);
	ck_assert_int_eq(ipcauth_check(&open, &user, IPC_STATUS, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(all_commands); i++) {
		enum ipc_command cmd = all_commands[i];
		int expect = ipcauth_command_changes(cmd) ? -EPERM : 0;

		ck_assert_int_eq(ipcauth_check(&open, &user, cmd, NULL), expect);
		ck_assert_int_eq(ipcauth_check(&closed, &user, cmd, NULL), -EPERM);
	}
	ck_assert_int_eq(ipcauth_check(&open, &user, IPC_APPLY, &err), -EPERM);
	ck_assert_int_eq(err.code, -EPERM);
	ck_assert_str_eq(err.message, "uid 1000 (pid 77) may not run apply: changes need uid 0");
	ck_assert_int_eq(ipcauth_check(&closed, &user, IPC_STATUS, &err), -EPERM);
	ck_assert_msg(strstr(err.message,
			     "uid 1000 (pid 77) may not run status: read-only commands "
			     "(status_open is off) need uid 0"),
		      "%s", err.message);
}
END_TEST

START_TEST(test_group)
{
	struct ipcauth_config cfg = {
		.status_open = false, .has_group = true, .group = 990, .group_name = "cxlpolicy"
	};
	gid_t member_groups[] = { 5, 990, 1000 };
	gid_t other_groups[] = { 5, 991 };
	struct ipc_peer primary = { .pid = 2, .uid = 1000, .gid = 990 };
	struct ipc_peer supplementary = {
		.pid = 3, .uid = 1001, .gid = 1001, .groups = member_groups, .n_groups = 3
	};
	struct ipc_peer outsider = {
		.pid = 4, .uid = 1002, .gid = 1002, .groups = other_groups, .n_groups = 2
	};
	struct error err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(all_commands); i++) {
		ck_assert_int_eq(ipcauth_check(&cfg, &primary, all_commands[i], NULL), 0);
		ck_assert_int_eq(ipcauth_check(&cfg, &supplementary, all_commands[i], NULL), 0);
		ck_assert_int_eq(ipcauth_check(&cfg, &outsider, all_commands[i], NULL), -EPERM);
	}
	ck_assert(ipcauth_may_change(&cfg, &supplementary));
	ck_assert(!ipcauth_may_change(&cfg, &outsider));
	ck_assert_int_eq(ipcauth_check(&cfg, &outsider, IPC_SWEEP, &err), -EPERM);
	ck_assert_str_eq(
		err.message,
		"uid 1002 (pid 4) may not run sweep: changes need uid 0 or group 990 (cxlpolicy)");
	cfg.status_open = true;
	ck_assert_int_eq(ipcauth_check(&cfg, &outsider, IPC_STATUS, NULL), 0);
	cfg.group_name = NULL;
	ck_assert_int_eq(ipcauth_check(&cfg, &outsider, IPC_RELOAD, &err), -EPERM);
	ck_assert_str_eq(err.message,
			 "uid 1002 (pid 4) may not run reload: changes need uid 0 or group 990");
	/* without a configured group the same membership counts for nothing */
	cfg.has_group = false;
	ck_assert_int_eq(ipcauth_check(&cfg, &supplementary, IPC_APPLY, NULL), -EPERM);
}
END_TEST

START_TEST(test_status_groups)
{
	static const char status[] = "Name:\tbash\nUmask:\t0022\nGid:\t1000\t1000\t1000\t1000\n"
				     "FDSize:\t256\nGroups:\t4 24 27 990 \nNStgid:\t1\n";
	gid_t *g = NULL;
	size_t n = 9;

	ck_assert_int_eq(ipcauth_parse_status_groups(status, strlen(status), &g, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(g[0], 4);
	ck_assert_uint_eq(g[3], 990);
	free(g);

	g = (gid_t *)1;
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t\n", 9, &g, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(g);
	/* the last line, without its newline; only @len bytes count */
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t7 8", 10, &g, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(g[0], 7);
	free(g);

	g = NULL;
	n = 9;
	ck_assert_int_eq(ipcauth_parse_status_groups("Name:\tx\n", 8, &g, &n), -EINVAL);
	ck_assert_int_eq(ipcauth_parse_status_groups("XGroups:\t1\n", 11, &g, &n), -EINVAL);
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t1x\n", 11, &g, &n), -EINVAL);
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t-1\n", 11, &g, &n), -EINVAL);
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t4294967296\n", 19, &g, &n), -EINVAL);
	/* (gid_t)-1 is "no group", never a membership */
	ck_assert_int_eq(ipcauth_parse_status_groups("Groups:\t4294967295\n", 19, &g, &n), -EINVAL);
	ck_assert_ptr_null(g);
	ck_assert_uint_eq(n, 9);
}
END_TEST

static Suite *ipcauth_suite(void)
{
	Suite *s = suite_create("ipcauth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_root_may_do_everything);
	tcase_add_test(tc, test_other_uid);
	tcase_add_test(tc, test_group);
	tcase_add_test(tc, test_status_groups);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(ipcauth_suite());
}
