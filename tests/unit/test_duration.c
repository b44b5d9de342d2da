/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "duration.h"
#include "testlib.h"

#define SEC NSEC_PER_SEC
#define MSEC NSEC_PER_MSEC

static const struct {
	const char *text;
	uint64_t ns;
} valid[] = {
	{ "500ms", 500 * MSEC },
	{ "2s", 2 * SEC },
	{ "1min", 60 * SEC },
	{ "1h 30min", 5400 * SEC },
	{ "1h30min", 5400 * SEC },
	{ "1.5s", 1500 * MSEC },
	{ "0.25ms", 250000 },
	{ "100ms", 100 * MSEC },
	{ "30s", 30 * SEC },
	{ "  2s  ", 2 * SEC },
	{ "1d", 86400 * SEC },
	{ "1w 1d", 8 * 86400 * SEC },
	{ "3us", 3000 },
	{ "3usec", 3000 },
	{ "7ns", 7 },
	{ "2m", 120 * SEC },
	{ "2 minutes 3 seconds", 0 }, /* not valid: a space between number and unit */
	{ "1.0000000001s", SEC }, /* finer than a nanosecond: truncated */
	{ "1.999999999999s", 1999999999 },
	{ "18446744073709551615ns", UINT64_MAX },
	{ "5hr", 5 * 3600 * SEC },
	{ "0s", 0 },
};

START_TEST(test_valid)
{
	uint64_t ns = 42;
	int r = duration_parse(valid[_i].text, &ns);

	if (strcmp(valid[_i].text, "2 minutes 3 seconds") == 0) {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_uint_eq(ns, 42);
		return;
	}
	ck_assert_msg(r == 0, "\"%s\": %d", valid[_i].text, r);
	ck_assert_msg(ns == valid[_i].ns, "\"%s\": %" PRIu64 " ns, expected %" PRIu64,
		      valid[_i].text, ns, valid[_i].ns);
}
END_TEST

static const struct {
	const char *text;
	int r;
} invalid[] = {
	{ "", -EINVAL },
	{ "   ", -EINVAL },
	{ "2", -EINVAL }, /* no unit: refused, unlike systemd */
	{ "-2s", -EINVAL },
	{ "+2s", -EINVAL },
	{ "2x", -EINVAL },
	{ "s", -EINVAL },
	{ "1.s", -EINVAL },
	{ ".5s", -EINVAL },
	{ "2s garbage", -EINVAL },
	{ "2s,3s", -EINVAL },
	{ "2S", -EINVAL },
	{ "1e3ms", -EINVAL },
	{ "2s\n3", -EINVAL },
	{ "18446744073709551616ns", -ERANGE },
	{ "18446744073709551615ns 1ns", -ERANGE },
	{ "584555y", -EINVAL },
	{ "30000000000w", -ERANGE },
	{ "99999999999999999999999s", -ERANGE },
};

START_TEST(test_invalid)
{
	uint64_t ns = 42;
	int r = duration_parse(invalid[_i].text, &ns);

	ck_assert_msg(r == invalid[_i].r, "\"%s\": %d, expected %d", invalid[_i].text, r,
		      invalid[_i].r);
	ck_assert_uint_eq(ns, 42); /* untouched on failure */
}
END_TEST

START_TEST(test_null)
{
	uint64_t ns = 42;

	ck_assert_int_eq(duration_parse(NULL, &ns), -EINVAL);
	ck_assert_uint_eq(ns, 42);
}
END_TEST

START_TEST(test_format_round_trip)
{
	static const uint64_t values[] = { 1,
					   999,
					   1000,
					   1500 * MSEC,
					   2 * SEC,
					   5400 * SEC,
					   100 * MSEC + 7,
					   UINT64_MAX,
					   8 * 86400 * SEC };
	char buf[128];

	ck_assert_str_eq(duration_format(5400 * SEC, buf, sizeof(buf)), "1h 30min");
	ck_assert_str_eq(duration_format(1500 * MSEC, buf, sizeof(buf)), "1s 500ms");
	ck_assert_str_eq(duration_format(0, buf, sizeof(buf)), "0");
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		uint64_t back = 0;

		duration_format(values[i], buf, sizeof(buf));
		ck_assert_msg(duration_parse(buf, &back) == 0, "\"%s\" does not parse", buf);
		ck_assert_msg(back == values[i], "%" PRIu64 " -> \"%s\" -> %" PRIu64, values[i],
			      buf, back);
	}
}
END_TEST

static Suite *duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_valid, 0, (int)ARRAY_SIZE(valid));
	tcase_add_loop_test(tc, test_invalid, 0, (int)ARRAY_SIZE(invalid));
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_format_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(duration_suite());
}
