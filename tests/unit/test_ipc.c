/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <json.h>
#include <string.h>

#include "ipc.h"
#include "testlib.h"

#define REQ(cmd, rest) "{\"version\":1,\"command\":\"" cmd "\"" rest "}"
#define FILE1(name, content) "{\"name\":" name ",\"content\":" content "}"
#define APPLY(files_json) REQ("apply", ",\"args\":{\"files\":" files_json "}")

static void parse_ok(const char *text, struct ipc_request *req)
{
	struct error err = { 0 };
	int r = ipc_request_parse(text, strlen(text), req, &err);

	ck_assert_msg(r == 0, "%s: %d %s", text, r, err.message);
}

START_TEST(test_valid)
{
	struct ipc_request r = { 0 };

	parse_ok(REQ("ping", ""), &r);
	ck_assert_int_eq(r.command, IPC_PING);
	ipc_request_clear(&r);
	parse_ok(" \n" REQ("reload", ",\"args\":{}") "\r\n\t ", &r);
	ck_assert_int_eq(r.command, IPC_RELOAD);
	ipc_request_clear(&r);

	parse_ok(REQ("status", ""), &r);
	ck_assert_int_eq(r.command, IPC_STATUS);
	ck_assert_ptr_null(r.cgroup);
	ipc_request_clear(&r);
	parse_ok(REQ("status", ",\"args\":{\"cgroup\":\"\"}"), &r);
	ck_assert_str_eq(r.cgroup, ""); /* the root */
	ipc_request_clear(&r);

	parse_ok("{\"args\":{\"cgroup\":\"web.slice/a.service\",\"policy\":\"web-1.x_y\"},"
		 "\"command\":\"sweep\",\"version\":1}",
		 &r);
	ck_assert_int_eq(r.command, IPC_SWEEP);
	ck_assert_str_eq(r.policy, "web-1.x_y");
	ck_assert_str_eq(r.cgroup, "web.slice/a.service");
	ipc_request_clear(&r);

	parse_ok(REQ("apply",
		     ",\"args\":{\"dry_run\":true,\"files\":[" FILE1(
			     "\"a.json\"", "\"{\\\"version\\\": 1}\\n\"") "," FILE1("\"b.json\"",
										    "\"\"") "]}"),
		 &r);
	ck_assert_int_eq(r.command, IPC_APPLY);
	ck_assert(r.dry_run);
	ck_assert_uint_eq(r.n_files, 2);
	ck_assert_str_eq(r.files[0].name, "a.json");
	ck_assert_str_eq(r.files[0].content, "{\"version\": 1}\n");
	ck_assert_uint_eq(r.files[0].len, 15);
	ck_assert_uint_eq(r.files[1].len, 0);
	ipc_request_clear(&r);
	ck_assert_ptr_null(r.files);
	ipc_request_clear(&r); /* twice is fine */
}
END_TEST

/* A NUL inside content (\u0000) is kept with its length: the policy parser rejects it later. */
START_TEST(test_content_with_nul)
{
	struct ipc_request r = { 0 };

	parse_ok(APPLY("[" FILE1("\"p.json\"", "\"a\\u0000b\"") "]"), &r);
	ck_assert_uint_eq(r.files[0].len, 3);
	ck_assert_mem_eq(r.files[0].content, "a\0b", 4);
	ipc_request_clear(&r);
}
END_TEST

