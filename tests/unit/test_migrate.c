/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>

#include "migrate.h"
#include "testlib.h"

#define T MIGRATE_TARGET_NS

START_TEST(test_pacer_init)
{
	struct migrate_pacer p;

	migrate_pacer_init(&p, 0);
	ck_assert_uint_eq(p.chunk, 64);
	ck_assert_uint_eq(p.target_ns, 20 * 1000 * 1000ULL);
	migrate_pacer_init(&p, 5000);
	ck_assert_uint_eq(p.target_ns, 5000);
	ck_assert_uint_eq(p.chunk, 64);
}
END_TEST

struct pacer_case {
	size_t pages;
	uint64_t elapsed;
	size_t want;
};

static const struct pacer_case pacer_cases[] = {
	{ 256, T, 256 }, /* on target: keep */
	{ 256, T * 2, 128 }, /* twice too slow: halve at once */
	{ 256, T * 8, 32 },
	{ 256, T * 10, 25 }, /* 256 * T / 10T, rounded down */
	{ 256, T * 100, MIGRATE_MIN_CHUNK }, /* never below the floor */
	{ 1, T, MIGRATE_MIN_CHUNK },
	{ 256, T / 2, 512 }, /* twice as fast: double */
	{ 256, T / 3, 512 }, /* faster still: grow at most 2x a step */
	{ 256, 1, 512 },
	{ 256, 0, 512 }, /* no time measured: treated as 1 ns */
	{ 300, T * 3 / 4, 400 },
	{ 40000, T / 4, MIGRATE_MAX_CHUNK }, /* never above the ceiling */
	{ MIGRATE_MAX_CHUNK, 1, MIGRATE_MAX_CHUNK },
	{ MIGRATE_MAX_CHUNK, T, MIGRATE_MAX_CHUNK },
	{ MIGRATE_MAX_CHUNK, T * 2, MIGRATE_MAX_CHUNK / 2 },
	{ 16, T * 1000000, MIGRATE_MIN_CHUNK },
};

START_TEST(test_pacer_next)
{
	const struct pacer_case *c = &pacer_cases[_i];
	struct migrate_pacer p;

	migrate_pacer_init(&p, 0);
	ck_assert_msg(migrate_pacer_next(&p, c->pages, c->elapsed) == c->want,
		      "pages=%zu elapsed=%" PRIu64 ": got %zu, want %zu", c->pages, c->elapsed,
		      migrate_pacer_next(&p, c->pages, c->elapsed), c->want);
}
END_TEST

START_TEST(test_pacer_next_zero_pages_and_target)
{
	struct migrate_pacer p;

	migrate_pacer_init(&p, 0);
	p.chunk = 777;
	/* nothing moved: nothing learned, keep the chunk */
	ck_assert_uint_eq(migrate_pacer_next(&p, 0, T), 777);
	ck_assert_uint_eq(migrate_pacer_next(&p, 0, 0), 777);
	/* the target is the pacer's own */
	migrate_pacer_init(&p, 1000000); /* 1 ms */
	ck_assert_uint_eq(migrate_pacer_next(&p, 256, 1000000), 256);
	ck_assert_uint_eq(migrate_pacer_next(&p, 256, 4000000), 64);
	/* no overflow on a large, slow target: 65536 pages * 2^40 ns */
	migrate_pacer_init(&p, 1ULL << 40);
	ck_assert_uint_eq(migrate_pacer_next(&p, MIGRATE_MAX_CHUNK, 1ULL << 40), MIGRATE_MAX_CHUNK);
}
END_TEST

START_TEST(test_pacer_converges)
{
	struct migrate_pacer p;
	const uint64_t ns_per_page = 10000; /* 10 us a page: 2000 pages hit 20 ms */

	migrate_pacer_init(&p, 0);
	for (int i = 0; i < 20; i++)
		p.chunk = migrate_pacer_next(&p, p.chunk, p.chunk * ns_per_page);
	ck_assert_uint_eq(p.chunk, 2000);
}
END_TEST

