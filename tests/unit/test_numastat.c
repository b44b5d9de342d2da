/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "numastat.h"
#include "testlib.h"

static struct cgroup_mode detect(const struct sysroot *root)
{
	struct cgroup_mode m;
	struct error err = { 0 };

	ck_assert_msg(cgroup_mode_detect(root, &m, &err) == 0, "detect: %s", err.message);
	return m;
}

/* The v2 fixture file, as a 6.1 kernel prints it (bytes, recursive). */
START_TEST(test_read_v2)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	struct cgroup_mode m = detect(root);
	struct numa_stat st = { 0 };
	struct error err = { 0 };

	ck_assert_msg(numastat_read(root, &m, "web.slice/app.service", 4096, &st, &err) == 0, "%s",
		      err.message);
	ck_assert(!st.v1);
	ck_assert_uint_eq(st.n_nodes, 2);
	ck_assert_int_eq(st.nodes[0].node, 0);
	ck_assert_int_eq(st.nodes[1].node, 1);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 0), 1228800);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 1), 4194304);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE, 0), 8192000);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_KERNEL_STACK, 0), 32768);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_SHMEM, 1), 1048576);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE_MAPPED, 0), 2101248);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE_MAPPED, 1), 524288);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 7), 0); /* not named */
	ck_assert_uint_eq(st.present,
			  (1u << NUMASTAT_ANON) | (1u << NUMASTAT_FILE) |
				  (1u << NUMASTAT_KERNEL_STACK) | (1u << NUMASTAT_SHMEM) |
				  (1u << NUMASTAT_FILE_MAPPED) | (1u << NUMASTAT_UNEVICTABLE));
	numastat_done(&st);
}
END_TEST

/* v1 counts pages: bytes = pages x the page size given. */
START_TEST(test_read_v1)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-hybrid");
	struct cgroup_mode m = detect(root);
	struct numa_stat st = { 0 };
	struct error err = { 0 };

	ck_assert_msg(numastat_read(root, &m, "", 4096, &st, &err) == 0, "%s", err.message);
	ck_assert(st.v1);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_TOTAL, 0), 3818ull * 4096);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 0), 374ull * 4096);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_HIERARCHICAL_ANON, 1), 26653ull * 4096);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_HIERARCHICAL_TOTAL, 0), 200000ull * 4096);
	numastat_done(&st);
	/* another page size */
	ck_assert_int_eq(numastat_read(root, &m, "batch.slice", 65536, &st, &err), 0);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 1), 800ull * 65536);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE, 0), 100ull * 65536);
	numastat_done(&st);
}
END_TEST

START_TEST(test_read_errors)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	struct cgroup_mode m = detect(root);
	struct numa_stat st = { .n_nodes = 77 };
	struct error err = { 0 };

	ck_assert_int_eq(numastat_read(root, &m, "init.scope", 4096, &st, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "init.scope/memory.numa_stat") &&
			      strstr(err.message, "memory controller is not enabled"),
		      "message: %s", err.message);
	ck_assert_int_eq(numastat_read(root, &m, "gone.slice", 4096, &st, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "gone.slice/memory.numa_stat: No such file"),
		      "message: %s", err.message);
	ck_assert_int_eq(numastat_read(root, &m, "../etc", 4096, &st, &err), -EINVAL);
	m.memory_dir[0] = '\0';
	ck_assert_int_eq(numastat_read(root, &m, "web.slice", 4096, &st, &err), -ENODEV);
	ck_assert_uint_eq(st.n_nodes, 77);
}
END_TEST

START_TEST(test_parse_sparse_and_unknown)
{
	struct numa_stat st = { 0 };
	struct error err = { 0 };

	/* nodes need not be dense or sorted; unknown items are skipped; no final newline */
	ck_assert_int_eq(numastat_parse("anon N1023=5 N3=7\nzswap_future N0=1\nfile N3=9", false, 0,
					"t", &st, &err),
			 0);
	ck_assert_uint_eq(st.n_nodes, 2);
	ck_assert_int_eq(st.nodes[0].node, 3);
	ck_assert_int_eq(st.nodes[1].node, 1023);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 1023), 5);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE, 3), 9);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_FILE, 1023), 0);
	numastat_done(&st);
	/* the largest value */
	ck_assert_int_eq(numastat_parse("anon N0=18446744073709551615\n", false, 0, "t", &st, &err),
			 0);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_ANON, 0), UINT64_MAX);
	numastat_done(&st);
	ck_assert_int_eq(numastat_parse("", false, 0, "t", &st, &err), 0);
	ck_assert_uint_eq(st.n_nodes, 0);
	numastat_done(&st);
	ck_assert_str_eq(numastat_item_name(NUMASTAT_FILE_MAPPED), "file_mapped");
	ck_assert_str_eq(numastat_item_name(NUMASTAT_HIERARCHICAL_TOTAL), "hierarchical_total");
}
END_TEST

struct badcase {
	bool v1;
	const char *text;
};

