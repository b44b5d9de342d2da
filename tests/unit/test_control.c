/* SPDX-License-Identifier: MIT */
/*
 * The daemon's control server (cmd/cxlpolicyd/control.c) on a real AF_UNIX
 * socket in a temporary directory and a real sd-event loop, with a stub
 * handler.  The server runs in the test process; every client is a forked
 * child (so the loop can serve it), which checks its reply itself and exits
 * 0, or prints why and exits 1.  Children run until the loop has seen them
 * all exit (sd-event child sources), with a deadline.
 */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <json.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../cmd/cxlpolicyd/control.h"
#include "ipcclient.h"
#include "testlib.h"

#define MSEC UINT64_C(1000000)
#define NOBODY 65534
#define TEST_GROUP 4242
#define BIG_REPLY ((size_t)4 << 20)

static char tmpdir[40];
static char sock_path[80];
static sd_event *event;
static unsigned handler_calls;
/* Read-only for anyone; changes for root and our own group (so the suite runs as non-root too). */
static struct ipcauth_config open_auth = { .status_open = true, .has_group = true };

static void setup(void)
{
	char tmpl[] = "/tmp/cxlpolicy-control-XXXXXX";
	sigset_t ss;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	/* a directory the server must create; world-searchable for the nobody client */
	chmod(tmpdir, 0755);
	snprintf(sock_path, sizeof(sock_path), "%s/run/cxlpolicyd.sock", tmpdir);
	ck_assert_int_eq(sd_event_new(&event), 0);
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &ss, NULL), 0);
	signal(SIGPIPE, SIG_DFL); /* a send without MSG_NOSIGNAL kills the test */
	open_auth.group = getegid();
	handler_calls = 0;
}

static void teardown(void)
{
	char cmd[128];

	event = sd_event_unref(event);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	run_shell(cmd);
}

static int add_int(json_object *o, const char *key, int64_t v)
{
	return json_object_object_add(o, key, json_object_new_int64(v));
}

/* The stub manager: says what it saw. */
static int handler(void *userdata, const struct ipc_request *req, const struct ipc_peer *peer,
		   struct json_object **ret_result, struct error *err)
{
	json_object *o = json_object_new_object(), *groups = json_object_new_array();

	(void)userdata;
	handler_calls++;
	if (req->command == IPC_SWEEP && req->policy) {
		json_object_put(o);
		json_object_put(groups);
		return error_set(err, -ENOENT, "no policy named \"%s\"", req->policy);
	}
	json_object_object_add(o, "command",
			       json_object_new_string(ipc_command_to_string(req->command)));
	add_int(o, "uid", peer->uid);
	add_int(o, "gid", peer->gid);
	add_int(o, "pid", peer->pid);
	for (size_t i = 0; i < peer->n_groups; i++)
		json_object_array_add(groups, json_object_new_int64(peer->groups[i]));
	json_object_object_add(o, "groups", groups);
	if (req->command == IPC_APPLY) {
		add_int(o, "files", (int64_t)req->n_files);
		json_object_object_add(o, "name", json_object_new_string(req->files[0].name));
		json_object_object_add(
			o, "content",
			json_object_new_string_len(req->files[0].content, (int)req->files[0].len));
		json_object_object_add(o, "dry_run", json_object_new_boolean(req->dry_run));
	}
	if (req->command == IPC_STATUS && req->cgroup && strcmp(req->cgroup, "big") == 0) {
		char *big = malloc(BIG_REPLY);

		memset(big, 'b', BIG_REPLY);
		json_object_object_add(o, "big", json_object_new_string_len(big, (int)BIG_REPLY));
		free(big);
	}
	*ret_result = o;
	return 0;
}

static struct control_server *server_new(const struct ipcauth_config *auth)
{
	struct control_server *s = NULL;
	struct error err = { 0 };
	int r = control_server_new(event, sock_path, auth, handler, NULL, &s, &err);

	ck_assert_msg(r == 0, "control_server_new: %d %s", r, err.message);
	return s;
}

/* ---- children ---- */

