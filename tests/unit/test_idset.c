/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>

#include "idset.h"
#include "testlib.h"

static const char *fmt(const struct idset *set)
{
	static char buf[1024];

	return idset_format(set, buf, sizeof(buf));
}

START_TEST(test_parse_list)
{
	struct idset set;

	ck_assert_int_eq(idset_parse("0-3,8", &set), 0);
	ck_assert_uint_eq(idset_count(&set), 5);
	for (int id = 0; id <= 3; id++)
		ck_assert(idset_has(&set, id));
	ck_assert(!idset_has(&set, 4));
	ck_assert(!idset_has(&set, 7));
	ck_assert(idset_has(&set, 8));
	ck_assert(!idset_has(&set, 9));
	ck_assert(!idset_empty(&set));
	ck_assert_str_eq(fmt(&set), "0-3,8");
}
END_TEST

static const char *const round_trips[] = {
	"0",	   "8",		 "0-3,8",	"0,2,4", "1-2,4-5,7", "63-64",
	"127,129", "0-15,32-47", "16-31,48-63", "8191",	 "0-8191",    "1,3,5-6,8190-8191",
};

START_TEST(test_round_trip)
{
	const char *text = round_trips[_i];
	struct idset set, again;

	ck_assert_int_eq(idset_parse(text, &set), 0);
	ck_assert_str_eq(fmt(&set), text);
	ck_assert_int_eq(idset_parse(fmt(&set), &again), 0);
	ck_assert_mem_eq(&set, &again, sizeof(set));
}
END_TEST

START_TEST(test_parse_whitespace_and_empty)
{
	struct idset set;

	ck_assert_int_eq(idset_parse("", &set), 0);
	ck_assert(idset_empty(&set));
	ck_assert_uint_eq(idset_count(&set), 0);
	ck_assert_str_eq(fmt(&set), "");

	idset_clear(&set);
	idset_add(&set, 5);
	ck_assert_int_eq(idset_parse("\n", &set), 0); /* sysfs's empty node list */
	ck_assert(idset_empty(&set));

	ck_assert_int_eq(idset_parse("0-3\n", &set), 0);
	ck_assert_str_eq(fmt(&set), "0-3");
	ck_assert_int_eq(idset_parse("  1,2 \n", &set), 0);
	ck_assert_str_eq(fmt(&set), "1-2");
	ck_assert_int_eq(idset_parse("3,1,2", &set), 0); /* unordered is fine */
	ck_assert_str_eq(fmt(&set), "1-3");
	ck_assert_int_eq(idset_parse("2,2,1-3", &set), 0); /* repeats are fine */
	ck_assert_str_eq(fmt(&set), "1-3");
}
END_TEST

static const char *const invalid[] = {
	"1-0", "0-",	"1,,2", "1,",	 ",1",	  "0-3x",  "0-3,8 x", "0 1", "a",
	"-1",  "1-2-3", "0--1", "zzz\n", "1-0\n", "0-\n",  "0x1",     "1;2", "\t,",
	"+1",  "1-+2",	"1 ,2", "1, 2",	 "1 -2",  "0-1 x", "1\n2",
};

START_TEST(test_parse_invalid)
{
	struct idset set;

	idset_clear(&set);
	idset_add(&set, 42);
	ck_assert_msg(idset_parse(invalid[_i], &set) == -EINVAL, "\"%s\" must be -EINVAL",
		      invalid[_i]);
	/* @ret untouched on failure */
	ck_assert_uint_eq(idset_count(&set), 1);
	ck_assert(idset_has(&set, 42));
}
END_TEST

START_TEST(test_parse_range_limit)
{
	struct idset set;

	ck_assert_int_eq(idset_parse("8191", &set), 0);
	ck_assert(idset_has(&set, IDSET_MAX - 1));
	ck_assert_int_eq(idset_parse("8192", &set), -ERANGE);
	ck_assert_int_eq(idset_parse("0-8192", &set), -ERANGE);
	ck_assert_int_eq(idset_parse("1,100000", &set), -ERANGE);
	ck_assert_int_eq(idset_parse("99999999999999999999999", &set), -ERANGE);
	ck_assert_int_eq(idset_parse("0-99999999999999999999999", &set), -ERANGE);
}
END_TEST

START_TEST(test_add_has)
{
	struct idset set;

	idset_clear(&set);
	ck_assert(idset_empty(&set));
	ck_assert_int_eq(idset_add(&set, 0), 0);
	ck_assert_int_eq(idset_add(&set, IDSET_MAX - 1), 0);
	ck_assert_int_eq(idset_add(&set, IDSET_MAX), -ERANGE);
	ck_assert_int_eq(idset_add(&set, -1), -ERANGE);
	ck_assert_uint_eq(idset_count(&set), 2);
	ck_assert(!idset_has(&set, -1));
	ck_assert(!idset_has(&set, IDSET_MAX));
	ck_assert(idset_has(&set, IDSET_MAX - 1));
	idset_clear(&set);
	ck_assert_uint_eq(idset_count(&set), 0);
}
END_TEST

