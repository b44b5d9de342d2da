/* SPDX-License-Identifier: MIT */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <libgen.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "escape.h"
#include "macro.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

#define LISTEN_BACKLOG 64
#define READ_CHUNK ((size_t)64 << 10)
#define READ_PER_WAKEUP ((size_t)256 << 10) /* then let other sources run */
#define ACCEPT_PER_WAKEUP 16
#define EMFILE_PAUSE_USEC 100000 /* out of fds: stop accepting this long */
#define TIMER_ACCURACY_USEC 10000
#define PROC_STATUS_MAX 16384

enum conn_state {
	CONN_READING, /* the request, until the client's EOF */
	CONN_WRITING, /* the reply */
	CONN_DRAINING, /* reply sent, discarding the rest of an oversized request */
};

struct conn {
	struct control_server *server;
	struct conn *prev, *next;
	int fd;
	sd_event_source *io, *timer;
	struct ipc_peer peer;
	bool privileged;
	enum conn_state state;
	bool drain_after_reply;
	char *in;
	size_t in_len, in_cap, in_limit;
	char *out;
	size_t out_len, out_off;
};

struct control_server {
	sd_event *event;
	int fd;
	sd_event_source *listen_source, *pause_timer;
	char *path; /* when we bound it: unlinked on free if still ours */
	dev_t dev;
	ino_t ino;
	struct ipcauth_config auth;
	char *group_name;
	control_handler_fn handler;
	void *userdata;
	uint64_t timeout_ns;
	unsigned max_connections;
	unsigned n_conns, n_unprivileged;
	struct conn *conns;
};

static void conn_free(struct conn *c)
{
	struct control_server *s = c->server;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	if (!c->privileged)
		s->n_unprivileged--;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timer);
	if (c->fd >= 0)
		close(c->fd);
	free(c->peer.groups);
	free(c->in);
	free(c->out);
	free(c);
}

static int conn_arm_timer(struct conn *c)
{
	int r = sd_event_source_set_time_relative(c->timer, c->server->timeout_ns / 1000);

	if (r >= 0)
		r = sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
	return r;
}

static void conn_send_reply(struct conn *c);

/* Queue @reply (taken) and start writing it; on failure the connection is closed. */
static void conn_start_reply(struct conn *c, json_object *reply, bool drain)
{
	int r = reply ? ipc_reply_format(reply, &c->out, &c->out_len) : -ENOMEM;

	json_object_put(reply);
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
	if (r < 0) {
		conn_free(c);
		return;
	}
	c->out_off = 0;
	c->state = CONN_WRITING;
	c->drain_after_reply = drain;
	if (sd_event_source_set_io_events(c->io, EPOLLOUT) < 0 || conn_arm_timer(c) < 0) {
		conn_free(c);
		return;
	}
	conn_send_reply(c); /* most replies fit the socket buffer: no wakeup needed */
}

static void conn_reply_error(struct conn *c, int errnum, const char *msg, bool drain)
{
	conn_start_reply(c, ipc_reply_error(errnum, msg), drain);
}

/* The whole request is in: parse, authorize, hand to the manager, reply. */
static void conn_process(struct conn *c)
{
	struct control_server *s = c->server;
	struct ipc_request req = { 0 };
	struct error err = { 0 };
	json_object *result = NULL;
	int r;

	r = ipc_request_parse(c->in, c->in_len, &req, &err);
	if (r < 0) {
		conn_reply_error(c, r, err.message, false);
		return;
	}
	r = ipcauth_check(&s->auth, &c->peer, req.command, &err);
	if (r >= 0)
		r = s->handler(s->userdata, &req, &c->peer, &result, &err);
	ipc_request_clear(&req);
	if (r < 0) {
		json_object_put(result);
		if (!err.message[0])
			error_set(&err, r, "%s", strerror(-r));
		conn_reply_error(c, r, err.message, false);
		return;
	}
	conn_start_reply(c, ipc_reply_ok(result), false);
}