static __attribute__((format(printf, 1, 2), noreturn)) void child_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "client %d: ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* A request through the real client; the reply (ok or not) in *@ret. */
static json_object *child_call(const char *text)
{
	struct error err = { 0 };
	json_object *reply = NULL;
	int r = ipcclient_call(sock_path, text, strlen(text), 3000 * MSEC, &reply, &err);

	if (r < 0)
		child_fail("ipcclient_call: %d %s", r, err.message);
	return reply;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		child_fail("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

/* The reply must be an error with @errnum, its message holding @needle. */
static void expect_error(json_object *reply, int errnum, const char *needle)
{
	const char *msg;

	if (json_object_get_boolean(get(reply, "ok")))
		child_fail("expected an error, got %s", json_object_to_json_string(reply));
	if (json_object_get_int(get(reply, "errno")) != errnum)
		child_fail("errno %d, expected %d: %s", json_object_get_int(get(reply, "errno")),
			   errnum, json_object_to_json_string(reply));
	msg = json_object_get_string(get(reply, "error"));
	if (needle && !strstr(msg, needle))
		child_fail("message \"%s\" lacks \"%s\"", msg, needle);
}

static json_object *expect_ok(json_object *reply)
{
	if (!json_object_get_boolean(get(reply, "ok")))
		child_fail("expected ok, got %s", json_object_to_json_string(reply));
	return get(reply, "result");
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		child_fail("connect %s: %s", sock_path, strerror(errno));
	return fd;
}

/* Read until EOF or reset (a reset after the reply is fine); the parsed reply. */
static json_object *raw_read_reply(int fd)
{
	static char buf[65536];
	size_t len = 0;
	json_object *reply = NULL;
	struct error err = { 0 };

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno == ECONNRESET && len))
			break;
		if (errno != EINTR)
			child_fail("read: %s", strerror(errno));
	}
	if (ipc_reply_parse(buf, len, &reply, &err) < 0)
		child_fail("bad reply (%zu bytes): %s", len, err.message);
	return reply;
}

/* ---- running children under the loop ---- */

#define MAX_CHILDREN 8

struct children {
	unsigned n, exited;
	pid_t pid[MAX_CHILDREN];
	int status[MAX_CHILDREN];
	unsigned order[MAX_CHILDREN]; /* exit rank, 1-based */
};

static int on_child(sd_event_source *src, const siginfo_t *si, void *userdata)
{
	struct children *ch = userdata;

	for (unsigned i = 0; i < ch->n; i++)
		if (ch->pid[i] == si->si_pid) {
			ch->status[i] =
				si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
			ch->order[i] = ++ch->exited;
		}
	(void)src; /* floating and one-shot: the loop frees it */
	return 0;
}

typedef void (*child_fn)(void *arg);

/* Fork a child running @fn; a byte on the returned pipe end says it is ready (see child_ready()).
 */
static pid_t spawn(struct children *ch, child_fn fn, void *arg)
{
	pid_t pid;

	ck_assert_uint_lt(ch->n, MAX_CHILDREN);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	ch->pid[ch->n++] = pid;
	return pid;
}

/* Run the loop until every child exited (at most 8 s); each must have exited 0. */
static void run_children(struct children *ch)
{
	uint64_t deadline = now_ns() + 8000 * MSEC;
	int r = 0;

	for (unsigned i = 0; i < ch->n; i++)
		ck_assert_int_eq(sd_event_add_child(event, NULL, ch->pid[i], WEXITED, on_child, ch),
				 0);
	/* sd_event_exit() would end the loop for good: later runs of the same test need it */
	while (ch->exited < ch->n && r >= 0 && now_ns() < deadline)
		r = sd_event_run(event, 100000);
	for (unsigned i = 0; i < ch->n; i++)
		if (!ch->order[i]) {
			kill(ch->pid[i], SIGKILL);
			waitpid(ch->pid[i], NULL, 0);
		}
	ck_assert_msg(r >= 0, "sd_event_run: %d", r);
	ck_assert_msg(ch->exited == ch->n, "children still running after 8 s");
	for (unsigned i = 0; i < ch->n; i++)
		ck_assert_msg(ch->status[i] == 0, "client %u (pid %d) failed: status %d", i,
			      (int)ch->pid[i], ch->status[i]);
}

/* ---- tests ---- */

static void child_ping(void *arg)
{
	json_object *res = expect_ok(child_call("{\"version\":1,\"command\":\"ping\"}"));

	(void)arg;
	if (json_object_get_int64(get(res, "uid")) != (int64_t)getuid() ||
	    json_object_get_int64(get(res, "pid")) != (int64_t)getpid())
		child_fail("peer uid/pid wrong: %s", json_object_to_json_string(res));
}

