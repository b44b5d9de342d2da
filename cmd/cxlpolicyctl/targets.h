/* SPDX-License-Identifier: MIT */
/* Which processes a scan or migrate covers: --pid, --cgroup or --all. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

struct targets {
	enum { TARGET_NONE, TARGET_PID, TARGET_CGROUP, TARGET_ALL } kind;
	pid_t pid;
	const char *cgroup;
};

/* Record one --pid/--cgroup/--all option; exit code on bad input, else EXIT_OK. */
int targets_set(struct targets *t, int kind, const char *arg, const char *verb);
/* The pids to visit; prints its own errors and returns an exit code. */
int targets_resolve(struct cli *cli, const struct targets *t, pid_t **ret_pids, size_t *ret_n);
