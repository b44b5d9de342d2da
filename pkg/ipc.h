/* SPDX-License-Identifier: MIT */
/*
 * The control-socket protocol of cxlpolicyd (cmd/cxlpolicyd/PROTOCOL.md),
 * without any I/O: parse a request from bytes, build a request for a client,
 * build and unpack replies.  The socket itself lives in
 * cmd/cxlpolicyd/control.c (server) and ipcclient.c (client).
 *
 * Parsing is strict: the text must be UTF-8 JSON without NUL bytes, hold one
 * object with "version": 1, a known "command" and only the "args" keys that
 * command takes, each with its type; an object may not hold a key twice.
 * Every failure names the field ("args.files[0].content: expected a string").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "macro.h"

struct json_object;

#define IPC_VERSION 1
#define IPC_SOCKET_PATH_DEFAULT "/run/cxlpolicy/cxlpolicyd.sock"
#define IPC_REQUEST_MAX ((size_t)2 << 20) /* 2 MiB: a 1 MiB policy, JSON-escaped */
#define IPC_REQUEST_DEPTH 8 /* nesting; a valid request needs 4 */
#define IPC_REPLY_MAX ((size_t)16 << 20) /* what a client reads at most */
#define IPC_MAX_FILES 64 /* files of one apply */
#define IPC_FILE_NAME_MAX 255
#define IPC_CGROUP_MAX 4096
#define IPC_POLICY_NAME_MAX 64

enum ipc_command {
	IPC_PING,
	IPC_STATUS,
	IPC_APPLY,
	IPC_SWEEP,
	IPC_RELOAD,
	_IPC_COMMAND_MAX,
};

struct ipc_file {
	char *name; /* a file name: no '/', no NUL, not "." or "..", 1..255 bytes */
	char *content; /* NUL-terminated copy; may hold NUL bytes (\u0000): use len */
	size_t len;
};

struct ipc_request {
	enum ipc_command command;
	/* apply */
	struct ipc_file *files;
	size_t n_files;
	bool dry_run;
	/* sweep (both optional: NULL when not given) */
	char *policy;
	/* sweep, status (optional): relative to the cgroup root, no leading '/', "" the root */
	char *cgroup;
};

/* Who is on the other end of a connection (SO_PEERCRED, SO_PEERGROUPS). */
struct ipc_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid; /* primary (effective) group */
	gid_t *groups; /* supplementary groups; may be NULL when n_groups is 0 */
	size_t n_groups;
};

/* "ping", "status", ...; "?" for a value out of range. */
const char *ipc_command_to_string(enum ipc_command cmd);
/* The command named @name, or -EINVAL. */
int ipc_command_from_string(const char *name);

/*
 * Parse the request in @buf[0..@len) (need not be NUL-terminated).  0 and
 * *@ret filled; on failure *@ret is untouched (zeroed state is not needed)
 * and: -EFBIG over IPC_REQUEST_MAX, -EINVAL for anything malformed (message
 * in @err naming the field), -ENOMEM.
 */
int ipc_request_parse(const char *buf, size_t len, struct ipc_request *ret, struct error *err);
/* Free what a parsed request holds and zero it; safe on a zeroed request. */
void ipc_request_clear(struct ipc_request *r);

/*
 * The request @r as JSON text (malloc'd, NUL-terminated, no newline) in
 * *@ret_text and its length in *@ret_len: what a client sends.  -EINVAL when
 * @r would not parse back (a bad file name, a NUL in a name), -ENOMEM.
 */
int ipc_request_format(const struct ipc_request *r, char **ret_text, size_t *ret_len,
		       struct error *err);

/*
 * {"ok": true, "result": @result}; takes @result's reference (NULL becomes
 * {}).  NULL when out of memory (then @result was put).
 */
struct json_object *ipc_reply_ok(struct json_object *result);
/*
 * {"ok": false, "error": @msg, "errno": N} with N = |@errnum| (EIO when 0);
 * invalid UTF-8 in @msg becomes U+FFFD.  NULL when out of memory.
 */
struct json_object *ipc_reply_error(int errnum, const char *msg);
/*
 * Serialize a reply for the wire: plain JSON and one '\n' (malloc'd) in
 * *@ret_text, its length in *@ret_len.  -ENOMEM.
 */
int ipc_reply_format(struct json_object *reply, char **ret_text, size_t *ret_len);

/*
 * Parse the reply text a client read (any bytes, at most IPC_REPLY_MAX) into
 * *@ret_reply (a new reference).  -EINVAL when it is not a reply object of
 * the shape above.
 */
int ipc_reply_parse(const char *buf, size_t len, struct json_object **ret_reply, struct error *err);
/*
 * Look into a reply (as ipc_reply_parse() returned it): 0 and its "result"
 * (borrowed from @reply) in *@ret_result for ok; for an error reply the
 * negative errno it carries (-EIO if 0), with its message in @err.
 */
int ipc_reply_unpack(struct json_object *reply, struct json_object **ret_result, struct error *err);