START_TEST(test_stats_add)
{
	struct migrate_stats a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.moved_pages = 3;
	a.failed_pages = 1;
	a.failures[EBUSY] = 1;
	a.calls = 2;
	a.longest_call_ns = 500;
	b.moved_pages = 4;
	b.failed_pages = 2;
	b.failures[EBUSY] = 1;
	b.failures[EACCES] = 1;
	b.calls = 1;
	b.longest_call_ns = 300;
	migrate_stats_add(&a, &b);
	ck_assert_uint_eq(a.moved_pages, 7);
	ck_assert_uint_eq(a.failed_pages, 3);
	ck_assert_uint_eq(a.failures[EBUSY], 2);
	ck_assert_uint_eq(a.failures[EACCES], 1);
	ck_assert_uint_eq(a.calls, 3);
	ck_assert_uint_eq(a.longest_call_ns, 500);
}
END_TEST

START_TEST(test_move_nothing)
{
	struct migrate_pacer p;
	struct migrate_stats st;

	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(getpid(), NULL, NULL, 0, MPOL_MF_MOVE, &p, &st), 0);
	ck_assert_uint_eq(st.calls, 0);
}
END_TEST

/* Own pages to node 0, where they already are (one-node host): counted as moved, in chunks. */
START_TEST(test_move_self_to_node0)
{
	enum { PAGES = 40 };
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t addrs[PAGES];
	int nodes[PAGES];
	struct migrate_pacer p;
	struct migrate_stats st;
	char *mem =
		mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(mem, MAP_FAILED);
	for (size_t i = 0; i < PAGES; i++) {
		mem[i * psz] = 1;
		addrs[i] = (uint64_t)(uintptr_t)(mem + i * psz);
		nodes[i] = 0;
	}
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	p.chunk = 16;
	ck_assert_int_eq(migrate_move(getpid(), addrs, nodes, PAGES, MPOL_MF_MOVE, &p, &st), 0);
	ck_assert_uint_eq(st.moved_pages, PAGES);
	ck_assert_uint_eq(st.failed_pages, 0);
	ck_assert_uint_ge(st.calls, 2); /* 16, then a re-paced chunk */
	ck_assert_uint_ge(p.chunk, MIGRATE_MIN_CHUNK);
	munmap(mem, PAGES * psz);
}
END_TEST

START_TEST(test_move_untouched_pages_fail_softly)
{
	enum { PAGES = 4 };
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t addrs[PAGES];
	int nodes[PAGES] = { 0, 0, 0, 0 };
	struct migrate_pacer p;
	struct migrate_stats st;
	char *mem =
		mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(mem, MAP_FAILED);
	for (size_t i = 0; i < PAGES; i++)
		addrs[i] = (uint64_t)(uintptr_t)(mem + i * psz);
	mem[0] = 1; /* only the first page exists */
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(getpid(), addrs, nodes, PAGES, MPOL_MF_MOVE, &p, &st), 0);
	ck_assert_uint_eq(st.moved_pages, 1);
	ck_assert_uint_eq(st.failed_pages, 3);
	ck_assert_uint_eq(st.failures[EFAULT] + st.failures[ENOENT], 3);
	munmap(mem, PAGES * psz);
}
END_TEST

START_TEST(test_move_vanished)
{
	uint64_t addr = 0x10000;
	int node = 0, status;
	struct migrate_pacer p;
	struct migrate_stats st;
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(child, &addr, &node, 1, MPOL_MF_MOVE, &p, &st), -ESRCH);
	ck_assert_uint_eq(st.moved_pages, 0);
}
END_TEST

START_TEST(test_default_flags)
{
	int flags = migrate_default_flags();

	ck_assert(flags == MPOL_MF_MOVE || flags == MPOL_MF_MOVE_ALL);
	ck_assert_int_eq(flags == MPOL_MF_MOVE_ALL, migrate_have_cap_sys_nice());
}
END_TEST

static Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *pacer = tcase_create("pacer");
	TCase *move = tcase_create("move");

	tcase_add_test(pacer, test_pacer_init);
	tcase_add_loop_test(pacer, test_pacer_next, 0,
			    (int)(sizeof(pacer_cases) / sizeof(pacer_cases[0])));
	tcase_add_test(pacer, test_pacer_next_zero_pages_and_target);
	tcase_add_test(pacer, test_pacer_converges);
	tcase_add_test(pacer, test_stats_add);
	suite_add_tcase(s, pacer);

	tcase_add_test(move, test_move_nothing);
	tcase_add_test(move, test_move_self_to_node0);
	tcase_add_test(move, test_move_untouched_pages_fail_softly);
	tcase_add_test(move, test_move_vanished);
	tcase_add_test(move, test_default_flags);
	suite_add_tcase(s, move);
	return s;
}

int main(void)
{
	return run_suite(migrate_suite());
}
