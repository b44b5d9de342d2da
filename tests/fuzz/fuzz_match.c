/* SPDX-License-Identifier: MIT */
/*
 * The matcher: the input is a glob and a cgroup path, split at the first
 * NUL or newline.  match_glob() must stay within its work bound, agree with
 * a naive backtracking reference on short inputs, and refuse exactly the
 * invalid globs and paths; match_cgroup() with a one-policy set must agree
 * with it; kubepath must return well-formed pods and containers.
 */
#include "fuzzlib.h"
#include "escape.h"
#include "kubepath.h"
#include "match.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t ref_char_len(const char *s, size_t n)
{
	size_t len = utf8_char_len(s, n, NULL);

	return len ? len : 1;
}

/* Naive backtracking over one component; *@budget calls at most (then -1: undecided). */
static int ref_comp(const char *g, size_t gn, const char *s, size_t sn, long *budget)
{
	if (--*budget < 0)
		return -1;
	if (gn == 0)
		return sn == 0;
	if (g[0] == '*') {
		for (size_t k = 0;; k += ref_char_len(s + k, sn - k)) {
			int r = ref_comp(g + 1, gn - 1, s + k, sn - k, budget);

			if (r != 0)
				return r;
			if (k >= sn)
				return 0;
		}
	}
	if (sn == 0)
		return 0;
	if (g[0] == '?') {
		size_t c = ref_char_len(s, sn);

		return ref_comp(g + 1, gn - 1, s + c, sn - c, budget);
	}
	return g[0] == s[0] ? ref_comp(g + 1, gn - 1, s + 1, sn - 1, budget) : 0;
}

struct comps {
	const char *s[64];
	size_t n[64];
	size_t count;
};

/* Split @p at '/' ("" has no components); false when over 64. */
static bool split(const char *p, struct comps *c)
{
	c->count = 0;
	if (!*p)
		return true;
	for (;;) {
		const char *end = strchrnul(p, '/');

		if (c->count == 64)
			return false;
		c->s[c->count] = p;
		c->n[c->count++] = (size_t)(end - p);
		if (!*end)
			return true;
		p = end + 1;
	}
}

/* Naive backtracking over components: glob components from @i, path components from @j. */
static int ref_glob(const struct comps *g, size_t i, const struct comps *p, size_t j, long *budget)
{
	int r;

	if (--*budget < 0)
		return -1;
	if (i == g->count)
		return j == p->count;
	if (g->n[i] == 2 && g->s[i][0] == '*' && g->s[i][1] == '*') {
		r = ref_glob(g, i + 1, p, j, budget); /* zero components */
		if (r != 0 || j == p->count)
			return r;
		return ref_glob(g, i, p, j + 1, budget); /* one more */
	}
	if (j == p->count)
		return 0;
	r = ref_comp(g->s[i], g->n[i], p->s[j], p->n[j], budget);
	if (r <= 0)
		return r;
	return ref_glob(g, i + 1, p, j + 1, budget);
}

static void check_kubepath(const char *path, size_t ncomps)
{
	struct kube_container c;
	struct kube_pod pod;
	size_t last = 0;

	if (kubepath_pod(path, &pod) == 0) {
		FUZZ_ASSERT(pod.depth >= 2 && pod.depth <= ncomps, "pod depth %zu of %zu",
			    pod.depth, ncomps);
		FUZZ_ASSERT(policy_check_pod_uid(pod.uid) == 0, "pod uid \"%s\"", pod.uid);
		FUZZ_ASSERT(pod.qos == POLICY_POD_QOS_GUARANTEED ||
				    pod.qos == POLICY_POD_QOS_BURSTABLE ||
				    pod.qos == POLICY_POD_QOS_BESTEFFORT,
			    "qos %d", pod.qos);
	}
	for (size_t d = 0; kubepath_container(path, d, &c) == 0; d = c.depth) {
		FUZZ_ASSERT(c.depth > last && c.depth <= ncomps,
			    "container depth %zu after %zu of %zu", c.depth, last, ncomps);
		FUZZ_ASSERT(strlen(c.id) == 64 && policy_check_container_id(c.id) == 0, "id \"%s\"",
			    c.id);
		last = c.depth;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *glob = fuzz_cstr(data, size), *path;
	bool glob_ok, path_ok;
	uint64_t steps = 0, bound;
	struct comps gc, pc;
	int r;

	/* split at the first newline or NUL (fuzz_cstr() ends the copy with one more NUL) */
	path = glob + strcspn(glob, "\n");
	if (*path)
		*path++ = '\0';
	else if (strlen(glob) < size)
		path = glob + strlen(glob) + 1;

	glob_ok = policy_check_cgroup_glob(glob) == 0;
	path_ok = match_check_path(path) == 0;
	r = match_glob_counted(glob, path, &steps);
	if (glob_ok && path_ok)
		FUZZ_ASSERT(r == 0 || r == 1, "valid glob and path: %d", r);
	else
		FUZZ_ASSERT(r == -EINVAL, "glob ok %d, path ok %d: %d", glob_ok, path_ok, r);
	bound = 2 * (uint64_t)(strlen(glob) + 2) * (strlen(path) + 2);
	FUZZ_ASSERT(steps <= bound, "%llu steps over the bound %llu", (unsigned long long)steps,
		    (unsigned long long)bound);

	if (r >= 0 && split(glob, &gc) && split(path, &pc)) {
		long budget = 200000;
		int want = ref_glob(&gc, 0, &pc, 0, &budget);

		FUZZ_ASSERT(want < 0 || want == r, "glob \"%s\" path \"%s\": %d, reference %d",
			    glob, path, r, want);
	}
	if (path_ok) {
		size_t ncomps = *path ? 1 : 0;
		struct match_result res;

		for (const char *p = path; *p; p++)
			ncomps += *p == '/';
		check_kubepath(path, ncomps);
		if (glob_ok) {
			char *globs[1] = { glob };
			struct policy pol = { .name = "fuzz",
					      .match = { .cgroups = globs, .n_cgroups = 1 } };
			struct policy_set set = { .policies = &pol, .n_policies = 1 };

			FUZZ_ASSERT(match_cgroup(&set, NULL, 0, path, &res) == 0, "match_cgroup");
			FUZZ_ASSERT(res.matched == (r == 1), "match_cgroup %d, match_glob %d",
				    res.matched, r);
			FUZZ_ASSERT(memchr(res.why, '\0', sizeof(res.why)), "why not terminated");
			for (const char *w = res.why; *w; w++)
				FUZZ_ASSERT((unsigned char)*w >= 0x20 && *w != 0x7f,
					    "control byte in why");
			match_result_clear(&res);
		}
	}
	free(glob);
	return 0;
}
