/* SPDX-License-Identifier: MIT */
/*
 * The status reply (cmd/cxlpolicyctl/SCHEMA.md, "status"): the daemon, the
 * policy set in force and any reload error, warnings about other page
 * movers, and per governed cgroup which policy governs it and why, its
 * cpuset.mems, what is where and what was done.  Mempolicies of running
 * processes are reported read-only (no interface sets them).
 */
#pragma once

#include <json-c/json.h>

#include "manager.h"

/* The node ids of @set as a JSON array (ascending). */
struct json_object *status_node_array(const struct idset *set);

/* NULL when out of memory; @cgroup NULL: every governed cgroup (else -ENOENT in @ret_errno). */
struct json_object *status_build(struct manager *m, const char *cgroup, int *ret_errno);
