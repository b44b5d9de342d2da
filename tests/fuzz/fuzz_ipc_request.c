/* SPDX-License-Identifier: MIT */
/*
 * Control-socket requests: ipc_request_parse() on any bytes, as the daemon
 * gets them from a peer.  Invariants: a failure carries its message (code ==
 * return value, no control byte: untrusted text is escaped) and leaves the
 * request untouched; a parsed request has a known command, only the arguments
 * that command takes, valid names, and formats to text that parses back to
 * the same request.
 */
#include <errno.h>

#include "fuzzlib.h"
#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const struct ipc_request *a, const struct ipc_request *b)
{
	FUZZ_ASSERT(a->command == b->command && a->dry_run == b->dry_run &&
			    a->n_files == b->n_files,
		    "round trip changed the request");
	for (size_t i = 0; i < a->n_files; i++)
		FUZZ_ASSERT(strcmp(a->files[i].name, b->files[i].name) == 0 &&
				    a->files[i].len == b->files[i].len &&
				    memcmp(a->files[i].content, b->files[i].content,
					   a->files[i].len) == 0,
			    "round trip changed file %zu", i);
	FUZZ_ASSERT(!a->policy == !b->policy && (!a->policy || !strcmp(a->policy, b->policy)),
		    "round trip changed the policy");
	FUZZ_ASSERT(!a->cgroup == !b->cgroup && (!a->cgroup || !strcmp(a->cgroup, b->cgroup)),
		    "round trip changed the cgroup");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_request req = { .command = IPC_RELOAD, .dry_run = true }, again = { 0 };
	struct error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	int r = ipc_request_parse((const char *)data, size, &req, &err);

	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -EFBIG || r == -ENOMEM, "unexpected error %d", r);
		FUZZ_ASSERT(err.code == r && err.message[0], "error %d without its message", r);
		for (const char *p = err.message; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f,
				    "control byte 0x%02x in message '%s'", (unsigned char)*p,
				    err.message);
		FUZZ_ASSERT(req.command == IPC_RELOAD && req.dry_run && !req.files && !req.policy &&
				    !req.cgroup,
			    "request written on failure");
		return 0;
	}
	FUZZ_ASSERT(req.command < _IPC_COMMAND_MAX, "command %d", (int)req.command);
	FUZZ_ASSERT(req.command == IPC_APPLY ? req.n_files >= 1 && req.n_files <= IPC_MAX_FILES
					     : req.n_files == 0 && !req.dry_run,
		    "files for %s", ipc_command_to_string(req.command));
	FUZZ_ASSERT(!req.policy || req.command == IPC_SWEEP, "policy for %s",
		    ipc_command_to_string(req.command));
	FUZZ_ASSERT(!req.cgroup || req.command == IPC_SWEEP || req.command == IPC_STATUS,
		    "cgroup for %s", ipc_command_to_string(req.command));
	for (size_t i = 0; i < req.n_files; i++) {
		FUZZ_ASSERT(req.files[i].name[0] && !strchr(req.files[i].name, '/'),
			    "file name '%s'", req.files[i].name);
		FUZZ_ASSERT(req.files[i].content[req.files[i].len] == '\0',
			    "content not terminated");
	}
	FUZZ_ASSERT(!req.cgroup || req.cgroup[0] != '/', "absolute cgroup '%s'", req.cgroup);

	r = ipc_request_format(&req, &text, &len, &err);
	FUZZ_ASSERT(r == 0, "a parsed request does not format: %s", err.message);
	r = ipc_request_parse(text, len, &again, &err);
	FUZZ_ASSERT(r == 0, "formatted text '%s' does not parse: %s", text, err.message);
	check_same(&req, &again);
	free(text);
	ipc_request_clear(&again);
	ipc_request_clear(&req);
	return 0;
}