START_TEST(test_ping)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 };
	struct stat st;

	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert_msg(S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0666, "mode %o", st.st_mode);
	spawn(&ch, child_ping, NULL);
	run_children(&ch);
	ck_assert_uint_eq(handler_calls, 1);
	ck_assert_uint_eq(control_server_connections(s), 0);
	control_server_free(s);
	ck_assert_msg(access(sock_path, F_OK) < 0, "socket left behind after free");
}
END_TEST

static const char apply_content[] = "{\"version\": 1,\n \"policies\": [\"\\u00e9 caf\xc3\xa9\"]}\n";

static void child_apply(void *arg)
{
	struct ipc_file f = { .name = (char *)"p.json",
			      .content = (char *)apply_content,
			      .len = sizeof(apply_content) - 1 };
	struct ipc_request req = {
		.command = IPC_APPLY, .files = &f, .n_files = 1, .dry_run = true
	};
	struct error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	json_object *res;

	(void)arg;
	if (ipc_request_format(&req, &text, &len, &err) < 0)
		child_fail("format: %s", err.message);
	res = expect_ok(child_call(text));
	if (strcmp(json_object_get_string(get(res, "content")), apply_content) != 0 ||
	    strcmp(json_object_get_string(get(res, "name")), "p.json") != 0 ||
	    !json_object_get_boolean(get(res, "dry_run")))
		child_fail("handler saw something else: %s", json_object_to_json_string(res));
}

static void child_sweep_unknown(void *arg)
{
	(void)arg;
	expect_error(
		child_call("{\"version\":1,\"command\":\"sweep\",\"args\":{\"policy\":\"x\"}}"),
		ENOENT, "no policy named \"x\"");
}

static void child_malformed(void *arg)
{
	(void)arg;
	expect_error(child_call("{\"version\":1,\"command\":\"nope\"}"), EINVAL, "command");
	expect_error(child_call("{\"version\":1,\"command\":\"ping\",\"args\":{\"x\":1}}"), EINVAL,
		     "\"x\"");
	expect_error(child_call("\xff\xfe"), EINVAL, "UTF-8");
	expect_error(child_call(""), EINVAL, NULL);
}

START_TEST(test_apply_and_errors)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 };

	spawn(&ch, child_apply, NULL);
	spawn(&ch, child_sweep_unknown, NULL);
	spawn(&ch, child_malformed, NULL);
	run_children(&ch);
	/* apply, sweep; none of the malformed ones reached the manager */
	ck_assert_uint_eq(handler_calls, 2);
	control_server_free(s);
}
END_TEST

static void child_garbage(void *arg)
{
	size_t total = (size_t)3 << 20, off = 0;
	char *junk = malloc(total);
	int fd = raw_connect();

	(void)arg;
	memset(junk, 'x', total);
	while (off < total) {
		ssize_t n = send(fd, junk + off, total - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* the server may have stopped listening to us: read its reply */
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	expect_error(raw_read_reply(fd), EFBIG, "over the limit");
	free(junk);
}

START_TEST(test_garbage_then_next)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 }, next = { 0 };

	spawn(&ch, child_garbage, NULL);
	run_children(&ch);
	ck_assert_uint_eq(handler_calls, 0);
	spawn(&next, child_ping, NULL);
	run_children(&next);
	ck_assert_uint_eq(handler_calls, 1);
	control_server_free(s);
}
END_TEST

static int ready_pipe[2];

/* Connects, says so, sends nothing: must be cut at the server's timeout (300 ms). */
static void child_idle(void *arg)
{
	int fd = raw_connect();
	uint64_t t0 = now_ns(), dt;
	json_object *reply;

	(void)arg;
	if (write(ready_pipe[1], "r", 1) != 1)
		child_fail("pipe: %s", strerror(errno));
	reply = raw_read_reply(fd);
	dt = now_ns() - t0;
	expect_error(reply, ETIMEDOUT, "timeout");
	if (dt < 250 * MSEC || dt > 3000 * MSEC)
		child_fail("cut after %llu ms, expected about 300",
			   (unsigned long long)(dt / MSEC));
}

static void wait_ready(void)
{
	char b;

	ck_assert_int_eq(read(ready_pipe[0], &b, 1), 1);
}

START_TEST(test_idle_client_cut)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 };

	control_server_set_timeout(s, 300 * MSEC);
	ck_assert_int_eq(pipe(ready_pipe), 0);
	spawn(&ch, child_idle, NULL);
	wait_ready(); /* connected (the backlog holds it) before the second client starts */
	spawn(&ch, child_ping, NULL);
	run_children(&ch);
	ck_assert_msg(ch.order[1] < ch.order[0], "the ping client was not served while the idle "
						 "one waited");
	ck_assert_uint_eq(handler_calls, 1);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	control_server_free(s);
}
END_TEST

