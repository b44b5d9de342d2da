/* SPDX-License-Identifier: MIT */
/*
 * The control socket of cxlpolicyd (PROTOCOL.md beside this file): a
 * listening AF_UNIX stream socket on an sd-event loop, one request per
 * connection, every connection non-blocking with its own deadline, so no
 * client can stall the loop.  The server parses the request (pkg/ipc.h),
 * checks the peer's credentials (pkg/ipcauth.h), calls the handler the
 * manager gave, and writes its reply.
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "ipc.h"
#include "ipcauth.h"

struct json_object;
struct control_server;

#define CONTROL_TIMEOUT_DEFAULT_NS (UINT64_C(5) * 1000000000) /* per phase: request, reply */
#define CONTROL_MAX_CONNECTIONS_DEFAULT 32
/* connections only peers that may change state get (so others cannot lock root out) */
#define CONTROL_RESERVED_PRIVILEGED 4
/* a peer that may not change state sends no policy files: a smaller buffer is enough */
#define CONTROL_REQUEST_MAX_UNPRIVILEGED ((size_t)64 << 10)

/*
 * Called once per well-formed, authorized request, synchronously, on the
 * loop.  Return 0 and the reply's "result" in *@ret_result (a reference the
 * server takes; NULL gives {}), or a negative errno with a message in @err
 * (the client sees {"ok": false, "error": message, "errno": -r}).  It must
 * not free the server.
 */
typedef int (*control_handler_fn)(void *userdata, const struct ipc_request *req,
				  const struct ipc_peer *peer, struct json_object **ret_result,
				  struct error *err);

/*
 * Listen at @path (NULL: IPC_SOCKET_PATH_DEFAULT): create its directory (0755)
 * when missing, take over a stale socket (one nobody accepts on), make it
 * 0666 (authorization is by credentials), attach to @e.  -EADDRINUSE when a
 * live server listens there, -EEXIST when @path is no socket (left alone).
 * @auth is copied.  The socket is unlinked by control_server_free() if it is
 * still the one this server made.
 */
int control_server_new(sd_event *e, const char *path, const struct ipcauth_config *auth,
		       control_handler_fn fn, void *userdata, struct control_server **ret,
		       struct error *err);
/* The same on a listening socket that exists already (socket activation); takes @fd. */
int control_server_new_fd(sd_event *e, int fd, const struct ipcauth_config *auth,
			  control_handler_fn fn, void *userdata, struct control_server **ret,
			  struct error *err);
/* Close every connection and the socket; NULL is fine.  Returns NULL. */
struct control_server *control_server_free(struct control_server *s);

/* Limits, for connections accepted from now on (defaults above). */
void control_server_set_timeout(struct control_server *s, uint64_t timeout_ns);
void control_server_set_max_connections(struct control_server *s, unsigned max);
/* Connections open now (for status and tests). */
unsigned control_server_connections(const struct control_server *s);
