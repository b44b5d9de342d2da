/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "kubepath.h"
#include "macro.h"
#include "match.h"

/* ---- globs ---- */

/* Bytes of the character at @s (at most @n): a broken UTF-8 byte counts as one. */
static size_t char_len(const char *s, size_t n)
{
	size_t len = utf8_char_len(s, n, NULL);

	return len ? len : 1;
}

/*
 * One glob component (no "**") against one path component: '*' any run of
 * characters, '?' one character.  The greedy two-pointer algorithm: on a
 * mismatch only the last '*' is retried, one character further; the retry
 * point only moves forward, so the work is O(gn * sn).
 */
static bool comp_match(const char *g, size_t gn, const char *s, size_t sn, uint64_t *steps)
{
	size_t gi = 0, si = 0, star = SIZE_MAX, mark = 0;

	while (si < sn) {
		(*steps)++;
		if (gi < gn && g[gi] == '*') {
			star = gi++;
			mark = si;
		} else if (gi < gn && g[gi] == '?') {
			gi++;
			si += char_len(s + si, sn - si);
		} else if (gi < gn && g[gi] == s[si]) {
			gi++;
			si++;
		} else if (star != SIZE_MAX) {
			gi = star + 1;
			mark += char_len(s + mark, sn - mark);
			si = mark;
		} else {
			return false;
		}
	}
	while (gi < gn && g[gi] == '*') {
		(*steps)++;
		gi++;
	}
	return gi == gn;
}