static const struct {
	const char *text;
	const char *needle; /* in the message */
} invalid[] = {
	{ "", "syntax error" },
	{ "   ", "syntax error" },
	{ "null", "expected a JSON object, not null" },
	{ "[]", "expected a JSON object, not array" },
	{ "1", "expected a JSON object, not int" },
	{ "{", "syntax error" },
	{ REQ("ping", "") " x", "syntax error at offset 31" },
	{ REQ("ping", "") REQ("ping", ""), "syntax error at offset 30" },
	{ "{'version':1,'command':'ping'}", "syntax error" },
	{ "{\"command\":\"ping\"}", "request: version: missing (expected 1)" },
	{ "{\"version\":2,\"command\":\"ping\"}", "version: unsupported version 2" },
	{ "{\"version\":\"1\",\"command\":\"ping\"}",
	  "version: expected the integer 1, not string" },
	{ "{\"version\":1.0,\"command\":\"ping\"}", "version: expected the integer 1, not double" },
	{ "{\"version\":1}", "command: missing" },
	{ "{\"version\":1,\"command\":5}", "command: expected a string, not int" },
	{ "{\"version\":1,\"command\":null}", "command: expected a string, not null" },
	{ REQ("PING", ""), "command: unknown command \"PING\"" },
	{ REQ("\\u001b[31m", ""), "unknown command \"\\x1b[31m\"" },
	{ REQ("ping", ",\"extra\":1"),
	  "request: unknown key \"extra\" (expected version, command, args)" },
	{ REQ("ping", ",\"args\":[]"), "args: expected an object, not array" },
	{ REQ("ping", ",\"args\":null"), "args: expected an object, not null" },
	{ REQ("ping", ",\"args\":{\"cgroup\":\"a\"}"),
	  "args: unknown key \"cgroup\" (expected none for ping)" },
	{ REQ("reload", ",\"args\":{\"x\":1}"),
	  "args: unknown key \"x\" (expected none for reload)" },
	{ REQ("status", ",\"args\":{\"policy\":\"a\"}"),
	  "args: unknown key \"policy\" (expected cgroup for status)" },
	{ REQ("status", ",\"args\":{\"cgroup\":5}"), "args.cgroup: expected a string, not int" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"/web.slice\"}"),
	  "args.cgroup: invalid cgroup path \"/web.slice\"" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a/../b\"}"), "invalid cgroup path" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a//b\"}"), "invalid cgroup path" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a/\"}"), "invalid cgroup path" },
	{ REQ("status", ",\"args\":{\"cgroup\":\".\"}"), "invalid cgroup path" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a\\nb\"}"), "invalid cgroup path \"a\\x0ab\"" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a\\u0000b\"}"), "invalid cgroup path" },
	{ REQ("sweep", ",\"args\":{\"policy\":\"Web\"}"),
	  "args.policy: invalid policy name \"Web\"" },
	{ REQ("sweep", ",\"args\":{\"policy\":\"\"}"), "args.policy: invalid policy name" },
	{ REQ("sweep", ",\"args\":{\"policy\":[]}"), "args.policy: expected a string, not array" },
	{ REQ("sweep", ",\"args\":{\"cgroup\":\"..\"}"), "args.cgroup: invalid cgroup path" },
	{ REQ("sweep", ",\"args\":{\"node\":1}"),
	  "args: unknown key \"node\" (expected policy, cgroup for sweep)" },
	{ REQ("apply", ""), "args: missing (apply needs" },
	{ REQ("apply", ",\"args\":{}"), "args.files: missing" },
	{ REQ("apply", ",\"args\":{\"files\":{}}"),
	  "args.files: expected a list of files, not object" },
	{ APPLY("[]"), "args.files: 0 files (expected 1 to 64)" },
	{ APPLY("[1]"), "args.files[0]: expected an object" },
	{ APPLY("[" FILE1("\"a\"", "\"\"") ",7]"), "args.files[1]: expected an object" },
	{ APPLY("[{\"name\":\"p.json\"}]"), "args.files[0].content: missing" },
	{ APPLY("[{\"content\":\"\"}]"), "args.files[0].name: missing" },
	{ APPLY("[{\"name\":\"p.json\",\"content\":\"\",\"mode\":1}]"),
	  "args.files[0]: unknown key \"mode\" (expected name, content)" },
	{ APPLY("[" FILE1("7", "\"\"") "]"), "args.files[0].name: expected a string, not int" },
	{ APPLY("[" FILE1("\"\"", "\"\"") "]"), "args.files[0].name: invalid file name" },
	{ APPLY("[" FILE1("\"../p.json\"", "\"\"") "]"),
	  "args.files[0].name: invalid file name \"../p.json\"" },
	{ APPLY("[" FILE1("\"..\"", "\"\"") "]"), "invalid file name" },
	{ APPLY("[" FILE1("\".\"", "\"\"") "]"), "invalid file name" },
	{ APPLY("[" FILE1("\"a\\u0000b\"", "\"\"") "]"), "invalid file name" },
	{ APPLY("[" FILE1("\"a\\u001bb\"", "\"\"") "]"), "invalid file name \"a\\x1bb\"" },
	{ APPLY("[" FILE1("\"p.json\"", "{}") "]"),
	  "args.files[0].content: expected a string, not object" },
	{ APPLY("[" FILE1("\"p.json\"", "null") "]"),
	  "args.files[0].content: expected a string, not null" },
	{ APPLY("[" FILE1("\"p.json\"", "\"\"") "," FILE1("\"p.json\"", "\"\"") "]"),
	  "args.files[1].name: \"p.json\" given twice (also args.files[0])" },
	{ REQ("apply", ",\"args\":{\"files\":[" FILE1("\"p\"", "\"\"") "],\"dry_run\":\"yes\"}"),
	  "args.dry_run: expected true or false, not string" },
	{ REQ("apply", ",\"args\":{\"files\":[" FILE1("\"p\"", "\"\"") "],\"dry_run\":1}"),
	  "args.dry_run: expected true or false, not int" },
	/* json-c keeps the last of two equal keys: refused instead */
	{ "{\"version\":1,\"command\":\"apply\",\"command\":\"ping\"}", "the same key twice" },
	{ REQ("status", ",\"args\":{\"cgroup\":\"a\",\"cgroup\":\"b\"}"), "the same key twice" },
	{ APPLY("[{\"name\":\"a\",\"name\":\"b\",\"content\":\"\"}]"), "the same key twice" },
	{ "\xef\xbb\xbf" REQ("ping", ""), "syntax error" }, /* a byte-order mark */
	{ "{\"version\":1,\"command\":\"p\xffng\"}", "not UTF-8 text (byte 0xff at offset 25)" },
	{ "{\"version\":1,\"command\":\"\xc0\xaf\"}",
	  "not UTF-8 text (byte 0xc0" }, /* overlong '/' */
	{ "{\"version\":1,\"command\":\"\xed\xa0\x80\"}", "not UTF-8 text" }, /* a surrogate */
	{ "{\"version\":1,\"command\":\"\\ud800\"}", NULL }, /* a lone escaped surrogate */
};

