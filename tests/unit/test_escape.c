/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <string.h>

#include "error.h"
#include "escape.h"
#include "testlib.h"

static const char *esc(const char *s)
{
	static char buf[4096];

	return escape_terminal(s, buf, sizeof(buf));
}

static const char *field(const char *s)
{
	static char buf[4096];

	return escape_field(s, buf, sizeof(buf));
}

/*
 * No byte a terminal could act on: C0, DEL, ESC, or a C1 control.  Checked in
 * plain C and asserted once (a ck_assert per byte is slow in fork mode).
 */
static void assert_terminal_safe(const char *s)
{
	size_t n = strlen(s), bad = n;

	ck_assert_msg(utf8_valid(s, n), "not UTF-8: %s", s);
	for (size_t i = 0; i < n && bad == n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f))
			bad = i;
	}
	ck_assert_msg(bad == n, "unsafe byte 0x%02x at %zu of \"%s\"",
		      bad < n ? (unsigned char)s[bad] : 0, bad, s);
}

struct case_ {
	const char *in, *want;
};

static const struct case_ terminal_cases[] = {
	{ "sleep", "sleep" },
	{ "", "" },
	{ "a b", "a b" },
	/* the forged table row of issue 7 item 12 */
	{ "x\n1 fake   9", "x\\x0a1 fake   9" },
	{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
	{ "\x1b]0;title\x07", "\\x1b]0;title\\x07" },
	{ "a\rb\tc\x7f", "a\\x0db\\x09c\\x7f" },
	{ "back\\slash", "back\\\\slash" },
	{ "\\x1b", "\\\\x1b" }, /* the text "\x1b" is not confused with the byte */
	/* valid UTF-8 passes */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "\xe2\x82\xac 5", "\xe2\x82\xac 5" },
	{ "\xf0\x9f\x90\xa7", "\xf0\x9f\x90\xa7" }, /* U+1F427 */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF, the last code point */
	{ "\xed\x9f\xbf", "\xed\x9f\xbf" }, /* U+D7FF, just below the surrogates */
	/* overlong forms */
	{ "\xc0\xaf", "\\xc0\\xaf" },
	{ "\xc1\xbf", "\\xc1\\xbf" },
	{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },
	{ "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf" },
	{ "\xc0\x8a", "\\xc0\\x8a" }, /* an overlong newline */
	/* UTF-16 surrogates, encoded */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
	{ "\xed\xbf\xbf", "\\xed\\xbf\\xbf" },
	/* above U+10FFFF, and bytes that never occur */
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
	{ "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80" },
	{ "\xfe\xff", "\\xfe\\xff" },
	/* truncated sequences, at the end and before ASCII */
	{ "ab\xe2\x82", "ab\\xe2\\x82" },
	{ "\xe2\x28\xa1", "\\xe2(\\xa1" },
	{ "\xf0\x9f\x90", "\\xf0\\x9f\\x90" },
	{ "\xc3", "\\xc3" },
	/* stray continuation bytes */
	{ "\x80\xbf", "\\x80\\xbf" },
	/* C1 controls (U+009B is CSI on some terminals) */
	{ "\xc2\x9b"
	  "31m",
	  "\\xc2\\x9b"
	  "31m" },
	{ "\xc2\x85", "\\xc2\\x85" },
	{ "\xc2\xa0", "\xc2\xa0" }, /* U+00A0 is printable */
	/* bidi override and line separator */
	{ "a\xe2\x80\xae"
	  "b",
	  "a\\xe2\\x80\\xae"
	  "b" },
	{ "\xe2\x81\xa6", "\\xe2\\x81\\xa6" },
	{ "\xe2\x80\xa8", "\\xe2\\x80\\xa8" },
};

START_TEST(test_terminal)
{
	const struct case_ *c = &terminal_cases[_i];
	const char *got = esc(c->in);

	ck_assert_str_eq(got, c->want);
	assert_terminal_safe(got);
	ck_assert_uint_eq(escape_bytes_size(c->in, 0), strlen(c->want) + 1);
}
END_TEST

START_TEST(test_field)
{
	ck_assert_str_eq(field("x\n1 fake   9"), "x\\x0a1\\x20fake\\x20\\x20\\x209");
	ck_assert_str_eq(field("a\"b"), "a\\x22b");
	ck_assert_str_eq(field(""), "\"\"");
	ck_assert_str_eq(field("\"\""), "\\x22\\x22"); /* unlike the empty field */
	ck_assert_str_eq(field("/usr/lib/x86_64-linux-gnu/libc.so.6"),
			 "/usr/lib/x86_64-linux-gnu/libc.so.6");
	ck_assert_str_eq(field("/tmp/a b (deleted)"), "/tmp/a\\x20b\\x20(deleted)");
	ck_assert_ptr_null(strpbrk(field("\t \n\v\f\r"), " \t\n\v\f\r"));
	ck_assert_uint_eq(escape_bytes_size("", ESCAPE_FIELD), 3);
}
END_TEST

