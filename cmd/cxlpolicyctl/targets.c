/* SPDX-License-Identifier: MIT */
#include "targets.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cgroupfs.h"
#include "procinfo.h"

int targets_set(struct targets *t, int kind, const char *arg, const char *verb)
{
	if (t->kind != TARGET_NONE)
		return cli_fail(EXIT_USAGE, "%s: give exactly one of --pid, --cgroup, --all", verb);
	t->kind = kind;
	if (kind == TARGET_PID && parse_pid(arg, &t->pid) < 0)
		return cli_fail(EXIT_USAGE,
				"%s: invalid --pid \"%s\": expected a positive process id", verb,
				ESCAPE_TERMINAL(arg));
	if (kind == TARGET_CGROUP)
		t->cgroup = arg;
	return EXIT_OK;
}

int targets_resolve(struct cli *cli, const struct targets *t, pid_t **ret_pids, size_t *ret_n)
{
	struct error err = { 0 };
	char shown[PATH_MAX];
	int r;

	switch (t->kind) {
	case TARGET_PID:
		*ret_pids = malloc(sizeof(pid_t));
		if (!*ret_pids)
			return cli_fail(EXIT_RUNTIME, "out of memory");
		(*ret_pids)[0] = t->pid;
		*ret_n = 1;
		return EXIT_OK;
	case TARGET_CGROUP:
		r = cgroupfs_members(cli->root, t->cgroup, ret_pids, ret_n, &err);
		if (r < 0)
			return cli_fail(r == -ENOENT || r == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME,
					"%s", err.code ? err.message : strerror(-r));
		return EXIT_OK;
	case TARGET_ALL:
		r = proclist_all(cli->root, ret_pids, ret_n);
		if (r < 0)
			return cli_fail(EXIT_RUNTIME, "cannot list %s: %s",
					sysroot_display(cli->root, "proc", shown, sizeof(shown)),
					strerror(-r));
		return EXIT_OK;
	case TARGET_NONE:
	default:
		return cli_fail(EXIT_USAGE, "give one of --pid PID, --cgroup PATH, --all");
	}
}
