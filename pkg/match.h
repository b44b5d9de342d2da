/* SPDX-License-Identifier: MIT */
/*
 * Which policy governs which cgroup, and why.  Pure: the caller hands over
 * the policy set, the cgroup paths (relative to the cgroup root, no leading
 * '/', "" is the root) and the systemd units already resolved to their
 * cgroups; nothing here reads the system.
 *
 * A policy matches a cgroup when ANY key of its `match` object does:
 *   cgroup     a glob on the whole path: '*' any run of characters within one
 *              component, '?' one character (UTF-8; never '/'), '**' as a
 *              whole component zero or more whole components (the glob
 *              "web.slice/" "**" matches "web.slice", "web.slice/a",
 *              "web.slice/a/b").
 *   unit       the unit's cgroup and all its descendants; a unit that is not
 *              loaded (no cgroup) matches nothing (match_unresolved_units()).
 *   pod        the pod cgroup (kubepath.h) and all its descendants, when qos
 *              and uid, as far as given, BOTH equal the pod's.
 *   container  the container cgroup (kubepath.h) and all its descendants,
 *              when the id given is a prefix of the container's 64-hex id.
 *
 * Several policies matching one cgroup: the most specific wins.  Each
 * matching policy is represented by its most specific matching key (a
 * candidate), and candidates are ordered by, in turn:
 *   1. anchor depth, deeper first: the number of path components of the
 *      anchor cgroup (unit, pod, container), or of the glob's components
 *      that are not '**';
 *   2. kind: container > pod with uid > unit > pod by qos only > glob;
 *   3. for globs: more literal (non-wildcard) characters, '/' not counted;
 *   4. lower policy index (earlier file, earlier policy in its file);
 *   (5. within one policy only, the pattern's bytes, so the result never
 *      depends on the order of the keys in the file).
 * This is a total order: the result does not depend on the order in which
 * candidates are found.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* A unit name and its ControlGroup; cgroup NULL: not loaded. */
struct match_unit_cgroup {
	const char *unit;
	/* relative to the cgroup root; systemd's leading '/' is accepted ("/" is the root) */
	const char *cgroup;
};

/* In order of specificity (level 2 above): higher is more specific. */
enum match_kind {
	MATCH_GLOB,
	MATCH_POD_QOS,
	MATCH_UNIT,
	MATCH_POD_UID,
	MATCH_CONTAINER,
};

struct match_candidate {
	size_t policy; /* index in the set */
	enum match_kind kind;
	/*
	 * What matched, pointing into the set (glob, unit name, pod uid,
	 * container id) or a static string (the qos of a qos-only pod key).
	 */
	const char *pattern;
	unsigned anchor_depth;
	unsigned literal_chars; /* globs only, else 0 */
};

#define MATCH_WHY_MAX 512

struct match_result {
	bool matched;
	struct match_candidate winner; /* when matched */
	struct match_candidate *losers; /* every other matching policy, most specific first */
	size_t n_losers;
	/* 'policy "web" matches by cgroup glob "..."; beats "other" (...)' */
	char why[MATCH_WHY_MAX];
};

/*
 * Does @glob (valid for policy_check_cgroup_glob()) match @path (valid for
 * match_check_path())?  1 yes, 0 no, -EINVAL for an invalid glob or path,
 * -ENOMEM.  Work is bounded by O(strlen(glob) * strlen(path)) whatever the
 * glob; match_glob_counted() also adds the steps taken to *@steps.
 */
int match_glob(const char *glob, const char *path);
int match_glob_counted(const char *glob, const char *path, uint64_t *steps);

/* A cgroup path: "" or components without '/', none empty, "." or "..": 0 or -EINVAL. */
int match_check_path(const char *path);

/* Negative when @a is more specific than @b (sorts first), 0 only for equal candidates. */
int match_candidate_compare(const struct match_candidate *a, const struct match_candidate *b);
const char *match_kind_to_string(enum match_kind kind);

/*
 * Which policy of @set governs @cgroup.  0 and *@ret filled (clear it with
 * match_result_clear()), also when nothing matches (ret->matched false);
 * -EINVAL for an invalid path, -ENOMEM.  *@ret untouched on failure.
 */
int match_cgroup(const struct policy_set *set, const struct match_unit_cgroup *units,
		 size_t n_units, const char *cgroup, struct match_result *ret);
void match_result_clear(struct match_result *r);

/*
 * match_cgroup() for each of @cgroups (in the order given, e.g. a pre-order
 * walk of the host's hierarchy): a new array of @n_cgroups results in *@ret,
 * freed with match_results_free().  Fails as match_cgroup() on the first
 * path that fails; *@ret untouched then.
 */
int match_all(const struct policy_set *set, const struct match_unit_cgroup *units, size_t n_units,
	      const char *const *cgroups, size_t n_cgroups, struct match_result **ret);
void match_results_free(struct match_result *results, size_t n);

/*
 * The unit keys of @set that match nothing because @units has no cgroup for
 * them (not loaded, or missing from the table), in policy order, as
 * candidates (kind MATCH_UNIT, depth 0): a new array in *@ret (NULL when
 * none) and its length in *@ret_n.  0 or -ENOMEM.
 */
int match_unresolved_units(const struct policy_set *set, const struct match_unit_cgroup *units,
			   size_t n_units, struct match_candidate **ret, size_t *ret_n);