/* Asks for a 4 MiB reply and closes without reading it. */
static void child_leave_early(void *arg)
{
	static const char req[] =
		"{\"version\":1,\"command\":\"status\",\"args\":{\"cgroup\":\"big\"}}";
	int fd = raw_connect();
	char b;

	(void)arg;
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		child_fail("write: %s", strerror(errno));
	shutdown(fd, SHUT_WR);
	if (read(fd, &b, 1) != 1) /* the reply has started */
		child_fail("no reply started");
	close(fd);
}

START_TEST(test_client_leaves_mid_reply)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 }, next = { 0 };

	spawn(&ch, child_leave_early, NULL);
	run_children(&ch);
	spawn(&next, child_ping, NULL);
	run_children(&next);
	ck_assert_uint_eq(handler_calls, 2);
	/* the server noticed the departed client (EPIPE) and dropped it */
	for (int i = 0; i < 50 && control_server_connections(s); i++)
		sd_event_run(event, 10000);
	ck_assert_uint_eq(control_server_connections(s), 0);
	control_server_free(s);
}
END_TEST

static void child_third(void *arg)
{
	(void)arg;
	expect_error(child_call("{\"version\":1,\"command\":\"ping\"}"), EBUSY, "too many");
}

static void child_idle_quiet(void *arg)
{
	int fd = raw_connect();
	char b;

	(void)arg;
	if (write(ready_pipe[1], "r", 1) != 1)
		child_fail("pipe: %s", strerror(errno));
	while (read(fd, &b, 1) > 0) /* until the server cuts it */
		;
}

START_TEST(test_connection_limit)
{
	struct control_server *s = server_new(&open_auth);
	struct children ch = { 0 };

	control_server_set_timeout(s, 600 * MSEC);
	control_server_set_max_connections(s, 2);
	ck_assert_int_eq(pipe(ready_pipe), 0);
	spawn(&ch, child_idle_quiet, NULL);
	wait_ready();
	spawn(&ch, child_idle_quiet, NULL);
	wait_ready();
	spawn(&ch, child_third, NULL);
	run_children(&ch);
	ck_assert_uint_eq(handler_calls, 0);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	control_server_free(s);
}
END_TEST

START_TEST(test_socket_takeover)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control_server *s, *s2 = NULL;
	struct error err = { 0 };
	char dir[64];
	int fd, r;

	/* a stale socket: bound, nobody listens */
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	s = server_new(&open_auth);

	/* a live one is never taken */
	r = control_server_new(event, sock_path, &open_auth, handler, NULL, &s2, &err);
	ck_assert_int_eq(r, -EADDRINUSE);
	ck_assert_ptr_null(s2);
	ck_assert_msg(strstr(err.message, "another server listens"), "%s", err.message);
	ck_assert_int_eq(access(sock_path, F_OK), 0);
	control_server_free(s);

	/* nor a file that is not a socket */
	fd = open(sock_path, O_CREAT | O_WRONLY | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	r = control_server_new(event, sock_path, &open_auth, handler, NULL, &s2, &err);
	ck_assert_int_eq(r, -EEXIST);
	ck_assert_int_eq(access(sock_path, F_OK), 0);
}
END_TEST

START_TEST(test_client_no_daemon)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct error err = { 0 };
	json_object *reply = NULL;
	char path[80];
	int fd, r;

	snprintf(path, sizeof(path), "%s/absent.sock", tmpdir);
	r = ipcclient_call(path, "{}", 2, 1000 * MSEC, &reply, &err);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert(ipcclient_no_daemon(r));
	ck_assert_ptr_null(reply);

	/* a stale socket: refused, also "no daemon" */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	r = ipcclient_call(path, "{}", 2, 1000 * MSEC, &reply, &err);
	ck_assert_int_eq(r, -ECONNREFUSED);
	ck_assert(ipcclient_no_daemon(r));

	/* a socket that accepts but never replies: a timeout, not "no daemon" */
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	r = ipcclient_call(path, "{}", 2, 200 * MSEC, &reply, &err);
	ck_assert_int_eq(r, -ETIMEDOUT);
	ck_assert(!ipcclient_no_daemon(r));
	close(fd);
}
END_TEST

/* ---- credentials (root only: the client becomes nobody) ---- */

