/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "pagestate.h"
#include "testlib.h"

static const struct file_key libc = { .dev_major = 253, .dev_minor = 1, .inode = 1311042 };

static const struct page_info settled0 = { .state = PAGE_SETTLED, .node = 0 };
static const struct page_info settled1 = { .state = PAGE_SETTLED, .node = 1 };
static const struct page_info pending2 = { .state = PAGE_PENDING,
					   .reason = PENDING_NO_TARGET,
					   .node = 2 };
static const struct page_info forget = { .state = PAGE_UNKNOWN, .node = -1 };

static char state_letter(const struct page_info *i)
{
	switch (i->state) {
	case PAGE_UNKNOWN:
		return '.';
	case PAGE_SETTLED:
		return (char)('a' + i->node); /* a: settled on node 0, b: node 1 */
	case PAGE_PENDING:
		return (char)('A' + i->node);
	}
	return '?';
}

/*
 * [lo, hi) as one letter per page, checking the segment invariants on the way:
 * a full cover, ascending, no empty segment, neighbours inside the set never equal.
 */
static const char *pages(const struct pagestate *set, const struct file_key *key, uint64_t lo,
			 uint64_t hi)
{
	static char buf[4096];
	_cleanup_free_ struct page_segment *segs = NULL;
	size_t n = 99, len = 0;
	uint64_t at = lo;

	ck_assert_int_eq(pagestate_segments(set, key, lo, hi, &segs, &n), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(segs[i].lo, at);
		ck_assert_uint_lt(segs[i].lo, segs[i].hi);
		for (uint64_t p = segs[i].lo; p < segs[i].hi; p++)
			buf[len++] = state_letter(&segs[i].info);
		at = segs[i].hi;
	}
	ck_assert_uint_eq(at, lo < hi ? hi : lo);
	buf[len] = '\0';
	return buf;
}

static struct pagestate *new_set(void)
{
	struct pagestate *set = NULL;

	ck_assert_int_eq(pagestate_new(&set), 0);
	ck_assert_ptr_nonnull(set);
	return set;
}

START_TEST(test_empty)
{
	_cleanup_(pagestate_freep) struct pagestate *set = new_set();

	ck_assert_str_eq(pages(set, &libc, 0, 5), ".....");
	ck_assert_str_eq(pages(set, &libc, 7, 7), "");
	ck_assert_uint_eq(pagestate_segment_count(set), 0);
}
END_TEST

START_TEST(test_set_split_merge)
{
	_cleanup_(pagestate_freep) struct pagestate *set = new_set();

	ck_assert_int_eq(pagestate_set(set, &libc, 2, 8, &settled0), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 10), "..aaaaaa..");
	/* a different state inside splits the segment in three */
	ck_assert_int_eq(pagestate_set(set, &libc, 4, 6, &pending2), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 10), "..aaCCaa..");
	ck_assert_uint_eq(pagestate_segment_count(set), 3);
	/* the pending pages are moved: the three merge back into one */
	ck_assert_int_eq(pagestate_set(set, &libc, 4, 6, &settled0), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 10), "..aaaaaa..");
	ck_assert_uint_eq(pagestate_segment_count(set), 1);
	/* touching with the same info merges, with other info stays apart */
	ck_assert_int_eq(pagestate_set(set, &libc, 8, 9, &settled0), 0);
	ck_assert_int_eq(pagestate_set(set, &libc, 0, 2, &settled1), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 10), "bbaaaaaaa.");
	ck_assert_uint_eq(pagestate_segment_count(set), 2);
	/* forgetting the middle leaves both ends */
	ck_assert_int_eq(pagestate_set(set, &libc, 1, 5, &forget), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 10), "b....aaaa.");
	ck_assert_uint_eq(pagestate_segment_count(set), 2);
	/* one set over everything */
	ck_assert_int_eq(pagestate_set(set, &libc, 0, 12, &pending2), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 12), "CCCCCCCCCCCC");
	ck_assert_uint_eq(pagestate_segment_count(set), 1);
	/* empty ranges change nothing */
	ck_assert_int_eq(pagestate_set(set, &libc, 3, 3, &settled0), 0);
	ck_assert_int_eq(pagestate_set(set, &libc, 5, 1, &settled0), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 12), "CCCCCCCCCCCC");
}
END_TEST

