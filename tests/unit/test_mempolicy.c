/* SPDX-License-Identifier: MIT */
/* Policy mempolicy modes as set_mempolicy(2) arguments (pure, no syscalls). */
#include <check.h>
#include <numaif.h>

#include "mempolicy.h"
#include "testlib.h"

static struct idset nodes_of(const char *list)
{
	struct idset s;

	ck_assert_int_eq(idset_parse(list, &s), 0);
	return s;
}

START_TEST(test_modes)
{
	static const struct {
		enum policy_mempolicy_mode mode;
		int want;
	} cases[] = {
		{ POLICY_MPOL_BIND, MPOL_BIND },
		{ POLICY_MPOL_PREFERRED_MANY, 5 },
		{ POLICY_MPOL_INTERLEAVE, MPOL_INTERLEAVE },
		{ POLICY_MPOL_WEIGHTED_INTERLEAVE, 6 },
	};
	struct idset s = nodes_of("0,2,65");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mempolicy_args a;

		ck_assert_int_eq(mempolicy_from_policy(cases[i].mode, &s, &a), 0);
		ck_assert_int_eq(a.mode, cases[i].want);
		ck_assert_uint_eq(a.maxnode, IDSET_MAX + 1);
		ck_assert_uint_eq(a.mask[0], (1UL << 0) | (1UL << 2));
		ck_assert_uint_eq(a.mask[1], 1UL << 1); /* node 65 */
		for (size_t w = 2; w < ARRAY_SIZE(a.mask); w++)
			ck_assert_uint_eq(a.mask[w], 0);
	}
}
END_TEST

START_TEST(test_default_and_preferred)
{
	struct idset none, one = nodes_of("3"), two = nodes_of("0-1");
	struct mempolicy_args a, untouched = { .mode = 99 };

	idset_clear(&none);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_DEFAULT, &none, &a), 0);
	ck_assert_int_eq(a.mode, MPOL_DEFAULT);
	ck_assert_uint_eq(a.maxnode, 0);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_DEFAULT, NULL, &a), 0);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_PREFERRED, &one, &a), 0);
	ck_assert_int_eq(a.mode, MPOL_PREFERRED);
	ck_assert_uint_eq(a.mask[0], 1UL << 3);

	/* what the validator refuses is refused here too, output untouched */
	a = untouched;
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_DEFAULT, &one, &a), -EINVAL);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_PREFERRED, &two, &a), -EINVAL);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_BIND, &none, &a), -EINVAL);
	ck_assert_int_eq(mempolicy_from_policy(POLICY_MPOL_WEIGHTED_INTERLEAVE, &none, &a),
			 -EINVAL);
	ck_assert_int_eq(mempolicy_from_policy((enum policy_mempolicy_mode)42, &one, &a), -EINVAL);
	ck_assert_int_eq(a.mode, 99);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(mempolicy_kernel_name(6), "MPOL_WEIGHTED_INTERLEAVE");
	ck_assert_str_eq(mempolicy_kernel_since(6), "6.9");
	ck_assert_str_eq(mempolicy_kernel_name(5), "MPOL_PREFERRED_MANY");
	ck_assert_str_eq(mempolicy_kernel_since(5), "5.15");
	ck_assert_ptr_null(mempolicy_kernel_since(MPOL_BIND));
	ck_assert_str_eq(mempolicy_kernel_name(77), "MPOL_?");
}
END_TEST

static Suite *mempolicy_suite(void)
{
	Suite *s = suite_create("mempolicy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_default_and_preferred);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(mempolicy_suite());
}