static const struct badcase bad[] = {
	{ false, "anon N0=abc\n" },
	{ false, "anon N0=18446744073709551616\n" }, /* 2^64 */
	{ false, "anon N0=99999999999999999999999\n" },
	{ false, "anon N0=1 N0=2\n" }, /* a node twice */
	{ false, "anon N1024=1\n" }, /* beyond NUMASTAT_MAX_NODE */
	{ false, "anon N99999999999999999999=1\n" },
	{ false, "anon  N0=1\n" },
	{ false, "anon N0=1 \n" },
	{ false, "anon\tN0=1\n" },
	{ false, "anon N0=-1\n" },
	{ false, "anon N0=+1\n" },
	{ false, "anon N=1\n" },
	{ false, "anon N0=\n" },
	{ false, "anon N0=1\r\n" },
	{ false, "ANON N0=1\n" },
	{ false, " anon N0=1\n" },
	{ false, "anon n0=1\n" },
	{ false, "anon N0=1\nanon N0=2\n" }, /* an item twice */
	{ false, "anon=1 N0=1\n" }, /* v1 syntax in v2 */
	{ true, "total N0=1\n" }, /* v2 syntax in v1 */
	{ true, "total= N0=1\n" },
	{ true, "total=1 N0=4503599627370496\n" }, /* 2^52 pages x 4096 = 2^64 */
	{ true, "total=1 N0=1 N1=x\n" },
	{ false, "anon N0=1\n\n" }, /* an empty line */
};

START_TEST(test_parse_bad)
{
	const struct badcase *t = &bad[_i];
	struct numa_stat st = { .n_nodes = 77 };
	struct error err = { 0 };

	ck_assert_msg(numastat_parse(t->text, t->v1, 4096, "f", &st, &err) == -EINVAL,
		      "accepted: %s", t->text);
	ck_assert_uint_eq(st.n_nodes, 77);
	ck_assert_msg(strstr(err.message, "f:") && strstr(err.message, "expected"), "message: %s",
		      err.message);
}
END_TEST

START_TEST(test_parse_messages)
{
	struct numa_stat st;
	struct error err = { 0 };

	ck_assert_int_eq(
		numastat_parse("anon N0=1\nfile N0=x\n", false, 0, "x/memory.numa_stat", &st, &err),
		-EINVAL);
	ck_assert_msg(strstr(err.message, "x/memory.numa_stat:2: expected") &&
			      strstr(err.message, "\"file N0=x\""),
		      "message: %s", err.message);
	/* v1 needs a page size */
	ck_assert_int_eq(numastat_parse("total=1 N0=1\n", true, 0, "t", &st, &err), -EINVAL);
	/* v1 just below the overflow: 2^52 - 1 pages */
	ck_assert_int_eq(
		numastat_parse("total=1 N0=4503599627370495\n", true, 4096, "t", &st, &err), 0);
	ck_assert_uint_eq(numastat_get(&st, NUMASTAT_TOTAL, 0), 4503599627370495ull * 4096);
	numastat_done(&st);
}
END_TEST

static struct idset set_of(const char *list)
{
	struct idset s;

	ck_assert_int_eq(idset_parse(list, &s), 0);
	return s;
}

/* What narrowing moves: mapped bytes (anon + file_mapped) on the nodes left out. */
START_TEST(test_narrowing_v2)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	struct cgroup_mode m = detect(root);
	struct numa_stat st;
	struct idset before = set_of("0-1"), to0 = set_of("0"), to1 = set_of("1"),
		     three = set_of("0-2");
	struct numastat_move *moves = NULL;
	size_t n = 0;
	uint64_t total = 0;

	ck_assert_int_eq(numastat_read(root, &m, "web.slice/app.service", 4096, &st, NULL), 0);
	ck_assert_int_eq(numastat_narrowing(&st, &before, &to0, &moves, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(moves[0].node, 1);
	ck_assert_uint_eq(moves[0].bytes, 4194304 + 524288);
	ck_assert_uint_eq(total, 4194304 + 524288);
	free(moves);
	ck_assert_int_eq(numastat_narrowing(&st, &before, &to1, &moves, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(moves[0].node, 0);
	ck_assert_uint_eq(moves[0].bytes, 1228800 + 2101248);
	free(moves);
	/* widening or the same: nothing moves */
	ck_assert_int_eq(numastat_narrowing(&st, &before, &three, &moves, &n, &total), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(total, 0);
	free(moves);
	/* a node the file does not name leaves with 0 bytes */
	ck_assert_int_eq(numastat_narrowing(&st, &three, &to1, &moves, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(moves[1].node, 2);
	ck_assert_uint_eq(moves[1].bytes, 0);
	free(moves);
	numastat_done(&st);
}
END_TEST

START_TEST(test_narrowing_v1)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-hybrid");
	struct cgroup_mode m = detect(root);
	struct numa_stat st;
	struct idset before = set_of("0-1"), to0 = set_of("0");
	struct numastat_move *moves = NULL;
	size_t n = 0;
	uint64_t total = 0;

	ck_assert_int_eq(numastat_read(root, &m, "batch.slice", 4096, &st, NULL), 0);
	ck_assert_int_eq(numastat_narrowing(&st, &before, &to0, &moves, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(moves[0].bytes, 800ull * 4096); /* anon only: no mapped-file count */
	ck_assert_uint_eq(total, 800ull * 4096);
	free(moves);
	numastat_done(&st);
}
END_TEST

static Suite *numastat_suite(void)
{
	Suite *s = suite_create("numastat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_v2);
	tcase_add_test(tc, test_read_v1);
	tcase_add_test(tc, test_read_errors);
	tcase_add_test(tc, test_parse_sparse_and_unknown);
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad));
	tcase_add_test(tc, test_parse_messages);
	tcase_add_test(tc, test_narrowing_v2);
	tcase_add_test(tc, test_narrowing_v1);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(numastat_suite());
}