START_TEST(test_keep_backslash)
{
	char buf[64];

	/* a message whose argument was escaped once already is not escaped twice */
	ck_assert_str_eq(escape_bytes("bad \"\\x1b[31m\"", ESCAPE_KEEP_BACKSLASH, buf, sizeof(buf)),
			 "bad \"\\x1b[31m\"");
	ck_assert_str_eq(escape_bytes("raw \x1b[31m\n", ESCAPE_KEEP_BACKSLASH, buf, sizeof(buf)),
			 "raw \\x1b[31m\\x0a");
}
END_TEST

START_TEST(test_null_and_size_zero)
{
	char buf[8] = "keep";

	ck_assert_str_eq(esc(NULL), "(null)");
	ck_assert_str_eq(escape_terminal("abc", buf, 0), "");
	ck_assert_str_eq(buf, "keep"); /* untouched */
	ck_assert_uint_eq(escape_bytes_size(NULL, 0), 7);
}
END_TEST

/* The cut is visible, never inside an escape or a character, and never overflows. */
START_TEST(test_truncation_edges)
{
	char buf[32];

	memset(buf, 'Z', sizeof(buf));
	/* "abcdefgh" needs 9: a 9-byte buffer holds it whole, an 8-byte one does not */
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 9), "abcdefgh");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 8), "abcd...");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 5), "a...");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 4), "...");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 3), "..");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 2), ".");
	ck_assert_str_eq(escape_terminal("abcdefgh", buf, 1), "");
	/* an escape that does not fit whole is left out, not cut to "\x1" */
	ck_assert_str_eq(escape_terminal("ab\x1b"
					 "cdef",
					 buf, 9),
			 "ab...");
	ck_assert_str_eq(escape_terminal("ab\x1b", buf, 7), "ab\\x1b");
	ck_assert_str_eq(escape_terminal("ab\x1b", buf, 6), "ab...");
	/* nor is a UTF-8 character split */
	ck_assert_str_eq(escape_terminal("a\xe2\x82\xac\xe2\x82\xac", buf, 7), "a...");
	memset(buf, 'Z', sizeof(buf));
	ck_assert_str_eq(escape_terminal("a\xe2\x82\xac\xe2\x82\xac", buf, 8),
			 "a\xe2\x82\xac\xe2\x82\xac");
	ck_assert_int_eq(buf[8], 'Z'); /* nothing written past @size */
	for (size_t size = 1; size < sizeof(buf); size++) {
		const char *in = "x\n\x1b[1m\xe2\x82\xac\xff\\ y";
		const char *got;

		memset(buf, 'Z', sizeof(buf));
		got = escape_terminal(in, buf, size);
		ck_assert_uint_lt(strlen(got), size);
		ck_assert_int_eq(buf[size], 'Z');
		assert_terminal_safe(got);
		ck_assert(utf8_valid(got, strlen(got)));
	}
}
END_TEST

START_TEST(test_long_input_and_dup)
{
	size_t n = 1 << 16;
	char *in = malloc(n + 1), *out;
	char small[ESCAPE_SHORT_MAX];
	const char *cut;

	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)(i % 3 == 0 ? 0x1b : i % 3 == 1 ? '\n' : 'a');
	in[n] = '\0';
	out = escape_bytes_dup(in, 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out) + 1, escape_bytes_size(in, 0));
	assert_terminal_safe(out);
	ck_assert(strncmp(out, "\\x1b\\x0aa\\x1b", 13) == 0);
	free(out);

	cut = escape_terminal(in, small, sizeof(small));
	ck_assert_uint_lt(strlen(cut), sizeof(small));
	ck_assert_str_eq(cut + strlen(cut) - 3, "...");
	ck_assert_str_eq(ESCAPE_TERMINAL("\x1b[2J"), "\\x1b[2J");
	free(in);
}
END_TEST

static const char *const valid_utf8[] = {
	"",
	"plain",
	"caf\xc3\xa9",
	"\xe2\x82\xac",
	"\xf0\x9f\x90\xa7",
	"\xf4\x8f\xbf\xbf",
	"\xee\x80\x80", /* U+E000, just above the surrogates */
	"\xef\xbf\xbd",
	"\x1b\n", /* controls are valid UTF-8 */
};