int match_check_path(const char *path)
{
	const char *comp = path;

	if (!*path)
		return 0;
	for (;;) {
		const char *end = strchrnul(comp, '/');
		size_t len = (size_t)(end - comp);

		if (len == 0 || (len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (!*end)
			return 0;
		comp = end + 1;
	}
}

static size_t count_comps(const char *path)
{
	size_t n = 0;

	if (!*path)
		return 0;
	for (const char *p = path; *p; p++)
		n += *p == '/';
	return n + 1;
}

#define GLOB_STACK_ROW 256

/*
 * Dynamic programming over components: row[j] says whether the glob's
 * components so far match the first j path components.  A plain component
 * shifts the row by one where comp_match() agrees; "**" turns it into its
 * prefix OR (zero or more components).  O(globcomps * pathcomps) component
 * pairs, each O(len * len): O(strlen(glob) * strlen(path)) in all.
 */
int match_glob_counted(const char *glob, const char *path, uint64_t *steps)
{
	bool stack_rows[2][GLOB_STACK_ROW];
	_cleanup_free_ bool *heap = NULL;
	bool *cur, *next;
	const char *g = glob;
	size_t np;

	if (policy_check_cgroup_glob(glob) < 0 || match_check_path(path) < 0)
		return -EINVAL;
	np = count_comps(path);
	if (np + 1 <= GLOB_STACK_ROW) {
		cur = stack_rows[0];
		next = stack_rows[1];
	} else {
		heap = malloc(2 * (np + 1) * sizeof(bool));
		if (!heap)
			return -ENOMEM;
		cur = heap;
		next = heap + np + 1;
	}
	memset(cur, 0, (np + 1) * sizeof(bool));
	cur[0] = true;

	for (;;) {
		const char *gend = strchrnul(g, '/');
		size_t gn = (size_t)(gend - g);
		bool any = false, *swap;

		if (gn == 2 && g[0] == '*' && g[1] == '*') {
			bool acc = false;

			for (size_t j = 0; j <= np; j++) {
				(*steps)++;
				acc = acc || cur[j];
				next[j] = acc;
				any = any || acc;
			}
		} else {
			const char *p = path;

			next[0] = false;
			for (size_t j = 0; j < np; j++) {
				const char *pend = strchrnul(p, '/');

				(*steps)++;
				next[j + 1] =
					cur[j] && comp_match(g, gn, p, (size_t)(pend - p), steps);
				any = any || next[j + 1];
				p = *pend ? pend + 1 : pend;
			}
		}
		swap = cur;
		cur = next;
		next = swap;
		if (!any)
			return 0;
		if (!*gend)
			break;
		g = gend + 1;
	}
	return cur[np] ? 1 : 0;
}

int match_glob(const char *glob, const char *path)
{
	uint64_t steps = 0;

	return match_glob_counted(glob, path, &steps);
}

/* Level 1 and 3 of a glob: its components that are not "**", its non-wildcard characters. */
static void glob_specificity(const char *glob, unsigned *ret_depth, unsigned *ret_literal)
{
	unsigned depth = 0, literal = 0;
	const char *c = glob;

	for (;;) {
		const char *end = strchrnul(c, '/');

		if (!((size_t)(end - c) == 2 && c[0] == '*' && c[1] == '*')) {
			depth++;
			for (const char *p = c; p < end; p++)
				literal += *p != '*' && *p != '?';
		}
		if (!*end)
			break;
		c = end + 1;
	}
	*ret_depth = depth;
	*ret_literal = literal;
}

/* ---- candidates ---- */

const char *match_kind_to_string(enum match_kind kind)
{
	static const char *const names[] = {
		[MATCH_GLOB] = "cgroup glob",	 [MATCH_POD_QOS] = "pod qos",
		[MATCH_UNIT] = "unit",		 [MATCH_POD_UID] = "pod uid",
		[MATCH_CONTAINER] = "container",
	};

	return (size_t)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

int match_candidate_compare(const struct match_candidate *a, const struct match_candidate *b)
{
	int r;

	if (a->anchor_depth != b->anchor_depth)
		return a->anchor_depth > b->anchor_depth ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind > b->kind ? -1 : 1;
	if (a->kind == MATCH_GLOB && a->literal_chars != b->literal_chars)
		return a->literal_chars > b->literal_chars ? -1 : 1;
	if (a->policy != b->policy)
		return a->policy < b->policy ? -1 : 1;
	r = strcmp(a->pattern, b->pattern);
	return r < 0 ? -1 : r > 0;
}

static int compare_qsort(const void *a, const void *b)
{
	return match_candidate_compare(a, b);
}

/* Keep the more specific of *@best and @c in *@best. */
static void consider(struct match_candidate *best, bool *have, struct match_candidate c)
{
	if (!*have || match_candidate_compare(&c, best) < 0) {
		*best = c;
		*have = true;
	}
}

/* @unit's cgroup in @units, without systemd's leading '/'; NULL when unresolved. */
static const char *unit_cgroup(const struct match_unit_cgroup *units, size_t n_units,
			       const char *unit)
{
	for (size_t i = 0; i < n_units; i++) {
		const char *cg = units[i].cgroup;

		if (!units[i].unit || strcmp(units[i].unit, unit) != 0)
			continue;
		if (!cg)
			return NULL;
		while (*cg == '/')
			cg++;
		return cg;
	}
	return NULL;
}

/*
 * Is @path @anchor itself or below it (a trailing '/' of @anchor ignored)?
 * The anchor's number of components in *@ret_depth.
 */
static bool path_below(const char *anchor, const char *path, unsigned *ret_depth)
{
	size_t n = strlen(anchor);
	unsigned depth = 1;

	while (n > 0 && anchor[n - 1] == '/')
		n--;
	if (n == 0) {
		*ret_depth = 0;
		return true;
	}
	if (strncmp(anchor, path, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return false;
	for (size_t k = 0; k < n; k++)
		depth += path[k] == '/';
	*ret_depth = depth;
	return true;
}

/* The pod of the path, found once per path. */
struct kube_view {
	bool has_pod;
	struct kube_pod pod;
};

/* The most specific key of policy @i matching @cgroup: 1 and *@ret, 0 none, or -errno. */
static int policy_candidate(const struct policy_set *set, size_t i,
			    const struct match_unit_cgroup *units, size_t n_units,
			    const char *cgroup, const struct kube_view *kv,
			    struct match_candidate *ret)
{
	const struct policy_match *m = &set->policies[i].match;
	struct match_candidate best = { 0 };
	bool have = false;
	int r;

	for (size_t k = 0; k < m->n_cgroups; k++) {
		struct match_candidate c = { .policy = i,
					     .kind = MATCH_GLOB,
					     .pattern = m->cgroups[k] };

		r = match_glob(m->cgroups[k], cgroup);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		glob_specificity(m->cgroups[k], &c.anchor_depth, &c.literal_chars);
		consider(&best, &have, c);
	}
	for (size_t k = 0; k < m->n_units; k++) {
		const char *cg = unit_cgroup(units, n_units, m->units[k]);
		unsigned depth;

		if (!cg || !path_below(cg, cgroup, &depth))
			continue;
		consider(&best, &have,
			 (struct match_candidate){ .policy = i,
						   .kind = MATCH_UNIT,
						   .pattern = m->units[k],
						   .anchor_depth = depth });
	}
	if (m->has_pod && kv->has_pod &&
	    (m->pod_qos == POLICY_POD_QOS_ANY || m->pod_qos == kv->pod.qos) &&
	    (!m->pod_uid[0] || strcmp(m->pod_uid, kv->pod.uid) == 0)) {
		bool by_uid = m->pod_uid[0] != '\0';

		consider(&best, &have,
			 (struct match_candidate){
				 .policy = i,
				 .kind = by_uid ? MATCH_POD_UID : MATCH_POD_QOS,
				 .pattern =
					 by_uid ? m->pod_uid : policy_pod_qos_to_string(m->pod_qos),
				 .anchor_depth = (unsigned)kv->pod.depth });
	}
	for (size_t k = 0; k < m->n_containers; k++) {
		struct kube_container ctr;

		/* every container cgroup along the path (they nest: kind nodes) */
		for (size_t d = 0; kubepath_container(cgroup, d, &ctr) == 0; d = ctr.depth)
			if (strncmp(ctr.id, m->containers[k], strlen(m->containers[k])) == 0)
				consider(&best, &have,
					 (struct match_candidate){ .policy = i,
								   .kind = MATCH_CONTAINER,
								   .pattern = m->containers[k],
								   .anchor_depth =
									   (unsigned)ctr.depth });
	}
	if (!have)
		return 0;
	*ret = best;
	return 1;
}

/* ---- the why ---- */

struct text {
	char *buf;
	size_t size, len;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= t->size - t->len) {
		/* cut: end in "..." so the cut shows */
		t->len = t->size - 1;
		memcpy(t->buf + t->size - 4, "...", 4);
	} else {
		t->len += (size_t)n;
	}
}

#define WHY_PATTERN_MAX 160

/* 'cgroup glob "web.slice"', 'container "3f4e5d6c7b8a"' */
static void add_candidate(struct text *t, const struct match_candidate *c)
{
	char esc[WHY_PATTERN_MAX];

	text_add(t, "%s \"%s\"", match_kind_to_string(c->kind),
		 escape_terminal(c->pattern, esc, sizeof(esc)));
}

/* Why @l loses against @w: the first level of the order where they differ. */
static void add_reason(struct text *t, const struct match_candidate *w,
		       const struct match_candidate *l)
{
	if (w->anchor_depth != l->anchor_depth)
		text_add(t, "shallower anchor: depth %u vs %u", l->anchor_depth, w->anchor_depth);
	else if (w->kind != l->kind)
		text_add(t, "same anchor depth %u, weaker kind: %s vs %s", l->anchor_depth,
			 match_kind_to_string(l->kind), match_kind_to_string(w->kind));
	else if (w->kind == MATCH_GLOB && w->literal_chars != l->literal_chars)
		text_add(t, "same anchor depth %u, fewer literal characters: %u vs %u",
			 l->anchor_depth, l->literal_chars, w->literal_chars);
	else
		text_add(t, "equally specific, later policy: #%zu vs #%zu", l->policy, w->policy);
}

static void format_why(const struct policy_set *set, const struct match_result *r,
		       char why[MATCH_WHY_MAX])
{
	struct text t = { why, MATCH_WHY_MAX, 0 };

	why[0] = '\0';
	if (!r->matched) {
		text_add(&t, "no policy matches");
		return;
	}
	text_add(&t, "policy \"%s\" matches by ", set->policies[r->winner.policy].name);
	add_candidate(&t, &r->winner);
	if (r->n_losers == 0)
		return;
	text_add(&t, "; beats \"%s\" (", set->policies[r->losers[0].policy].name);
	add_candidate(&t, &r->losers[0]);
	text_add(&t, ", ");
	add_reason(&t, &r->winner, &r->losers[0]);
	text_add(&t, ")");
	if (r->n_losers > 1)
		text_add(&t, " and %zu more less specific polic%s", r->n_losers - 1,
			 r->n_losers == 2 ? "y" : "ies");
}

/* ---- matching ---- */

int match_cgroup(const struct policy_set *set, const struct match_unit_cgroup *units,
		 size_t n_units, const char *cgroup, struct match_result *ret)
{
	_cleanup_free_ struct match_candidate *cands = NULL;
	struct match_result res = { 0 };
	struct kube_view kv;
	size_t n = 0;
	int r;

	if (!set || !cgroup || match_check_path(cgroup) < 0)
		return -EINVAL;
	kv.has_pod = kubepath_pod(cgroup, &kv.pod) == 0;
	if (set->n_policies > 0) {
		cands = calloc(set->n_policies, sizeof(*cands));
		if (!cands)
			return -ENOMEM;
	}
	for (size_t i = 0; i < set->n_policies; i++) {
		r = policy_candidate(set, i, units, n_units, cgroup, &kv, &cands[n]);
		if (r < 0)
			return r;
		n += (size_t)r;
	}
	if (n > 0) {
		qsort(cands, n, sizeof(*cands), compare_qsort);
		res.matched = true;
		res.winner = cands[0];
		if (n > 1) {
			res.losers = malloc((n - 1) * sizeof(*res.losers));
			if (!res.losers)
				return -ENOMEM;
			memcpy(res.losers, cands + 1, (n - 1) * sizeof(*res.losers));
			res.n_losers = n - 1;
		}
	}
	format_why(set, &res, res.why);
	*ret = res;
	return 0;
}

void match_result_clear(struct match_result *r)
{
	if (!r)
		return;
	free(r->losers);
	*r = (struct match_result){ 0 };
}

void match_results_free(struct match_result *results, size_t n)
{
	if (!results)
		return;
	for (size_t i = 0; i < n; i++)
		match_result_clear(&results[i]);
	free(results);
}

int match_all(const struct policy_set *set, const struct match_unit_cgroup *units, size_t n_units,
	      const char *const *cgroups, size_t n_cgroups, struct match_result **ret)
{
	struct match_result *results;
	int r;

	results = calloc(n_cgroups ? n_cgroups : 1, sizeof(*results));
	if (!results)
		return -ENOMEM;
	for (size_t i = 0; i < n_cgroups; i++) {
		r = match_cgroup(set, units, n_units, cgroups[i], &results[i]);
		if (r < 0) {
			match_results_free(results, i);
			return r;
		}
	}
	*ret = results;
	return 0;
}

int match_unresolved_units(const struct policy_set *set, const struct match_unit_cgroup *units,
			   size_t n_units, struct match_candidate **ret, size_t *ret_n)
{
	_cleanup_free_ struct match_candidate *list = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < set->n_policies; i++) {
		const struct policy_match *m = &set->policies[i].match;

		for (size_t k = 0; k < m->n_units; k++) {
			if (unit_cgroup(units, n_units, m->units[k]))
				continue;
			if (grow_array((void **)&list, &cap, n + 1, sizeof(*list)) < 0)
				return -ENOMEM;
			list[n++] = (struct match_candidate){ .policy = i,
							      .kind = MATCH_UNIT,
							      .pattern = m->units[k] };
		}
	}
	*ret = TAKE_PTR(list);
	*ret_n = n;
	return 0;
}
