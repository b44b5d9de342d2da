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

/* A request on a real pid with the real system call. */
static struct migrate_request real_request(pid_t pid, int flags)
{
	return (struct migrate_request){ .pid = pid, .flags = flags };
}

START_TEST(test_move_nothing)
{
	struct migrate_pacer p;
	struct migrate_stats st;
	struct migrate_request req = real_request(getpid(), MPOL_MF_MOVE);

	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(&req, NULL, NULL, 0, &p, NULL, &st), 0);
	ck_assert_uint_eq(st.calls, 0);
}
END_TEST

/* The node this test process's fresh anonymous pages land on (any host, any node count). */
static int node_of(void *addr)
{
	int status = -1;
	void *page = addr;

	ck_assert_int_eq(move_pages(0, 1, &page, NULL, &status, 0), 0);
	ck_assert_int_ge(status, 0);
	return status;
}

/* Own pages to the node they are on: verified there, counted as moved, in chunks. */
START_TEST(test_move_self_to_own_node)
{
	enum { PAGES = 40 };
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t addrs[PAGES];
	int nodes[PAGES], outcome[PAGES];
	struct migrate_pacer p;
	struct migrate_stats st;
	struct migrate_request req = real_request(getpid(), MPOL_MF_MOVE);
	char *mem =
		mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(mem, MAP_FAILED);
	for (size_t i = 0; i < PAGES; i++) {
		mem[i * psz] = 1;
		addrs[i] = (uint64_t)(uintptr_t)(mem + i * psz);
		nodes[i] = node_of(mem + i * psz);
	}
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	p.chunk = 16;
	ck_assert_int_eq(migrate_move(&req, addrs, nodes, PAGES, &p, outcome, &st), 0);
	ck_assert_uint_eq(st.moved_pages, PAGES);
	ck_assert_uint_eq(st.failed_pages, 0);
	for (size_t i = 0; i < PAGES; i++)
		ck_assert_int_eq(outcome[i], nodes[i]);
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
	int nodes[PAGES], outcome[PAGES];
	struct migrate_pacer p;
	struct migrate_stats st;
	struct migrate_request req = real_request(getpid(), MPOL_MF_MOVE);
	char *mem =
		mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(mem, MAP_FAILED);
	mem[0] = 1; /* only the first page exists */
	for (size_t i = 0; i < PAGES; i++) {
		addrs[i] = (uint64_t)(uintptr_t)(mem + i * psz);
		nodes[i] = node_of(mem);
	}
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(&req, addrs, nodes, PAGES, &p, outcome, &st), 0);
	ck_assert_uint_eq(st.moved_pages, 1);
	ck_assert_uint_eq(st.failed_pages, 3);
	ck_assert_uint_eq(st.failures[EFAULT] + st.failures[ENOENT], 3);
	munmap(mem, PAGES * psz);
}
END_TEST

START_TEST(test_move_vanished)
{
	uint64_t addr = 0x10000;
	int node = 0, outcome = 0, status;
	struct migrate_pacer p;
	struct migrate_stats st;
	pid_t child = fork();
	struct migrate_request req;

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	req = real_request(child, MPOL_MF_MOVE);
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 0);
	ck_assert_int_eq(migrate_move(&req, &addr, &node, 1, &p, &outcome, &st), -ESRCH);
	ck_assert_int_eq(outcome, -ESRCH);
	ck_assert_uint_eq(st.moved_pages, 0);
	ck_assert_uint_eq(st.failed_pages, 0);
	ck_assert_uint_eq(st.vanished_pages, 1);
}
END_TEST

START_TEST(test_default_flags)
{
	int flags = migrate_default_flags();
	enum move_privilege priv = migrate_privilege();

	ck_assert(flags == MPOL_MF_MOVE || flags == MPOL_MF_MOVE_ALL);
	ck_assert_int_eq(flags == MPOL_MF_MOVE_ALL, priv == MOVE_PRIVILEGE_ALL);
	ck_assert_int_eq(priv == MOVE_PRIVILEGE_NO_CAP, !migrate_have_cap_sys_nice());
	if (migrate_have_cap_sys_nice())
		ck_assert_int_eq(priv == MOVE_PRIVILEGE_USERNS,
				 !migrate_in_initial_user_namespace());
}
END_TEST