START_TEST(test_invalid)
{
	struct ipc_request r = { .command = IPC_RELOAD, .dry_run = true, .policy = (char *)"keep" };
	struct error err = { 0 };
	int ret = ipc_request_parse(invalid[_i].text, strlen(invalid[_i].text), &r, &err);

	ck_assert_msg(ret == -EINVAL, "%s: %d (%s)", invalid[_i].text, ret, err.message);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_msg(strncmp(err.message, "request: ", 9) == 0, "%s", err.message);
	if (invalid[_i].needle)
		ck_assert_msg(strstr(err.message, invalid[_i].needle),
			      "%s: message \"%s\" lacks \"%s\"", invalid[_i].text, err.message,
			      invalid[_i].needle);
	for (const char *p = err.message; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f, "control byte in \"%s\"",
			      err.message);
	/* untouched on failure */
	ck_assert_int_eq(r.command, IPC_RELOAD);
	ck_assert(r.dry_run);
	ck_assert_str_eq(r.policy, "keep");
	ck_assert_ptr_null(r.files);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "{\"version\":1,\"command\":\"ping\"}\0";
	struct ipc_request r = { 0 };
	struct error err = { 0 };

	ck_assert_int_eq(ipc_request_parse(text, sizeof(text) - 1, &r, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "a NUL byte at offset 30"), "%s", err.message);
}
END_TEST

