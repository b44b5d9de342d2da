/* SPDX-License-Identifier: MIT */
#include "ipcclient.h"

#include <errno.h>
#include <inttypes.h>
#include <json.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "escape.h"
#include "macro.h"

#define NSEC_PER_MSEC UINT64_C(1000000)
#define CONNECT_RETRY_MS 10 /* a full listen backlog: try again this often */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Milliseconds left until @deadline (0: none) for poll(): -1 forever, 0 when over. */
static int ms_left(uint64_t deadline)
{
	uint64_t now;

	if (!deadline)
		return -1;
	now = now_ns();
	if (now >= deadline)
		return 0;
	return (int)MIN((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC, (uint64_t)INT32_MAX);
}

/* Wait for @events on @fd: 0, -ETIMEDOUT, or -errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int ms = ms_left(deadline);
		int n;

		if (ms == 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, ms);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int do_connect(int fd, const struct sockaddr_un *sa, socklen_t salen, uint64_t deadline)
{
	for (;;) {
		int r, so_error = 0;
		socklen_t sl = sizeof(so_error);

		if (connect(fd, (const struct sockaddr *)sa, salen) == 0)
			return 0;
		r = -errno;
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN) {
			/* AF_UNIX: the listen backlog is full; poll() cannot say when it drains */
			int ms = ms_left(deadline);

			if (ms == 0)
				return -ETIMEDOUT;
			poll(NULL, 0, ms < 0 ? CONNECT_RETRY_MS : MIN(ms, CONNECT_RETRY_MS));
			continue;
		}
		if (r != -EINPROGRESS)
			return r;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &sl) < 0)
			return -errno;
		return -so_error;
	}
}

/* Send all of @buf; a daemon that closed early (it refused the request) is no failure here. */
static int send_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		int r;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return 0; /* its reply says why */
		if (errno != EAGAIN)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Read until EOF, at most IPC_REPLY_MAX bytes, into *@ret (malloc'd) and *@ret_len. */
static int recv_all(int fd, uint64_t deadline, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;
		int r;

		if (GROW_ARRAY(buf, cap, len + 65536) < 0)
			return -ENOMEM;
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n > 0) {
			len += (size_t)n;
			if (len > IPC_REPLY_MAX)
				return -EFBIG;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		/* a daemon closing with our unread request queued resets: its reply came first */
		if (errno == ECONNRESET && len > 0)
			break;
		if (errno != EAGAIN)
			return -errno;
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int ipcclient_call(const char *path, const char *request, size_t len, uint64_t timeout_ns,
		   struct json_object **ret_reply, struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t deadline = timeout_ns ? now_ns() + timeout_ns : 0;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *reply = NULL;
	size_t reply_len = 0;
	struct error why = { 0 };
	const char *shown;
	int r;

	if (!path)
		path = IPC_SOCKET_PATH_DEFAULT;
	shown = ESCAPE_TERMINAL(path);
	if (strlen(path) >= sizeof(sa.sun_path))
		return error_set(err, -ENAMETOOLONG, "%s: socket path too long (at most %zu bytes)",
				 shown, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return error_set(err, -errno, "socket: %s", strerror(errno));
	r = do_connect(fd, &sa, (socklen_t)sizeof(sa), deadline);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return error_set(err, r, "%s: no daemon listens there (%s)", shown, strerror(-r));
	if (r == -ETIMEDOUT)
		return error_set(err, r, "%s: connect timed out (the daemon is busy)", shown);
	if (r < 0)
		return error_set(err, r, "%s: connect: %s", shown, strerror(-r));

	r = send_all(fd, request, len, deadline);
	if (r == -ETIMEDOUT)
		return error_set(err, r, "%s: sending the request timed out", shown);
	if (r < 0)
		return error_set(err, r, "%s: send: %s", shown, strerror(-r));
	(void)shutdown(fd, SHUT_WR); /* ENOTCONN when the daemon closed already: read its reply */

	r = recv_all(fd, deadline, &reply, &reply_len);
	if (r == -ETIMEDOUT)
		return error_set(err, r, "%s: no reply within %" PRIu64 " ms", shown,
				 timeout_ns / NSEC_PER_MSEC);
	if (r == -EFBIG)
		return error_set(err, r, "%s: reply over the limit of %zu bytes", shown,
				 (size_t)IPC_REPLY_MAX);
	if (r < 0)
		return error_set(err, r, "%s: receive: %s", shown, strerror(-r));
	if (reply_len == 0)
		return error_set(err, -EBADMSG,
				 "%s: the daemon closed the connection without a reply", shown);
	r = ipc_reply_parse(reply, reply_len, ret_reply, &why);
	if (r < 0)
		return error_set(err, r == -ENOMEM ? r : -EBADMSG, "%s: invalid reply: %s", shown,
				 why.message);
	return 0;
}