/*
 * A model of the kernel's move_pages() as described in
 * shared/notes/kernel-interfaces.md, to drive the verification paths that a
 * one-node host cannot produce: pinned pages (positive return, status array
 * not a record), a call-level error after part of a call moved, EPERM for
 * MPOL_MF_MOVE_ALL inside a user namespace, a process that exits mid-request.
 */
enum { MODEL_PAGES = 64, MODEL_BASE = 0x100000, MODEL_PSZ = 4096 };

static struct model {
	int node[MODEL_PAGES];
	bool pinned[MODEL_PAGES];
	bool shared[MODEL_PAGES]; /* needs MPOL_MF_MOVE_ALL */
	bool userns; /* MPOL_MF_MOVE_ALL gives EPERM */
	int fail_after; /* > 0: the call fails with fail_errno after this many pages */
	bool no_mm; /* exiting: every call fails with EINVAL, still looks alive */
	int fail_errno;
	int calls_before_exit; /* > 0: the process exits after this many calls */
	int calls;
	int busy_once[MODEL_PAGES]; /* EBUSY on the first try */
} model;

static long model_move_pages(int pid, unsigned long count, void **pages, const int *nodes,
			     int *status, int flags)
{
	long not_migrated = 0;

	(void)pid;
	if (model.calls_before_exit && model.calls >= model.calls_before_exit) {
		errno = ESRCH;
		return -1;
	}
	model.calls++;
	if (model.no_mm) {
		errno = EINVAL;
		return -1;
	}
	if (nodes && (flags & MPOL_MF_MOVE_ALL) && model.userns) {
		errno = EPERM;
		return -1;
	}
	for (unsigned long i = 0; i < count; i++) {
		size_t p = ((uintptr_t)pages[i] - MODEL_BASE) / MODEL_PSZ;

		if (!nodes) {
			status[i] = model.node[p];
			continue;
		}
		if (model.fail_after && (int)i >= model.fail_after) {
			errno = model.fail_errno;
			return -1; /* the first fail_after pages did move */
		}
		if (model.shared[p] && !(flags & MPOL_MF_MOVE_ALL)) {
			status[i] = -EACCES;
		} else if (model.busy_once[p]) {
			model.busy_once[p] = 0;
			status[i] = -EBUSY;
		} else if (model.pinned[p]) {
			not_migrated++;
			status[i] = nodes[i]; /* as the kernel does: no record of the failure */
		} else {
			model.node[p] = nodes[i];
			status[i] = nodes[i];
		}
	}
	return not_migrated;
}

static pid_t model_still_same(void *userdata)
{
	(void)userdata;
	return model.calls_before_exit && model.calls >= model.calls_before_exit ? -ESRCH : 4242;
}

static struct migrate_stats model_run(int flags, size_t chunk, int *outcome, int *ret)
{
	uint64_t addrs[MODEL_PAGES];
	int nodes[MODEL_PAGES];
	struct migrate_pacer p;
	struct migrate_stats st;
	struct migrate_request req = { .pid = 4242,
				       .flags = flags,
				       .still_same = model_still_same,
				       .move_pages = model_move_pages };

	for (size_t i = 0; i < MODEL_PAGES; i++) {
		addrs[i] = MODEL_BASE + i * MODEL_PSZ;
		nodes[i] = 0;
	}
	memset(&st, 0, sizeof(st));
	migrate_pacer_init(&p, 1ULL << 50); /* so slow a target that chunks only grow */
	p.chunk = chunk;
	*ret = migrate_move(&req, addrs, nodes, MODEL_PAGES, &p, outcome, &st);
	return st;
}

static void model_reset(void)
{
	memset(&model, 0, sizeof(model));
	for (size_t i = 0; i < MODEL_PAGES; i++)
		model.node[i] = 2;
}

/* Item 4: one pinned page of 64: the kernel moved 63, and so says the report. */
START_TEST(test_model_one_pinned_page)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.pinned[17] = true;
	st = model_run(MPOL_MF_MOVE_ALL, 64, outcome, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(st.moved_pages, 63);
	ck_assert_uint_eq(st.failed_pages, 1);
	ck_assert_uint_eq(st.failures[EAGAIN], 1);
	ck_assert_uint_eq(st.failures[EINPROGRESS], 0);
	ck_assert_uint_ge(st.requeries, 1);
	ck_assert_int_eq(outcome[17], -EAGAIN);
	ck_assert_int_eq(outcome[16], 0);
	ck_assert_int_eq(model.node[17], 2);
}
END_TEST

