/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "rangeset.h"
#include "testlib.h"

static const struct file_key libc = { .dev_major = 253, .dev_minor = 1, .inode = 1311042 };

/* Gaps of [lo, hi) as "a-b,c-d" ("" when none), for compact assertions. */
static const char *gaps(const struct rangeset *set, const struct file_key *key, uint64_t lo,
			uint64_t hi)
{
	static char buf[4096];
	_cleanup_free_ struct page_range *g = NULL;
	size_t n = 99, len = 0;

	ck_assert_int_eq(rangeset_gaps(set, key, lo, hi, &g, &n), 0);
	buf[0] = '\0';
	if (n == 0)
		ck_assert_ptr_null(g);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_lt(g[i].lo, g[i].hi);
		if (i > 0)
			ck_assert_uint_lt(g[i - 1].hi, g[i].lo); /* ascending, separate */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%" PRIu64 "-%" PRIu64,
					i ? "," : "", g[i].lo, g[i].hi);
	}
	return buf;
}

static struct rangeset *new_set(void)
{
	struct rangeset *set = NULL;

	ck_assert_int_eq(rangeset_new(&set), 0);
	ck_assert_ptr_nonnull(set);
	return set;
}

START_TEST(test_empty)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	ck_assert_str_eq(gaps(set, &libc, 0, 10), "0-10");
	ck_assert_str_eq(gaps(set, &libc, 5, 6), "5-6");
	ck_assert_str_eq(gaps(set, &libc, 7, 7), ""); /* empty query */
	ck_assert_str_eq(gaps(set, &libc, 9, 3), "");
}
END_TEST

START_TEST(test_claim_and_gaps)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	ck_assert_int_eq(rangeset_claim(set, &libc, 10, 20), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 30), "0-10,20-30");
	ck_assert_str_eq(gaps(set, &libc, 10, 20), "");
	ck_assert_str_eq(gaps(set, &libc, 12, 15), "");
	ck_assert_str_eq(gaps(set, &libc, 0, 10), "0-10");
	ck_assert_str_eq(gaps(set, &libc, 0, 11), "0-10");
	ck_assert_str_eq(gaps(set, &libc, 19, 25), "20-25");
	ck_assert_str_eq(gaps(set, &libc, 20, 25), "20-25");
	ck_assert_str_eq(gaps(set, &libc, 25, 40), "25-40");
}
END_TEST

START_TEST(test_overlaps_merge)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	ck_assert_int_eq(rangeset_claim(set, &libc, 10, 20), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 15, 25), 0); /* overlaps the end */
	ck_assert_str_eq(gaps(set, &libc, 0, 40), "0-10,25-40");
	ck_assert_int_eq(rangeset_claim(set, &libc, 5, 12), 0); /* overlaps the start */
	ck_assert_str_eq(gaps(set, &libc, 0, 40), "0-5,25-40");
	ck_assert_int_eq(rangeset_claim(set, &libc, 7, 9), 0); /* inside */
	ck_assert_str_eq(gaps(set, &libc, 0, 40), "0-5,25-40");
	ck_assert_int_eq(rangeset_claim(set, &libc, 0, 100), 0); /* covers all */
	ck_assert_str_eq(gaps(set, &libc, 0, 120), "100-120");
}
END_TEST

START_TEST(test_bridge_many)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	ck_assert_int_eq(rangeset_claim(set, &libc, 40, 45), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 0, 5), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 20, 25), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 10, 15), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "5-10,15-20,25-40,45-50");
	/* one claim swallowing three ranges and part of a fourth */
	ck_assert_int_eq(rangeset_claim(set, &libc, 3, 22), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "25-40,45-50");
	ck_assert_int_eq(rangeset_claim(set, &libc, 30, 35), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "25-30,35-40,45-50");
}
END_TEST

START_TEST(test_adjacent)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	ck_assert_int_eq(rangeset_claim(set, &libc, 10, 20), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 20, 30), 0); /* touches the end */
	ck_assert_int_eq(rangeset_claim(set, &libc, 5, 10), 0); /* touches the start */
	ck_assert_str_eq(gaps(set, &libc, 0, 40), "0-5,30-40");
	ck_assert_str_eq(gaps(set, &libc, 5, 30), "");
	/* filling the hole between two ranges exactly */
	ck_assert_int_eq(rangeset_claim(set, &libc, 35, 40), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "0-5,30-35,40-50");
	ck_assert_int_eq(rangeset_claim(set, &libc, 30, 35), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "0-5,40-50");
	/* an empty claim changes nothing */
	ck_assert_int_eq(rangeset_claim(set, &libc, 2, 2), 0);
	ck_assert_int_eq(rangeset_claim(set, &libc, 3, 1), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 50), "0-5,40-50");
}
END_TEST

