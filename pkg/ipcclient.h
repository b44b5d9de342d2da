/* SPDX-License-Identifier: MIT */
/*
 * The client side of the control socket (cmd/cxlpolicyd/PROTOCOL.md): one
 * blocking call per request.  Connect, send the request, shut down the write
 * side, read the reply until the daemon closes, parse it.  No printing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ipc.h"

struct json_object;

#define IPCCLIENT_TIMEOUT_DEFAULT_NS (UINT64_C(30) * 1000000000)

/*
 * Send the @len bytes of @request (ipc_request_format() makes them) to the
 * daemon listening at @path (NULL: IPC_SOCKET_PATH_DEFAULT) and wait for its
 * reply, at most @timeout_ns for everything (0: no limit).  0 and the reply
 * (a new reference; look into it with ipc_reply_unpack()) in *@ret_reply.
 * Failures, with a message naming @path in @err:
 *   -ENOENT, -ECONNREFUSED  no daemon listens at @path (see ipcclient_no_daemon())
 *   -EACCES                 the socket is there but this user may not connect
 *   -ETIMEDOUT              no complete reply within @timeout_ns
 *   -ENAMETOOLONG           @path does not fit a sockaddr_un
 *   -EFBIG                  a reply over IPC_REPLY_MAX
 *   -EBADMSG                the daemon closed without a (valid) reply
 *   other -errno            from socket(), connect(), send(), recv()
 */
int ipcclient_call(const char *path, const char *request, size_t len, uint64_t timeout_ns,
		   struct json_object **ret_reply, struct error *err);

/* True when @r from ipcclient_call() means "no daemon is running": act alone. */
static inline bool ipcclient_no_daemon(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED;
}