START_TEST(test_too_many_files)
{
	size_t cap = 64 + (IPC_MAX_FILES + 1) * 40, len = 0;
	char *text = malloc(cap);
	struct ipc_request r = { 0 };
	struct error err = { 0 };

	len += (size_t)snprintf(text + len, cap - len,
				"{\"version\":1,\"command\":\"apply\","
				"\"args\":{\"files\":[");
	for (int i = 0; i <= IPC_MAX_FILES; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%s{\"name\":\"%d\",\"content\":\"\"}", i ? "," : "", i);
	len += (size_t)snprintf(text + len, cap - len, "]}}");
	ck_assert_int_eq(ipc_request_parse(text, len, &r, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "args.files: 65 files (expected 1 to 64)"), "%s",
		      err.message);
	free(text);
}
END_TEST

/* A text of @size bytes: an apply whose content is @size minus the frame, in lines of JSON. */
static char *big_apply(size_t size, size_t *ret_len)
{
	static const char head[] =
		"{\"version\":1,\"command\":\"apply\",\"args\":{\"files\":[{\"name\":\"big.json\","
		"\"content\":\"";
	static const char tail[] = "\"}]}}";
	char *text = malloc(size + 1);
	size_t i = 0;

	memcpy(text, head, sizeof(head) - 1);
	i = sizeof(head) - 1;
	/* {"a": 1},\n escaped: {\"a\": 1},\n */
	while (i + sizeof(tail) - 1 < size) {
		static const char unit[] = "{\\\"a\\\": 1},\\n";
		size_t n = MIN(sizeof(unit) - 1, size - (sizeof(tail) - 1) - i);

		if (n == sizeof(unit) - 1)
			memcpy(text + i, unit, n);
		else
			memset(text + i, ' ', n); /* fill the end with spaces */
		i += n;
	}
	memcpy(text + i, tail, sizeof(tail) - 1);
	i += sizeof(tail) - 1;
	text[i] = '\0';
	*ret_len = i;
	return text;
}

START_TEST(test_size_limit)
{
	struct ipc_request r = { 0 };
	struct error err = { 0 };
	size_t len;
	char *text;

	text = big_apply(IPC_REQUEST_MAX, &len);
	ck_assert_uint_eq(len, IPC_REQUEST_MAX);
	ck_assert_msg(ipc_request_parse(text, len, &r, &err) == 0, "%s", err.message);
	ck_assert_uint_gt(r.files[0].len, (size_t)1 << 20);
	ipc_request_clear(&r);
	free(text);

	text = big_apply(IPC_REQUEST_MAX + 1, &len);
	ck_assert_int_eq(ipc_request_parse(text, len, &r, &err), -EFBIG);
	ck_assert_msg(strstr(err.message, "over the limit of 2097152 (2 MiB)"), "%s", err.message);
	ck_assert_ptr_null(r.files);
	free(text);
}
END_TEST

/* Nesting bombs: json-c stops at IPC_REQUEST_DEPTH, nothing recurses deeper. */
START_TEST(test_depth_bomb)
{
	size_t n = 100000, len = 0;
	char *text = malloc(2 * n + 128);
	struct ipc_request r = { 0 };
	struct error err = { 0 };

	len += (size_t)sprintf(text, "{\"version\":1,\"command\":\"ping\",\"args\":{\"x\":");
	memset(text + len, '[', n);
	len += n;
	memset(text + len, ']', n);
	len += n;
	len += (size_t)sprintf(text + len, "}}");
	ck_assert_int_eq(ipc_request_parse(text, len, &r, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "syntax error"), "%s", err.message);

	/* objects, just deep enough to pass json-c, then one level more */
	for (int depth = IPC_REQUEST_DEPTH - 1; depth <= IPC_REQUEST_DEPTH + 1; depth++) {
		len = 0;
		for (int i = 0; i < depth - 1; i++)
			len += (size_t)sprintf(text + len, "{\"a\":");
		len += (size_t)sprintf(text + len, "{}");
		for (int i = 0; i < depth - 1; i++)
			text[len++] = '}';
		ck_assert_int_eq(ipc_request_parse(text, len, &r, &err), -EINVAL);
		if (depth > IPC_REQUEST_DEPTH)
			ck_assert_msg(strstr(err.message, "syntax error"), "%d: %s", depth,
				      err.message);
		else
			ck_assert_msg(strstr(err.message, "unknown key \"a\""), "%d: %s", depth,
				      err.message);
	}
	free(text);
}
END_TEST

static void round_trip(const struct ipc_request *in)
{
	struct ipc_request out = { 0 };
	struct error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	ck_assert_msg(ipc_request_format(in, &text, &len, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_msg(ipc_request_parse(text, len, &out, &err) == 0, "%s: %s", text, err.message);
	ck_assert_int_eq(out.command, in->command);
	ck_assert_int_eq(out.dry_run, in->dry_run);
	ck_assert_uint_eq(out.n_files, in->n_files);
	for (size_t i = 0; i < in->n_files; i++) {
		ck_assert_str_eq(out.files[i].name, in->files[i].name);
		ck_assert_uint_eq(out.files[i].len, in->files[i].len);
		ck_assert_mem_eq(out.files[i].content, in->files[i].content, in->files[i].len);
	}
	ck_assert_int_eq(!out.policy, !in->policy);
	if (in->policy)
		ck_assert_str_eq(out.policy, in->policy);
	ck_assert_int_eq(!out.cgroup, !in->cgroup);
	if (in->cgroup)
		ck_assert_str_eq(out.cgroup, in->cgroup);
	ipc_request_clear(&out);
	free(text);
}

START_TEST(test_format_round_trip)
{
	static const char content[] =
		"{\"version\": 1, \"policies\": []}\n\t\"caf\xc3\xa9\" \\ /\x01";
	struct ipc_file files[] = {
		{ (char *)"a.json", (char *)content, sizeof(content) - 1 },
		{ (char *)"b c.json", (char *)"x\0y", 3 },
	};
	struct ipc_request reqs[] = {
		{ .command = IPC_PING },
		{ .command = IPC_RELOAD },
		{ .command = IPC_STATUS },
		{ .command = IPC_STATUS, .cgroup = (char *)"" },
		{ .command = IPC_STATUS, .cgroup = (char *)"kubepods.slice/x.scope" },
		{ .command = IPC_SWEEP, .policy = (char *)"web" },
		{ .command = IPC_SWEEP, .policy = (char *)"web", .cgroup = (char *)"a/b" },
		{ .command = IPC_APPLY, .files = files, .n_files = 2, .dry_run = true },
		{ .command = IPC_APPLY, .files = files, .n_files = 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++)
		round_trip(&reqs[i]);
}
END_TEST

START_TEST(test_format_refuses)
{
	struct ipc_file bad_name = { (char *)"a/b", (char *)"", 0 };
	struct ipc_file bad_text = { (char *)"a", (char *)"\xff", 1 };
	struct ipc_request reqs[] = {
		{ .command = IPC_APPLY, .files = &bad_name, .n_files = 1 },
		{ .command = IPC_APPLY, .files = &bad_text, .n_files = 1 },
		{ .command = IPC_APPLY, .n_files = 0 },
		{ .command = IPC_SWEEP, .policy = (char *)"No" },
		{ .command = IPC_STATUS, .cgroup = (char *)"/abs" },
		{ .command = (enum ipc_command)42 },
	};
	char *text = (char *)"untouched";
	size_t len = 7;

	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct error err = { 0 };

		ck_assert_int_eq(ipc_request_format(&reqs[i], &text, &len, &err), -EINVAL);
		ck_assert(err.message[0]);
		ck_assert_str_eq(text, "untouched");
		ck_assert_uint_eq(len, 7);
	}
}
END_TEST

START_TEST(test_commands)
{
	for (int c = 0; c < _IPC_COMMAND_MAX; c++)
		ck_assert_int_eq(ipc_command_from_string(ipc_command_to_string(c)), c);
	ck_assert_int_eq(ipc_command_from_string("Ping"), -EINVAL);
	ck_assert_str_eq(ipc_command_to_string(_IPC_COMMAND_MAX), "?");
}
END_TEST

static char *format_reply(json_object *reply)
{
	char *text = NULL;
	size_t len = 0;

	ck_assert_ptr_nonnull(reply);
	ck_assert_int_eq(ipc_reply_format(reply, &text, &len), 0);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_int_eq(text[len - 1], '\n');
	json_object_put(reply);
	return text;
}

START_TEST(test_replies)
{
	json_object *result = json_object_new_object(), *reply = NULL, *got = NULL;
	struct error err = { 0 };
	char *text;

	json_object_object_add(result, "path", json_object_new_string("a/b"));
	text = format_reply(ipc_reply_ok(result));
	ck_assert_str_eq(text, "{\"ok\":true,\"result\":{\"path\":\"a/b\"}}\n");
	ck_assert_int_eq(ipc_reply_parse(text, strlen(text), &reply, &err), 0);
	ck_assert_int_eq(ipc_reply_unpack(reply, &got, &err), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(got, "path")), "a/b");
	json_object_put(reply);
	free(text);

	text = format_reply(ipc_reply_ok(NULL));
	ck_assert_str_eq(text, "{\"ok\":true,\"result\":{}}\n");
	free(text);

	/* invalid UTF-8 in a message becomes U+FFFD: the reply stays valid JSON */
	text = format_reply(ipc_reply_error(-EINVAL, "bad \xff \"x\""));
	ck_assert_str_eq(text,
			 "{\"ok\":false,\"error\":\"bad \xef\xbf\xbd \\\"x\\\"\",\"errno\":22}\n");
	ck_assert_int_eq(ipc_reply_parse(text, strlen(text), &reply, &err), 0);
	got = (json_object *)1;
	ck_assert_int_eq(ipc_reply_unpack(reply, &got, &err), -EINVAL);
	ck_assert_ptr_eq(got, (json_object *)1);
	ck_assert_str_eq(err.message, "bad \xef\xbf\xbd \"x\"");
	json_object_put(reply);
	free(text);

	text = format_reply(ipc_reply_error(EPERM, "no"));
	ck_assert_str_eq(text, "{\"ok\":false,\"error\":\"no\",\"errno\":1}\n");
	free(text);
	text = format_reply(ipc_reply_error(0, NULL));
	ck_assert_str_eq(text, "{\"ok\":false,\"error\":\"\",\"errno\":5}\n");
	free(text);
}
END_TEST

START_TEST(test_reply_parse_refuses)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"ok\":\"yes\",\"result\":{}}",
		"{\"ok\":true}",
		"{\"ok\":false,\"errno\":1}",
		"{\"ok\":false,\"error\":\"x\"}",
		"{\"ok\":false,\"error\":\"x\",\"errno\":\"1\"}",
		"{\"ok\":true,\"result\":{}} trailing",
		"{\"ok\":true,\"result\":\"\xff\"}",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_object *reply = (json_object *)1;
		struct error err = { 0 };

		ck_assert_msg(ipc_reply_parse(bad[i], strlen(bad[i]), &reply, &err) == -EINVAL,
			      "accepted %s", bad[i]);
		ck_assert_ptr_eq(reply, (json_object *)1);
		ck_assert(err.message[0]);
	}
}
END_TEST

START_TEST(test_reply_unpack_escapes)
{
	static const char text[] =
		"{\"ok\":false,\"error\":\"a\\u001b[2Jb \\\\x1b\",\"errno\":9999}";
	json_object *reply = NULL, *got = NULL;
	struct error err = { 0 };

	ck_assert_int_eq(ipc_reply_parse(text, strlen(text), &reply, &err), 0);
	/* an errno out of range becomes EIO; a raw escape byte is shown, not sent to the terminal
	 */
	ck_assert_int_eq(ipc_reply_unpack(reply, &got, &err), -EIO);
	ck_assert_str_eq(err.message, "a\\x1b[2Jb \\x1b");
	json_object_put(reply);
}
END_TEST

static Suite *ipc_suite(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_content_with_nul);
	tcase_add_loop_test(tc, test_invalid, 0, ARRAY_SIZE(invalid));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_too_many_files);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_depth_bomb);
	tcase_add_test(tc, test_format_round_trip);
	tcase_add_test(tc, test_format_refuses);
	tcase_add_test(tc, test_commands);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_reply_parse_refuses);
	tcase_add_test(tc, test_reply_unpack_escapes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(ipc_suite());
}
