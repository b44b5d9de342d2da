/* SPDX-License-Identifier: MIT */
/*
 * The governed-cgroup table: every cgroup of the host that a policy of the
 * set in force matches, with the winning policy and why, and the work of
 * keeping each one's cpuset.mems on the policy's nodes (top-down, written
 * only when different, so re-applying every interval drags nothing).
 */
#pragma once

#include "manager.h"

/*
 * Build the table for @dir from the live cgroup tree into *@ret (counters
 * of cgroups governed by the same policy name before are carried over from
 * @old).  -errno with @err on failure; *@ret untouched.
 */
int governed_build(struct manager *m, const struct policydir *dir,
		   const struct governed_cgroup *old, size_t n_old, struct governed_cgroup **ret,
		   size_t *ret_n, struct error *err);
void governed_free(struct governed_cgroup *cgroups, size_t n);

/*
 * Write each governed cgroup's cpuset.mems (top-down).  *@ret_changed: how
 * many writes changed something (memory of their members may have moved).
 * Per-cgroup failures are kept in the table and logged, not returned.
 */
void governed_apply_mems(struct manager *m, size_t *ret_changed);

/* Index of @path in the table, or -1. */
ssize_t governed_find(const struct manager *m, const char *path);
