/* SPDX-License-Identifier: MIT */
#include "ipc.h"
#include "jsonstrict.h"

#include <errno.h>
#include <json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "policy.h"

static const char *const command_names[] = {
	[IPC_PING] = "ping",   [IPC_STATUS] = "status", [IPC_APPLY] = "apply",
	[IPC_SWEEP] = "sweep", [IPC_RELOAD] = "reload",
};

const char *ipc_command_to_string(enum ipc_command cmd)
{
	return (size_t)cmd < ARRAY_SIZE(command_names) ? command_names[cmd] : "?";
}

int ipc_command_from_string(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(command_names); i++)
		if (strcmp(name, command_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

static void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static __attribute__((format(printf, 3, 4))) int fail(struct error *err, const char *path,
						      const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_set(err, -EINVAL, "request: %s%s%s", path, *path ? ": " : "", msg);
}

/*
 * Parse @len bytes of JSON text strictly (UTF-8, no NUL, nothing after the
 * value, at most @depth levels) into *@ret.  @what names the text in messages.
 */
static int parse_json(const char *buf, size_t len, int depth, const char *what, json_object **ret,
		      struct error *err)
{
	struct jsonstrict_failure f;
	int r;

	if (len > INT32_MAX)
		return error_set(err, -EFBIG, "%s: %zu bytes, too long", what, len);
	r = jsonstrict_parse(buf, len, depth, ret, &f);
	if (r == -ENOMEM)
		return error_set(err, -ENOMEM, "%s: out of memory", what);
	if (r >= 0)
		return 0;
	switch (f.kind) {
	case JSONSTRICT_NUL:
		return error_set(err, -EINVAL, "%s: a NUL byte at offset %zu (not JSON text)", what,
				 f.offset);
	case JSONSTRICT_NOT_UTF8:
		return error_set(err, -EINVAL, "%s: not UTF-8 text (byte 0x%02x at offset %zu)",
				 what, f.byte, f.offset);
	case JSONSTRICT_EOF:
		return error_set(err, -EINVAL, "%s: syntax error: unexpected end of text", what);
	case JSONSTRICT_SYNTAX:
		return error_set(err, -EINVAL, "%s: syntax error at offset %zu: %s", what, f.offset,
				 f.desc);
	case JSONSTRICT_TRAILING:
	default:
		return error_set(err, -EINVAL,
				 "%s: syntax error at offset %zu: trailing characters after the "
				 "JSON value",
				 what, f.offset);
	}
}

/* ---- duplicate keys ---- */

static int check_duplicate_keys(const char *buf, size_t len, json_object *root, struct error *err)
{
	size_t bad = 0;
	int r = jsonstrict_check(buf, len, root, IPC_REQUEST_DEPTH, &bad);

	if (r == -EBADMSG)
		return error_set(err, -EINVAL,
				 "request: syntax error at offset %zu: single-quoted string (JSON "
				 "strings use double quotes)",
				 bad);
	if (r == -ENOTUNIQ)
		return error_set(
			err, -EINVAL,
			"request: an object holds the same key twice (give each key once)");
	if (r == -ENOMEM)
		return error_set(err, -ENOMEM, "request: out of memory");
	if (r < 0)
		return error_set(err, -EINVAL, "request: nested too deeply");
	return 0;
}

/* ---- typed fields ---- */

static const char *type_name(json_object *o)
{
	return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* @o must be an object holding only @allowed keys (NULL-terminated). */
static int check_keys(json_object *o, const char *path, const char *const *allowed,
		      const char *expected, struct error *err)
{
	json_object_object_foreach(o, key, val)
	{
		bool known = false;

		(void)val;
		for (size_t i = 0; allowed[i]; i++)
			known |= strcmp(key, allowed[i]) == 0;
		if (!known)
			return fail(err, path, "unknown key \"%s\" (expected %s)",
				    ESCAPE_TERMINAL(key), expected);
	}
	return 0;
}

static int get_string(json_object *o, const char *path, const char **ret, size_t *ret_len,
		      struct error *err)
{
	if (!json_object_is_type(o, json_type_string))
		return fail(err, path, "expected a string, not %s", type_name(o));
	*ret = json_object_get_string(o);
	if (ret_len)
		*ret_len = (size_t)json_object_get_string_len(o);
	return 0;
}

static bool has_control_byte(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* A cgroup path relative to the root: "" or components without ".", ".." or control bytes. */
static int check_cgroup_path(const char *s, size_t len)
{
	if (len > IPC_CGROUP_MAX || has_control_byte(s, len) || strlen(s) != len)
		return -EINVAL;
	if (len == 0)
		return 0;
	for (const char *comp = s;;) {
		const char *end = strchrnul(comp, '/');
		size_t n = (size_t)(end - comp);

		if (n == 0 || (n == 1 && comp[0] == '.') ||
		    (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (!*end)
			return 0;
		comp = end + 1;
	}
}

static int check_file_name(const char *s, size_t len)
{
	if (len < 1 || len > IPC_FILE_NAME_MAX || strlen(s) != len || has_control_byte(s, len) ||
	    strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -EINVAL;
	return 0;
}

static int take_cgroup(json_object *o, const char *path, char **ret, struct error *err)
{
	const char *s;
	size_t len;
	int r = get_string(o, path, &s, &len, err);

	if (r < 0)
		return r;
	if (check_cgroup_path(s, len) < 0)
		return fail(err, path,
			    "invalid cgroup path \"%s\" (expected a path relative to the cgroup "
			    "root: no leading '/', no empty, \".\" or \"..\" components, at most "
			    "%d bytes; \"\" is the root)",
			    ESCAPE_TERMINAL(s), IPC_CGROUP_MAX);
	*ret = strdup(s);
	return *ret ? 0 : error_set(err, -ENOMEM, "request: out of memory");
}

static int take_policy_name(json_object *o, const char *path, char **ret, struct error *err)
{
	const char *s;
	size_t len;
	int r = get_string(o, path, &s, &len, err);

	if (r < 0)
		return r;
	if (strlen(s) != len || policy_check_name(s) < 0)
		return fail(err, path,
			    "invalid policy name \"%s\" (expected 1-%d of a-z, 0-9, '_', '.', '-')",
			    ESCAPE_TERMINAL(s), IPC_POLICY_NAME_MAX);
	*ret = strdup(s);
	return *ret ? 0 : error_set(err, -ENOMEM, "request: out of memory");
}

static int parse_file(json_object *o, size_t idx, struct ipc_file *f, struct error *err)
{
	static const char *const keys[] = { "name", "content", NULL };
	char path[64];
	json_object *v;
	const char *s;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "args.files[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(err, path, "expected an object {\"name\", \"content\"}, not %s",
			    type_name(o));
	r = check_keys(o, path, keys, "name, content", err);
	if (r < 0)
		return r;

	snprintf(path, sizeof(path), "args.files[%zu].name", idx);
	if (!json_object_object_get_ex(o, "name", &v))
		return fail(err, path, "missing (expected the file name, as \"p.json\")");
	r = get_string(v, path, &s, &len, err);
	if (r < 0)
		return r;
	if (check_file_name(s, len) < 0)
		return fail(err, path,
			    "invalid file name \"%s\" (expected 1-%d bytes without '/' or control "
			    "characters, not \".\" or \"..\")",
			    ESCAPE_TERMINAL(s), IPC_FILE_NAME_MAX);
	f->name = strdup(s);
	if (!f->name)
		return error_set(err, -ENOMEM, "request: out of memory");

	snprintf(path, sizeof(path), "args.files[%zu].content", idx);
	if (!json_object_object_get_ex(o, "content", &v))
		return fail(err, path, "missing (expected the file's text as a string)");
	r = get_string(v, path, &s, &len, err);
	if (r < 0)
		return r;
	f->content = malloc(len + 1);
	if (!f->content)
		return error_set(err, -ENOMEM, "request: out of memory");
	memcpy(f->content, s, len);
	f->content[len] = '\0';
	f->len = len;
	return 0;
}

static int parse_apply(json_object *args, struct ipc_request *req, struct error *err)
{
	static const char *const keys[] = { "files", "dry_run", NULL };
	json_object *files, *v;
	size_t n;
	int r;

	r = check_keys(args, "args", keys, "files, dry_run for apply", err);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(args, "dry_run", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(err, "args.dry_run", "expected true or false, not %s",
				    type_name(v));
		req->dry_run = json_object_get_boolean(v);
	}
	if (!json_object_object_get_ex(args, "files", &files))
		return fail(err, "args.files", "missing (apply needs a list of files)");
	if (!json_object_is_type(files, json_type_array))
		return fail(err, "args.files", "expected a list of files, not %s",
			    type_name(files));
	n = json_object_array_length(files);
	if (n < 1 || n > IPC_MAX_FILES)
		return fail(err, "args.files", "%zu files (expected 1 to %d)", n, IPC_MAX_FILES);
	req->files = calloc(n, sizeof(*req->files));
	if (!req->files)
		return error_set(err, -ENOMEM, "request: out of memory");
	req->n_files = n;
	for (size_t i = 0; i < n; i++) {
		r = parse_file(json_object_array_get_idx(files, i), i, &req->files[i], err);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(req->files[j].name, req->files[i].name) == 0) {
				char path[64];

				snprintf(path, sizeof(path), "args.files[%zu].name", i);
				return fail(err, path, "\"%s\" given twice (also args.files[%zu])",
					    ESCAPE_TERMINAL(req->files[i].name), j);
			}
	}
	return 0;
}

static int parse_args(json_object *args, struct ipc_request *req, struct error *err)
{
	static const char *const none[] = { NULL };
	static const char *const status_keys[] = { "cgroup", NULL };
	static const char *const sweep_keys[] = { "policy", "cgroup", NULL };
	json_object *v;
	int r;

	if (!json_object_is_type(args, json_type_object))
		return fail(err, "args", "expected an object, not %s", type_name(args));
	switch (req->command) {
	case IPC_PING:
	case IPC_RELOAD:
		return check_keys(args, "args", none,
				  req->command == IPC_PING ? "none for ping" : "none for reload",
				  err);
	case IPC_STATUS:
		r = check_keys(args, "args", status_keys, "cgroup for status", err);
		if (r >= 0 && json_object_object_get_ex(args, "cgroup", &v))
			r = take_cgroup(v, "args.cgroup", &req->cgroup, err);
		return r;
	case IPC_SWEEP:
		r = check_keys(args, "args", sweep_keys, "policy, cgroup for sweep", err);
		if (r >= 0 && json_object_object_get_ex(args, "policy", &v))
			r = take_policy_name(v, "args.policy", &req->policy, err);
		if (r >= 0 && json_object_object_get_ex(args, "cgroup", &v))
			r = take_cgroup(v, "args.cgroup", &req->cgroup, err);
		return r;
	case IPC_APPLY:
		return parse_apply(args, req, err);
	default:
		return fail(err, "command", "internal: no argument parser");
	}
}

static int parse_top(json_object *root, struct ipc_request *req, struct error *err)
{
	static const char *const keys[] = { "version", "command", "args", NULL };
	json_object *v, *args = NULL;
	const char *name;
	int r, cmd;

	if (!json_object_is_type(root, json_type_object))
		return fail(err, "", "expected a JSON object, not %s", type_name(root));
	r = check_keys(root, "", keys, "version, command, args", err);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(root, "version", &v))
		return fail(err, "version", "missing (expected %d)", IPC_VERSION);
	if (!json_object_is_type(v, json_type_int))
		return fail(err, "version", "expected the integer %d, not %s", IPC_VERSION,
			    type_name(v));
	if (json_object_get_int64(v) != IPC_VERSION)
		return fail(err, "version", "unsupported version %s (expected %d)",
			    json_object_to_json_string(v), IPC_VERSION);
	if (!json_object_object_get_ex(root, "command", &v))
		return fail(err, "command",
			    "missing (expected ping, status, apply, sweep, reload)");
	r = get_string(v, "command", &name, NULL, err);
	if (r < 0)
		return r;
	cmd = ipc_command_from_string(name);
	if (cmd < 0)
		return fail(err, "command",
			    "unknown command \"%s\" (expected ping, status, apply, sweep, reload)",
			    ESCAPE_TERMINAL(name));
	req->command = (enum ipc_command)cmd;
	if (!json_object_object_get_ex(root, "args", &args)) {
		if (req->command == IPC_APPLY)
			return fail(err, "args", "missing (apply needs {\"files\": [...]})");
		return 0;
	}
	return parse_args(args, req, err);
}

int ipc_request_parse(const char *buf, size_t len, struct ipc_request *ret, struct error *err)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	struct ipc_request req = { 0 };
	int r;

	if (len > IPC_REQUEST_MAX)
		return error_set(err, -EFBIG, "request: %zu bytes, over the limit of %zu (2 MiB)",
				 len, IPC_REQUEST_MAX);
	r = parse_json(buf, len, IPC_REQUEST_DEPTH, "request", &root, err);
	if (r < 0)
		return r;
	if (!root)
		return fail(err, "", "expected a JSON object, not null");
	r = check_duplicate_keys(buf, len, root, err);
	if (r < 0)
		return r;
	r = parse_top(root, &req, err);
	if (r < 0) {
		ipc_request_clear(&req);
		return r;
	}
	*ret = req;
	return 0;
}

void ipc_request_clear(struct ipc_request *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_files; i++) {
		free(r->files[i].name);
		free(r->files[i].content);
	}
	free(r->files);
	free(r->policy);
	free(r->cgroup);
	*r = (struct ipc_request){ 0 };
}

/* ---- building requests ---- */

static int add_string(json_object *o, const char *key, const char *s, size_t len)
{
	json_object *v = json_object_new_string_len(s, (int)len);

	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_object(json_object *o, const char *key, json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int build_args(const struct ipc_request *r, json_object *args, struct error *err)
{
	json_object *files;
	int k = 0;

	switch (r->command) {
	case IPC_APPLY:
		if (r->n_files < 1 || r->n_files > IPC_MAX_FILES)
			return error_set(err, -EINVAL, "request: %zu files (expected 1 to %d)",
					 r->n_files, IPC_MAX_FILES);
		files = json_object_new_array();
		if (add_object(args, "files", files) < 0)
			return error_set(err, -ENOMEM, "request: out of memory");
		for (size_t i = 0; i < r->n_files; i++) {
			const struct ipc_file *f = &r->files[i];
			json_object *fo;

			if (!f->name || check_file_name(f->name, strlen(f->name)) < 0)
				return error_set(err, -EINVAL, "request: invalid file name \"%s\"",
						 ESCAPE_TERMINAL(f->name));
			if (!utf8_valid(f->content, f->len))
				return error_set(err, -EINVAL, "%s: not UTF-8 text",
						 ESCAPE_TERMINAL(f->name));
			fo = json_object_new_object();
			if (!fo || json_object_array_add(files, fo) < 0) {
				json_object_put(fo);
				return error_set(err, -ENOMEM, "request: out of memory");
			}
			if (add_string(fo, "name", f->name, strlen(f->name)) < 0 ||
			    add_string(fo, "content", f->content, f->len) < 0)
				return error_set(err, -ENOMEM, "request: out of memory");
		}
		if (add_object(args, "dry_run", json_object_new_boolean(r->dry_run)) < 0)
			return error_set(err, -ENOMEM, "request: out of memory");
		return 0;
	case IPC_SWEEP:
		if (r->policy && policy_check_name(r->policy) < 0)
			return error_set(err, -EINVAL, "request: invalid policy name \"%s\"",
					 ESCAPE_TERMINAL(r->policy));
		if (r->policy)
			k |= add_string(args, "policy", r->policy, strlen(r->policy));
		/* fall through */
	case IPC_STATUS:
		if (r->cgroup && check_cgroup_path(r->cgroup, strlen(r->cgroup)) < 0)
			return error_set(err, -EINVAL, "request: invalid cgroup path \"%s\"",
					 ESCAPE_TERMINAL(r->cgroup));
		if (r->cgroup)
			k |= add_string(args, "cgroup", r->cgroup, strlen(r->cgroup));
		return k < 0 ? error_set(err, -ENOMEM, "request: out of memory") : 0;
	case IPC_PING:
	case IPC_RELOAD:
		return 0;
	default:
		return error_set(err, -EINVAL, "request: unknown command %d", (int)r->command);
	}
}

int ipc_request_format(const struct ipc_request *r, char **ret_text, size_t *ret_len,
		       struct error *err)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *args = json_object_new_object();
	const char *s;
	size_t len;
	char *text;
	int k;

	if (!o || !args) {
		json_object_put(args);
		return error_set(err, -ENOMEM, "request: out of memory");
	}
	if (add_object(o, "version", json_object_new_int(IPC_VERSION)) < 0 ||
	    add_object(o, "command", json_object_new_string(ipc_command_to_string(r->command))) <
		    0 ||
	    add_object(o, "args", args) < 0)
		return error_set(err, -ENOMEM, "request: out of memory");
	k = build_args(r, args, err);
	if (k < 0)
		return k;
	s = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!s)
		return error_set(err, -ENOMEM, "request: out of memory");
	text = strndup(s, len);
	if (!text)
		return error_set(err, -ENOMEM, "request: out of memory");
	*ret_text = text;
	*ret_len = len;
	return 0;
}

/* ---- replies ---- */

struct json_object *ipc_reply_ok(struct json_object *result)
{
	json_object *o = json_object_new_object();

	if (!result)
		result = json_object_new_object();
	if (!o || !result || add_object(o, "ok", json_object_new_boolean(1)) < 0) {
		json_object_put(o);
		json_object_put(result);
		return NULL;
	}
	if (add_object(o, "result", result) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *ipc_reply_error(int errnum, const char *msg)
{
	_cleanup_free_ char *clean = utf8_sanitize_dup(msg ? msg : "");
	json_object *o = json_object_new_object();
	int n = errnum < 0 ? -errnum : errnum;

	if (!o || !clean || add_object(o, "ok", json_object_new_boolean(0)) < 0 ||
	    add_string(o, "error", clean, strlen(clean)) < 0 ||
	    add_object(o, "errno", json_object_new_int(n ? n : EIO)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int ipc_reply_format(struct json_object *reply, char **ret_text, size_t *ret_len)
{
	const char *s;
	size_t len;
	char *text;

	s = json_object_to_json_string_length(
		reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!s)
		return -ENOMEM;
	text = malloc(len + 2);
	if (!text)
		return -ENOMEM;
	memcpy(text, s, len);
	text[len] = '\n';
	text[len + 1] = '\0';
	*ret_text = text;
	*ret_len = len + 1;
	return 0;
}

int ipc_reply_parse(const char *buf, size_t len, struct json_object **ret_reply, struct error *err)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	json_object *v;
	int r;

	if (len > IPC_REPLY_MAX)
		return error_set(err, -EFBIG, "reply: %zu bytes, over the limit of %zu", len,
				 IPC_REPLY_MAX);
	r = parse_json(buf, len, JSON_TOKENER_DEFAULT_DEPTH, "reply", &root, err);
	if (r < 0)
		return r;
	if (!json_object_is_type(root, json_type_object))
		return error_set(err, -EINVAL, "reply: expected a JSON object, not %s",
				 type_name(root));
	if (!json_object_object_get_ex(root, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return error_set(err, -EINVAL, "reply: ok: expected true or false");
	if (json_object_get_boolean(v)) {
		if (!json_object_object_get_ex(root, "result", &v))
			return error_set(err, -EINVAL, "reply: result: missing");
	} else {
		if (!json_object_object_get_ex(root, "error", &v) ||
		    !json_object_is_type(v, json_type_string))
			return error_set(err, -EINVAL, "reply: error: expected a string");
		if (!json_object_object_get_ex(root, "errno", &v) ||
		    !json_object_is_type(v, json_type_int))
			return error_set(err, -EINVAL, "reply: errno: expected an integer");
	}
	*ret_reply = TAKE_PTR(root);
	return 0;
}

int ipc_reply_unpack(struct json_object *reply, struct json_object **ret_result, struct error *err)
{
	char text[ERROR_MESSAGE_MAX];
	json_object *v, *msg = NULL;
	int64_t n = 0;

	if (!json_object_object_get_ex(reply, "ok", &v))
		return error_set(err, -EINVAL, "reply: ok: missing");
	if (json_object_get_boolean(v)) {
		json_object_object_get_ex(reply, "result", &v);
		*ret_result = v;
		return 0;
	}
	if (json_object_object_get_ex(reply, "errno", &v))
		n = json_object_get_int64(v);
	json_object_object_get_ex(reply, "error", &msg);
	if (n <= 0 || n > 4095)
		n = EIO;
	/* the daemon escaped what it quoted already: keep its "\xNN", escape the rest */
	return error_set(err, (int)-n, "%s",
			 escape_bytes(msg ? json_object_get_string(msg) : "(no message)",
				      ESCAPE_KEEP_BACKSLASH, text, sizeof(text)));
}
