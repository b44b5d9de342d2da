/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "testlib.h"
#include "unitfile.h"

/* Files that parse: the value they assign (NULL: they assign nothing). */
static const struct {
	const char *text;
	const char *name;
} valid[] = {
	{ "[Unit]\nX-CXLPolicy=web\n", "web" },
	{ "[Unit]\nDescription=x\n\n[Slice]\nMemoryHigh=1G\n", NULL },
	{ "", NULL },
	{ "# only a comment\n; another\n", NULL },
	{ "[Unit]\n  X-CXLPolicy =  batch-1.x_y  \r\n", "batch-1.x_y" },
	{ "[Unit]\nX-CXLPolicy=\n", "" },
	{ "[Unit]\nX-CXLPolicy=web", "web" }, /* no final newline */
	{ "[Slice]\nMemoryHigh=1G\n[Unit]\nX-CXLPolicy=web\n[Slice]\nCPUWeight=5\n", "web" },
	{ "[Unit]\nDescription=a \\\n  long one\nX-CXLPolicy=web\n", "web" },
	/* a continued Description whose next line looks like our key is not our key */
	{ "[Unit]\nDescription=a \\\nX-CXLPolicy=web\n", NULL },
	{ "[Unit]\n#X-CXLPolicy=web\n", NULL },
	{ "[Unit]\nX-Other=web\nX-CXLPolicyX=1\n", NULL },
	{ "[Service]\nExecStart=/bin/true\n", NULL },
	{ "[Unit]\nX-CXLPolicy=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

START_TEST(test_valid)
{
	char name[POLICY_NAME_MAX + 1] = "untouched";
	struct error err = { 0 };
	int r = unitfile_policy_parse(valid[_i].text, strlen(valid[_i].text), "t.conf", name, &err);

	ck_assert_msg(r == (valid[_i].name ? 1 : 0), "case %d: %d %s", _i, r, err.message);
	ck_assert_str_eq(name, valid[_i].name ? valid[_i].name : "untouched");
}
END_TEST

/* Files that are refused, and a piece of the message that says why. */
static const struct {
	const char *text;
	const char *message;
} invalid[] = {
	{ "[Slice]\nX-CXLPolicy=web\n", "t.conf:2: X-CXLPolicy= in [Slice] (expected in [Unit])" },
	{ "X-CXLPolicy=web\n", "t.conf:1: X-CXLPolicy= in no section" },
	{ "Description=x\n", "t.conf:1: assignment before any [Section] header" },
	{ "[Unit]\nX-CXLPolicy=Web\n", "t.conf:2: X-CXLPolicy=\"Web\" is not a policy name" },
	{ "[Unit]\nX-CXLPolicy=\"web\"\n", "is not a policy name" },
	{ "[Unit]\nX-CXLPolicy=web batch\n", "is not a policy name" },
	{ "[Unit]\nX-CXLPolicy=%n\n", "is not a policy name" },
	{ "[Unit]\nX-CXLPolicy=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "is not a policy name" },
	{ "[Unit]\nX-CXLPolicy=a\nX-CXLPolicy=b\n", "t.conf:3: X-CXLPolicy= set twice in one file "
						    "(first on line 2)" },
	{ "[Unit]\nX-CXLPolicy=we\\\nb\n", "t.conf:2: X-CXLPolicy= continued over several lines" },
	{ "[Unit]\nx-cxlpolicy=web\n", "t.conf:2: key \"x-cxlpolicy\" (expected X-CXLPolicy=, keys "
				       "are case-sensitive)" },
	{ "[Unit\nX-CXLPolicy=web\n", "t.conf:1: invalid section header" },
	{ "[]\n", "t.conf:1: invalid section header" },
	{ "[Unit]\nX-CXLPolicy web\n", "t.conf:2: missing '='" },
	{ "[Unit]\n=web\n", "t.conf:2: empty key" },
	{ "[Unit]\nX-CXLPolicy=\x1b[31mweb\n", "X-CXLPolicy=\"\\x1b[31mweb\"" },
};

START_TEST(test_invalid)
{
	char name[POLICY_NAME_MAX + 1] = "untouched";
	struct error err = { 0 };
	int r = unitfile_policy_parse(invalid[_i].text, strlen(invalid[_i].text), "t.conf", name,
				      &err);

	ck_assert_msg(r == -EINVAL, "case %d: %d", _i, r);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_msg(strstr(err.message, invalid[_i].message), "case %d: \"%s\" lacks \"%s\"", _i,
		      err.message, invalid[_i].message);
	ck_assert_str_eq(name, "untouched");
}
END_TEST

START_TEST(test_nul_and_size)
{
	static const char nul[] = "[Unit]\nX-CXLPolicy=web\0\n";
	char name[POLICY_NAME_MAX + 1] = "untouched";
	struct error err = { 0 };
	_cleanup_free_ char *big = malloc(UNITFILE_SIZE_MAX + 2);

	ck_assert_int_eq(unitfile_policy_parse(nul, sizeof(nul) - 1, "n.conf", name, &err),
			 -EINVAL);
	ck_assert_str_eq(err.message, "n.conf: NUL byte in a unit file");

	ck_assert_ptr_nonnull(big);
	memset(big, '#', UNITFILE_SIZE_MAX + 1);
	big[UNITFILE_SIZE_MAX + 1] = '\0';
	ck_assert_int_eq(unitfile_policy_parse(big, UNITFILE_SIZE_MAX + 1, "b.conf", name, &err),
			 -EFBIG);
	/* exactly at the limit is fine: one long comment line */
	ck_assert_int_eq(unitfile_policy_parse(big, UNITFILE_SIZE_MAX, "b.conf", name, &err), 0);
	ck_assert_str_eq(name, "untouched");
}
END_TEST

START_TEST(test_display_name_escaped)
{
	char name[POLICY_NAME_MAX + 1];
	struct error err = { 0 };

	ck_assert_int_eq(unitfile_policy_parse("x\n", 2, "a\nb.conf", name, &err), -EINVAL);
	ck_assert_msg(strncmp(err.message, "a\\x0ab.conf:1: ", 15) == 0, "%s", err.message);
}
END_TEST

static Suite *unitfile_suite(void)
{
	Suite *s = suite_create("unitfile");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_valid, 0, (int)ARRAY_SIZE(valid));
	tcase_add_loop_test(tc, test_invalid, 0, (int)ARRAY_SIZE(invalid));
	tcase_add_test(tc, test_nul_and_size);
	tcase_add_test(tc, test_display_name_escaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(unitfile_suite());
}