START_TEST(test_distinct_keys)
{
	_cleanup_(pagestate_freep) struct pagestate *set = new_set();
	struct file_key other = libc;

	other.inode++;
	ck_assert_int_eq(pagestate_set(set, &libc, 0, 3, &settled0), 0);
	ck_assert_str_eq(pages(set, &other, 0, 3), "...");
	ck_assert_int_eq(pagestate_set(set, &other, 1, 2, &pending2), 0);
	ck_assert_str_eq(pages(set, &libc, 0, 3), "aaa");
	ck_assert_str_eq(pages(set, &other, 0, 3), ".C.");
}
END_TEST

struct tally {
	size_t files_seen;
	size_t pending_pages;
	size_t settled_pages;
	uint64_t last_lo;
	const struct file_key *last_key;
};

static void count_segment(const struct file_key *key, const struct page_segment *seg, void *data)
{
	struct tally *t = data;

	if (t->last_key && memcmp(t->last_key, key, sizeof(*key)) == 0)
		ck_assert_uint_gt(seg->lo, t->last_lo); /* ascending within a file */
	else
		t->files_seen++;
	t->last_key = key;
	t->last_lo = seg->lo;
	if (seg->info.state == PAGE_PENDING)
		t->pending_pages += seg->hi - seg->lo;
	else
		t->settled_pages += seg->hi - seg->lo;
}

START_TEST(test_foreach_counts)
{
	_cleanup_(pagestate_freep) struct pagestate *set = new_set();
	struct tally t = { 0 };

	for (uint64_t i = 1; i <= 500; i++) {
		struct file_key k = { .dev_major = 8, .dev_minor = (uint32_t)(i % 3), .inode = i };

		ck_assert_int_eq(pagestate_set(set, &k, 0, 10, &settled0), 0);
		ck_assert_int_eq(pagestate_set(set, &k, 20, 20 + i % 7, &pending2), 0);
	}
	pagestate_foreach(set, count_segment, &t);
	ck_assert_uint_eq(t.files_seen, 500);
	ck_assert_uint_eq(t.settled_pages, 5000);
	/* sum over i of i % 7 for i in 1..500 */
	{
		size_t want = 0;

		for (uint64_t i = 1; i <= 500; i++)
			want += i % 7;
		ck_assert_uint_eq(t.pending_pages, want);
	}
}
END_TEST

/* Random sets against a per-page model. */
START_TEST(test_random_against_model)
{
	enum { SPACE = 200 };
	static const struct page_info *const infos[] = { &settled0, &settled1, &pending2, &forget };
	_cleanup_(pagestate_freep) struct pagestate *set = new_set();
	char model[SPACE + 1];
	uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;

	memset(model, '.', SPACE);
	model[SPACE] = '\0';
	for (int step = 0; step < 500; step++) {
		const struct page_info *info;
		uint64_t lo, hi;
		size_t runs = 0;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		lo = (seed >> 33) % SPACE;
		hi = MIN((uint64_t)SPACE, lo + (seed >> 20) % 15);
		info = infos[(seed >> 45) % ARRAY_SIZE(infos)];
		ck_assert_int_eq(pagestate_set(set, &libc, lo, hi, info), 0);
		for (uint64_t p = lo; p < hi; p++)
			model[p] = state_letter(info);
		ck_assert_str_eq(pages(set, &libc, 0, SPACE), model);
		/* segments are maximal: exactly one per run of equal non-empty letters */
		for (size_t p = 0; p < SPACE; p++)
			if (model[p] != '.' && (p == 0 || model[p - 1] != model[p]))
				runs++;
		ck_assert_uint_eq(pagestate_segment_count(set), runs);
	}
}
END_TEST

START_TEST(test_free_null)
{
	pagestate_free(NULL);
}
END_TEST

static Suite *pagestate_suite(void)
{
	Suite *s = suite_create("pagestate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_set_split_merge);
	tcase_add_test(tc, test_distinct_keys);
	tcase_add_test(tc, test_foreach_counts);
	tcase_add_loop_test(tc, test_random_against_model, 0, 8);
	tcase_add_test(tc, test_free_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(pagestate_suite());
}
