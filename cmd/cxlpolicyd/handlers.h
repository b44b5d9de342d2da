/* SPDX-License-Identifier: MIT */
/*
 * What the control socket's commands do (the server, control.c, has
 * already parsed the request and checked the peer's credentials):
 *   ping    the daemon's pid and version;
 *   status  status.h;
 *   reload  re-read the policy directory (as SIGHUP);
 *   sweep   a full sweep now of one policy, the policy governing one
 *           cgroup, or all, and what it did;
 *   apply   validate the given files together with the directory's other
 *           files, exactly as a reload would; with dry_run, say per cgroup
 *           which policy would govern it, its cpuset.mems before and after
 *           and the bytes per node a narrowing would migrate
 *           (memory.numa_stat); else write the files into the directory
 *           atomically (rename), reload, and say what changed.  A file that
 *           fails validation changes nothing.
 */
#pragma once

#include <json-c/json.h>

#include "error.h"
#include "ipc.h"

int handlers_dispatch(void *userdata, const struct ipc_request *req, const struct ipc_peer *peer,
		      struct json_object **ret_result, struct error *err);