static void conn_read_request(struct conn *c)
{
	size_t got = 0;

	while (got < READ_PER_WAKEUP) {
		ssize_t n;

		if (GROW_ARRAY(c->in, c->in_cap, c->in_len + READ_CHUNK) < 0) {
			conn_free(c);
			return;
		}
		/* read at most one byte past the limit: enough to know it is over */
		n = recv(c->fd, c->in + c->in_len, MIN(READ_CHUNK, c->in_limit + 1 - c->in_len),
			 MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			got += (size_t)n;
			if (c->in_len > c->in_limit) {
				char msg[256];

				snprintf(msg, sizeof(msg), "request: over the limit of %zu bytes%s",
					 c->in_limit,
					 c->privileged ? ""
						       : " (for peers that may not change state)");
				conn_reply_error(c, -EFBIG, msg, true);
				return;
			}
			continue;
		}
		if (n == 0) {
			conn_process(c);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			conn_free(c); /* ECONNRESET: the client is gone */
		return;
	}
}

static void conn_send_reply(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			conn_free(c); /* EPIPE, ECONNRESET: the client left; nothing to do */
		return;
	}
	if (!c->drain_after_reply) {
		conn_free(c);
		return;
	}
	/* the client may still be writing: read and drop the rest so it sees the reply, not a reset
	 */
	free(c->out);
	c->out = NULL;
	c->state = CONN_DRAINING;
	(void)shutdown(c->fd, SHUT_WR);
	if (sd_event_source_set_io_events(c->io, EPOLLIN) < 0)
		conn_free(c);
}

static void conn_drain(struct conn *c)
{
	char buf[16384];

	for (size_t got = 0; got < READ_PER_WAKEUP;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			conn_free(c);
		return;
	}
}

static int on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;

	(void)src;
	(void)fd;
	(void)revents;
	switch (c->state) {
	case CONN_READING:
		conn_read_request(c);
		break;
	case CONN_WRITING:
		conn_send_reply(c);
		break;
	case CONN_DRAINING:
		conn_drain(c);
		break;
	}
	return 0;
}

static int on_conn_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct conn *c = userdata;

	(void)src;
	(void)usec;
	if (c->state == CONN_READING) {
		/* best effort: tell it why, without waiting */
		json_object *reply = ipc_reply_error(
			-ETIMEDOUT, "request: not complete within the timeout (send one JSON "
				    "object, then shut down the write side)");
		_cleanup_free_ char *text = NULL;
		size_t len = 0;

		if (reply && ipc_reply_format(reply, &text, &len) >= 0)
			(void)send(c->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		json_object_put(reply);
	}
	conn_free(c);
	return 0;
}

/* ---- peers ---- */

