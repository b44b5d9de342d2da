/* SPDX-License-Identifier: MIT */
#include "ipcauth.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

bool ipcauth_command_changes(enum ipc_command cmd)
{
	/* anything unknown counts as a change: refuse rather than open */
	return !(cmd == IPC_PING || cmd == IPC_STATUS);
}

bool ipcauth_may_change(const struct ipcauth_config *cfg, const struct ipc_peer *peer)
{
	if (peer->uid == 0)
		return true;
	if (!cfg->has_group)
		return false;
	if (peer->gid == cfg->group)
		return true;
	for (size_t i = 0; i < peer->n_groups; i++)
		if (peer->groups[i] == cfg->group)
			return true;
	return false;
}

int ipcauth_check(const struct ipcauth_config *cfg, const struct ipc_peer *peer,
		  enum ipc_command cmd, struct error *err)
{
	bool changes = ipcauth_command_changes(cmd);
	char group[128] = "";

	if (!changes && cfg->status_open)
		return 0;
	if (ipcauth_may_change(cfg, peer))
		return 0;
	if (cfg->has_group)
		snprintf(group, sizeof(group), " or group %u%s%s%s", (unsigned)cfg->group,
			 cfg->group_name ? " (" : "", cfg->group_name ? cfg->group_name : "",
			 cfg->group_name ? ")" : "");
	return error_set(err, -EPERM, "uid %u (pid %d) may not run %s: %s need uid 0%s",
			 (unsigned)peer->uid, (int)peer->pid, ipc_command_to_string(cmd),
			 changes ? "changes" : "read-only commands (status_open is off)", group);
}

int ipcauth_parse_status_groups(const char *status, size_t len, gid_t **ret_groups, size_t *ret_n)
{
	static const char key[] = "Groups:";
	_cleanup_free_ gid_t *groups = NULL;
	size_t n = 0, cap = 0;
	const char *p = NULL, *end;

	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++) {
		if ((i == 0 || status[i - 1] == '\n') &&
		    memcmp(status + i, key, sizeof(key) - 1) == 0) {
			p = status + i + sizeof(key) - 1;
			break;
		}
	}
	if (!p)
		return -EINVAL;
	end = memchr(p, '\n', (size_t)(status + len - p));
	if (!end)
		end = status + len;
	while (p < end) {
		unsigned long v = 0;
		const char *start;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && *p >= '0' && *p <= '9') {
			if (v > (UINT_MAX - 9) / 10)
				return -EINVAL;
			v = v * 10 + (unsigned long)(*p - '0');
			p++;
		}
		if (p == start || (p < end && *p != ' ' && *p != '\t') || v == (gid_t)-1)
			return -EINVAL;
		if (GROW_ARRAY(groups, cap, n + 1) < 0)
			return -ENOMEM;
		groups[n++] = (gid_t)v;
	}
	*ret_groups = n ? TAKE_PTR(groups) : NULL;
	*ret_n = n;
	return 0;
}