static const char *const invalid_utf8[] = {
	"\xc0\x80",
	"\xc1\xbf",
	"\xe0\x9f\xbf",
	"\xf0\x8f\xbf\xbf",
	"\xed\xa0\x80",
	"\xed\xbf\xbf",
	"\xf4\x90\x80\x80",
	"\xf8\x88\x80\x80\x80",
	"\xff",
	"\x80",
	"a\xc3",
	"\xe2\x82",
	"\xf0\x9f\x90",
	"\xe2\x28\xa1",
};

START_TEST(test_utf8_valid)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_utf8); i++)
		ck_assert_msg(utf8_valid(valid_utf8[i], strlen(valid_utf8[i])), "valid[%zu]", i);
	for (size_t i = 0; i < ARRAY_SIZE(invalid_utf8); i++)
		ck_assert_msg(!utf8_valid(invalid_utf8[i], strlen(invalid_utf8[i])), "invalid[%zu]",
			      i);
	/* the length bounds the check: a character cut by @n is invalid */
	ck_assert(!utf8_valid("\xe2\x82\xac", 2));
	ck_assert(utf8_valid("\xe2\x82\xac", 3));
	ck_assert(utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(test_sanitize)
{
	char buf[64];
	const char *ok = "/usr/lib/caf\xc3\xa9.so \\x41";
	char *dup;

	/* valid text is returned as is, not copied */
	ck_assert_ptr_eq(utf8_sanitize(ok, buf, sizeof(buf)), ok);
	ck_assert_str_eq(utf8_sanitize("a\xff"
				       "b",
				       buf, sizeof(buf)),
			 "a\xef\xbf\xbd"
			 "b");
	ck_assert_str_eq(utf8_sanitize("\xed\xa0\x80", buf, sizeof(buf)),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(utf8_sanitize("\xe2\x82", buf, sizeof(buf)), "\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(utf8_sanitize("x\x1b\n", buf, sizeof(buf)), "x\x1b\n"); /* json-c's job */
	ck_assert_str_eq(utf8_sanitize("\xff\xff\xff", buf, 8), "\xef\xbf\xbd...");
	ck_assert_str_eq(utf8_sanitize("\xff\xff\xff", buf, 10),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	for (size_t i = 0; i < ARRAY_SIZE(invalid_utf8); i++) {
		const char *got = utf8_sanitize(invalid_utf8[i], buf, sizeof(buf));

		ck_assert_msg(utf8_valid(got, strlen(got)), "invalid[%zu] still invalid", i);
		dup = utf8_sanitize_dup(invalid_utf8[i]);
		ck_assert_ptr_nonnull(dup);
		ck_assert_str_eq(dup, got);
		free(dup);
	}
	dup = utf8_sanitize_dup(ok);
	ck_assert_str_eq(dup, ok);
	free(dup);
}
END_TEST

START_TEST(test_error_message_not_cut_silently)
{
	struct error err = { 0 };
	char *big = malloc(10000);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 9999);
	big[9999] = '\0';
	/* 600 bytes used to be cut at 511 */
	big[600] = '\0';
	error_set(&err, -EINVAL, "%s: end", big);
	ck_assert_uint_eq(strlen(err.message), 605);
	ck_assert_str_eq(err.message + 600, ": end");
	big[600] = 'a';
	error_set(&err, -EINVAL, "%s: end", big);
	ck_assert_uint_eq(strlen(err.message), sizeof(err.message) - 1);
	ck_assert_str_eq(err.message + strlen(err.message) - 3, "...");
	/* not inside a UTF-8 character: "é" (2 bytes) laid so that the cut meets it */
	for (size_t i = 0; i + 1 < 9999; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[9998] = '\0';
	error_set(&err, -EINVAL, "x%s", big);
	ck_assert(utf8_valid(err.message, strlen(err.message)));
	ck_assert_str_eq(err.message + strlen(err.message) - 3, "...");
	ck_assert_int_eq(err.code, -EINVAL);
	free(big);
}
END_TEST

static Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_terminal, 0, (int)ARRAY_SIZE(terminal_cases));
	tcase_add_test(tc, test_field);
	tcase_add_test(tc, test_keep_backslash);
	tcase_add_test(tc, test_null_and_size_zero);
	tcase_add_test(tc, test_truncation_edges);
	tcase_add_test(tc, test_long_input_and_dup);
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_error_message_not_cut_silently);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(escape_suite());
}