/* A call-level error after part of the call moved: the moved part is counted. */
START_TEST(test_model_error_after_partial_move)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.fail_after = 10;
	model.fail_errno = ENOMEM;
	st = model_run(MPOL_MF_MOVE_ALL, 64, outcome, &r);
	ck_assert_int_eq(r, 0);
	/* every call moves 10 pages before failing; the retry pass is not for ENOMEM */
	ck_assert_uint_eq(st.moved_pages, 10);
	ck_assert_uint_eq(st.failed_pages, 54);
	ck_assert_uint_eq(st.failures[ENOMEM], 54);
	for (size_t i = 0; i < MODEL_PAGES; i++)
		ck_assert_int_eq(outcome[i], i < 10 ? 0 : -ENOMEM);
}
END_TEST

/* Item 5: MOVE_ALL refused in a user namespace: fall back to MOVE, shared pages say EACCES. */
START_TEST(test_model_userns_falls_back)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.userns = true;
	for (size_t i = 0; i < MODEL_PAGES; i += 4)
		model.shared[i] = true;
	st = model_run(MPOL_MF_MOVE_ALL, 16, outcome, &r);
	ck_assert_int_eq(r, 0);
	ck_assert(st.fell_back_to_move);
	ck_assert_uint_eq(st.moved_pages, 48);
	ck_assert_uint_eq(st.failures[EACCES], 16);
	ck_assert_uint_eq(st.failures[EPERM], 0);
}
END_TEST

/* Busy pages are tried once more at the end of the pass. */
START_TEST(test_model_busy_retried)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.busy_once[3] = model.busy_once[40] = 1;
	st = model_run(MPOL_MF_MOVE_ALL, 64, outcome, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(st.retried_pages, 2);
	ck_assert_uint_eq(st.moved_pages, MODEL_PAGES);
	ck_assert_uint_eq(st.failed_pages, 0);
}
END_TEST

/* Item 13: the process exits mid-request: what moved stays counted, the rest is vanished. */
START_TEST(test_model_exit_mid_request)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.calls_before_exit = 2;
	st = model_run(MPOL_MF_MOVE_ALL, 16, outcome, &r);
	ck_assert_int_eq(r, -ESRCH);
	ck_assert_uint_eq(st.moved_pages, 16 + 32); /* chunks of 16, then 32 */
	ck_assert_uint_eq(st.vanished_pages, MODEL_PAGES - 48);
	ck_assert_uint_eq(st.failed_pages, 0);
	ck_assert_int_eq(outcome[47], 0);
	ck_assert_int_eq(outcome[48], -ESRCH);
}
END_TEST

/* An exiting process has no mm before it looks gone: EINVAL means vanished, not failed. */
START_TEST(test_model_exiting_process_is_vanished)
{
	int outcome[MODEL_PAGES], r;
	struct migrate_stats st;

	model_reset();
	model.no_mm = true;
	st = model_run(MPOL_MF_MOVE_ALL, 16, outcome, &r);
	ck_assert_int_eq(r, -ESRCH);
	ck_assert_uint_eq(st.failed_pages, 0);
	ck_assert_uint_eq(st.failures[EINVAL], 0);
	ck_assert_uint_eq(st.vanished_pages, MODEL_PAGES);
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
	tcase_add_test(move, test_move_self_to_own_node);
	tcase_add_test(move, test_move_untouched_pages_fail_softly);
	tcase_add_test(move, test_move_vanished);
	tcase_add_test(move, test_default_flags);
	tcase_add_test(move, test_model_one_pinned_page);
	tcase_add_test(move, test_model_error_after_partial_move);
	tcase_add_test(move, test_model_userns_falls_back);
	tcase_add_test(move, test_model_busy_retried);
	tcase_add_test(move, test_model_exit_mid_request);
	tcase_add_test(move, test_model_exiting_process_is_vanished);
	suite_add_tcase(s, move);
	return s;
}

int main(void)
{
	return run_suite(migrate_suite());
}