START_TEST(test_distinct_keys)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();
	struct file_key other_inode = libc, other_minor = libc, other_major = libc;

	other_inode.inode++;
	other_minor.dev_minor++;
	other_major.dev_major = 8;
	ck_assert_int_eq(rangeset_claim(set, &libc, 0, 10), 0);
	ck_assert_str_eq(gaps(set, &libc, 0, 10), "");
	ck_assert_str_eq(gaps(set, &other_inode, 0, 10), "0-10");
	ck_assert_str_eq(gaps(set, &other_minor, 0, 10), "0-10");
	ck_assert_str_eq(gaps(set, &other_major, 0, 10), "0-10");
	ck_assert_int_eq(rangeset_claim(set, &other_minor, 5, 8), 0);
	ck_assert_str_eq(gaps(set, &other_minor, 0, 10), "0-5,8-10");
	ck_assert_str_eq(gaps(set, &libc, 0, 12), "10-12");
	ck_assert_str_eq(gaps(set, &other_inode, 0, 10), "0-10");
}
END_TEST

START_TEST(test_many_keys)
{
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();

	for (uint64_t i = 1; i <= 2000; i++) {
		struct file_key k = { .dev_major = 253,
				      .dev_minor = (uint32_t)(i % 3),
				      .inode = i };

		ck_assert_int_eq(rangeset_claim(set, &k, i, i + 1), 0);
	}
	for (uint64_t i = 1; i <= 2000; i++) {
		struct file_key k = { .dev_major = 253,
				      .dev_minor = (uint32_t)(i % 3),
				      .inode = i };
		char want[64];

		snprintf(want, sizeof(want), "0-%" PRIu64 ",%" PRIu64 "-%" PRIu64, i, i + 1, i + 5);
		ck_assert_str_eq(gaps(set, &k, 0, i + 5), want);
	}
}
END_TEST

/* Random claims against a bitmap model. */
START_TEST(test_random_against_model)
{
	enum { SPACE = 300 };
	_cleanup_(rangeset_freep) struct rangeset *set = new_set();
	bool claimed[SPACE] = { false };
	uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;

	for (int step = 0; step < 400; step++) {
		uint64_t lo, hi, qlo, qhi;
		_cleanup_free_ struct page_range *g = NULL;
		size_t n = 0, k = 0;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		lo = (seed >> 33) % SPACE;
		hi = lo + (seed >> 20) % 12;
		if (hi > SPACE)
			hi = SPACE;
		ck_assert_int_eq(rangeset_claim(set, &libc, lo, hi), 0);
		for (uint64_t p = lo; p < hi; p++)
			claimed[p] = true;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		qlo = (seed >> 33) % SPACE;
		qhi = qlo + (seed >> 17) % 80;
		if (qhi > SPACE)
			qhi = SPACE;
		ck_assert_int_eq(rangeset_gaps(set, &libc, qlo, qhi, &g, &n), 0);
		/* every page of [qlo, qhi) is either claimed or in exactly one gap */
		for (uint64_t p = qlo; p < qhi; p++) {
			bool in_gap = false;

			while (k < n && g[k].hi <= p)
				k++;
			if (k < n && g[k].lo <= p && p < g[k].hi)
				in_gap = true;
			ck_assert_msg(in_gap == !claimed[p], "step %d: page %" PRIu64 " claimed=%d",
				      step, p, claimed[p]);
		}
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_ge(g[i].lo, qlo);
			ck_assert_uint_le(g[i].hi, qhi);
			/* gaps are maximal: bounded by claimed pages or the query */
			ck_assert(g[i].lo == qlo || claimed[g[i].lo - 1]);
			ck_assert(g[i].hi == qhi || claimed[g[i].hi]);
		}
	}
}
END_TEST

START_TEST(test_free_null)
{
	rangeset_free(NULL);
}
END_TEST

static Suite *rangeset_suite(void)
{
	Suite *s = suite_create("rangeset");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_claim_and_gaps);
	tcase_add_test(tc, test_overlaps_merge);
	tcase_add_test(tc, test_bridge_many);
	tcase_add_test(tc, test_adjacent);
	tcase_add_test(tc, test_distinct_keys);
	tcase_add_test(tc, test_many_keys);
	tcase_add_loop_test(tc, test_random_against_model, 0, 8);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(rangeset_suite());
}