struct as_nobody {
	bool with_group;
	const char *request;
	int expect_errno; /* 0: ok */
	const char *needle; /* in the error message; NULL: "uid 65534" */
};

static void child_as_nobody(void *arg)
{
	const struct as_nobody *a = arg;
	gid_t g = TEST_GROUP;
	json_object *reply;

	if (setgroups(a->with_group ? 1 : 0, &g) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0)
		child_fail("becoming nobody: %s", strerror(errno));
	reply = child_call(a->request);
	if (a->expect_errno) {
		expect_error(reply, a->expect_errno, a->needle ? a->needle : "uid 65534");
		return;
	}
	json_object *res = expect_ok(reply);
	if (json_object_get_int64(get(res, "uid")) != NOBODY ||
	    json_object_get_int64(get(res, "gid")) != NOBODY)
		child_fail("peer seen as %s", json_object_to_json_string(res));
	if (a->with_group) {
		json_object *groups = get(res, "groups");

		if (json_object_array_length(groups) != 1 ||
		    json_object_get_int64(json_object_array_get_idx(groups, 0)) != TEST_GROUP)
			child_fail("supplementary groups seen as %s",
				   json_object_to_json_string(groups));
	}
}

static const char apply_req[] =
	"{\"version\":1,\"command\":\"apply\",\"args\":{\"files\":[{\"name\":\"p.json\","
	"\"content\":\"{}\"}]}}";
static const char status_req[] = "{\"version\":1,\"command\":\"status\"}";
static const char reload_req[] = "{\"version\":1,\"command\":\"reload\"}";
static const char ping_req[] = "{\"version\":1,\"command\":\"ping\"}";

START_TEST(test_peer_credentials)
{
	struct ipcauth_config group_auth = {
		.status_open = true, .has_group = true, .group = TEST_GROUP, .group_name = "cxltest"
	};
	struct ipcauth_config closed_auth = { .status_open = false };
	struct as_nobody status_ok = { false, status_req, 0, NULL };
	struct as_nobody status_grp = { true, status_req, 0, NULL };
	struct as_nobody apply_grp = { true, apply_req, 0, NULL };
	struct as_nobody apply_no = { false, apply_req, EPERM, NULL };
	struct as_nobody reload_no = { false, reload_req, EPERM, NULL };
	struct as_nobody status_closed = { false, status_req, EPERM, NULL };
	struct children ch = { 0 }, ch2 = { 0 };
	struct control_server *s;
	/* a ping padded to 100 KiB: fine from root, over the limit for nobody */
	size_t padded_len = 100 << 10;
	char *padded;
	struct as_nobody big_no = { false, NULL, EFBIG, "for peers that may not change state" };
	struct as_nobody big_grp = { true, NULL, 0, NULL };

	if (geteuid() != 0) {
		printf("SKIP test_peer_credentials: needs root to run a client as uid %d\n",
		       NOBODY);
		return;
	}
	padded = malloc(padded_len + 1);
	ck_assert_ptr_nonnull(padded);
	big_no.request = big_grp.request = padded;
	memset(padded, ' ', padded_len);
	memcpy(padded, ping_req, strlen(ping_req));
	padded[padded_len] = '\0';
	s = server_new(&group_auth);
	spawn(&ch, child_as_nobody, &status_ok);
	spawn(&ch, child_as_nobody, &status_grp);
	spawn(&ch, child_as_nobody, &apply_grp); /* the group via a supplementary group only */
	spawn(&ch, child_as_nobody, &apply_no);
	spawn(&ch, child_as_nobody, &reload_no);
	spawn(&ch, child_as_nobody, &big_no);
	spawn(&ch, child_as_nobody, &big_grp);
	run_children(&ch);
	ck_assert_uint_eq(handler_calls, 4);
	control_server_free(s);

	s = server_new(&closed_auth);
	spawn(&ch2, child_as_nobody, &status_closed);
	spawn(&ch2, child_ping, NULL); /* root still may */
	run_children(&ch2);
	ck_assert_uint_eq(handler_calls, 5);
	control_server_free(s);
	free(padded);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_apply_and_errors);
	tcase_add_test(tc, test_garbage_then_next);
	tcase_add_test(tc, test_idle_client_cut);
	tcase_add_test(tc, test_client_leaves_mid_reply);
	tcase_add_test(tc, test_connection_limit);
	tcase_add_test(tc, test_socket_takeover);
	tcase_add_test(tc, test_client_no_daemon);
	tcase_add_test(tc, test_peer_credentials);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(control_suite());
}
