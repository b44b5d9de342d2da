/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "nodecounters.h"
#include "testlib.h"

static const char numastat_6_1[] = "numa_hit 1234\nnuma_miss 10\nnuma_foreign 0\n"
				   "interleave_hit 5\nlocal_node 1200\nother_node 44\n";

START_TEST(test_parse)
{
	uint64_t v = 7;

	ck_assert_int_eq(nodecounters_parse_numastat(numastat_6_1, &v), 0);
	ck_assert_uint_eq(v, 1244);
	/* a key that only starts like numa_hit is not numa_hit */
	ck_assert_int_eq(nodecounters_parse_numastat("numa_hits 3\nnuma_miss 1\n", &v), -EINVAL);
	ck_assert_uint_eq(v, 1244);
	ck_assert_int_eq(nodecounters_parse_numastat("numa_hit 3\n", &v), -EINVAL);
	ck_assert_int_eq(nodecounters_parse_numastat("numa_hit x\nnuma_miss 1\n", &v), -EINVAL);
	ck_assert_int_eq(nodecounters_parse_numastat("numa_hit -3\nnuma_miss 1\n", &v), -EINVAL);
	ck_assert_int_eq(nodecounters_parse_numastat("", &v), -EINVAL);
	ck_assert_uint_eq(v, 1244);
}
END_TEST

START_TEST(test_read_sums_only_the_given_nodes)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct sysroot *root;
	struct idset nodes;
	struct error err = { 0 };
	uint64_t v = 0;

	ck_assert_ptr_nonnull(dir);
	dir = strdup(dir);
	write_file(dir, "sys/devices/system/node/node0/numastat", "numa_hit 1000\nnuma_miss 1\n");
	write_file(dir, "sys/devices/system/node/node1/numastat", "numa_hit 20\nnuma_miss 2\n");
	write_file(dir, "sys/devices/system/node/node2/numastat", "numa_hit 300\nnuma_miss 3\n");
	root = open_root(dir);
	ck_assert_int_eq(idset_parse("1-2", &nodes), 0);
	ck_assert_int_eq(nodecounters_read_allocated(root, &nodes, &v, &err), 0);
	ck_assert_uint_eq(v, 325);

	/* one more page allocated on node 2: the sum moves */
	write_file(dir, "sys/devices/system/node/node2/numastat", "numa_hit 301\nnuma_miss 3\n");
	ck_assert_int_eq(nodecounters_read_allocated(root, &nodes, &v, &err), 0);
	ck_assert_uint_eq(v, 326);

	/* a missing node's file is an error naming it; the output stays */
	ck_assert_int_eq(idset_parse("1,5", &nodes), 0);
	ck_assert_int_eq(nodecounters_read_allocated(root, &nodes, &v, &err), -ENOENT);
	ck_assert_uint_eq(v, 326);
	ck_assert_msg(strstr(err.message, "node5/numastat"), "%s", err.message);

	write_file(dir, "sys/devices/system/node/node1/numastat", "garbage\n");
	ck_assert_int_eq(idset_parse("1", &nodes), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(nodecounters_read_allocated(root, &nodes, &v, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "node1/numastat"), "%s", err.message);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_live_counters_move_with_allocation)
{
	/* On the running kernel: allocating and touching 4 MiB moves the sum. */
	struct sysroot *root = open_root("/");
	struct idset nodes;
	struct error err = { 0 };
	uint64_t before = 0, after = 0;
	size_t size = 4 << 20;
	char *buf;
	int r;

	idset_clear(&nodes);
	for (int n = 0; n < 1024; n++) {
		char rel[96];

		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/numastat", n);
		if (sysroot_exists(root, rel))
			idset_add(&nodes, n);
	}
	if (idset_empty(&nodes)) {
		printf("SKIP test_live_counters_move_with_allocation: no node numastat files "
		       "(kernel without CONFIG_NUMA)\n");
		sysroot_free(root);
		return;
	}
	r = nodecounters_read_allocated(root, &nodes, &before, &err);
	ck_assert_msg(r == 0, "%s", err.message);
	buf = malloc(size);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 1, size);
	r = nodecounters_read_allocated(root, &nodes, &after, &err);
	ck_assert_msg(r == 0, "%s", err.message);
	/*
	 * Allocations are counted, not pages: a transparent huge page is one
	 * (the 6.1 guest backs this buffer with two).  Some allocation happened.
	 */
	ck_assert_msg(after > before, "%" PRIu64 " -> %" PRIu64, before, after);
	free(buf);
	sysroot_free(root);
}
END_TEST

static Suite *nodecounters_suite(void)
{
	Suite *s = suite_create("nodecounters");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_read_sums_only_the_given_nodes);
	tcase_add_test(tc, test_live_counters_move_with_allocation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(nodecounters_suite());
}
