/* SPDX-License-Identifier: MIT */
/*
 * Who may do what over the control socket.  Pure: the caller got the peer's
 * credentials (SO_PEERCRED, SO_PEERGROUPS) and hands them over.
 *
 * Commands are read-only (ping, status) or changes (apply, sweep, reload).
 * Changes: uid 0, or a member of the configured group (primary or
 * supplementary).  Read-only: anyone when status_open, else as changes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "ipc.h"

struct ipcauth_config {
	bool status_open; /* read-only commands from anyone (the daemon defaults to true; zeroed:
			     off) */
	bool has_group; /* @group may change too */
	gid_t group;
	const char *group_name; /* for messages only; may be NULL */
};

/* True for the commands that change state (apply, sweep, reload). */
bool ipcauth_command_changes(enum ipc_command cmd);

/* True when @peer may change state: uid 0 or a member of the group. */
bool ipcauth_may_change(const struct ipcauth_config *cfg, const struct ipc_peer *peer);

/*
 * 0 when @peer may run @cmd; -EPERM with a message naming the peer's uid,
 * the command and what it needs ("uid 1000 may not apply: changes need uid
 * 0 or group 990 (cxlpolicy)").
 */
int ipcauth_check(const struct ipcauth_config *cfg, const struct ipc_peer *peer,
		  enum ipc_command cmd, struct error *err);

/*
 * The supplementary groups from the text of /proc/PID/status (its
 * "Groups:" line, space-separated decimal gids, possibly empty) into a
 * malloc'd array (NULL when empty).  -EINVAL when there is no such line or it
 * holds something else, -ENOMEM.  For kernels without SO_PEERGROUPS (< 4.13).
 */
int ipcauth_parse_status_groups(const char *status, size_t len, gid_t **ret_groups, size_t *ret_n);
