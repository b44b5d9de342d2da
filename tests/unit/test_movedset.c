/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "movedset.h"
#include "testlib.h"

START_TEST(test_add_contains_take)
{
	struct movedset s;

	ck_assert_int_eq(movedset_init(&s), 0);
	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert_int_eq(movedset_add(&s, (struct movedset_key){ i, i * 7 }), 0);
	ck_assert_uint_eq(s.n, 1000);
	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert(movedset_contains(&s, (struct movedset_key){ i, i * 7 }));
	ck_assert(!movedset_contains(&s, (struct movedset_key){ 1, 8 }));
	/* taking every other key leaves the rest findable (probe runs stay intact) */
	for (uint64_t i = 1; i <= 1000; i += 2)
		ck_assert(movedset_take(&s, (struct movedset_key){ i, i * 7 }));
	ck_assert(!movedset_take(&s, (struct movedset_key){ 1, 7 }));
	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert_msg(movedset_contains(&s, (struct movedset_key){ i, i * 7 }) == !(i & 1),
			      "key %" PRIu64, i);
	ck_assert_uint_eq(s.n, 500);
	ck_assert_int_eq(movedset_add(&s, (struct movedset_key){ 0, 0 }), -EINVAL);
	movedset_done(&s);
}
END_TEST

START_TEST(test_bounded_keeps_newest)
{
	struct movedset s;
	uint64_t total = 3 * (uint64_t)MOVEDSET_CAPACITY;

	ck_assert_int_eq(movedset_init(&s), 0);
	for (uint64_t i = 1; i <= total; i++)
		ck_assert_int_eq(movedset_add(&s, (struct movedset_key){ i, 0 }), 0);
	ck_assert_uint_le(s.n, MOVEDSET_CAPACITY);
	ck_assert_uint_eq(s.forgotten + s.n, total);
	/* the newest quarter of the capacity is always still there */
	for (uint64_t i = total - MOVEDSET_CAPACITY / 4 + 1; i <= total; i++)
		ck_assert_msg(movedset_contains(&s, (struct movedset_key){ i, 0 }), "%" PRIu64, i);
	ck_assert(!movedset_contains(&s, (struct movedset_key){ 1, 0 }));
	movedset_done(&s);
}
END_TEST

START_TEST(test_keys_of_file_and_private_pages)
{
	struct mapping_report maps[2] = { { .file = 0 }, { .file = 1 } };
	struct mapping_file files[2] = { 0 };
	struct process_report p = { 0 };
	struct page_ref file = { .addr = 0x1000, .file_page = 5, .map = 0 };
	struct page_ref file_other_dev = { .addr = 0x1000, .file_page = 5, .map = 1 };
	struct page_ref priv = { .addr = 0x1000, .file_page = PAGE_REF_PRIVATE, .map = 0 };
	struct movedset_key a, b, c, d;

	files[0].key = (struct file_key){ 8, 1, 1234 };
	files[1].key = (struct file_key){ 8, 2, 1234 };
	p.files = files;
	p.n_files = 2;
	p.maps = maps;
	p.n_maps = 2;
	p.info.pid = 42;
	p.info.start_time = 1000;
	a = movedset_key_of(&p, &file);
	b = movedset_key_of(&p, &file_other_dev);
	c = movedset_key_of(&p, &priv);
	ck_assert(a.a != b.a || a.b != b.b); /* same inode on another device: another page */
	ck_assert(a.a != c.a || a.b != c.b);
	/* the same file page seen through another process is the same key */
	p.info.pid = 43;
	d = movedset_key_of(&p, &file);
	ck_assert(a.a == d.a && a.b == d.b);
	/* a private page of another process (or a reused pid) is another key */
	d = movedset_key_of(&p, &priv);
	ck_assert(c.a != d.a || c.b != d.b);
}
END_TEST

static Suite *movedset_suite(void)
{
	Suite *s = suite_create("movedset");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_add_contains_take);
	tcase_add_test(tc, test_bounded_keeps_newest);
	tcase_add_test(tc, test_keys_of_file_and_private_pages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(movedset_suite());
}