static int peer_groups_from_proc(pid_t pid, gid_t **ret, size_t *ret_n)
{
	char path[64], buf[PROC_STATUS_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return ipcauth_parse_status_groups(buf, len, ret, ret_n);
}

static int peer_read(int fd, struct ipc_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t *groups;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	*peer = (struct ipc_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };

	len = 32 * sizeof(gid_t);
	for (;;) {
		groups = malloc(len ? len : 1);
		if (!groups)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
			break;
		free(groups);
		if (errno == ENOPROTOOPT) /* before 4.13: the peer's groups now, not at connect */
			return peer_groups_from_proc(cred.pid, &peer->groups, &peer->n_groups);
		if (errno != ERANGE) /* ERANGE: len says how much it needs */
			return -errno;
	}
	peer->n_groups = len / sizeof(gid_t);
	if (peer->n_groups)
		peer->groups = groups;
	else
		free(groups);
	return 0;
}

/* ---- accepting ---- */

static void refuse(int fd, const char *why)
{
	json_object *reply = ipc_reply_error(-EBUSY, why);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (reply && ipc_reply_format(reply, &text, &len) >= 0)
		(void)send(fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(reply);
	close(fd);
}

static void accept_one(struct control_server *s, int fd)
{
	struct ipc_peer peer = { 0 };
	struct conn *c;
	unsigned reserved;
	bool privileged;
	char msg[160];

	if (peer_read(fd, &peer) < 0) {
		close(fd);
		return;
	}
	privileged = ipcauth_may_change(&s->auth, &peer);
	reserved = s->max_connections >= 2 * CONTROL_RESERVED_PRIVILEGED
			   ? CONTROL_RESERVED_PRIVILEGED
			   : s->max_connections / 4;
	if (s->n_conns >= s->max_connections ||
	    (!privileged && s->n_unprivileged + reserved >= s->max_connections)) {
		snprintf(msg, sizeof(msg), "too many connections (%u open): try again", s->n_conns);
		free(peer.groups);
		refuse(fd, msg);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		free(peer.groups);
		close(fd);
		return;
	}
	*c = (struct conn){
		.server = s,
		.fd = fd,
		.peer = peer,
		.privileged = privileged,
		.state = CONN_READING,
		.in_limit = privileged ? IPC_REQUEST_MAX : CONTROL_REQUEST_MAX_UNPRIVILEGED,
	};
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	if (!privileged)
		s->n_unprivileged++;
	if (sd_event_add_io(s->event, &c->io, fd, EPOLLIN, on_conn_io, c) < 0 ||
	    sd_event_add_time_relative(s->event, &c->timer, CLOCK_MONOTONIC, s->timeout_ns / 1000,
				       TIMER_ACCURACY_USEC, on_conn_timeout, c) < 0)
		conn_free(c);
}

static int on_pause_over(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct control_server *s = userdata;

	(void)src;
	(void)usec;
	sd_event_source_set_enabled(s->listen_source, SD_EVENT_ON);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct control_server *s = userdata;

	(void)revents;
	for (unsigned i = 0; i < ACCEPT_PER_WAKEUP; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			accept_one(s, cfd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* level-triggered: without a pause the loop would spin on this */
			sd_event_source_set_enabled(src, SD_EVENT_OFF);
			if (!s->pause_timer)
				sd_event_add_time_relative(s->event, &s->pause_timer,
							   CLOCK_MONOTONIC, EMFILE_PAUSE_USEC,
							   TIMER_ACCURACY_USEC, on_pause_over, s);
			else if (sd_event_source_set_time_relative(s->pause_timer,
								   EMFILE_PAUSE_USEC) >= 0)
				sd_event_source_set_enabled(s->pause_timer, SD_EVENT_ONESHOT);
		}
		break; /* EAGAIN: all taken */
	}
	return 0;
}

/* ---- the listening socket ---- */

/* Does anyone accept on @path?  1 yes, 0 no (stale), -errno otherwise. */
static int socket_alive(const struct sockaddr_un *sa)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 1;
	if (errno == EAGAIN || errno == EINPROGRESS) /* a full backlog: alive */
		return 1;
	if (errno == ECONNREFUSED)
		return 0;
	return -errno;
}

static int make_parent_dir(const char *path, struct error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	const char *dir;

	if (!copy)
		return error_set(err, -ENOMEM, "out of memory");
	dir = dirname(copy);
	if (mkdir(dir, 0755) == 0) {
		(void)chmod(dir, 0755); /* not narrowed by the umask */
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return error_set(err, -errno, "%s: cannot create the socket's directory: %s",
			 ESCAPE_TERMINAL(dir), strerror(errno));
}

static int bind_socket(const char *path, struct stat *ret_st, struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	const char *shown = ESCAPE_TERMINAL(path);
	struct stat st;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return error_set(err, -ENAMETOOLONG, "%s: socket path too long (at most %zu bytes)",
				 shown, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	r = make_parent_dir(path, err);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return error_set(err, -errno, "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EADDRINUSE)
			return error_set(err, -errno, "%s: bind: %s", shown, strerror(errno));
		if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
			return error_set(err, -EEXIST,
					 "%s: exists and is not a socket (not removed)", shown);
		r = socket_alive(&sa);
		if (r > 0)
			return error_set(
				err, -EADDRINUSE,
				"%s: another server listens there (is cxlpolicyd running?)", shown);
		if (r < 0)
			return error_set(err, r, "%s: cannot tell whether a server listens: %s",
					 shown, strerror(-r));
		/* stale: its server is gone */
		if (unlink(path) < 0 && errno != ENOENT)
			return error_set(err, -errno, "%s: cannot remove the stale socket: %s",
					 shown, strerror(errno));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return error_set(err, -errno, "%s: bind: %s", shown, strerror(errno));
	}
	/* everyone may connect; what they may do is decided by their credentials */
	if (chmod(path, 0666) < 0 || stat(path, ret_st) < 0) {
		r = error_set(err, -errno, "%s: %s", shown, strerror(errno));
		unlink(path);
		return r;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		r = error_set(err, -errno, "%s: listen: %s", shown, strerror(errno));
		unlink(path);
		return r;
	}
	return TAKE_FD(fd);
}

int control_server_new_fd(sd_event *e, int fd, const struct ipcauth_config *auth,
			  control_handler_fn fn, void *userdata, struct control_server **ret,
			  struct error *err)
{
	struct control_server *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return error_set(err, -ENOMEM, "out of memory");
	}
	s->fd = fd;
	s->event = sd_event_ref(e);
	s->auth = *auth;
	s->handler = fn;
	s->userdata = userdata;
	s->timeout_ns = CONTROL_TIMEOUT_DEFAULT_NS;
	s->max_connections = CONTROL_MAX_CONNECTIONS_DEFAULT;
	if (auth->group_name) {
		s->group_name = strdup(auth->group_name);
		if (!s->group_name) {
			control_server_free(s);
			return error_set(err, -ENOMEM, "out of memory");
		}
	}
	s->auth.group_name = s->group_name;
	r = fcntl(fd, F_GETFL);
	if (r < 0 || fcntl(fd, F_SETFL, r | O_NONBLOCK) < 0) {
		r = -errno;
		control_server_free(s);
		return error_set(err, r, "control socket: %s", strerror(-r));
	}
	r = sd_event_add_io(e, &s->listen_source, fd, EPOLLIN, on_accept, s);
	if (r < 0) {
		control_server_free(s);
		return error_set(err, r, "control socket: sd_event_add_io: %s", strerror(-r));
	}
	*ret = s;
	return 0;
}

int control_server_new(sd_event *e, const char *path, const struct ipcauth_config *auth,
		       control_handler_fn fn, void *userdata, struct control_server **ret,
		       struct error *err)
{
	struct control_server *s = NULL;
	_cleanup_free_ char *copy = NULL;
	struct stat st;
	int fd, r;

	if (!path)
		path = IPC_SOCKET_PATH_DEFAULT;
	copy = strdup(path);
	if (!copy)
		return error_set(err, -ENOMEM, "out of memory");
	fd = bind_socket(path, &st, err);
	if (fd < 0)
		return fd;
	r = control_server_new_fd(e, fd, auth, fn, userdata, &s, err);
	if (r < 0) {
		unlink(path);
		return r;
	}
	s->path = TAKE_PTR(copy);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	*ret = s;
	return 0;
}

struct control_server *control_server_free(struct control_server *s)
{
	struct stat st;

	if (!s)
		return NULL;
	while (s->conns)
		conn_free(s->conns);
	sd_event_source_disable_unref(s->listen_source);
	sd_event_source_disable_unref(s->pause_timer);
	/* unlink only our own socket, not one a newer server bound meanwhile */
	if (s->path && stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	if (s->fd >= 0)
		close(s->fd);
	sd_event_unref(s->event);
	free(s->path);
	free(s->group_name);
	free(s);
	return NULL;
}

void control_server_set_timeout(struct control_server *s, uint64_t timeout_ns)
{
	s->timeout_ns = timeout_ns ? timeout_ns : CONTROL_TIMEOUT_DEFAULT_NS;
}

void control_server_set_max_connections(struct control_server *s, unsigned max)
{
	s->max_connections = max ? max : CONTROL_MAX_CONNECTIONS_DEFAULT;
}

unsigned control_server_connections(const struct control_server *s)
{
	return s->n_conns;
}
