/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <numaif.h>
#include <string.h>

#include "proclib.h"
#include "sweep.h"
#include "testlib.h"

static struct topology *real_topology(const struct sysroot *root,
				      const struct topology_options *opts)
{
	struct topology *topo = NULL;
	struct error err = { 0 };

	ck_assert_msg(topology_read(root, opts, &topo, &err) == 0, "topology: %s", err.message);
	return topo;
}

static const struct sweep_options dry_run = {
	.maps_method = PROCMAPS_AUTO,
	.migrate = true,
	.dry_run = true,
	.move_flags = MPOL_MF_MOVE,
};

START_TEST(test_dry_run_self)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = real_topology(root, NULL);
	pid_t self = getpid();
	struct sweep_result res;

	ck_assert_int_eq(sweep_run(root, topo, &self, 1, &dry_run, &res), 0);
	ck_assert_uint_eq(res.n_procs, 1);
	ck_assert_int_eq(res.procs[0].error, 0);
	ck_assert_int_eq(res.procs[0].info.pid, self);
	ck_assert_uint_eq(res.vanished, 0);
	ck_assert_uint_eq(res.denied, 0);
	ck_assert(res.used_procmap_query);
	ck_assert_uint_eq(res.totals.processes, 1);
	ck_assert_uint_gt(res.totals.mappings, 0);
	ck_assert_uint_gt(res.totals.resident, 0);
	/* one node, no CXL: nothing planned, nothing would move, nothing moved */
	ck_assert_uint_eq(res.totals.cxl_pages, 0);
	ck_assert_uint_eq(res.planned_pages, 0);
	ck_assert_uint_eq(res.would_move_pages, 0);
	ck_assert_uint_eq(res.no_target_pages, 0);
	ck_assert_uint_eq(res.budget_skipped_pages, 0);
	ck_assert_uint_eq(res.moves.calls, 0);
	ck_assert_uint_eq(res.moves.moved_pages, 0);
	/* the page lists are dropped from the kept reports */
	ck_assert_ptr_null(res.procs[0].moves);
	ck_assert_uint_eq(res.procs[0].n_moves, 0);
	sweep_result_clear(&res);
	ck_assert_ptr_null(res.procs);
	ck_assert_uint_eq(res.n_procs, 0);
}
END_TEST

START_TEST(test_vanished_is_counted)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = real_topology(root, NULL);
	pid_t pids[3] = { getpid(), dead_pid(), 0 };
	struct sweep_result res;

	pids[2] = dead_pid();
	ck_assert_int_eq(sweep_run(root, topo, pids, 3, &dry_run, &res), 0);
	ck_assert_uint_eq(res.vanished, 2);
	ck_assert_uint_eq(res.denied, 0);
	ck_assert_uint_eq(res.n_procs, 3);
	ck_assert_int_eq(res.procs[0].error, 0);
	ck_assert_int_eq(res.procs[1].error, -ESRCH);
	ck_assert_int_eq(res.procs[1].info.pid, pids[1]);
	ck_assert_int_eq(res.procs[2].error, -ESRCH);
	ck_assert_uint_eq(res.totals.processes, 1); /* only the live one */
	ck_assert_uint_eq(res.would_move_pages, 0);
	sweep_result_clear(&res);
}
END_TEST

START_TEST(test_only_vanished_scan_only)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = real_topology(root, NULL);
	struct sweep_options scan_only = { .maps_method = PROCMAPS_TEXT };
	pid_t gone = dead_pid();
	struct sweep_result res;

	ck_assert_int_eq(sweep_run(root, topo, &gone, 1, &scan_only, &res), 0);
	ck_assert_uint_eq(res.vanished, 1);
	ck_assert_uint_eq(res.totals.processes, 0);
	ck_assert(!res.used_procmap_query);
	sweep_result_clear(&res);
}
END_TEST

START_TEST(test_shared_text_counted_once)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = real_topology(root, NULL);
	struct child c = child_start(0, 0);
	pid_t pids[2] = { getpid(), c.pid };
	struct sweep_result res;

	ck_assert_int_eq(sweep_run(root, topo, pids, 2, &dry_run, &res), 0);
	ck_assert_uint_eq(res.totals.processes, 2);
	ck_assert_uint_eq(res.procs[0].totals.deduplicated, 0);
	ck_assert_uint_gt(res.procs[1].totals.deduplicated, 0);
	ck_assert_uint_eq(res.totals.deduplicated, res.procs[1].totals.deduplicated);
	sweep_result_clear(&res);
	child_stop(&c);
}
END_TEST

/*
 * Pretend node 0 is CXL (--cxl-nodes 0): every resident text page is then
 * "on CXL" and planned, but there is no DRAM node to take it -- counted as
 * no_target, in a dry run and in a real run alike, and nothing moves.
 */
START_TEST(test_no_dram_target)
{
	struct topology_options opts = { .has_cxl_override = true };
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = NULL;
	struct sweep_options real_run = dry_run;
	pid_t self = getpid();
	struct sweep_result res;

	ck_assert_int_eq(idset_add(&opts.cxl_override, 0), 0);
	topo = real_topology(root, &opts);
	ck_assert(topology_is_cxl(topo, 0));

	ck_assert_int_eq(sweep_run(root, topo, &self, 1, &dry_run, &res), 0);
	ck_assert_uint_gt(res.planned_pages, 0);
	/* every resident page is on "CXL"; [vdso]'s are unmovable and never planned */
	ck_assert_uint_eq(res.totals.cxl_pages + res.totals.unmovable_cxl_pages,
			  res.totals.resident);
	ck_assert_uint_gt(res.totals.unmovable_cxl_pages, 0);
	ck_assert_uint_eq(res.planned_pages, res.totals.cxl_pages);
	ck_assert_uint_eq(res.no_target_pages, res.planned_pages);
	ck_assert_uint_eq(res.would_move_pages, 0);
	ck_assert_uint_eq(res.moves.calls, 0);
	sweep_result_clear(&res);

	real_run.dry_run = false;
	ck_assert_int_eq(sweep_run(root, topo, &self, 1, &real_run, &res), 0);
	ck_assert_uint_gt(res.planned_pages, 0);
	ck_assert_uint_eq(res.no_target_pages, res.planned_pages);
	ck_assert_uint_eq(res.moves.calls, 0);
	ck_assert_uint_eq(res.moves.moved_pages, 0);
	sweep_result_clear(&res);
}
END_TEST

START_TEST(test_cgroup_totals)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(topology_freep) struct topology *topo = real_topology(root, NULL);
	_cleanup_free_ struct cgroup_totals *groups = NULL;
	pid_t pids[2] = { getpid(), dead_pid() };
	struct sweep_result res;
	size_t n = 0;

	ck_assert_int_eq(sweep_run(root, topo, pids, 2, &dry_run, &res), 0);
	ck_assert_int_eq(sweep_cgroup_totals(&res, &groups, &n), 0);
	/* the vanished process has no cgroup to count in */
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(groups[0].cgroup, res.procs[0].info.cgroup);
	ck_assert_uint_eq(groups[0].totals.processes, 1);
	ck_assert_uint_eq(groups[0].totals.resident, res.totals.resident);
	sweep_result_clear(&res);
}
END_TEST

static Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_dry_run_self);
	tcase_add_test(tc, test_vanished_is_counted);
	tcase_add_test(tc, test_only_vanished_scan_only);
	tcase_add_test(tc, test_shared_text_counted_once);
	tcase_add_test(tc, test_no_dram_target);
	tcase_add_test(tc, test_cgroup_totals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sweep_suite());
}
