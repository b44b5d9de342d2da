/* SPDX-License-Identifier: MIT */
/*
 * Policy files, format version 1 (documented in policies/README.md): parsing
 * and validation against a topology.  Pure: the caller reads the file and
 * hands over its bytes; nothing here touches cgroups or the system.
 *
 * Validation is strict: unknown keys, wrong types, duplicate policy names,
 * duplicate keys in one JSON object, node ids that are not online, empty
 * node resolutions, files over POLICY_FILE_MAX bytes, non-UTF-8 text, NUL
 * bytes and trailing garbage are all errors.  The first problem found is
 * reported, as "FILE: JSON.PATH: what was wrong (what was expected)", or
 * "FILE:LINE:COL: syntax error: ..." for text that is not JSON; untrusted
 * text in the message is escaped (escape.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "idset.h"
#include "macro.h"
#include "topology.h"

#define POLICY_VERSION 1
#define POLICY_FILE_MAX ((size_t)1 << 20) /* 1 MiB */
#define POLICY_NAME_MAX 64
#define POLICY_GLOB_MAX 4096 /* a cgroup glob, as PATH_MAX */
#define POLICY_UNIT_MAX 255 /* systemd's UNIT_NAME_MAX */
#define POLICY_POD_UID_LEN 36
#define POLICY_INTERVAL_DEFAULT_NS (UINT64_C(30) * 1000000000)
#define POLICY_INTERVAL_MIN_NS (UINT64_C(100) * 1000000)
#define POLICY_CALL_TIME_DEFAULT_NS (UINT64_C(20) * 1000000)
#define POLICY_CALL_TIME_MIN_NS (UINT64_C(1) * 1000000)
#define POLICY_CALL_TIME_MAX_NS (UINT64_C(10) * 1000000000)
#define POLICY_BYTES_PER_SWEEP_MIN 4096

enum policy_mempolicy_mode {
	POLICY_MPOL_DEFAULT,
	POLICY_MPOL_BIND,
	POLICY_MPOL_PREFERRED,
	POLICY_MPOL_PREFERRED_MANY,
	POLICY_MPOL_INTERLEAVE,
	POLICY_MPOL_WEIGHTED_INTERLEAVE,
};

enum policy_pod_qos {
	POLICY_POD_QOS_ANY, /* "qos" not given */
	POLICY_POD_QOS_GUARANTEED,
	POLICY_POD_QOS_BURSTABLE,
	POLICY_POD_QOS_BESTEFFORT,
};

struct policy_match {
	char **cgroups; /* globs relative to the cgroup root */
	size_t n_cgroups;
	char **units; /* systemd unit names */
	size_t n_units;
	bool has_pod;
	enum policy_pod_qos pod_qos;
	char pod_uid[POLICY_POD_UID_LEN + 1]; /* lower case; "" when not given */
	char **containers; /* lower-case hex ids, 12-64 digits */
	size_t n_containers;
};

struct policy_exec {
	bool migrate; /* default true */
	uint64_t interval_ns; /* default 30 s, at least 100 ms */
	uint64_t bytes_per_sweep; /* 0: no limit (the default) */
	uint64_t call_time_ns; /* default 20 ms */
	bool target_nearest_dram; /* default true; else @target */
	struct idset target; /* DRAM nodes, when !target_nearest_dram */
	bool report_only; /* default false */
};

struct policy {
	char name[POLICY_NAME_MAX + 1];
	struct policy_match match;
	struct idset mems; /* resolved, never empty */
	bool has_mempolicy;
	enum policy_mempolicy_mode mempolicy_mode;
	struct idset mempolicy_nodes; /* empty for "default" */
	struct policy_exec exec;
};

struct policy_set {
	struct policy *policies;
	size_t n_policies;
};

/*
 * Parse and validate the @len bytes at @buf (need not be NUL-terminated),
 * the file @display_name (shown in messages, escaped there), against @topo.
 * 0 and a new set in *@ret; -EINVAL with the message in @err for an invalid
 * file, -EFBIG for one over POLICY_FILE_MAX, -ENOMEM.  *@ret untouched on
 * failure.
 */
int policy_set_parse(const char *buf, size_t len, const char *display_name,
		     const struct topology *topo, struct policy_set **ret, struct error *err);
void policy_set_free(struct policy_set *set);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct policy_set *, policy_set_free)

const char *policy_mempolicy_mode_to_string(enum policy_mempolicy_mode mode);
const char *policy_pod_qos_to_string(enum policy_pod_qos qos);

/* Syntax checks, exposed for tests: 0 or -EINVAL. */
int policy_check_name(const char *name);
int policy_check_cgroup_glob(const char *glob);
int policy_check_unit_name(const char *unit);
int policy_check_pod_uid(const char *uid);
int policy_check_container_id(const char *id);
/* "4096", "64K", "64M", "1G", "1T", with an optional "iB" or "B": bytes; -EINVAL, -ERANGE. */
int policy_parse_size(const char *text, uint64_t *ret);