START_TEST(test_next_and_foreach)
{
	static const int want[] = { 3, 63, 64, 65, 127, 4000, IDSET_MAX - 1 };
	struct idset set;
	size_t n = 0;

	idset_clear(&set);
	ck_assert_int_eq(idset_next(&set, 0), -1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_int_eq(idset_add(&set, want[i]), 0);

	ck_assert_int_eq(idset_next(&set, -5), 3);
	ck_assert_int_eq(idset_next(&set, 0), 3);
	ck_assert_int_eq(idset_next(&set, 3), 3);
	ck_assert_int_eq(idset_next(&set, 4), 63);
	ck_assert_int_eq(idset_next(&set, 64), 64);
	ck_assert_int_eq(idset_next(&set, 66), 127);
	ck_assert_int_eq(idset_next(&set, 128), 4000);
	ck_assert_int_eq(idset_next(&set, 4001), IDSET_MAX - 1);
	ck_assert_int_eq(idset_next(&set, IDSET_MAX - 1), IDSET_MAX - 1);
	ck_assert_int_eq(idset_next(&set, IDSET_MAX), -1);
	ck_assert_int_eq(idset_next(&set, IDSET_MAX + 100), -1);

	IDSET_FOREACH(id, &set) {
		ck_assert_uint_lt(n, sizeof(want) / sizeof(want[0]));
		ck_assert_int_eq(id, want[n]);
		n++;
	}
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	ck_assert_str_eq(fmt(&set), "3,63-65,127,4000,8191");
}
END_TEST

START_TEST(test_intersects)
{
	struct idset a, b;

	ck_assert_int_eq(idset_parse("0-1", &a), 0);
	ck_assert_int_eq(idset_parse("2,4095", &b), 0);
	ck_assert(!idset_intersects(&a, &b));
	ck_assert_int_eq(idset_add(&b, 1), 0);
	ck_assert(idset_intersects(&a, &b));
	ck_assert_int_eq(idset_parse("4095", &a), 0);
	ck_assert(idset_intersects(&a, &b));
	idset_clear(&a);
	ck_assert(!idset_intersects(&a, &b));
}
END_TEST

START_TEST(test_format_truncates)
{
	struct idset set;
	char buf[8];

	ck_assert_int_eq(idset_parse("0-3,8,10-11", &set), 0);
	/* "0-3,8,10-11" does not fit in 8: whole items that fit are kept */
	ck_assert_str_eq(idset_format(&set, buf, sizeof(buf)), "0-3,8");
	ck_assert_str_eq(idset_format(&set, buf, 4), "0-3");
	ck_assert_str_eq(idset_format(&set, buf, 3), "");
	buf[0] = 'x';
	ck_assert_ptr_eq(idset_format(&set, buf, 0), buf);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* Item 15: a NUL byte inside a buffer read whole is an error, not the end of the list. */
START_TEST(test_parse_buf_nul)
{
	static const struct {
		const char *buf;
		size_t len;
	} bad[] = {
		{ "0-1\0garbage", 11 },
		{ "0-1\0", 4 },
		{ "\0", 1 },
		{ "0\0\n", 3 },
		{ "0,\0"
		  "1",
		  4 },
		{ "\n\0", 2 },
	};
	struct idset set;

	idset_clear(&set);
	idset_add(&set, 42);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(idset_parse_buf(bad[i].buf, bad[i].len, &set) == -EINVAL,
			      "case %zu must be -EINVAL", i);
	ck_assert_uint_eq(idset_count(&set), 1); /* untouched */
	ck_assert(idset_has(&set, 42));

	/* the buffer need not be NUL-terminated: only @len bytes are looked at */
	ck_assert_int_eq(idset_parse_buf("0-1,5garbage", 5, &set), 0);
	ck_assert_str_eq(fmt(&set), "0-1,5");
	ck_assert_int_eq(idset_parse_buf("0-12", 3, &set), 0);
	ck_assert_str_eq(fmt(&set), "0-1");
	ck_assert_int_eq(idset_parse_buf("7-", 1, &set), 0);
	ck_assert_str_eq(fmt(&set), "7");
	ck_assert_int_eq(idset_parse_buf("0-", 2, &set), -EINVAL); /* dangling at the end */
	ck_assert_int_eq(idset_parse_buf("1,", 2, &set), -EINVAL);
	ck_assert_int_eq(idset_parse_buf("", 0, &set), 0);
	ck_assert(idset_empty(&set));
	ck_assert_int_eq(idset_parse_buf("3\n", 2, &set), 0);
	ck_assert_str_eq(fmt(&set), "3");
}
END_TEST

/* Huge ranges are refused after a bounded amount of work, and nothing is allocated. */
START_TEST(test_parse_huge)
{
	static const char *const huge[] = {
		"0-4294967295", "4294967297",  "0-18446744073709551616",
		"8192-8193",	"0-8191,8192", "9999999999999999999999999999999999999999",
	};
	struct idset set;

	idset_clear(&set);
	idset_add(&set, 42);
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		ck_assert_msg(idset_parse(huge[i], &set) == -ERANGE, "\"%s\" must be -ERANGE",
			      huge[i]);
	ck_assert_uint_eq(idset_count(&set), 1);
	/* the biggest accepted set is the fixed bitmap, 1 KiB */
	ck_assert_uint_eq(sizeof(struct idset), IDSET_MAX / 8);
	ck_assert_int_eq(idset_parse("0-8191", &set), 0);
	ck_assert_uint_eq(idset_count(&set), IDSET_MAX);
}
END_TEST

static Suite *idset_suite(void)
{
	Suite *s = suite_create("idset");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_list);
	tcase_add_loop_test(tc, test_round_trip, 0,
			    (int)(sizeof(round_trips) / sizeof(round_trips[0])));
	tcase_add_test(tc, test_parse_whitespace_and_empty);
	tcase_add_loop_test(tc, test_parse_invalid, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_parse_range_limit);
	tcase_add_test(tc, test_add_has);
	tcase_add_test(tc, test_next_and_foreach);
	tcase_add_test(tc, test_format_truncates);
	tcase_add_test(tc, test_intersects);
	tcase_add_test(tc, test_parse_buf_nul);
	tcase_add_test(tc, test_parse_huge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(idset_suite());
}
